import { AwsError, LostAnswerError } from "../../local/aws-error";
import { ChaosReport, formatChaosReport, parseChaosArguments, passed, runChaos } from "../../dealership/chaos";
import { retryableError, seededRandom, startOutage } from "../../local/chaos-faults";
import { LocalCloud } from "../../local/cloud";
import { deployLocal, LocalDeployment } from "../../local/deploy";

const ROLE = "arn:aws:iam::123456789012:role/dealership-events-dev-payment";
const role = { kind: "role" as const, arn: ROLE };

describe("the chaos run's arguments", () => {
  it("has the issue's sizes as defaults and reads every option", () => {
    expect(parseChaosArguments([])).toMatchObject({ orders: 1000, faults: 0.1, duplicates: 0.05, seed: 7, errors: ["throttling", "5xx"], operations: ["*"], functions: [], stack: "dev" });
    expect(parseChaosArguments(["--orders", "60", "--faults", "12.5", "--duplicates", "0", "--seed", "42", "--errors", "5xx", "--operations", "DynamoDB_20120810.*,AWSEvents.PutEvents", "--functions", "payment,handover", "--containers", "2"])).toMatchObject({
      orders: 60,
      faults: 0.125,
      duplicates: 0,
      seed: 42,
      errors: ["5xx"],
      operations: ["DynamoDB_20120810.*", "AWSEvents.PutEvents"],
      functions: ["payment", "handover"],
      containers: 2,
    });
    expect(parseChaosArguments(["--help"])).toBe("help");
  });

  it.each([
    [["--orders", "0"], '--orders must be a whole number from 1 to 100000, not "0"'],
    [["--orders", "ten"], '--orders must be a whole number from 1 to 100000, not "ten"'],
    [["--faults", "120"], '--faults must be a percentage from 0 to 100, not "120"'],
    [["--duplicates", "150"], '--duplicates must be a percentage from 0 to 100, not "150"'],
    [["--seed", "1.5"], '--seed must be a whole number from 0 to 4294967295, not "1.5"'],
    [["--errors", "timeouts"], '--errors: "timeouts" is not an error kind (throttling, 5xx, lost-answer)'],
    [["--errors", ""], "--errors needs at least one of throttling, 5xx, lost-answer"],
    [["--operations", "DynamoDB PutItem"], '--operations: "DynamoDB PutItem" is not a protocol target'],
    [["--stack", "../prod"], '--stack "../prod" is not a stack name'],
    [["--bogus"], "Unknown option '--bogus'"],
    [["extra"], "Unexpected argument 'extra'"],
  ])("refuses %j with a message that names the problem", (argv, message) => {
    expect(() => parseChaosArguments(argv as string[])).toThrow(message);
  });
});

describe("seeded faults", () => {
  const hits = (seed: number, rate: number, calls = 2000) => {
    const cloud = new LocalCloud();
    cloud.injectFault({ operation: "DynamoDB_20120810.*", caller: "arn:aws:iam::123456789012:role/*", rate, random: seededRandom(seed), error: new AwsError("ThrottlingException", "slow down") });
    return Array.from({ length: calls }, () => (cloud.faultFor("DynamoDB_20120810.PutItem", role) ? 1 : 0)).join("");
  };

  it("fail the given share of the matching calls, the same calls for the same seed", () => {
    const pattern = hits(7, 0.1);
    const failed = [...pattern].filter((c) => c === "1").length;
    expect(failed).toBeGreaterThan(150);
    expect(failed).toBeLessThan(250);
    expect(hits(7, 0.1)).toBe(pattern);
    expect(hits(8, 0.1)).not.toBe(pattern);
    expect(hits(7, 0)).not.toContain("1");
    expect(hits(7, 1)).not.toContain("0");
  });

  it("match operations and callers by prefix, never the operator, and refuse a rate that is not a share", () => {
    const cloud = new LocalCloud();
    cloud.injectFault({ operation: "AWSEvents.PutEvents", caller: "arn:aws:iam::123456789012:role/*", error: (operation) => retryableError(operation, "5xx", 0) });
    expect(cloud.faultFor("AWSEvents.PutEvents", role)).toMatchObject({ code: "InternalException", status: 500 });
    expect(cloud.faultFor("AWSEvents.PutEvents", { kind: "operator" })).toBeUndefined();
    expect(cloud.faultFor("DynamoDB_20120810.PutItem", role)).toBeUndefined();
    expect(() => cloud.injectFault({ operation: "*", rate: 10, error: new AwsError("X", "x") })).toThrow("a fault's rate is a share from 0 to 1, not 10");
  });

  it("are the retryable errors each service answers with", () => {
    expect(retryableError("DynamoDB_20120810.UpdateItem", "throttling", 0)).toMatchObject({ code: "ProvisionedThroughputExceededException", status: 400 });
    expect(retryableError("DynamoDB_20120810.UpdateItem", "5xx", 0.99)).toMatchObject({ code: "ServiceUnavailable", status: 503 });
    expect(retryableError("AWSEvents.PutEvents", "throttling", 0.5)).toMatchObject({ code: "ThrottlingException", status: 400 });
    expect(retryableError("AmazonSQS.SendMessage", "5xx", 0)).toMatchObject({ code: "InternalFailure", status: 500 });
    const lost = retryableError("AWSEvents.PutEvents", "lost-answer", 0);
    expect(lost).toBeInstanceOf(LostAnswerError);
    expect(lost).toMatchObject({ code: "InternalException", status: 500 });
  });
});

