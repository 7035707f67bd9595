import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { DEFAULT_PORT, deployLocal, LocalDeployment } from "./deploy";
import { queueCounts } from "./queue-counts";

/**
 * The local cloud's command line, for any Pulumi program (`event-routes-local`), and for programs
 * that bring a scenario of their own (the scenario drives `start` and `serve --orders`).
 *   start  deploy a stack into the local cloud, let it run until idle (or drive the scenario), report
 *   serve  deploy a stack and keep its endpoint up for SDKs and the AWS CLI
 */
const OPTIONS = `Options:
  --program <dir>  folder of the Pulumi program (Pulumi.yaml, Pulumi.<stack>.yaml; default: the working directory)
  --stack <name>   stack whose Pulumi.<name>.yaml configures the program (default: dev)
  --port <n>       endpoint port on 127.0.0.1 (start: any free port; serve: ${DEFAULT_PORT})
  --orders <n>     serve: drive n orders of the scenario through the flow, with a progress bar
  --containers <n> Lambda containers per function (default: one per two cores)
  --with <dir>     also deploy the program in <dir> (its Pulumi.<stack>.yaml) into the same cloud; repeatable
  --verbose        start: show every step of the scenario's timelines
  --logs           print the functions' log lines as they are written
  --help           this text`;

const GENERIC_USAGE = `Usage:
  npx event-routes-local start [--program <dir>] [--stack <name>] [--port <n>] [--containers <n>] [--with <dir>] [--logs]
  npx event-routes-local serve [--program <dir>] [--stack <name>] [--port <n>] [--containers <n>] [--with <dir>] [--logs]

${OPTIONS}`;

export class UsageError extends Error {}

/** What a program brings to the command line: the story `start` tells and the load `serve --orders` drives. */
export interface LocalScenario {
  /** Usage lines shown by --help and after a usage error (the options follow). */
  usage: string;
  /** `start`: drives the deployed program and prints its report; returns the exit code. */
  start(deployment: LocalDeployment, options: { verbose: boolean }): Promise<number>;
  /** `serve --orders <n>`: drives n orders while the endpoint serves. */
  load?(deployment: LocalDeployment, count: number, tty: boolean): Promise<void>;
}

export interface CommandLineOptions {
  /** `start` (run until idle, or the scenario, and report) or `serve` (keep the endpoint up). Required. */
  command: "start" | "serve";
  /** Folder of the program (`--program`; the working directory when not given). Required. */
  program: string;
  /** The stack (`--stack`; `dev` when not given). Required. */
  stack: string;
  /** The endpoint's port (`--port`). Default: any free port for `start`, 4566 for `serve`. */
  port?: number;
  /** `serve`: orders of the scenario to drive (`--orders`). Default: none. */
  orders?: number;
  /** Lambda containers per function (`--containers`). Default: one per two cores. */
  containers?: number;
  /** Folders of more programs to deploy into the same cloud (`--with`, repeatable). Required. Empty for none. */
  with: string[];
  /** `start`: show every step of the scenario's timelines (`--verbose`). Required. */
  verbose: boolean;
  /** Print the functions' log lines as they are written (`--logs`). Required. */
  logs: boolean;
}

type Options = CommandLineOptions;

/** Parses the arguments; `defaultProgram` is the program's folder when --program is not given. */
export function parseCommandLine(argv: string[], defaultProgram = process.cwd()): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        program: { type: "string" },
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
  const program = path.resolve(values.program ?? defaultProgram);
  if (!fs.existsSync(path.join(program, "Pulumi.yaml"))) throw new UsageError(`${values.program === undefined ? "the working directory" : `--program ${values.program}`}: there is no Pulumi.yaml in ${program}`);
  return {
    command,
    program,
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
    root: options.program,
    stack: options.stack,
    port: options.port ?? (options.command === "serve" ? DEFAULT_PORT : 0),
    clock,
    containersPerFunction: options.containers,
    also: options.with.map((root) => ({ stack: options.stack, root })),
  });
  if (options.logs) deployment.cloud.service<import("./services/lambda/service").LambdaService>("lambda").logSink = (fn, line) => console.log(`[${fn}] ${line}`);
  const emulated = deployment.resources.filter((r) => r.type.startsWith("aws:")).length;
  console.log(`Deployed stack "${options.stack}" into the local cloud: ${emulated} AWS resources in ${((Date.now() - started) / 1000).toFixed(1)} s; endpoint ${deployment.endpoint.url}`);
  for (const warning of deployment.warnings) console.log(`  note: ${warning}`);
  return deployment;
}

