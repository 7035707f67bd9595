import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { DEFAULT_PORT, deployLocal, LocalDeployment } from "./deploy";
import { formatSummary, formatTimeline } from "./report";
import { accountFor, dealershipScenario, loadOrders, operatorEventBridge, placeOrders, ScenarioOrder, ScenarioReport } from "./scenario";
import { queueCounts } from "./queue-counts";

/**
 * The local cloud's command line.
 *   start  deploy a stack into the local cloud, drive the dealership scenario, print each order's
 *          journey and a summary; exit 1 if any event is unaccounted for
 *   serve  deploy a stack and keep its endpoint up for SDKs and the AWS CLI
 */
const USAGE = `Usage:
  npm start [-- --stack dev] [--verbose] [--logs]
  npm run local -- start [--stack <name>] [--port <n>] [--containers <n>] [--with <dir>] [--verbose] [--logs]
  npm run local -- serve [--stack <name>] [--port <n>] [--containers <n>] [--with <dir>] [--orders <n>] [--logs]

Options:
  --stack <name>   stack whose Pulumi.<name>.yaml configures the program (default: dev)
  --port <n>       endpoint port on 127.0.0.1 (start: any free port; serve: ${DEFAULT_PORT})
  --orders <n>     serve: drive n orders through the flow, with a progress bar
  --containers <n> Lambda containers per function (default: one per two cores)
  --with <dir>     also deploy the program in <dir> (its Pulumi.<stack>.yaml) into the same cloud; repeatable
  --verbose        start: show every step of each timeline, queue sends included
  --logs           print the functions' log lines as they are written
  --help           this text`;

class UsageError extends Error {}

interface Options {
  command: "start" | "serve";
  stack: string;
  port?: number;
  orders?: number;
  containers?: number;
  /** Folders of more programs to deploy into the same cloud. */
  with: string[];
  verbose: boolean;
  logs: boolean;
}

export function parseCommandLine(argv: string[]): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        stack: { type: "string", default: "dev" },
        port: { type: "string" },
        orders: { type: "string" },
        containers: { type: "string" },
        with: { type: "string", multiple: true },
        verbose: { type: "boolean", default: false },
        logs: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/, ""));
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals.length !== 1 || !["start", "serve"].includes(positionals[0])) {
    throw new UsageError(positionals.length === 0 ? "no command: say start or serve" : `unknown command "${positionals.join(" ")}": say start or serve`);
  }
  const command = positionals[0] as Options["command"];
  const integer = (name: string, text: string | undefined, min: number, max: number) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
    return value;
  };
  if (!/^[A-Za-z0-9_.-]+$/.test(values.stack!)) throw new UsageError(`--stack "${values.stack}" is not a stack name`);
  if (values.orders !== undefined && command !== "serve") throw new UsageError("--orders is an option of serve");
  return {
    command,
    stack: values.stack!,
    port: integer("port", values.port, 0, 65_535),
    orders: integer("orders", values.orders, 1, 1_000_000),
    containers: integer("containers", values.containers, 1, 64),
    with: (values.with ?? []).map((dir) => {
      const root = path.resolve(dir);
      if (!fs.existsSync(path.join(root, "Pulumi.yaml"))) throw new UsageError(`--with ${dir}: there is no Pulumi.yaml in ${root}`);
      return root;
    }),
    verbose: values.verbose!,
    logs: values.logs!,
  };
}

async function deploy(options: Options, clock: "virtual" | "real"): Promise<LocalDeployment> {
  const started = Date.now();
  const deployment = await deployLocal({
    stack: options.stack,
    port: options.port ?? (options.command === "serve" ? DEFAULT_PORT : 0),
    clock,
    containersPerFunction: options.containers,
    also: options.with.map((root) => ({ stack: options.stack, root })),
  });
  if (options.logs) deployment.cloud.service<import("./services/lambda").LambdaService>("lambda").logSink = (fn, line) => console.log(`[${fn}] ${line}`);
  const emulated = deployment.resources.filter((r) => r.type.startsWith("aws:")).length;
  console.log(`Deployed stack "${options.stack}" into the local cloud: ${emulated} AWS resources in ${((Date.now() - started) / 1000).toFixed(1)} s; endpoint ${deployment.endpoint.url}`);
  for (const warning of deployment.warnings) console.log(`  note: ${warning}`);
  return deployment;
}

