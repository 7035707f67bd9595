import { checkProgram, LIMITS } from "../policy/checks";
import { ofType, policyOf, runIsolated } from "./support/program";

/** The default quota of rules per bus: the program must stay deployable all the way there. */
const QUOTA = 300;

describe(`a program with ${QUOTA} routes on one bus`, () => {
  let run: Awaited<ReturnType<typeof runIsolated>>;
  beforeAll(async () => {
    run = await runIsolated({ stack: "synthetic", program: () => require("../scripts/synthetic-routes").syntheticRoutes(QUOTA) });
  });

  test("registers one rule and one target per route", () => {
    expect(ofType(run, "aws:cloudwatch/eventRule:EventRule")).toHaveLength(QUOTA);
    expect(ofType(run, "aws:cloudwatch/eventTarget:EventTarget")).toHaveLength(QUOTA);
  });

  test("passes every offline check, policy size limits included", () => {
    expect(checkProgram(run.mocks.resources)).toEqual([]);
  });

  test("a queue shared by 30 routes has one policy with one statement for the bus", () => {
    const policies = ofType(run, "aws:sqs/queuePolicy:QueuePolicy");
    const queue0 = policies.find((p) => p.name === "queue-0")!;
    const statements = policyOf(queue0).Statement;
    expect(statements.map((s) => s.Sid)).toEqual(["DenyInsecureTransport", "EventBridgeRulesOfsynthetic"]);
    expect(Buffer.byteLength(queue0.inputs.policy)).toBeLessThan(LIMITS.sqsPolicyBytes / 8);
  });

  test("a function targeted by 30 routes has one permission, shared grants do not grow with routes", () => {
    expect(ofType(run, "aws:lambda/permission:Permission")).toHaveLength(10);
    expect(ofType(run, "aws:iam/role:Role").filter((r) => r.name.startsWith("synthetic-to-"))).toHaveLength(20);
  });
});
