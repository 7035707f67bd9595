import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { build, type BuildOptions } from "esbuild";
import { OrderPlaced, PaperworkCompleted, VehiclePrepared, VehicleProduced } from "../../handlers/contracts";
import { vinForOrder } from "../../handlers/lib/vin";
import { VIN, envelope, orderPlaced, snapshot, sqsEvent, sqsRecord } from "./support/events";
import { startLocalAws, type LocalAws } from "./support/local-aws";
import { invokeBundle } from "./support/run-bundle";
import { taskInput } from "./support/tasks";

/**
 * Every handler entry (handlers/*.ts) bundles with esbuild (platform node, target
 * node22, bundle, CommonJS) without errors or warnings, loads in plain Node and
 * exports `handler`; then the deployment's variant (minified, ES module builds of
 * the dependencies) is run end to end against a loopback AWS endpoint reached
 * through AWS_ENDPOINT_URL. Sizes go to <tmpdir>/dealership-bundles-XXXX/sizes.json.
 */

const HANDLERS_DIR = join(__dirname, "..", "..", "handlers");
const names = readdirSync(HANDLERS_DIR)
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
  .map((file) => basename(file, ".ts"));

const PLAIN: BuildOptions = { bundle: true, platform: "node", target: "node22", format: "cjs", logLevel: "silent" };
/** What components/bundle.ts deploys. */
const DEPLOYED: BuildOptions = { ...PLAIN, minify: true, legalComments: "none", mainFields: ["module", "main"] };

/** Unminified budget per bundle: the AWS SDK clients dominate (about 1.2 MB for EventBridge + DynamoDB). */
const MAX_BYTES = 2_500_000;
/** Step Functions tasks without SDK clients stay small (contracts + zod). */
const MAX_BYTES_WITHOUT_SDK = 400_000;
const WITHOUT_SDK = new Set(["invoice", "insurance", "registration"]);

const outDir = mkdtempSync(join(tmpdir(), "dealership-bundles-"));
const sizes: Record<string, { plain?: number; deployed?: number }> = {};

async function bundle(name: string, variant: "plain" | "deployed"): Promise<string> {
  const outfile = join(outDir, `${name}.${variant}.js`);
  const { errors, warnings } = await build({
    ...(variant === "plain" ? PLAIN : DEPLOYED),
    entryPoints: [join(HANDLERS_DIR, `${name}.ts`)],
    outfile,
  });
  expect(errors).toEqual([]);
  expect(warnings).toEqual([]);
  (sizes[name] ??= {})[variant] = statSync(outfile).size;
  return outfile;
}

afterAll(() => {
  writeFileSync(join(outDir, "sizes.json"), JSON.stringify(sizes, null, 2));
  if (process.env.KEEP_BUNDLES) return;
  for (const file of readdirSync(outDir)) if (file.endsWith(".js")) rmSync(join(outDir, file));
});

describe("handler bundles", () => {
  it("has the ten entries of the design", () => {
    expect([...names].sort()).toEqual([
      "compensation", "factory", "handover", "insurance", "invoice", "payment",
      "preparation", "registration", "transport-arrival", "transport-dispatch",
    ]);
  });

  it.each(names)("bundles %s, which loads and exports handler", async (name) => {
    const outfile = await bundle(name, "plain");
    expect(sizes[name]?.plain).toBeLessThan(WITHOUT_SDK.has(name) ? MAX_BYTES_WITHOUT_SDK : MAX_BYTES);
    const deployed = await bundle(name, "deployed");

    for (const file of [outfile, deployed]) {
      const [outcome] = await invokeBundle(file, [{ probe: true }], {});
      // Loading worked and `handler` ran: it rejects the probe (not an event, not an SQS batch).
      expect(outcome).toMatchObject({ ok: false, name: expect.stringMatching(/^(InvalidEventError|UnexpectedBatchTypeError)$/) });
    }
  });
});

describe("deployed bundles against a loopback AWS endpoint (AWS_ENDPOINT_URL)", () => {
  let aws: LocalAws;
  let env: Record<string, string>;

  beforeAll(async () => {
    aws = await startLocalAws();
    env = { AWS_ENDPOINT_URL: aws.url, EVENT_BUS_NAME: "local-bus", STATE_TABLE_NAME: "local-state" };
  });
  afterAll(() => aws.close());

  it("transport-dispatch publishes VehicleShipped", async () => {
    const event = envelope(VehicleProduced, {
      version: "1", orderId: "order-1001", order: snapshot(), vin: VIN, producedAt: "2025-01-01T11:00:00.000Z",
    });
    const [outcome] = await invokeBundle(await bundle("transport-dispatch", "deployed"), [event], env);

    expect(outcome).toEqual({ ok: true, value: null });
    expect(aws.published.at(-1)).toMatchObject({ EventBusName: "local-bus", Source: "dealership.transport", DetailType: "VehicleShipped" });
  });

  it("factory builds once and republishes the identical VehicleProduced on redelivery", async () => {
    const message = sqsRecord(envelope(OrderPlaced, orderPlaced({ orderId: "order-b1" })), { messageId: "m-1", groupId: "standard" });
    const before = aws.published.length;

    const outcomes = await invokeBundle(await bundle("factory", "deployed"), [sqsEvent(message), sqsEvent(message)], env);

    expect(outcomes).toEqual([{ ok: true, value: { batchItemFailures: [] } }, { ok: true, value: { batchItemFailures: [] } }]);
    const [first, second] = aws.published.slice(before);
    expect(second).toEqual(first);
    expect(JSON.parse(first?.Detail ?? "{}")).toMatchObject({ vin: vinForOrder("order-b1") });
  });

  it("payment retries a flaky gateway, then returns the same result without charging twice", async () => {
    const input = taskInput({ paymentToken: "flaky_gateway" }, "order-b2");

    const outcomes = await invokeBundle(await bundle("payment", "deployed"), [input, input, input], env);

    expect(outcomes[0]).toMatchObject({ ok: false, name: "PaymentGatewayUnavailable" });
    expect(outcomes[1]).toEqual({ ok: true, value: { paymentId: expect.stringMatching(/^PAY-/), amountCents: 3_000_000 } });
    expect(outcomes[2]).toEqual(outcomes[1]);
    expect(aws.table.get("payment#order-b2")).toMatchObject({ status: { S: "charged" } });
  });

  it("handover publishes VehicleReadyForHandover once", async () => {
    const detail = { version: "1" as const, orderId: "order-b3", order: snapshot(), vin: VIN };
    const paperwork = sqsRecord(envelope(PaperworkCompleted, {
      ...detail, invoiceId: "INV-1", paymentId: "PAY-1", insurancePolicyId: "POL-1", registrationId: "REG-1", plate: "DL-ABC123",
    }));
    const prepared = sqsRecord(envelope(VehiclePrepared, {
      ...detail, services: ["cleaning", "washing", "waxing"], preparedAt: "2025-01-01T11:00:00.000Z",
    }));
    const before = aws.published.length;

    const outcomes = await invokeBundle(await bundle("handover", "deployed"), [sqsEvent(paperwork), sqsEvent(prepared, paperwork)], env);

    expect(outcomes.every((o) => o.ok && JSON.stringify(o.value) === '{"batchItemFailures":[]}')).toBe(true);
    expect(aws.published.slice(before).map((e) => e.DetailType)).toEqual(["VehicleReadyForHandover"]);
  });
});
