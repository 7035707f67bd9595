import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient, StartMessageMoveTaskCommand, type Message as SqsMessage } from "@aws-sdk/client-sqs";
import { SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import * as path from "path";
import { parseArgs } from "util";
import { OrderPlaced } from "../handlers/contracts";
import { DEFAULT_ERROR_KINDS, deployLocal, ERROR_KINDS, ErrorKind, FaultMix, LocalDeployment, Outage, queueCounts, seededRandom, startOutage, type LambdaService, type SqsService } from "@event-routes/local-cloud";
import { formatTimeline } from "./report";
import { accountFor, operatorClientConfig, operatorEventBridge, order, orderIdsOf, placeOrders, type OrderReport, type Outcome, type ScenarioOrder } from "./scenario";

/**
 * The chaos run: the dealership under an outage of the AWS calls its functions make.
 *
 *   npm run chaos -- --orders 1000 --faults 10 --duplicates 5 --seed 7
 *
 * Deploys the stack into the local cloud, fails the given share of the functions' AWS calls with
 * retryable errors (throttling, 5xx), places the orders (a share of them twice, as an at-least-once
 * producer would), runs the cloud until idle, ends the outage, redrives every dead-letter queue as
 * an operator would, runs until idle again, and accounts for every order: delivered, declined,
 * parked (and where), lost; charged more than once; notified more than once. Exits with 1 on any
 * lost order, double charge, double notification, silent failure or charge kept for an order that
 * was not delivered, and prints the timeline of each order that went wrong.
 */

const usage = () => `Usage:
  npm run chaos -- [--orders <n>] [--faults <percent>] [--duplicates <percent>] [--seed <n>]
                   [--errors throttling,5xx] [--operations <target,...>] [--functions <name,...>]
                   [--stack <name>] [--containers <n>] [--verbose]

Options:
  --orders <n>           orders to place (default 1000)
  --faults <percent>     share of the functions' AWS calls that fail with a retryable error (default 10)
  --duplicates <percent> share of the orders placed twice (default 5)
  --seed <n>             seed of every random choice: which orders are duplicated, which calls fail (default 7)
  --errors <kinds>       error kinds to inject: throttling, 5xx (refused before the service acts; the
                         default), lost-answer (a 5xx after the service acted: the SDK's retry repeats it)
  --operations <list>    endpoint operations that fail, exact or a prefix ending in * (default *: all),
                         e.g. DynamoDB_20120810.*,AWSEvents.PutEvents
  --functions <list>     functions whose calls fail, e.g. payment,handover (default: every function)
  --stack <name>         stack to deploy (default dev)
  --containers <n>       Lambda containers per function (default ${CHAOS_CONTAINERS})
  --verbose              print every step of the timelines of orders that went wrong`;

/**
 * Under faults the functions spend most of their time waiting in the SDK's backoff, not computing:
 * more containers per function than `npm start` uses overlap those waits (a 1,000-order run took
 * 178 s with one container per function on 2 cores, 121 s with four).
 */
const CHAOS_CONTAINERS = 4;

export interface ChaosOptions {
  orders: number;
  /** From 0 to 1. */
  faults: number;
  duplicates: number;
  seed: number;
  errors: ErrorKind[];
  operations: string[];
  functions: string[];
  stack: string;
  containers?: number;
  verbose: boolean;
}

export class UsageError extends Error {}

export function parseChaosArguments(argv: string[]): ChaosOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        orders: { type: "string", default: "1000" },
        faults: { type: "string", default: "10" },
        duplicates: { type: "string", default: "5" },
        seed: { type: "string", default: "7" },
        errors: { type: "string", default: DEFAULT_ERROR_KINDS.join(",") },
        operations: { type: "string", default: "*" },
        functions: { type: "string", default: "" },
        stack: { type: "string", default: "dev" },
        containers: { type: "string" },
        verbose: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/, ""));
  }
  if (values.help) return "help";
  const whole = (name: string, text: string, min: number, max: number) => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
    return Number(text);
  };
  const percent = (name: string, text: string) => {
    if (!/^\d+(\.\d+)?$/.test(text) || Number(text) > 100) throw new UsageError(`--${name} must be a percentage from 0 to 100, not "${text}"`);
    return Number(text) / 100;
  };
  const list = (text: string) => text.split(",").map((item) => item.trim()).filter(Boolean);
  const errors = list(values.errors!);
  if (errors.length === 0) throw new UsageError(`--errors needs at least one of ${ERROR_KINDS.join(", ")}`);
  for (const kind of errors) if (!ERROR_KINDS.includes(kind as ErrorKind)) throw new UsageError(`--errors: "${kind}" is not an error kind (${ERROR_KINDS.join(", ")})`);
  const operations = list(values.operations!);
  if (operations.length === 0) throw new UsageError("--operations needs at least one operation or prefix (* for all)");
  for (const operation of operations) if (!/^[A-Za-z0-9_.]*\*?$/.test(operation)) throw new UsageError(`--operations: "${operation}" is not a protocol target (e.g. DynamoDB_20120810.PutItem) or a prefix ending in *`);
  if (!/^[A-Za-z0-9_.-]+$/.test(values.stack!)) throw new UsageError(`--stack "${values.stack}" is not a stack name`);
  return {
    orders: whole("orders", values.orders!, 1, 100_000),
    faults: percent("faults", values.faults!),
    duplicates: percent("duplicates", values.duplicates!),
    seed: whole("seed", values.seed!, 0, 4_294_967_295),
    errors: [...new Set(errors)] as ErrorKind[],
    operations,
    functions: list(values.functions!),
    stack: values.stack!,
    containers: values.containers === undefined ? CHAOS_CONTAINERS : whole("containers", values.containers, 1, 64),
    verbose: values.verbose!,
  };
}

