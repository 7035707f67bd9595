import { checkStack, RULES, StackResource } from "../../policy/pack/rules";
import { T } from "../../policy/pack/rules/model";

// What `pulumi preview` hands a policy: properties behind @pulumi/policy's proxy, unknowns throw.
const proxy: { unknownCheckingProxy<X>(x: X): X; unknownNumberValue: unknown; unknownStringValue: unknown } = require("@pulumi/policy/proxy");

const ARN = "arn:aws:events:eu-west-1:123456789012";
const resource = (type: string, name: string, props: Record<string, unknown>): StackResource => ({ type, name, props: proxy.unknownCheckingProxy(props) });

describe("a rule that meets what it cannot evaluate", () => {
  test("reports an unknown function timeout as advisory instead of passing or crashing", () => {
    const findings = checkStack([resource(T.fn, "fn", { name: "fn", runtime: "nodejs24.x", role: "arn:aws:iam::123456789012:role/r", timeout: proxy.unknownNumberValue })]);
    const timeout = findings.filter((f) => f.rule === "lambda-function-settings");
    expect(timeout).toEqual([expect.objectContaining({ severity: "advisory", resource: "fn", message: expect.stringMatching(/^cannot evaluate/) })]);
  });

  test("reports a target whose ARN is unknown during preview as advisory", () => {
    const findings = checkStack([
      resource(T.rule, "rule", { name: "r", eventBusName: "b", eventPattern: '{"source":["a"]}', arn: `${ARN}:rule/b/r` }),
      resource(T.target, "target", { rule: "r", eventBusName: "b", arn: proxy.unknownStringValue }),
    ]);
    const permission = findings.filter((f) => f.rule === "eventbridge-target-permission");
    expect(permission).toEqual([expect.objectContaining({ severity: "advisory", resource: "target" })]);
    expect(findings.filter((f) => f.severity === "mandatory")).toEqual([]);
  });

  test("reports a target service it has no delivery check for as advisory", () => {
    const findings = checkStack([
      resource(T.rule, "rule", { name: "r", eventBusName: "b", eventPattern: '{"source":["a"]}', arn: `${ARN}:rule/b/r` }),
      resource(T.target, "target", { rule: "r", eventBusName: "b", arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/c", retryPolicy: { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 60 } }),
    ]);
    expect(findings.filter((f) => f.rule === "eventbridge-target-permission")).toEqual([expect.objectContaining({ severity: "advisory", message: expect.stringContaining('"ecs"') })]);
  });

  test("a policy that is not a document is refused by the document rule and not evaluated by the others", () => {
    const findings = checkStack([resource(T.queuePolicy, "policy", { queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/q", policy: "{not json" })]);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: "iam-policy-document", severity: "mandatory", resource: "policy" }),
        expect.objectContaining({ rule: "sqs-tls-only", severity: "advisory", message: expect.stringMatching(/^cannot evaluate/) }),
      ]),
    );
  });

  test("no rule throws on resources of every subject type with empty or mistyped properties", () => {
    const types = [...new Set(RULES.flatMap((r) => r.subjects))];
    const shapes: Record<string, unknown>[] = [{}, { name: 42, arn: 7, policy: 5, definition: {}, redrivePolicy: 1, eventPattern: 3, inputTransformer: "x", retryPolicy: "x" }];
    for (const props of shapes) {
      const resources = types.map((type, i) => resource(type, `r${i}`, props));
      expect(() => checkStack(resources)).not.toThrow();
    }
  });
});