/** `start`: the scenario, its timelines and its accounting. */
async function start(options: Options): Promise<number> {
  const deployment = await deploy(options, "virtual");
  try {
    const busName = String(deployment.outputs.busName);
    const orders = dealershipScenario(busName);
    console.log(`\nPlacing ${orders.length} orders on ${busName}...\n`);
    const report = await drive(deployment, orders);
    for (const order of report.orders) console.log(formatTimeline(order, options.verbose) + "\n");
    console.log(formatSummary(report));
    return report.problems.length === 0 ? 0 : 1;
  } finally {
    await deployment.stop();
  }
}

/** Places the orders through the SDK, runs the cloud until it is idle, and accounts for them. */
async function drive(deployment: LocalDeployment, orders: readonly ScenarioOrder[]): Promise<ScenarioReport> {
  const client = operatorEventBridge(deployment);
  const wallStart = Date.now();
  const cloudStart = deployment.cloud.clock.now();
  const refused = await placeOrders(client, orders);
  const cloudEnd = await deployment.cloud.clock.settle();
  client.destroy();
  return accountFor(deployment, orders, refused, Date.now() - wallStart, cloudEnd - cloudStart, queueCounts(deployment.cloud));
}

/** `serve`: the endpoint stays up with a live status line until Ctrl-C. */
async function serve(options: Options): Promise<number> {
  const deployment = await deploy(options, "real");
  const { cloud, endpoint } = deployment;
  console.log(`\nThe local cloud is serving. Point SDKs and the AWS CLI at it:
  export AWS_ENDPOINT_URL=${endpoint.url} AWS_REGION=${cloud.identity.region} AWS_DEFAULT_REGION=${cloud.identity.region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
  aws events list-rules --event-bus-name ${deployment.outputs.busName}
Press Ctrl-C to stop.\n`);
  const status = () => {
    const t = cloud.trace;
    const queued = queueCounts(cloud).reduce((total, q) => total + q.messages, 0);
    return `events ${t.count("event.accepted")} | deliveries ${t.count("target.delivered")} | invocations ${t.count("function.invoked")} (${t.count("function.failed")} failed) | workflows ${t.count("execution.succeeded")}/${t.count("execution.started")} | DLQ ${t.count("message.dead-lettered") + t.count("target.dead-lettered")} | queued ${queued} | requests ${endpoint.requests.total}`;
  };
  const tty = process.stdout.isTTY;
  const ticker = setInterval(() => (tty ? process.stdout.write(`\r\x1b[2K${status()}`) : console.log(status())), tty ? 500 : 10_000);
  if (options.orders) await driveLoad(deployment, options.orders, tty);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  clearInterval(ticker);
  console.log(`\n${status()}\nStopping.`);
  await deployment.stop();
  return 0;
}

async function driveLoad(deployment: LocalDeployment, count: number, tty: boolean): Promise<void> {
  const orders = loadOrders(count, String(deployment.outputs.busName));
  const client = operatorEventBridge(deployment);
  const started = Date.now();
  const handedOver = () => deployment.cloud.trace.count("notification.published");
  const bar = () => {
    const done = Math.min(count, handedOver());
    const width = 30;
    const filled = Math.round((done / count) * width);
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${count} orders handed over, ${rate.toFixed(0)}/s`;
  };
  const progress = setInterval(() => tty && process.stdout.write(`\r\x1b[2K${bar()}`), 250);
  await placeOrders(client, orders);
  client.destroy();
  while (handedOver() < count && Date.now() - started < 600_000) await new Promise((resolve) => setTimeout(resolve, 100));
  clearInterval(progress);
  console.log(`\r\x1b[2K${bar()} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  return options.command === "start" ? start(options) : serve(options);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`error: ${error instanceof Error ? error.message : error}`);
      process.exit(1);
    },
  );
}