/** Order outcomes a chaos run tells apart. */
export type ChaosOutcome = "delivered" | "declined" | "parked" | "lost";

export interface ChaosOrderReport {
  orderId: string;
  expected: Outcome;
  outcome: ChaosOutcome;
  /** The scenario's finer outcome (payment-declined, registration-rejected, paperwork-failed ...). */
  detail: Outcome;
  placedTwice: boolean;
  /** Dead-letter queues holding a message of this order at the end. */
  parkedIn: string[];
  /** Gateway charges of this order not refunded. */
  netCharges: number;
  customerNotifications: number;
  /** Declined or failed, but the customer or operations were not told. */
  silent: boolean;
  problems: string[];
  report: OrderReport;
}

export interface ChaosReport {
  options: ChaosOptions;
  orders: ChaosOrderReport[];
  injected: Map<string, number>;
  redriven: { queue: string; messages: number }[];
  emulationErrors: string[];
  wallMs: number;
  cloudMs: number;
}

/** The orders of a run: mostly deliverable ones, some declined, some refused registration, some with a flaky gateway. */
export function chaosOrders(count: number, duplicateShare: number, busName: string, random: () => number): { orders: ScenarioOrder[]; placements: ScenarioOrder[] } {
  const orders = Array.from({ length: count }, (_, i): ScenarioOrder => {
    const orderId = `order-chaos-${String(i + 1).padStart(6, "0")}`;
    const vehicleClass = i % 2 === 0 ? "standard" : "premium";
    let detail = order(vehicleClass, { orderId });
    let expected: Outcome = "delivered";
    let story = `${vehicleClass} class`;
    if (i % 40 === 17) {
      detail = order(vehicleClass, { orderId, paymentToken: "declined-chaos" });
      [expected, story] = ["payment-declined", `${story}, payment declined`];
    } else if (i % 50 === 29) {
      detail = order(vehicleClass, { orderId, model: "Prototype X" });
      [expected, story] = ["registration-rejected", `${story}, registration refused`];
    } else if (i % 20 === 5) {
      detail = order(vehicleClass, { orderId, paymentToken: "flaky-chaos" });
      story = `${story}, payment gateway fails once`;
    }
    return { orderId, story, expected, entry: OrderPlaced.entry(detail, busName) };
  });
  // Each duplicate goes in at a random later place, as a producer's retry would.
  const placements = [...orders];
  const twice = orders.filter(() => random() < duplicateShare);
  for (const duplicate of twice) {
    const after = placements.indexOf(duplicate);
    const at = after + 1 + Math.floor(random() * (placements.length - after));
    placements.splice(at, 0, { ...duplicate, story: `${duplicate.story}, placed twice` });
  }
  return { orders: orders.map((o) => (twice.includes(o) ? { ...o, story: `${o.story}, placed twice` } : o)), placements };
}