/** `start`: the scenario's story, or, for any program, a run until idle and what the trace accounts for. */
async function start(options: Options, scenario?: LocalScenario): Promise<number> {
  const deployment = await deploy(options, "virtual");
  try {
    if (scenario) return await scenario.start(deployment, { verbose: options.verbose });
    const cloudStart = deployment.cloud.clock.now();
    const cloudEnd = await deployment.cloud.clock.settle();
    const t = deployment.cloud.trace;
    const lost = t.count("target.dropped") + t.count("target.dead-lettered") + t.count("message.dead-lettered") + t.count("function.async-failed");
    console.log(`\nRan until idle (${((cloudEnd - cloudStart) / 1000).toFixed(1)} s of cloud time).`);
    console.log(`  events ${t.count("event.accepted")} accepted, ${t.count("event.rejected")} rejected, ${t.count("event.unmatched")} unmatched`);
    console.log(`  deliveries ${t.count("target.delivered")}, invocations ${t.count("function.invoked")} (${t.count("function.failed")} failed), workflows ${t.count("execution.succeeded")}/${t.count("execution.started")} succeeded`);
    for (const q of queueCounts(deployment.cloud).filter((q) => q.messages > 0)) console.log(`  queue ${q.name}: ${q.messages} message(s) waiting`);
    console.log(lost === 0 ? "Nothing was dropped or dead-lettered." : `${lost} event(s) or message(s) were dropped, dead-lettered or failed for good.`);
    return lost === 0 ? 0 : 1;
  } finally {
    await deployment.stop();
  }
}

/** `serve`: the endpoint stays up with a live status line until Ctrl-C. */
async function serve(options: Options, scenario?: LocalScenario): Promise<number> {
  const deployment = await deploy(options, "real");
  const { cloud, endpoint } = deployment;
  console.log(`\nThe local cloud is serving. Point SDKs and the AWS CLI at it:
  export AWS_ENDPOINT_URL=${endpoint.url} AWS_REGION=${cloud.identity.region} AWS_DEFAULT_REGION=${cloud.identity.region} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
  aws events list-rules
Press Ctrl-C to stop.\n`);
  const status = () => {
    const t = cloud.trace;
    const queued = queueCounts(cloud).reduce((total, q) => total + q.messages, 0);
    return `events ${t.count("event.accepted")} | deliveries ${t.count("target.delivered")} | invocations ${t.count("function.invoked")} (${t.count("function.failed")} failed) | workflows ${t.count("execution.succeeded")}/${t.count("execution.started")} | DLQ ${t.count("message.dead-lettered") + t.count("target.dead-lettered")} | queued ${queued} | requests ${endpoint.requests.total}`;
  };
  const tty = process.stdout.isTTY;
  const ticker = setInterval(() => (tty ? process.stdout.write(`\r\x1b[2K${status()}`) : console.log(status())), tty ? 500 : 10_000);
  if (options.orders && scenario?.load) await scenario.load(deployment, options.orders, tty);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  clearInterval(ticker);
  console.log(`\n${status()}\nStopping.`);
  await deployment.stop();
  return 0;
}

/**
 * Runs the command line: `argv` without the node and script names. A program's own command line
 * passes its folder and its scenario. Returns the exit code (2 for a usage error).
 */
export async function runCommandLine(argv: string[], program: { defaultProgram?: string; scenario?: LocalScenario } = {}): Promise<number> {
  const usage = program.scenario ? `${program.scenario.usage}\n\n${OPTIONS}` : GENERIC_USAGE;
  let options;
  try {
    options = parseCommandLine(argv, program.defaultProgram);
    if (options !== "help" && options.orders !== undefined && !program.scenario?.load) throw new UsageError("--orders needs a program that brings a scenario");
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
  if (options === "help") {
    console.log(usage);
    return 0;
  }
  return options.command === "start" ? start(options, program.scenario) : serve(options, program.scenario);
}
