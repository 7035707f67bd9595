/**
 * Benchmark: orders through the whole dealership flow in the local cloud, against the same handler
 * bundles called directly, one after the other, in this process.
 *
 *   npm run bench:local [-- --orders 1000] [--containers N]
 *
 * - direct: for each order, the factory, dispatch, arrival, preparation, the four paperwork
 *   tasks and the two handover deliveries are called in sequence, each fed the event the previous
 *   one published; their SDK calls (PutEvents, DynamoDB) go to a loopback endpoint, as in the
 *   local cloud. This is the work the handlers themselves do.
 * - local cloud: the dev stack deployed locally; the orders are put on the bus through the SDK
 *   in waves, and the cloud runs until idle. Everything the emulation adds is in this figure:
 *   rule matching, queues and event source mappings, containers, the workflow interpreter, the
 *   endpoint. Memory is measured after each wave, after a garbage collection.
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { bundleHandler } from "@event-routes/components";
import { snapshotOf, type OrderPlacedDetail } from "../handlers/contracts";
import * as contracts from "../handlers/contracts";
import { DEFAULT_CONTAINERS_PER_FUNCTION, deployLocal } from "@event-routes/local-cloud";
import { loadOrders, operatorEventBridge, placeOrders } from "../dealership/scenario";
import { lambdaContext, sqsEvent, sqsRecord } from "../tests/handlers/support/events";
import { startLocalAws } from "../tests/handlers/support/local-aws";

const { values } = parseArgs({ options: { orders: { type: "string", default: "1000" }, waves: { type: "string", default: "4" }, containers: { type: "string" } } });
const ORDERS = Number(values.orders);
const WAVES = Number(values.waves);
const CONTAINERS = values.containers === undefined ? undefined : Number(values.containers);
if (!Number.isInteger(ORDERS) || ORDERS < WAVES || !Number.isInteger(WAVES) || WAVES < 1) throw new Error("--orders and --waves must be whole numbers, orders >= waves >= 1");
if (CONTAINERS !== undefined && !(Number.isInteger(CONTAINERS) && CONTAINERS >= 1)) throw new Error("--containers must be a whole number >= 1");

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler answers its own shape
type Handler = (event: unknown, context: unknown) => Promise<any>;

/** What one PutEvents costs through the SDK, and through plain HTTP, against a loopback endpoint. */
async function requestCost(): Promise<{ sdkMs: number; httpMs: number }> {
  const aws = await startLocalAws();
  const client = new EventBridgeClient({ endpoint: aws.url, region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  const body = { Entries: [{ Source: "bench", DetailType: "Probe", Detail: '{"a":1}', EventBusName: "bench" }] };
  const agent = new http.Agent({ keepAlive: true });
  const plain = () =>
    new Promise<void>((resolve, reject) => {
      const request = http.request(aws.url, { method: "POST", agent, headers: { "x-amz-target": "AWSEvents.PutEvents", "content-type": "application/x-amz-json-1.1" } }, (response) => {
        response.resume();
        response.on("end", resolve);
      });
      request.on("error", reject);
      request.end(JSON.stringify(body));
    });
  const time = async (call: () => Promise<unknown>, n = 2000) => {
    for (let i = 0; i < 200; i++) await call();
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await call();
    return Number(process.hrtime.bigint() - started) / 1e6 / n;
  };
  const sdkMs = await time(() => client.send(new PutEventsCommand(body)));
  const httpMs = await time(plain);
  client.destroy();
  agent.destroy();
  await aws.close();
  return { sdkMs, httpMs };
}

async function direct(count: number): Promise<number> {
  const aws = await startLocalAws();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    EVENT_BUS_NAME: "dealership",
    STATE_TABLE_NAME: "state",
    POWERTOOLS_LOG_LEVEL: "ERROR",
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1",
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-local-"));
  const load = (name: string): Handler => {
    const file = path.join(dir, `${name}.js`);
    fs.writeFileSync(file, bundleHandler(path.join(__dirname, "..", "handlers", `${name}.ts`)).code);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is written at run time
    return require(file).handler;
  };
  const h = Object.fromEntries(
    ["factory", "transport-dispatch", "transport-arrival", "preparation", "invoice", "payment", "insurance", "registration", "handover"].map((name) => [name, load(name)]),
  );
  /** Calls a handler and returns the events it published, as EventBridge would deliver them. */
  const call = async (name: string, event: unknown) => {
    const before = aws.published.length;
    const result = await h[name](event, lambdaContext(name));
    if (result?.batchItemFailures?.length) throw new Error(`${name} failed records: ${JSON.stringify(result)}`);
    const published = aws.published.slice(before).map((entry, i) => ({ version: "0", id: `e-${before + i}`, "detail-type": entry.DetailType, source: entry.Source, account: "123456789012", time: new Date().toISOString(), region: "eu-west-1", resources: [], detail: JSON.parse(entry.Detail!) }));
    return { result, published };
  };
  const started = process.hrtime.bigint();
  for (const { entry } of loadOrders(count, "dealership")) {
    const placed: OrderPlacedDetail = JSON.parse(entry.Detail!);
    const orderEvent = { version: "0", id: `o-${placed.orderId}`, "detail-type": "OrderPlaced", source: "dealership.sales", account: "123456789012", time: new Date().toISOString(), region: "eu-west-1", resources: [], detail: placed };
    const [produced] = (await call("factory", sqsEvent(sqsRecord(orderEvent, { groupId: placed.vehicleClass })))).published;
    const [shipped] = (await call("transport-dispatch", produced)).published;
    const [delivered] = (await call("transport-arrival", shipped)).published;
    const [prepared] = (await call("preparation", delivered)).published;
    const task = { orderId: placed.orderId, order: snapshotOf(placed), vin: shipped.detail.vin };
    const invoice = (await call("invoice", task)).result;
    const payment = (await call("payment", task)).result;
    const insurance = (await call("insurance", task)).result;
    const registration = (await call("registration", task)).result;
    const paperwork = {
      ...orderEvent,
      id: `p-${placed.orderId}`,
      source: contracts.PaperworkCompleted.source,
      "detail-type": contracts.PaperworkCompleted.detailType,
      detail: { version: "1", orderId: placed.orderId, order: task.order, vin: task.vin, invoiceId: invoice.invoiceId, paymentId: payment.paymentId, insurancePolicyId: insurance.insurancePolicyId, registrationId: registration.registrationId, plate: registration.plate },
    };
    await call("handover", sqsEvent(sqsRecord(paperwork)));
    const { published } = await call("handover", sqsEvent(sqsRecord(prepared)));
    if (published[0]?.["detail-type"] !== "VehicleReadyForHandover") throw new Error(`order ${placed.orderId} was not handed over in the direct run`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await aws.close();
  return ms;
}

async function local(count: number) {
  const deployment = await deployLocal({ stack: "dev", port: 0, containersPerFunction: CONTAINERS });
  const { cloud } = deployment;
  cloud.trace.limit = 50_000;
  const client = operatorEventBridge(deployment);
  const orders = loadOrders(count, String(deployment.outputs.busName));
  const perWave = Math.ceil(count / WAVES);
  const memory: { orders: number; heapMb: number; rssMb: number }[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const sample = (done: number) => {
    gc?.();
    const usage = process.memoryUsage();
    memory.push({ orders: done, heapMb: usage.heapUsed / 2 ** 20, rssMb: usage.rss / 2 ** 20 });
  };
  // One order first: containers start (cold starts) before the clock starts, as in a warm system.
  await placeOrders(client, loadOrders(1, String(deployment.outputs.busName)).map((o) => ({ ...o, orderId: "warm-up", entry: { ...o.entry, Detail: o.entry.Detail!.replace(/order-load-000001/g, "order-warm-up") } })));
  await cloud.clock.settle();
  sample(0);
  const started = process.hrtime.bigint();
  let busyMs = 0;
  for (let wave = 0; wave < WAVES; wave++) {
    const waveStart = process.hrtime.bigint();
    await placeOrders(client, orders.slice(wave * perWave, (wave + 1) * perWave));
    await cloud.clock.settle();
    busyMs += Number(process.hrtime.bigint() - waveStart) / 1e6;
    sample(Math.min(count, (wave + 1) * perWave));
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const handedOver = cloud.trace.count("notification.published") - 1;
  const problems = { dropped: cloud.trace.count("target.dropped"), unmatched: cloud.trace.count("event.unmatched"), failedInvocations: cloud.trace.count("function.failed"), errors: cloud.errors.length };
  client.destroy();
  await deployment.stop();
  return { wallMs: busyMs, totalMs: wallMs, handedOver, memory, problems, requests: deployment.endpoint.requests.total };
}

async function main(): Promise<void> {
  console.log(`Dealership flow, ${ORDERS} orders, on ${os.cpus().length} cores, Node ${process.version}${(globalThis as { gc?: unknown }).gc ? "" : " (run with --expose-gc for exact memory)"}`);
  const cost = await requestCost();
  console.log(`one PutEvents against a loopback endpoint, sequentially: ${cost.sdkMs.toFixed(2)} ms through the SDK, ${cost.httpMs.toFixed(2)} ms as plain HTTP`);
  const directMs = await direct(ORDERS);
  console.log(`direct calls of the handlers in sequence: ${(directMs / 1000).toFixed(2)} s, ${(ORDERS / (directMs / 1000)).toFixed(0)} orders/s`);
  const run = await local(ORDERS);
  console.log(`local cloud (${CONTAINERS ?? DEFAULT_CONTAINERS_PER_FUNCTION} container(s) per function): ${(run.wallMs / 1000).toFixed(2)} s, ${(ORDERS / (run.wallMs / 1000)).toFixed(0)} orders/s; ${run.handedOver} of ${ORDERS} handed over; ${run.requests} endpoint requests`);
  console.log(`emulation overhead: ${(run.wallMs / directMs).toFixed(2)}x the direct calls`);
  console.log(`problems: ${JSON.stringify(run.problems)}`);
  console.log("memory after each wave (heap used / RSS, MB):");
  for (const m of run.memory) console.log(`  ${String(m.orders).padStart(6)} orders: ${m.heapMb.toFixed(1)} / ${m.rssMb.toFixed(1)}`);
  if (run.handedOver !== ORDERS) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