export async function runChaos(options: ChaosOptions, deployment: LocalDeployment, log: (line: string) => void = () => undefined): Promise<ChaosReport> {
  const { cloud } = deployment;
  cloud.trace.limit = Math.max(cloud.trace.limit, options.orders * 400);
  const random = seededRandom(options.seed);
  const busName = String(deployment.outputs.busName);
  const { orders, placements } = chaosOrders(options.orders, options.duplicates, busName, random);
  const gateway = watchGateway(deployment);
  const roles = new Map(deployment.resources.filter((r) => r.type === "aws:lambda/function:Function").map((r) => [String(r.state.name), String(r.inputs.role)]));
  const mix: FaultMix = { rate: options.faults, kinds: options.errors, operations: options.operations, functions: options.functions };
  const outage: Outage = startOutage(cloud, mix, random, roles);
  const wallStart = Date.now();
  const cloudStart = cloud.clock.now();
  const events = operatorEventBridge(deployment);
  let refused;
  try {
    log(`Placing ${placements.length} orders (${placements.length - orders.length} of them a second time) with ${(options.faults * 100).toFixed(1)}% of the functions' AWS calls failing...`);
    refused = await placeOrders(events, placements);
    await cloud.clock.settle();
  } finally {
    outage.end();
    events.destroy();
  }
  log(`Outage over after ${formatDuration(cloud.clock.now() - cloudStart)} of cloud time: ${[...outage.injected.values()].reduce((a, b) => a + b, 0)} calls failed. Redriving every dead-letter queue...`);
  const redriven: { queue: string; messages: number }[] = [];
  for (let round = 0; round < 3; round++) {
    const moved = await redriveDeadLetters(deployment);
    if (moved.length === 0) break;
    redriven.push(...moved);
    await cloud.clock.settle();
  }
  await gateway.quiet();
  const parked = await parkedOrders(deployment);
  const base = accountFor(deployment, orders, refused, Date.now() - wallStart, cloud.clock.now() - cloudStart, queueCounts(cloud));
  gateway.stop();
  const duplicated = new Set(placements.filter((p, i) => placements.findIndex((q) => q.orderId === p.orderId) !== i).map((p) => p.orderId));
  const operationsBus = String(deployment.outputs.operationsBusArn ?? "").split("/").pop();
  const reports = base.orders.map((report) => classify(report, duplicated.has(report.order.orderId), parked.get(report.order.orderId) ?? [], gateway.netCharges(report.order.orderId), operationsBus));
  return {
    options,
    orders: reports,
    injected: outage.injected,
    redriven,
    emulationErrors: cloud.errors.map((error) => (error as Error)?.message ?? String(error)),
    wallMs: base.wallMs,
    cloudMs: base.cloudMs,
  };
}

function classify(report: OrderReport, placedTwice: boolean, parkedIn: string[], netCharges: number, operationsBus: string | undefined): ChaosOrderReport {
  const { timeline } = report;
  const customerNotifications = timeline.filter((r) => r.kind === "notification.published" && r.resource.endsWith("customer-notifications")).length;
  const detail = report.outcome;
  let outcome: ChaosOutcome;
  if (detail === "delivered") outcome = "delivered";
  else if (detail === "payment-declined" || detail === "registration-rejected" || detail === "paperwork-failed") outcome = "declined";
  else if (parkedIn.length > 0) outcome = "parked";
  else outcome = "lost";
  const toldOperations = timeline.some((r) => r.kind === "event.accepted" && r.resource === operationsBus);
  const silent = outcome === "declined" && (customerNotifications === 0 || !toldOperations);
  const problems: string[] = [];
  if (outcome === "lost") problems.push("lost: no terminal event, and nothing of it in a dead-letter queue");
  if (netCharges > 1) problems.push(`charged ${netCharges} times`);
  if (netCharges > 0 && outcome !== "delivered") problems.push(`${outcome}, but its charge was not refunded`);
  if (customerNotifications > 1) problems.push(`customer notified ${customerNotifications} times`);
  if (silent) problems.push(`${detail} without telling ${customerNotifications === 0 ? "the customer" : "operations"}`);
  if (outcome !== "lost" && detail !== report.order.expected) problems.push(`expected ${report.order.expected}, ended ${detail}${parkedIn.length ? ` (parked in ${parkedIn.join(", ")})` : ""}`);
  return { orderId: report.order.orderId, expected: report.order.expected, outcome, detail, placedTwice, parkedIn, netCharges, customerNotifications, silent, problems, report };
}

/**
 * The payment gateway's own record: the charges and refunds it logged, per order. The ledger in the
 * state table cannot tell a double charge (a charge whose record was lost is exactly what it misses).
 */
