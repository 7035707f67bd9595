import { checkProgram } from "../policy/checks";
import { runIsolated } from "./support/program";

/** The policy rule that a queue target's key lets EventBridge in, on a raw @pulumi/aws program. */
const ACCOUNT = "123456789012";

function programWithKeyCondition(condition: object | undefined) {
  return () => {
    const aws: typeof import("@pulumi/aws") = require("@pulumi/aws");
    const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
    const policy = (statements: unknown[]) => pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
    const key = new aws.kms.Key("k", {
      policy: policy([
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
        { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: "*", ...(condition ? { Condition: condition } : {}) },
      ]),
    });
    const queue = new aws.sqs.Queue("q", { name: "q", kmsMasterKeyId: key.arn });
    const rules = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/b/*`;
    new aws.sqs.QueuePolicy("q", {
      queueUrl: queue.url,
      policy: policy([{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queue.arn, Condition: { ArnLike: { "aws:SourceArn": rules }, StringEquals: { "aws:SourceAccount": ACCOUNT } } }]),
    });
    const bus = new aws.cloudwatch.EventBus("b", { name: "b" });
    const rule = new aws.cloudwatch.EventRule("r", { name: "r", eventBusName: bus.name, eventPattern: JSON.stringify({ source: ["s"] }) });
    new aws.cloudwatch.EventTarget("t", { rule: rule.name, eventBusName: bus.name, arn: queue.arn, retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 }, deadLetterConfig: { arn: queue.arn } });
  };
}

const keyFindings = async (condition: object | undefined) => {
  const run = await runIsolated({ project: "key-check", stack: "test", program: programWithKeyCondition(condition) });
  return checkProgram(run.mocks.resources).filter((f) => f.rule === "kms-service-access");
};

test("a queue target's key must let EventBridge in without aws:SourceAccount, which SQS does not pass it", async () => {
  expect(await keyFindings(undefined)).toEqual([]);
  const findings = await keyFindings({ StringEquals: { "aws:SourceAccount": ACCOUNT } });
  expect(findings.map((f) => [f.severity, f.resource])).toEqual(expect.arrayContaining([["mandatory", "k"]]));
  expect(findings[0].message).toContain("does not let events.amazonaws.com kms:GenerateDataKey");
});
