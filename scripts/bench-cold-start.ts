/**
 * Benchmark: the cold start of every handler bundle, as the deployed artifact (components/bundle.ts
 * settings). Each sample is a fresh Node.js process that loads the bundle and handles one event,
 * its AWS SDK calls answered by a loopback endpoint (AWS_ENDPOINT_URL). Compared with an empty
 * handler bundled the same way. Prints size, median wall time over 7 runs and the ratio.
 *
 *   npm run bench:cold-start
 *   npm run bench:cold-start -- --sdk-from-runtime   # and, alternating with it, @aws-sdk/* left out and loaded from the runtime
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleHandler } from "@event-routes/components";
import * as events from "../handlers/contracts";
import { BUS, TABLE, VIN, envelope, orderPlaced, snapshot, sqsEvent, sqsRecord } from "../tests/handlers/support/events";
import { startLocalAws } from "../tests/handlers/support/local-aws";
import { lambdaNodePath } from "@event-routes/local-cloud";

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

/** One way of building a handler: the deployed bundle, or the bundle without @aws-sdk/* (loaded from the runtime). */
interface Variant {
  readonly label: string;
  readonly external: string[];
  readonly env: Record<string, string>;
}

async function main(): Promise<void> {
  const aws = await startLocalAws();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cold-start-"));
  const emptyEntry = path.join(dir, "empty.ts");
  fs.writeFileSync(emptyEntry, "export const handler = async () => ({});\n");
  const env = { ...process.env, AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local", AWS_ENDPOINT_URL: aws.url, EVENT_BUS_NAME: BUS, STATE_TABLE_NAME: TABLE, POWERTOOLS_LOG_LEVEL: "ERROR", AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1" };
  const variants: Variant[] = [{ label: "bundled", external: [], env: {} }];
  // The local Lambda runtime's NODE_PATH (local/services/lambda/runtime-sdk.ts): the SDK as the runtime provides it.
  if (SDK_FROM_RUNTIME) variants.push({ label: "sdk from runtime", external: ["@aws-sdk/*"], env: { NODE_PATH: lambdaNodePath(dir) } });
  /** Median cold start of each variant; their samples alternate, so machine load affects them alike. */
  const measure = async (name: string): Promise<{ bytes: number; ms: number }[]> => {
    const runs = variants.map((variant, index) => {
      const bundle = bundleHandler(name === "empty" ? emptyEntry : path.join(__dirname, "../handlers", `${name}.ts`), { external: variant.external });
      const file = path.join(dir, `${name}-${index}.js`);
      fs.writeFileSync(file, bundle.code);
      const script = `require(${JSON.stringify(file)}).handler(${JSON.stringify(EVENTS[name])}, { awsRequestId: "r", getRemainingTimeInMillis: () => 30000 }).then(() => process.exit(0), (e) => { console.error(e); process.exit(1); })`;
      return { variant, bundle, script, samples: [] as number[] };
    });
    for (let i = 0; i < RUNS; i++) {
      for (const run of runs) {
        aws.table.clear();
        const started = process.hrtime.bigint();
        // execFileSync would block the loopback endpoint in this process: run the child asynchronously.
        await new Promise<void>((resolve, reject) => {
          execFile(process.execPath, ["-e", run.script], { env: { ...env, ...run.variant.env } }, (error) => (error ? reject(error) : resolve()));
        });
        run.samples.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
    return runs.map((run) => {
      run.samples.sort((a, b) => a - b);
      return { bytes: run.bundle.bytes, ms: run.samples[Math.floor(run.samples.length / 2)] };
    });
  };
  const empty = await measure("empty");
  console.log(`node ${process.version}, median of ${RUNS} fresh processes, each loading the bundle and handling one event`);
  console.log(`${"handler".padEnd(20)}${variants.map((v) => ` | ${v.label}: bundle, cold start, vs empty`).join("")}`);
  const row = (name: string, results: { bytes: number; ms: number }[]) =>
    `${name.padEnd(20)}${results.map((r, i) => ` | ${(r.bytes / 1024).toFixed(1).padStart(7)} KiB ${r.ms.toFixed(0).padStart(5)} ms ${(r.ms / empty[i].ms).toFixed(2).padStart(5)}x`).join("")}`;
  console.log(row("empty", empty));
  for (const name of Object.keys(EVENTS).filter((n) => n !== "empty")) console.log(row(name, await measure(name)));
  await aws.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