describe("a chaos run in the local cloud", () => {
  let deployment: LocalDeployment;
  let report: ChaosReport;

  beforeAll(async () => {
    deployment = await deployLocal({ stack: "dev", port: 0 });
  });

  afterAll(async () => {
    await deployment?.stop();
  });

  it("refuses an operation or a function the stack does not have, naming it", () => {
    const roles = new Map([["dealership-events-dev-payment", ROLE]]);
    const mix = { rate: 0.1, kinds: ["throttling" as const], operations: ["*"], functions: [] };
    expect(() => startOutage(deployment.cloud, { ...mix, operations: ["DynamoDB_20120810.Frobnicate"] }, Math.random, roles)).toThrow('--operations: "DynamoDB_20120810.Frobnicate" names no operation');
    expect(() => startOutage(deployment.cloud, { ...mix, functions: ["billing"] }, Math.random, roles)).toThrow('--functions: there is no function "billing" in the stack (its functions: dealership-events-dev-payment)');
  });

  it("loses no order, charges and notifies each once, under 10% faults with a tenth of the orders placed twice", async () => {
    const options = parseChaosArguments(["--orders", "60", "--faults", "10", "--duplicates", "10", "--seed", "11"]);
    if (options === "help") throw new Error("unexpected");
    report = await runChaos(options, deployment);
    const text = formatChaosReport(report);
    expect([...report.injected.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
    expect(report.orders.filter((o) => o.placedTwice).length).toBeGreaterThan(0);
    expect(report.orders.filter((o) => o.outcome === "delivered").length).toBeGreaterThan(50);
    expect(report.orders.filter((o) => o.detail === "payment-declined" || o.detail === "registration-rejected").length).toBeGreaterThan(0);
    expect(report.orders.filter((o) => o.problems.length > 0)).toEqual([]);
    expect(passed(report)).toBe(true);
    expect(text).toMatch(/lost: +0\n/);
    expect(text).toContain("Nothing lost, nothing charged or notified twice.");
  });

  it.each([
    ["a lost order", { outcome: "lost" as const, problems: ["lost: no terminal event, and nothing of it in a dead-letter queue"] }],
    ["a double charge", { netCharges: 2, problems: ["charged 2 times"] }],
    ["a double notification", { customerNotifications: 2, problems: ["customer notified 2 times"] }],
    ["a failure nobody was told of", { silent: true, problems: ["payment-declined without telling the customer"] }],
  ])("fails on %s and prints that order's timeline", (_, change) => {
    const broken = { ...report, orders: report.orders.map((o, i) => (i === 3 ? { ...o, ...change } : o)) };
    expect(passed(broken)).toBe(false);
    const text = formatChaosReport(broken);
    expect(text).toContain(`${report.orders[3].orderId}: `);
    expect(text).toContain(`!! ${change.problems[0]}`);
    expect(text).toContain("FAILED: 1 orders went wrong");
  });
});
