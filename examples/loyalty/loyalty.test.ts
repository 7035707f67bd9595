import { checkProgram } from "../../policy/checks";
import { ofType, policyOf, runIsolated } from "../../tests/support/program";

describe("the loyalty example, reusing the library on the dealership bus", () => {
  test.each([
    ["a name", "dealership-events-dev-dealership", "arn:aws:events:eu-west-1:123456789012:event-bus/dealership-events-dev-dealership"],
    ["an ARN", "arn:aws:events:eu-west-1:210987654321:event-bus/central", "arn:aws:events:eu-west-1:210987654321:event-bus/central"],
  ])("attaches to the bus by %s and adds its own route, grants and alarms-ready DLQs", async (_, reference, busArn) => {
    const run = await runIsolated({
      project: "dealership-loyalty",
      stack: "dev",
      config: { "dealership-loyalty:dealershipBus": reference },
      program: () => require("./program").createLoyalty(),
    });
    expect(ofType(run, "aws:cloudwatch/eventBus:EventBus")).toHaveLength(0);
    const [rule] = ofType(run, "aws:cloudwatch/eventRule:EventRule");
    expect(rule.state.arn).toBe(busArn.replace(":event-bus/", ":rule/") + "/" + rule.state.name);
    expect(JSON.parse(rule.inputs.eventPattern)).toEqual({ source: ["dealership.handover"], "detail-type": ["VehicleReadyForHandover"] });
    const statement = policyOf(ofType(run, "aws:sqs/queuePolicy:QueuePolicy").find((p) => p.name === "handovers")!).Statement[1];
    expect(statement.Condition.ArnLike["aws:SourceArn"]).toBe(busArn.replace(":event-bus/", ":rule/") + "/*");
    // The DLQ-alarm check belongs to the program that owns alarms; everything else must hold here.
    expect(checkProgram(run.mocks.resources).filter((v) => !v.message.includes("no alarm on its depth"))).toEqual([]);
  });

  test("a malformed bus reference is named with its key", () => {
    const { busReference } = require("./program");
    expect(() => busReference("arn:aws:sqs:eu-west-1:123456789012:queue")).toThrow('dealership-loyalty:dealershipBus: "arn:aws:sqs:eu-west-1:123456789012:queue" is not an event bus ARN');
  });
});
