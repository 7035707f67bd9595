import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type * as Pulumi from "@pulumi/pulumi";
import type { AwsError } from "../../local/aws-error";
import { runOperation, type LocalCloud } from "../../local/cloud";
import { createLocalCloud } from "../../local/deploy";
import { startEndpoint } from "../../local/endpoint";
import { RecordingMocks } from "../../local/resource-graph";
import type { Principal } from "../../local/iam";
import type { EventBridgeService } from "../../local/services/eventbridge/service";
import type { SnsService } from "../../local/services/sns/service";
import type { LambdaService } from "../../local/services/lambda/service";
import type { SqsService } from "../../local/services/sqs/service";
import type { StepFunctionsService } from "../../local/services/stepfunctions/service";
import { runIsolated } from "../support/program";

/**
 * Customer managed keys in the local cloud, with a program written with raw @pulumi/aws: each
 * encrypted resource kind, used by a role with and without the key permission, and fed by a service
 * through a key policy with and without that service's principal.
 */

const ACCOUNT = "123456789012";
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const role = (name: string): Principal => ({ kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/${name}` });
const operator: Principal = { kind: "operator" };

function program() {
  const aws: typeof import("@pulumi/aws") = require("@pulumi/aws");
  const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
  const policy = (statements: unknown[]) => pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
  const root = { Sid: "Root", Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:*", Resource: "*" };
  const serviceMayUse = (service: string, condition?: object) => ({
    Effect: "Allow",
    Principal: { Service: `${service}.amazonaws.com` },
    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
    Resource: "*",
    ...(condition ? { Condition: condition } : {}),
  });
  // The key of prod before the fix: EventBridge allowed only with aws:SourceAccount, which it does not supply through SQS.
  const open = new aws.kms.Key("open", { policy: policy([root, serviceMayUse("events"), serviceMayUse("sns")]) });
  const conditioned = new aws.kms.Key("conditioned", { policy: policy([root, serviceMayUse("events", { StringEquals: { "aws:SourceAccount": ACCOUNT } })]) });
  // No root statement: IAM policies cannot grant this key; only the role named in it may use it.
  const direct = new aws.kms.Key("direct", { policy: policy([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/named` }, Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: "*" }]) });
  new aws.kms.Alias("open", { name: "alias/open", targetKeyId: open.keyId });

  const data = { Effect: "Allow", Action: ["sqs:*", "sns:Publish", "dynamodb:*", "kinesis:*"], Resource: "*" };
  const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
  const keyUse = { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: [open.arn, direct.arn] };
  new aws.iam.Role("with-key", { name: "with-key", assumeRolePolicy: trust, inlinePolicies: [{ name: "data", policy: policy([data, keyUse]) }] });
  new aws.iam.Role("without-key", { name: "without-key", assumeRolePolicy: trust, inlinePolicies: [{ name: "data", policy: policy([data]) }] });
  new aws.iam.Role("named", { name: "named", assumeRolePolicy: trust, inlinePolicies: [{ name: "data", policy: policy([data]) }] });

  const queue = (name: string, encryption: Record<string, unknown>, senders: Record<string, Pulumi.Input<string>> = {}) => {
    const created = new aws.sqs.Queue(name, { name, ...encryption });
    const statements = Object.entries(senders).map(([service, sourceArn]) => ({
      Effect: "Allow",
      Principal: { Service: `${service}.amazonaws.com` },
      Action: "sqs:SendMessage",
      Resource: created.arn,
      Condition: { ArnLike: { "aws:SourceArn": sourceArn } },
    }));
    if (statements.length > 0) new aws.sqs.QueuePolicy(name, { queueUrl: created.url, policy: policy(statements) });
    return created;
  };
  const rules = `arn:aws:events:eu-west-1:${ACCOUNT}:rule/shop/*`;
  queue("cmk", { kmsMasterKeyId: "alias/open" });
  queue("direct", { kmsMasterKeyId: direct.arn });
  queue("sse", { sqsManagedSseEnabled: true });
  const dlq = queue("dlq", { sqsManagedSseEnabled: true }, { events: rules });
  const targets = {
    "key-allows-events": queue("key-allows-events", { kmsMasterKeyId: open.arn }, { events: rules }),
    "key-needs-source-account": queue("key-needs-source-account", { kmsMasterKeyId: conditioned.arn }, { events: rules }),
    "aws-managed-key": queue("aws-managed-key", { kmsMasterKeyId: "alias/aws/sqs" }, { events: rules }),
  };

  const topic = new aws.sns.Topic("cmk", { name: "cmk", kmsMasterKeyId: open.arn });
  const topicArn = `arn:aws:sns:eu-west-1:${ACCOUNT}:cmk`;
  const bySns = queue("by-sns", { kmsMasterKeyId: open.arn }, { sns: topicArn });
  const bySnsWithoutKey = queue("by-sns-without-key", { kmsMasterKeyId: conditioned.arn }, { sns: topicArn });
  new aws.sns.TopicSubscription("by-sns", { topic: topic.arn, protocol: "sqs", endpoint: bySns.arn, rawMessageDelivery: true });
  new aws.sns.TopicSubscription("by-sns-without-key", { topic: topic.arn, protocol: "sqs", endpoint: bySnsWithoutKey.arn, rawMessageDelivery: true });

  new aws.dynamodb.Table("cmk", { name: "cmk", hashKey: "id", attributes: [{ name: "id", type: "S" }], billingMode: "PAY_PER_REQUEST", serverSideEncryption: { enabled: true, kmsKeyArn: open.arn } });
  new aws.dynamodb.Table("aws-managed", { name: "aws-managed", hashKey: "id", attributes: [{ name: "id", type: "S" }], billingMode: "PAY_PER_REQUEST", serverSideEncryption: { enabled: true } });
  new aws.kinesis.Stream("cmk", { name: "cmk", shardCount: 1, encryptionType: "KMS", kmsKeyId: open.arn });

  // Lambda polls a queue with the function's role: an encrypted queue needs kms:Decrypt.
  for (const [name, roleName] of [["polled-with-key", "with-key"], ["polled-without-key", "without-key"]]) {
    const polled = queue(name, { kmsMasterKeyId: open.arn, visibilityTimeoutSeconds: 30 });
    const consumer = new aws.lambda.Function(name, {
      name,
      runtime: "nodejs24.x",
      handler: "index.handler",
      role: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
      code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({});") }),
    });
    new aws.lambda.EventSourceMapping(name, { eventSourceArn: polled.arn, functionName: consumer.arn, batchSize: 1 });
  }

  // Failed asynchronous invokes go to an encrypted destination, written with the function's role.
  const failures = queue("failures", { kmsMasterKeyId: open.arn });
  for (const [name, roleName] of [["fails-with-key", "with-key"], ["fails-without-key", "without-key"]]) {
    const failing = new aws.lambda.Function(name, {
      name,
      runtime: "nodejs24.x",
      handler: "index.handler",
      role: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
      code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => { throw new Error('down'); };") }),
    });
    new aws.lambda.FunctionEventInvokeConfig(name, { functionName: failing.name, maximumRetryAttempts: 0, destinationConfig: { onFailure: { destination: failures.arn } } });
  }

  // A workflow publishes to the encrypted topic and sends to the encrypted queue as its role.
  const statesTrust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }] });
  for (const [name, grants] of [["workflow-with-key", [data, keyUse]], ["workflow-without-key", [data]]] as const) {
    new aws.iam.Role(name, { name, assumeRolePolicy: statesTrust, inlinePolicies: [{ name: "calls", policy: policy([...grants]) }] });
    for (const [suffix, task] of [
      ["sns", { Resource: "arn:aws:states:::sns:publish", Parameters: { TopicArn: topicArn, Message: "hi" } }],
      ["sqs", { Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/sse-after-workflow`, MessageBody: "hi" } }],
    ] as const) {
      new aws.sfn.StateMachine(`${name}-${suffix}`, {
        name: `${name}-${suffix}`,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
        definition: JSON.stringify({ StartAt: "Call", States: { Call: { Type: "Task", ...task, End: true } } }),
      });
    }
  }
  queue("sse-after-workflow", { kmsMasterKeyId: open.arn });

  const bus = new aws.cloudwatch.EventBus("shop", { name: "shop" });
  // The last rule's DLQ is under a key that does not let EventBridge in: its dead letters are lost.
  const dlqWithoutEvents = queue("dlq-key-without-events", { kmsMasterKeyId: conditioned.arn }, { events: rules });
  for (const [name, target, deadLetter] of [...Object.entries(targets).map(([name, target]) => [name, target, dlq] as const), ["dlq-refuses", targets["aws-managed-key"], dlqWithoutEvents] as const]) {
    const rule = new aws.cloudwatch.EventRule(name, { name, eventBusName: bus.name, eventPattern: JSON.stringify({ source: ["shop"] }) });
    new aws.cloudwatch.EventTarget(name, {
      rule: rule.name,
      eventBusName: bus.name,
      arn: target.arn,
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      deadLetterConfig: { arn: deadLetter.arn },
    });
  }
}

let cloud: LocalCloud;
beforeAll(async () => {
  const run = await runIsolated({ project: "kms-test", stack: "test", program });
  cloud = createLocalCloud();
  await cloud.deploy(run.mocks.resources);
});
afterAll(() => cloud.stop());

const sqs = () => cloud.service<SqsService>("sqs");
const refusal = (call: () => unknown): AwsError & { queryCode?: string } => {
  try {
    call();
  } catch (error) {
    return error as AwsError;
  }
  throw new Error("the call was allowed");
};
const refusalOf = async (call: () => Promise<unknown>): Promise<AwsError> => {
  try {
    await call();
  } catch (error) {
    return error as AwsError;
  }
  throw new Error("the call was allowed");
};
const operation = (target: string) => (body: unknown, caller: Principal) => runOperation(cloud.operations().get(target)!, body, caller);

describe("KMS keys in the local cloud", () => {
  test("keys are real resources, not listed as inert", () => {
    expect([...cloud.inert.keys()].filter((type) => type.startsWith("aws:kms"))).toEqual([]);
  });

  test("SQS: a producer needs kms:GenerateDataKey and a consumer kms:Decrypt on the queue's key, else KMS.AccessDeniedException", async () => {
    expect(sqs().send("cmk", { body: "order" }, role("with-key")).messageId).toBeTruthy();
    const denied = refusal(() => sqs().send("cmk", { body: "order" }, role("without-key")));
    expect(denied.code).toBe("com.amazonaws.sqs#KmsAccessDenied");
    expect(denied.queryCode).toBe("KMS.AccessDeniedException");
    expect(denied.message).toMatch(/without-key is not authorized to perform kms:GenerateDataKey on arn:aws:kms:/);
    await expect(sqs().receive("cmk", { max: 1 }, role("without-key"))).rejects.toMatchObject({ queryCode: "KMS.AccessDeniedException", message: expect.stringMatching(/kms:Decrypt/) });
    expect(await sqs().receive("cmk", { max: 1 }, role("with-key"))).toHaveLength(1);
    // SSE-SQS involves no KMS key.
    expect(sqs().send("sse", { body: "order" }, role("without-key")).messageId).toBeTruthy();
  });

  test("an event source mapping polls an encrypted queue only if the function's role may decrypt with its key", async () => {
    sqs().send("polled-with-key", { body: "a" }, operator);
    sqs().send("polled-without-key", { body: "b" }, operator);
    await cloud.clock.settle();
    expect(sqs().depth("polled-with-key")).toMatchObject({ visible: 0, inFlight: 0 });
    expect(sqs().depth("polled-without-key")).toMatchObject({ visible: 1 });
    const failures = cloud.trace.records.filter((r) => r.kind === "mapping.failed").map((r) => r.summary);
    expect(failures).toEqual([expect.stringMatching(/^polled-without-key -> .*polling fails: .*KmsAccessDenied: User: .*without-key is not authorized to perform kms:Decrypt/)]);
  });

  test("a key policy without the account's root principal does not let IAM policies grant it; naming the role does", () => {
    expect(refusal(() => sqs().send("direct", { body: "x" }, role("with-key"))).message).toMatch(/because no resource-based policy allows the kms:GenerateDataKey action/);
    expect(sqs().send("direct", { body: "x" }, role("named")).messageId).toBeTruthy();
  });

  test("an AWS managed key lets the account's roles in through its service", async () => {
    expect(sqs().send("aws-managed-key", { body: "x" }, role("without-key")).messageId).toBeTruthy();
    await operation("DynamoDB_20120810.PutItem")({ TableName: "aws-managed", Item: { id: { S: "1" } } }, role("without-key"));
  });

  test("SNS: a publisher needs the topic's key (KMSAccessDenied); SNS reaches a queue only if that queue's key policy names sns.amazonaws.com", async () => {
    const sns = cloud.service<SnsService>("sns");
    const topic = `arn:aws:sns:eu-west-1:${ACCOUNT}:cmk`;
    expect(await refusalOf(() => sns.publish(topic, { Message: "Your car is ready" }, role("without-key")))).toMatchObject({ code: "KMSAccessDenied", message: expect.stringMatching(/kms:GenerateDataKey/) });
    await sns.publish(topic, { Message: "Your car is ready" }, role("with-key"));
    await cloud.clock.settle();
    expect((await sqs().receive("by-sns", { max: 10 }, operator)).map((m) => m.body)).toEqual(["Your car is ready"]);
    expect(await sqs().receive("by-sns-without-key", { max: 10 }, operator)).toEqual([]);
    const failure = cloud.trace.records.find((r) => r.kind === "target.dropped" && r.summary.includes("by-sns-without-key"));
    expect(failure?.summary).toMatch(/KMS\.AccessDeniedException|KmsAccessDenied/);
    expect(failure?.summary).toMatch(/service sns\.amazonaws\.com is not authorized to perform kms:GenerateDataKey/);
  });

  test("DynamoDB: every item call needs kms:Decrypt on the table's key, else AccessDeniedException", async () => {
    const put = operation("DynamoDB_20120810.PutItem");
    const get = operation("DynamoDB_20120810.GetItem");
    await put({ TableName: "cmk", Item: { id: { S: "o-1" } } }, role("with-key"));
    expect(await get({ TableName: "cmk", Key: { id: { S: "o-1" } } }, role("with-key"))).toMatchObject({ Item: { id: { S: "o-1" } } });
    for (const call of [() => put({ TableName: "cmk", Item: { id: { S: "o-2" } } }, role("without-key")), () => get({ TableName: "cmk", Key: { id: { S: "o-1" } } }, role("without-key"))]) {
      expect(await refusalOf(async () => call())).toMatchObject({ code: expect.stringMatching(/AccessDeniedException$/), message: expect.stringMatching(/without-key is not authorized to perform kms:Decrypt/) });
    }
  });

  test("Kinesis: producers need kms:GenerateDataKey, consumers kms:Decrypt, else KMSAccessDeniedException", async () => {
    const record = { StreamName: "cmk", Data: Buffer.from("e").toString("base64"), PartitionKey: "o-1" };
    await operation("Kinesis_20131202.PutRecord")(record, role("with-key"));
    expect(await refusalOf(async () => operation("Kinesis_20131202.PutRecord")(record, role("without-key")))).toMatchObject({ code: "KMSAccessDeniedException" });
    const { Shards } = (await operation("Kinesis_20131202.ListShards")({ StreamName: "cmk" }, operator)) as { Shards: { ShardId: string }[] };
    const { ShardIterator } = (await operation("Kinesis_20131202.GetShardIterator")({ StreamName: "cmk", ShardId: Shards[0].ShardId, ShardIteratorType: "TRIM_HORIZON" }, operator)) as { ShardIterator: string };
    expect(await refusalOf(async () => operation("Kinesis_20131202.GetRecords")({ ShardIterator }, role("without-key")))).toMatchObject({ code: "KMSAccessDeniedException", message: expect.stringMatching(/kms:Decrypt/) });
  });

  test("Step Functions: a workflow's SNS and SQS integrations need its role to use the key", async () => {
    const sfn = cloud.service<StepFunctionsService>("states");
    const run = async (machine: string) => sfn.startExecution(`arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:${machine}`, {}).done;
    expect((await Promise.all([run("workflow-with-key-sns"), run("workflow-with-key-sqs")])).map((e) => e.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    const denied = await Promise.all([run("workflow-without-key-sns"), run("workflow-without-key-sqs")]);
    expect(denied.map((e) => [e.status, e.error])).toEqual([
      ["FAILED", "SNS.KMSAccessDeniedException"],
      ["FAILED", "SQS.KmsAccessDeniedException"],
    ]);
    expect(denied[0].cause).toMatch(/workflow-without-key is not authorized to perform kms:GenerateDataKey/);
  });

  test("an SDK v3 client of each service gets that service's KMS access-denied error", async () => {
    const endpoint = await startEndpoint(cloud, 0);
    const config = { endpoint: endpoint.url, region: "eu-west-1", credentials: cloud.issueCredentials(role("without-key"), "without-key") };
    const clients = { sqs: new SQSClient(config), sns: new SNSClient(config), dynamodb: new DynamoDBClient(config), kinesis: new KinesisClient(config) };
    try {
      await expect(clients.sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint.url}/${ACCOUNT}/cmk`, MessageBody: "x" }))).rejects.toMatchObject({ name: "KmsAccessDenied", Code: "KMS.AccessDeniedException" });
      await expect(clients.sns.send(new PublishCommand({ TopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:cmk`, Message: "x" }))).rejects.toMatchObject({ name: "KMSAccessDeniedException" });
      await expect(clients.dynamodb.send(new GetItemCommand({ TableName: "cmk", Key: { id: { S: "o-1" } } }))).rejects.toMatchObject({ name: "AccessDeniedException", message: expect.stringMatching(/kms:Decrypt/) });
      await expect(clients.kinesis.send(new PutRecordCommand({ StreamName: "cmk", Data: Buffer.from("x"), PartitionKey: "p" }))).rejects.toMatchObject({ name: "KMSAccessDeniedException" });
    } finally {
      for (const client of Object.values(clients)) client.destroy();
      await endpoint.close();
    }
  });

  test("EventBridge delivers to a queue whose key names events.amazonaws.com; a source condition or an AWS managed key fails, is retried, then parked", async () => {
    const events = cloud.service<EventBridgeService>("events");
    await events.putEvents([{ EventBusName: "shop", Source: "shop", DetailType: "OrderPlaced", Detail: JSON.stringify({ orderId: "o-7" }) }], operator);
    await cloud.clock.settle();
    expect(await sqs().receive("key-allows-events", { max: 10 }, operator)).toHaveLength(1);
    expect(await sqs().receive("key-needs-source-account", { max: 10 }, operator)).toEqual([]);
    const parked = await sqs().receive("dlq", { max: 10 }, operator);
    const byTarget = new Map(parked.map((m) => [m.messageAttributes!.TARGET_ARN.StringValue!.split(":").pop(), m.messageAttributes!]));
    expect([...byTarget.keys()].sort()).toEqual(["aws-managed-key", "key-needs-source-account"]);
    for (const attributes of byTarget.values()) {
      expect(attributes.ERROR_CODE.StringValue).toBe("NO_PERMISSIONS");
      expect(attributes.ERROR_MESSAGE.StringValue).toMatch(/^KMS\.AccessDeniedException: User: service events\.amazonaws\.com is not authorized to perform kms:GenerateDataKey/);
      expect(attributes.RETRY_ATTEMPTS.StringValue).toBe("2");
      expect(attributes.EXHAUSTED_RETRY_CONDITION.StringValue).toBe("MaximumRetryAttempts");
    }
    expect(cloud.trace.records.filter((r) => r.kind === "target.retry" && r.summary.includes("key-needs-source-account"))).toHaveLength(2);
    // A DLQ whose key does not let EventBridge in refuses the dead letter: it is dropped, and said so.
    const dropped = cloud.trace.records.find((r) => r.kind === "target.dropped" && r.resource === "dlq-refuses");
    expect(dropped?.summary).toMatch(/the DLQ refused it too \(User: service events\.amazonaws\.com is not authorized to perform kms:GenerateDataKey/);
  });

  test("Lambda writes a failed asynchronous invoke to an encrypted destination only with a role that may use its key", async () => {
    const lambda = cloud.service<LambdaService>("lambda");
    await lambda.invokeAsync("fails-with-key", { n: 1 }, operator);
    await lambda.invokeAsync("fails-without-key", { n: 2 }, operator);
    await cloud.clock.settle();
    const records = (await sqs().receive("failures", { max: 10 }, operator)).map((m) => JSON.parse(m.body));
    expect(records.map((r) => r.requestContext.functionArn.split(":")[6])).toEqual(["fails-with-key"]);
    const lost = cloud.trace.records.find((r) => r.kind === "target.dropped" && r.resource === "fails-without-key");
    expect(lost?.summary).toMatch(/could not be sent to .*failures: User: .*without-key is not authorized to perform kms:GenerateDataKey/);
  });
});

describe("KMS resources AWS would refuse", () => {
  const deployKeyAndAlias = async (aliasName: string, target?: string) => {
    const mocks = new RecordingMocks();
    const key = mocks.newResource({ type: "aws:kms/key:Key", name: "k", inputs: {} } as never);
    mocks.newResource({ type: "aws:kms/alias:Alias", name: "a", inputs: { name: aliasName, targetKeyId: target ?? key.state.keyId } } as never);
    const local = createLocalCloud();
    try {
      await local.deploy(mocks.resources);
    } finally {
      await local.stop();
    }
  };

  test("an alias in the reserved alias/aws/ namespace, or of a key that does not exist, fails the deploy naming it", async () => {
    await expect(deployKeyAndAlias("alias/mine")).resolves.toBeUndefined();
    await expect(deployKeyAndAlias("alias/aws/mine")).rejects.toThrow('aws:kms/alias:Alias "a": NotAuthorizedException: Cannot create alias with reserved prefix alias/aws/');
    await expect(deployKeyAndAlias("alias/mine", "no-such-key")).rejects.toThrow("NotFoundException: Key 'no-such-key' does not exist");
  });
});