function watchGateway(deployment: LocalDeployment) {
  const charged = new Map<string, Set<string>>();
  const refunded = new Map<string, Set<string>>();
  const lambda = deployment.cloud.service<LambdaService>("lambda");
  const previous = lambda.logSink;
  let lines = 0;
  lambda.logSink = (fn, line) => {
    previous?.(fn, line);
    lines++;
    if (!line.includes('"Gateway ')) return;
    let entry: { message?: string; orderId?: string; paymentId?: string };
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    const into = entry.message === "Gateway charged" ? charged : entry.message === "Gateway refunded" ? refunded : undefined;
    if (!into || !entry.orderId || !entry.paymentId) return;
    if (!into.has(entry.orderId)) into.set(entry.orderId, new Set());
    into.get(entry.orderId)!.add(entry.paymentId);
  };
  return {
    netCharges: (orderId: string) => [...(charged.get(orderId) ?? [])].filter((paymentId) => !refunded.get(orderId)?.has(paymentId)).length,
    stop: () => void (lambda.logSink = previous),
    /** A worker's log lines reach this thread apart from its answers: waits until they stop coming. */
    quiet: async () => {
      for (let seen = -1, waits = 0; seen !== lines && waits < 50; waits++) {
        seen = lines;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

/**
 * What an operator does after an outage: every dead-letter queue with messages is redriven. A
 * queue's redrive DLQ moves back to its source (StartMessageMoveTask); a Lambda failure destination
 * holds invocation records, whose events are invoked again; a rule target's DLQ holds events,
 * sent again to the target its TARGET_ARN attribute names.
 */
async function redriveDeadLetters(deployment: LocalDeployment): Promise<{ queue: string; messages: number }[]> {
  const { cloud } = deployment;
  const sqs = cloud.service<SqsService>("sqs");
  const lambda = cloud.service<LambdaService>("lambda");
  const client = new SQSClient(operatorClientConfig(deployment));
  const sfn = new SFNClient(operatorClientConfig(deployment));
  const redriven: { queue: string; messages: number }[] = [];
  const operator = { kind: "operator" } as const;
  try {
    for (const count of queueCounts(cloud).filter((q) => q.deadLetter && q.messages > 0)) {
      const queue = sqs.requireQueue(count.name);
      redriven.push({ queue: queue.name, messages: count.messages });
      if (sqs.deadLetterSourcesOf(queue).length > 0) {
        await client.send(new StartMessageMoveTaskCommand({ SourceArn: queue.arn }));
        continue;
      }
      for (const message of await drain(client, queue.url)) {
        const body = JSON.parse(message.Body ?? "null");
        const target = message.MessageAttributes?.TARGET_ARN?.StringValue;
        if (body?.requestContext?.functionArn) await lambda.invokeAsync(String(body.requestContext.functionArn).replace(/:\$LATEST$/, ""), body.requestPayload, operator);
        else if (target?.includes(":lambda:")) await lambda.invokeAsync(target, body, operator);
        else if (target?.includes(":states:")) await sfn.send(new StartExecutionCommand({ stateMachineArn: target, input: message.Body }));
        else if (target) await cloud.deliver(target, { body: message.Body ?? "" }, operator);
        else continue; // nothing says where it belongs: it stays for a person
        await client.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  } finally {
    client.destroy();
    sfn.destroy();
  }
  return redriven;
}

/** Every message of a queue, received (in flight for an hour) but not deleted. */
async function drain(client: SQSClient, queueUrl: string): Promise<SqsMessage[]> {
  const messages: SqsMessage[] = [];
  for (;;) {
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 3600, MessageAttributeNames: ["All"] }));
    if (!Messages?.length) return messages;
    messages.push(...Messages);
  }
}

/** The dead-letter queues that hold a message of each order, after the run. */
async function parkedOrders(deployment: LocalDeployment): Promise<Map<string, string[]>> {
  const parked = new Map<string, string[]>();
  const sqs = deployment.cloud.service<SqsService>("sqs");
  const client = new SQSClient(operatorClientConfig(deployment));
  try {
    for (const count of queueCounts(deployment.cloud).filter((q) => q.deadLetter && q.messages > 0)) {
      const queue = sqs.requireQueue(count.name);
      for (const message of await drain(client, queue.url)) {
        for (const orderId of orderIdsOf({ at: 0, kind: "message.sent", resource: queue.name, summary: "", payload: message.Body })) {
          parked.set(orderId, [...new Set([...(parked.get(orderId) ?? []), queue.name])]);
        }
      }
    }
  } finally {
    client.destroy();
  }
  return parked;
}

export function formatChaosReport(report: ChaosReport): string {
  const { options, orders } = report;
  const count = (predicate: (o: ChaosOrderReport) => boolean) => orders.filter(predicate).length;
  const wrong = orders.filter((o) => o.problems.length > 0);
  const lines: string[] = [];
  for (const o of wrong) {
    lines.push(formatTimeline(o.report, options.verbose), ...o.problems.map((problem) => `    !! ${problem}`), "");
  }
  const injected = [...report.injected];
  const tally = (part: 0 | 1) => {
    const totals = new Map<string, number>();
    for (const [key, n] of injected) totals.set(key.split(" ")[part], (totals.get(key.split(" ")[part]) ?? 0) + n);
    return [...totals].sort(([, a], [, b]) => b - a).map(([name, n]) => `${name} ${n}`).join(", ");
  };
  const parkedBy = new Map<string, number>();
  for (const o of orders) for (const queue of o.parkedIn) parkedBy.set(queue, (parkedBy.get(queue) ?? 0) + 1);
  lines.push(
    "Chaos run",
    `  fault mix:               ${(options.faults * 100).toFixed(1)}% of calls to ${options.operations.join(", ")} by ${options.functions.length ? options.functions.join(", ") : "every function"}, answered with ${options.errors.join(" or ")} errors; seed ${options.seed}`,
    `  faults injected:         ${injected.reduce((total, [, n]) => total + n, 0)}`,
    ...(injected.length ? [`    by operation:          ${tally(0)}`, `    by error:              ${tally(1)}`] : []),
    `  redriven after:          ${report.redriven.length ? report.redriven.map((r) => `${r.messages} from ${r.queue}`).join(", ") : "nothing (every dead-letter queue empty)"}`,
    `  orders:                  ${orders.length} (${count((o) => o.placedTwice)} placed twice)`,
    `  delivered:               ${count((o) => o.outcome === "delivered")}`,
    `  declined:                ${count((o) => o.detail === "payment-declined")} payment declined, ${count((o) => o.detail === "registration-rejected")} registration rejected, ${count((o) => o.detail === "paperwork-failed")} paperwork failed (customer and operations told)`,
    `  parked:                  ${count((o) => o.outcome === "parked")}${parkedBy.size ? ` (${[...parkedBy].map(([queue, n]) => `${n} in ${queue}`).join(", ")})` : ""}`,
    `  lost:                    ${count((o) => o.outcome === "lost")}`,
    `  charged more than once:  ${count((o) => o.netCharges > 1)}`,
    `  charged, not delivered:  ${count((o) => o.netCharges > 0 && o.outcome !== "delivered")}`,
    `  notified more than once: ${count((o) => o.customerNotifications > 1)}`,
    `  failed in silence:       ${count((o) => o.silent)}`,
    `  time:                    ${(report.wallMs / 1000).toFixed(1)} s on this machine, ${formatDuration(report.cloudMs)} of cloud time`,
  );
  for (const error of report.emulationErrors.slice(0, 10)) lines.push(`  the local cloud failed:  ${error}`);
  lines.push("", passed(report) ? "Nothing lost, nothing charged or notified twice." : `FAILED: ${wrong.length} orders went wrong (timelines above).`);
  return lines.join("\n");
}

export function passed(report: ChaosReport): boolean {
  return report.emulationErrors.length === 0 && report.orders.every((o) => o.outcome !== "lost" && o.netCharges <= 1 && !(o.netCharges > 0 && o.outcome !== "delivered") && o.customerNotifications <= 1 && !o.silent);
}

function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseChaosArguments(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${usage()}`);
      return 2;
    }
    throw error;
  }
  if (options === "help") {
    console.log(usage());
    return 0;
  }
  const started = Date.now();
  const deployment = await deployLocal({ root: path.resolve(__dirname, ".."), stack: options.stack, port: 0, containersPerFunction: options.containers });
  console.log(`Deployed stack "${options.stack}" into the local cloud in ${((Date.now() - started) / 1000).toFixed(1)} s; endpoint ${deployment.endpoint.url}`);
  try {
    const report = await runChaos(options, deployment, (line) => console.log(line));
    console.log("\n" + formatChaosReport(report));
    return passed(report) ? 0 : 1;
  } catch (error) {
    if (error instanceof Error && /^--(operations|functions)/.test(error.message)) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await deployment.stop();
  }
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
