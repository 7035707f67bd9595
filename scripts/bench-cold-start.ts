/**
 * Benchmark: the cold start of every handler bundle, as the deployed artifact (components/bundle.ts
 * settings). Each sample is a fresh Node.js process that loads the bundle and handles one event,
 * its AWS SDK calls answered by a loopback endpoint (AWS_ENDPOINT_URL). Compared with an empty
 * handler bundled the same way. Prints size, median wall time over 7 runs and the ratio.
 *
 *   npm run bench:cold-start
 *   npm run bench:cold-start -- --sdk-from-runtime   # @aws-sdk/* left out, loaded from the runtime's NODE_PATH
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleHandler } from "../components/bundle";
import * as events from "../handlers/contracts";
import { BUS, TABLE, VIN, envelope, orderPlaced, snapshot, sqsEvent, sqsRecord } from "../tests/handlers/support/events";
import { startLocalAws } from "../tests/handlers/support/local-aws";
import { lambdaNodePath } from "../local/services/lambda-runtime-sdk";

const RUNS = 7;
const SDK_FROM_RUNTIME = process.argv.includes("--sdk-from-runtime");
const at = "2025-01-01T12:00:00.000Z";
const base = { version: "1" as const, orderId: "order-1001", order: snapshot(), vin: VIN };
const task = { orderId: "order-1001", order: snapshot(), vin: VIN };

/** One realistic event per handler. */
const EVENTS: Record<string, unknown> = {
  empty: {},
  factory: sqsEvent(sqsRecord(envelope(events.OrderPlaced, orderPlaced()), { groupId: "standard" })),
  "transport-dispatch": envelope(events.VehicleProduced, { ...base, producedAt: at } as never),
  "transport-arrival": envelope(events.VehicleShipped, { ...base, carrier: "dealership-open-carrier", shippedAt: at } as never),
  preparation: envelope(events.VehicleDelivered, { ...base, deliveredAt: at } as never),
  invoice: task,
  payment: task,
  insurance: task,
  registration: task,
  compensation: { ...task, reason: "PaymentDeclined" },
  handover: sqsEvent(sqsRecord(envelope(events.VehiclePrepared, { ...base, services: ["cleaning", "washing", "waxing"], preparedAt: at } as never))),
};

async function main(): Promise<void> {
  const aws = await startLocalAws();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cold-start-"));
  const emptyEntry = path.join(dir, "empty.ts");
  fs.writeFileSync(emptyEntry, "export const handler = async () => ({});\n");
  const env = { ...process.env, AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", AWS_ENDPOINT_URL: aws.url, EVENT_BUS_NAME: BUS, STATE_TABLE_NAME: TABLE, POWERTOOLS_LOG_LEVEL: "ERROR", AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1", ...(SDK_FROM_RUNTIME ? { NODE_PATH: lambdaNodePath(dir) } : {}) };
  const measure = async (name: string): Promise<{ bytes: number; ms: number }> => {
    const bundle = bundleHandler(name === "empty" ? emptyEntry : path.join(__dirname, "../handlers", `${name}.ts`), SDK_FROM_RUNTIME ? { external: ["@aws-sdk/*"] } : {});
    const file = path.join(dir, `${name}.js`);
    fs.writeFileSync(file, bundle.code);
    const script = `require(${JSON.stringify(file)}).handler(${JSON.stringify(EVENTS[name])}, { awsRequestId: "r", getRemainingTimeInMillis: () => 30000 }).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); })`;
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      aws.table.clear();
      const started = process.hrtime.bigint();
      // execFileSync would block the loopback endpoint in this process: run the child asynchronously.
      await new Promise<void>((resolve, reject) => {
        execFile(process.execPath, ["-e", script], { env }, (error) => (error ? reject(error) : resolve()));
      });
      samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    samples.sort((a, b) => a - b);
    return { bytes: bundle.bytes, ms: samples[Math.floor(samples.length / 2)] };
  };
  const empty = await measure("empty");
  console.log(`node ${process.version}, median of ${RUNS} fresh processes, each loading the bundle and handling one event${SDK_FROM_RUNTIME ? "; @aws-sdk/* loaded from the runtime" : ""}`);
  console.log(`${"handler".padEnd(20)} ${"bundle".padStart(10)} ${"cold start".padStart(11)}  vs empty`);
  console.log(`${"empty".padEnd(20)} ${(empty.bytes / 1024).toFixed(1).padStart(7)} KiB ${empty.ms.toFixed(0).padStart(8)} ms  1.00x`);
  for (const name of Object.keys(EVENTS).filter((n) => n !== "empty")) {
    const r = await measure(name);
    console.log(`${name.padEnd(20)} ${(r.bytes / 1024).toFixed(1).padStart(7)} KiB ${r.ms.toFixed(0).padStart(8)} ms  ${(r.ms / empty.ms).toFixed(2)}x`);
  }
  await aws.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
