import { spawnSync } from "child_process";
import * as path from "path";
import { EventBridgeClient, ListEventBusesCommand } from "@aws-sdk/client-eventbridge";
import { z } from "zod";
import { AwsError } from "../../local/aws-error";
import { LocalCloud } from "../../local/cloud";
import { EmulatorFault, Endpoint, startEndpoint } from "../../local/endpoint";
import { EventBridgeService } from "../../local/services/eventbridge/service";
import { operation } from "../../local/common/operation";
import { takeFaults } from "../support/emulator-faults";

/**
 * A bug of the emulator is a 500 InternalFailure, recorded in `cloud.errors`, and fails the test it
 * happens in; a request of the wrong shape is the caller's 400 and records nothing.
 */
describe("faults of the emulator itself", () => {
  let cloud: LocalCloud;
  let events: EventBridgeService;
  let endpoint: Endpoint;
  beforeEach(async () => {
    cloud = new LocalCloud();
    events = new EventBridgeService(cloud);
    cloud.register(events);
  });
  afterEach(async () => {
    await endpoint?.close();
    await cloud.stop();
  });

  const client = () => new EventBridgeClient({ endpoint: endpoint.url, region: "eu-west-1", maxAttempts: 1, credentials: { accessKeyId: "test", secretAccessKey: "test" } });

  it("answers an injected emulator fault with 500 InternalFailure and records it", async () => {
    endpoint = await startEndpoint(cloud, 0);
    cloud.injectFault({ operation: "AWSEvents.ListEventBuses", error: new TypeError("Cannot read properties of undefined (reading 'name')"), times: 1 });
    const failure = await client()
      .send(new ListEventBusesCommand({}))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "InternalFailure", $metadata: { httpStatusCode: 500 } });
    const faults = takeFaults(cloud);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toBeInstanceOf(EmulatorFault);
    expect(faults[0]).toMatchObject({ target: "AWSEvents.ListEventBuses", message: expect.stringContaining("TypeError") });
    // The next call is served: a fault fails one answer, not the endpoint.
    await expect(client().send(new ListEventBusesCommand({}))).resolves.toMatchObject({ EventBuses: expect.any(Array) });
  });

  it("treats a TypeError thrown inside an operation as the emulator's, not the caller's", async () => {
    const operations = events.operations as Record<string, unknown>;
    operations["AWSEvents.ListEventBuses"] = operation(z.object({}), () => (undefined as unknown as { rules: string[] }).rules.length);
    endpoint = await startEndpoint(cloud, 0);
    await expect(client().send(new ListEventBusesCommand({}))).rejects.toMatchObject({ name: "InternalFailure" });
    expect(takeFaults(cloud)).toEqual([expect.objectContaining({ target: "AWSEvents.ListEventBuses" })]);
  });

  it("keeps an AwsError an operation throws as the service's answer, recording nothing", async () => {
    const operations = events.operations as Record<string, unknown>;
    operations["AWSEvents.ListEventBuses"] = operation(z.object({}), () => {
      throw new AwsError("LimitExceededException", "too many");
    });
    endpoint = await startEndpoint(cloud, 0);
    await expect(client().send(new ListEventBusesCommand({}))).rejects.toMatchObject({ name: "LimitExceededException", $metadata: { httpStatusCode: 400 } });
    expect(cloud.errors).toEqual([]);
  });

  it("answers a request of the wrong shape with a 400 before the operation runs, recording nothing", async () => {
    const ran = jest.fn();
    const operations = events.operations as Record<string, unknown>;
    operations["AWSEvents.ListEventBuses"] = operation(z.object({ Limit: z.number().int().min(1).max(100).optional(), NamePrefix: z.string().optional() }), ran);
    endpoint = await startEndpoint(cloud, 0);
    const post = (body: unknown) =>
      fetch(endpoint.url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.ListEventBuses" } }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await post({ Limit: "ten" })).toMatchObject({ status: 400, body: { __type: "SerializationException", message: expect.stringContaining("Limit") } });
    expect(await post({ Limit: 0 })).toMatchObject({ status: 400, body: { __type: "ValidationException", message: expect.stringContaining("'Limit'") } });
    expect(ran).not.toHaveBeenCalled();
    expect(await post({ Limit: 10 })).toMatchObject({ status: 200 });
    expect(ran).toHaveBeenCalledTimes(1);
    expect(cloud.errors).toEqual([]);
  });
});

describe("the test harness (tests/support/emulator-faults.ts)", () => {
  it("fails a test during which the local cloud recorded a fault nobody took, and only that test", () => {
    const root = path.resolve(__dirname, "../..");
    const run = spawnSync(process.execPath, [require.resolve("jest/bin/jest"), "--ci", "--testMatch", "**/unnoticed-fault.fixture-test.ts", "--forceExit"], { cwd: root, encoding: "utf8", timeout: 120_000 });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status).toBe(1);
    expect(output).toMatch(/✕ records a fault and leaves it/);
    expect(output).toMatch(/✓ records a fault and takes it/);
    expect(output).toContain("the local cloud recorded 1 fault(s) of its own during this test");
    expect(output).toContain("reading 'Entries'");
    expect(output).toMatch(/1 failed, 1 passed/);
  }, 120_000);
});
