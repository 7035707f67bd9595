import { runOperation } from "../../local/cloud";
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { createHash } from "crypto";
import { DeployError } from "../../local/aws-error";
import { LocalCloud } from "../../local/cloud";
import { startEndpoint } from "../../local/endpoint";
import type { Principal } from "../../local/iam";
import { RecordingMocks } from "../../local/resource-graph";
import { IamService } from "../../local/services/iam/service";
import { SqsError, SqsService } from "../../local/services/sqs/service";
import { md5OfBody, md5OfMessageAttributes } from "../../local/services/sqs/md5";
import { rejection } from "./support/rejection";

const OPERATOR: Principal = { kind: "operator" };
const ACCOUNT = "123456789012";
const arnOf = (name: string) => `arn:aws:sqs:eu-west-1:${ACCOUNT}:${name}`;
const urlOf = (name: string) => `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/${name}`;
const wireUrlOf = (name: string) => `http://127.0.0.1:4566/${ACCOUNT}/${name}`;

type Add = (type: string, name: string, inputs: Record<string, unknown>) => void;

async function deploy(define: (add: Add) => void): Promise<{ cloud: LocalCloud; sqs: SqsService; call: (operation: string, body: unknown, caller?: Principal) => Promise<any> }> {
  const cloud = new LocalCloud();
  const sqs = new SqsService(cloud);
  cloud.register(new IamService(cloud)).register(sqs);
  const mocks = new RecordingMocks();
  define((type, name, inputs) => void mocks.newResource({ type, name, inputs, provider: "", id: "", custom: true } as any));
  await cloud.deploy(mocks.resources);
  const call = async (operation: string, body: unknown, caller: Principal = OPERATOR) => runOperation(sqs.operations[`AmazonSQS.${operation}`], body, caller);
  return { cloud, sqs, call };
}

const queue = (add: Add, name: string, inputs: Record<string, unknown> = {}) => add("aws:sqs/queue:Queue", name, { name, ...inputs });

/** Moves cloud time forward by `ms` (a no-op timer the settling clock jumps to). */
async function advance(cloud: LocalCloud, ms: number): Promise<void> {
  cloud.clock.schedule(ms, () => undefined);
  await cloud.clock.settle();
}


describe("MD5 digests", () => {
  test("MD5OfMessageBody is the hex MD5 of the UTF-8 body", () => {
    expect(md5OfBody("hello")).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(md5OfBody("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(md5OfBody("héllo ✓")).toBe(createHash("md5").update(Buffer.from("héllo ✓", "utf8")).digest("hex"));
  });

  test("MD5OfMessageAttributes matches published vectors (strings, numbers, binary, name order)", () => {
    // Vectors from AWS's documentation sample and SQS implementations checked against AWS.
    expect(md5OfMessageAttributes({ SellerName: { DataType: "String", StringValue: "Example Store" } })).toBe("cd28f3b68aeee4b2eac9c66f2f694b58");
    expect(
      md5OfMessageAttributes({
        test_attribute_name_2: { DataType: "String", StringValue: "test_attribute_value_2" },
        test_attribute_name_1: { DataType: "String", StringValue: "test_attribute_value_1" },
      }),
    ).toBe("d53f3b558fe951154770f25cb63dbba9");
    expect(md5OfMessageAttributes({ test_attribute_name: { DataType: "Binary", BinaryValue: Buffer.from("test_attribute_value").toString("base64") } })).toBe(
      "23f6bd27ea87aab7dfeadcc9aebee495",
    );
    expect(
      md5OfMessageAttributes({
        ordinal: { DataType: "Number", StringValue: "1" },
        category: { DataType: "String", StringValue: "test" },
      }),
    ).toBe("d21ae90c49061e927f57df5f5d72be1f");
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });

  test("SendMessage and ReceiveMessage answer with the digests of what was sent", async () => {
    const { call } = await deploy((add) => queue(add, "digests"));
    const MessageAttributes = { SellerName: { DataType: "String", StringValue: "Example Store" } };
    const sent = await call("SendMessage", { QueueUrl: urlOf("digests"), MessageBody: "hello", MessageAttributes });
    expect(sent.MD5OfMessageBody).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(sent.MD5OfMessageAttributes).toBe("cd28f3b68aeee4b2eac9c66f2f694b58");
    const received = await call("ReceiveMessage", { QueueUrl: urlOf("digests"), MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] });
    const [message] = received.Messages;
    expect(message.MD5OfBody).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(message.MD5OfMessageAttributes).toBe("cd28f3b68aeee4b2eac9c66f2f694b58");
    expect(message.MessageAttributes).toEqual(MessageAttributes);
    expect(message.Attributes).toMatchObject({ ApproximateReceiveCount: "1", SenderId: ACCOUNT });
  });
});

describe("standard queues", () => {
  test("a message not deleted becomes visible again when its visibility timeout ends", async () => {
    const { cloud, sqs } = await deploy((add) => queue(add, "work", { visibilityTimeoutSeconds: 30 }));
    sqs.send("work", { body: "job" });
    const start = cloud.clock.now();
    const [first] = await sqs.receive("work");
    expect(first.attributes.ApproximateReceiveCount).toBe("1");
    expect(await sqs.receive("work")).toEqual([]);
    expect(sqs.depth("work")).toEqual({ visible: 0, inFlight: 1, delayed: 0 });

    await cloud.clock.settle();
    expect(cloud.clock.now() - start).toBeGreaterThanOrEqual(30_000);
    expect(sqs.depth("work")).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    const [second] = await sqs.receive("work");
    expect(second.messageId).toBe(first.messageId);
    expect(second.attributes.ApproximateReceiveCount).toBe("2");
    expect(second.attributes.ApproximateFirstReceiveTimestamp).toBe(first.attributes.ApproximateFirstReceiveTimestamp);
    expect(second.receiptHandle).not.toBe(first.receiptHandle);

    // The handle of the earlier receive is stale: success, nothing deleted.
    expect(sqs.delete("work", first.receiptHandle)).toBe(false);
    expect(sqs.depth("work").inFlight).toBe(1);
    expect(sqs.delete("work", second.receiptHandle)).toBe(true);
    expect(sqs.depth("work")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(cloud.clock.pendingTimers).toBe(0);
  });

  test("ChangeMessageVisibility to 0 makes a message visible at once; a visible one is not in flight", async () => {
    const { sqs } = await deploy((add) => queue(add, "work"));
    sqs.send("work", { body: "job" });
    const [message] = await sqs.receive("work");
    sqs.changeVisibility("work", message.receiptHandle, 0);
    const [again] = await sqs.receive("work");
    expect(again.messageId).toBe(message.messageId);
    sqs.changeVisibility("work", again.receiptHandle, 0);
    const error = await rejection(() => sqs.changeVisibility("work", again.receiptHandle, 10));
    expect(error.code).toBe("com.amazonaws.sqs#MessageNotInflight");
    const invalid = await rejection(() => sqs.delete("work", "not-a-handle"));
    expect(invalid.code).toBe("com.amazonaws.sqs#ReceiptHandleIsInvalid");
  });

  test("a visibility timeout is at most 12 hours: the queue's, and a message's in flight from its receive", async () => {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html
    const tooLong = await rejection(() => deploy((add) => queue(add, "slow", { visibilityTimeoutSeconds: 43_201 })));
    expect(tooLong.cause.message).toBe("Invalid value for the parameter VisibilityTimeout.");
    const { sqs } = await deploy((add) => queue(add, "work", { visibilityTimeoutSeconds: 43_200 }));
    sqs.send("work", { body: "job" });
    const [message] = await sqs.receive("work");
    sqs.changeVisibility("work", message.receiptHandle, 43_000);
    const beyond = await rejection(() => sqs.changeVisibility("work", message.receiptHandle, 43_201));
    expect(beyond.message).toContain("Total VisibilityTimeout for the message is beyond the limit [43200 seconds]");
  });

  test("delays hold messages back; retention drops old ones", async () => {
    const { cloud, sqs } = await deploy((add) => {
      queue(add, "delayed", { delaySeconds: 10 });
      queue(add, "short", { messageRetentionSeconds: 60 });
    });
    sqs.send("delayed", { body: "later" });
    expect(sqs.depth("delayed")).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(await sqs.receive("delayed")).toEqual([]);
    sqs.send("short", { body: "soon gone" });
    sqs.send("short", { body: "also gone" }, OPERATOR, { delaySeconds: 5 });
    await cloud.clock.settle();
    expect(sqs.depth("delayed").visible).toBe(1);
    await advance(cloud, 61_000);
    expect(sqs.depth("short")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  test("a message received more than maxReceiveCount times moves to the dead-letter queue", async () => {
    const { cloud, sqs } = await deploy((add) => {
      queue(add, "dlq");
      queue(add, "source", { visibilityTimeoutSeconds: 10, redrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf("dlq"), maxReceiveCount: 2 }) });
    });
    const { messageId } = sqs.send("source", { body: "poison", attributes: { kind: { DataType: "String", StringValue: "order" } } });
    for (const count of ["1", "2"]) {
      const [message] = await sqs.receive("source");
      expect(message.attributes.ApproximateReceiveCount).toBe(count);
      await cloud.clock.settle();
    }
    // The third receive would exceed maxReceiveCount: the message moves instead of being returned.
    expect(await sqs.receive("source")).toEqual([]);
    expect(sqs.depth("source")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const [dead] = await sqs.receive("dlq");
    expect(dead.messageId).toBe(messageId);
    expect(dead.body).toBe("poison");
    expect(dead.messageAttributes).toEqual({ kind: { DataType: "String", StringValue: "order" } });
    expect(dead.attributes.DeadLetterQueueSourceArn).toBe(arnOf("source"));
    expect(cloud.trace.count("message.dead-lettered")).toBe(1);
    expect(cloud.trace.records.find((r) => r.kind === "message.dead-lettered")?.resource).toBe("source");
  });

  test("redrive policies are checked when the cloud starts: the DLQ must exist and be of the same type", async () => {
    const missing = await rejection(() =>
      deploy((add) => queue(add, "source", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf("nowhere"), maxReceiveCount: 3 }) })),
    );
    expect(missing).toBeInstanceOf(DeployError);
    expect(missing.cause.code).toBe("com.amazon.coral.service#InvalidParameterValueException");
    expect(missing.message).toContain("Dead letter target does not exist");

    const mixed = await rejection(() =>
      deploy((add) => {
        queue(add, "dlq");
        queue(add, "orders.fifo", { fifoQueue: true, redrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf("dlq"), maxReceiveCount: 3 }) });
      }),
    );
    expect(mixed.message).toContain("Dead-letter queue must be same type of queue as the source");

    const badCount = await rejection(() => deploy((add) => queue(add, "source", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf("x"), maxReceiveCount: 0 }) })));
    expect(badCount.message).toContain("valid values are from 1 to 1000");

    const denied = await rejection(() =>
      deploy((add) => {
        queue(add, "dlq", { redriveAllowPolicy: JSON.stringify({ redrivePermission: "denyAll" }) });
        queue(add, "source", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf("dlq"), maxReceiveCount: 3 }) });
      }),
    );
    expect(denied.message).toContain("does not allow redrive");
  });
});

describe("FIFO queues", () => {
  test("queue names end in .fifo exactly when fifoQueue is set", async () => {
    const noSuffix = await rejection(() => deploy((add) => queue(add, "orders", { fifoQueue: true })));
    expect(noSuffix).toBeInstanceOf(DeployError);
    expect(noSuffix.message).toContain("must end with .fifo suffix");
    const standardWithSuffix = await rejection(() => deploy((add) => queue(add, "orders.fifo")));
    expect(standardWithSuffix.message).toContain("Can only include alphanumeric characters");
    const contentBasedOnStandard = await rejection(() => deploy((add) => queue(add, "orders", { contentBasedDeduplication: true })));
    expect(contentBasedOnStandard.cause.code).toBe("com.amazonaws.sqs#InvalidAttributeName");
  });

  test("messages of a group come in order; a group with a message in flight is locked", async () => {
    const { cloud, sqs } = await deploy((add) => queue(add, "orders.fifo", { fifoQueue: true, visibilityTimeoutSeconds: 20 }));
    const send = (group: string, body: string) => sqs.send("orders.fifo", { body, groupId: group, deduplicationId: body });
    send("a", "a1");
    send("a", "a2");
    send("b", "b1");
    send("a", "a3");

    const [a1] = await sqs.receive("orders.fifo", { max: 1 });
    expect(a1.body).toBe("a1");
    expect(a1.attributes).toMatchObject({ MessageGroupId: "a", MessageDeduplicationId: "a1" });
    expect(a1.attributes.SequenceNumber).toMatch(/^\d{20}$/);
    // Group a is locked while a1 is in flight: only b's message comes.
    const [b1] = await sqs.receive("orders.fifo", { max: 10 });
    expect(b1.body).toBe("b1");
    expect(await sqs.receive("orders.fifo", { max: 10 })).toEqual([]);
    sqs.delete("orders.fifo", b1.receiptHandle);

    sqs.delete("orders.fifo", a1.receiptHandle);
    const next = await sqs.receive("orders.fifo", { max: 10 });
    expect(next.map((m) => m.body)).toEqual(["a2", "a3"]);
    sqs.delete("orders.fifo", next[1].receiptHandle);
    // a2 is not deleted: the group stays locked until it is visible again, and then a2 comes first.
    await cloud.clock.settle();
    const again = await sqs.receive("orders.fifo", { max: 10 });
    expect(again.map((m) => [m.body, m.attributes.ApproximateReceiveCount])).toEqual([["a2", "2"]]);
  });

  test("sequence numbers grow; a send needs a group ID and a deduplication ID or content-based deduplication", async () => {
    const { sqs } = await deploy((add) => queue(add, "orders.fifo", { fifoQueue: true }));
    const first = sqs.send("orders.fifo", { body: "1", groupId: "g", deduplicationId: "1" });
    const second = sqs.send("orders.fifo", { body: "2", groupId: "g", deduplicationId: "2" });
    expect(BigInt(second.sequenceNumber!)).toBeGreaterThan(BigInt(first.sequenceNumber!));

    const noGroup = await rejection(() => sqs.send("orders.fifo", { body: "x", deduplicationId: "x" }));
    expect(noGroup).toBeInstanceOf(SqsError);
    expect(noGroup.queryCode).toBe("MissingParameter");
    expect(noGroup.message).toBe("The request must contain the parameter MessageGroupId.");
    for (const [field, ids] of [["MessageGroupId", { groupId: "g g", deduplicationId: "x" }], ["MessageDeduplicationId", { groupId: "g", deduplicationId: "d".repeat(129) }]] as const) {
      const badId = await rejection(() => sqs.send("orders.fifo", { body: "x", ...ids }));
      expect(badId.queryCode).toBe("InvalidParameterValue");
      expect(badId.message).toContain(`${field} can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
    }
    const noDedup = await rejection(() => sqs.send("orders.fifo", { body: "x", groupId: "g" }));
    expect(noDedup.queryCode).toBe("InvalidParameterValue");
    expect(noDedup.message).toBe("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    const delayed = await rejection(() => sqs.send("orders.fifo", { body: "x", groupId: "g", deduplicationId: "y" }, OPERATOR, { delaySeconds: 5 }));
    expect(delayed.message).toContain("not valid for this queue type");
  });

  test("a deduplication ID accepted in the last 5 minutes drops the send; after 5 minutes it is accepted", async () => {
    const { cloud, sqs } = await deploy((add) => queue(add, "orders.fifo", { fifoQueue: true }));
    const first = sqs.send("orders.fifo", { body: "one", groupId: "g", deduplicationId: "order-1" });
    await advance(cloud, 4 * 60_000);
    const duplicate = sqs.send("orders.fifo", { body: "one again", groupId: "g", deduplicationId: "order-1" });
    expect(duplicate.duplicate).toBe(true);
    expect(duplicate.messageId).toBe(first.messageId);
    expect(duplicate.sequenceNumber).toBe(first.sequenceNumber);
    expect(sqs.depth("orders.fifo").visible).toBe(1);
    expect(cloud.trace.count("message.sent")).toBe(1);

    await advance(cloud, 60_000 + 1);
    const later = sqs.send("orders.fifo", { body: "one again", groupId: "g", deduplicationId: "order-1" });
    expect(later.duplicate).toBe(false);
    expect(later.messageId).not.toBe(first.messageId);
    expect(sqs.depth("orders.fifo").visible).toBe(2);
  });

  test("content-based deduplication uses the SHA-256 of the body", async () => {
    const { sqs } = await deploy((add) => queue(add, "orders.fifo", { fifoQueue: true, contentBasedDeduplication: true }));
    const first = sqs.send("orders.fifo", { body: '{"order":1}', groupId: "g" });
    expect(sqs.send("orders.fifo", { body: '{"order":1}', groupId: "other" }).duplicate).toBe(true);
    expect(sqs.send("orders.fifo", { body: '{"order":2}', groupId: "g" }).duplicate).toBe(false);
    // An explicit ID wins over the content.
    expect(sqs.send("orders.fifo", { body: '{"order":1}', groupId: "g", deduplicationId: "explicit" }).duplicate).toBe(false);
    const [message] = await sqs.receive("orders.fifo");
    expect(message.messageId).toBe(first.messageId);
    expect(message.attributes.MessageDeduplicationId).toBe(createHash("sha256").update('{"order":1}').digest("hex"));
    expect(sqs.depth("orders.fifo")).toEqual({ visible: 2, inFlight: 1, delayed: 0 });
  });

  test("deduplication scoped to the message group", async () => {
    const { sqs } = await deploy((add) => queue(add, "orders.fifo", { fifoQueue: true, deduplicationScope: "messageGroup", fifoThroughputLimit: "perMessageGroupId" }));
    sqs.send("orders.fifo", { body: "x", groupId: "g1", deduplicationId: "same" });
    expect(sqs.send("orders.fifo", { body: "x", groupId: "g2", deduplicationId: "same" }).duplicate).toBe(false);
    expect(sqs.send("orders.fifo", { body: "x", groupId: "g1", deduplicationId: "same" }).duplicate).toBe(true);
  });

  test("a FIFO message past maxReceiveCount moves to the FIFO dead-letter queue and the group moves on", async () => {
    const { cloud, sqs } = await deploy((add) => {
      queue(add, "orders-dlq.fifo", { fifoQueue: true });
      queue(add, "orders.fifo", { fifoQueue: true, visibilityTimeoutSeconds: 5, redrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf("orders-dlq.fifo"), maxReceiveCount: 1 }) });
    });
    sqs.send("orders.fifo", { body: "bad", groupId: "g", deduplicationId: "1" });
    sqs.send("orders.fifo", { body: "good", groupId: "g", deduplicationId: "2" });
    const [bad] = await sqs.receive("orders.fifo");
    expect(bad.body).toBe("bad");
    await cloud.clock.settle();
    const [good] = await sqs.receive("orders.fifo");
    expect(good.body).toBe("good");
    const [dead] = await sqs.receive("orders-dlq.fifo");
    expect(dead.attributes).toMatchObject({ MessageGroupId: "g", MessageDeduplicationId: "1" });
  });
});

describe("deliveries from other services", () => {
  const rule = "arn:aws:events:eu-west-1:123456789012:rule/bus/to-queue";
  const events = (sourceArn: string): Principal => ({ kind: "service", service: "events.amazonaws.com", sourceArn, sourceAccount: ACCOUNT });
  const policy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: arnOf("inbox"), Condition: { Bool: { "aws:SecureTransport": "false" } } },
      {
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: arnOf("inbox"),
        Condition: { ArnLike: { "aws:SourceArn": "arn:aws:events:eu-west-1:123456789012:rule/bus/*" } },
      },
    ],
  });

  test("deliver() is denied without a queue policy", async () => {
    const { cloud, sqs } = await deploy((add) => queue(add, "inbox"));
    const error = await rejection(() => cloud.deliver(arnOf("inbox"), { body: "{}" }, events(rule)));
    expect(error.code).toBe("AccessDeniedException");
    expect(sqs.depth("inbox").visible).toBe(0);
  });

  test("deliver() is allowed by a queue policy scoped by aws:SourceArn, and only for that source", async () => {
    const { cloud, sqs } = await deploy((add) => {
      queue(add, "inbox");
      add("aws:sqs/queuePolicy:QueuePolicy", "inbox-policy", { queueUrl: urlOf("inbox"), policy });
    });
    await cloud.deliver(arnOf("inbox"), { body: '{"detail":{}}' }, events(rule));
    const denied = await rejection(() => cloud.deliver(arnOf("inbox"), { body: "{}" }, events("arn:aws:events:eu-west-1:123456789012:rule/other-bus/x")));
    expect(denied.code).toBe("AccessDeniedException");
    const [message] = await sqs.receive("inbox");
    expect(message.body).toBe('{"detail":{}}');
    expect(message.attributes.SenderId).toMatch(/^AIDA/);
    expect(cloud.trace.count("message.sent")).toBe(1);
    const attributes = await runOperation(sqs.operations["AmazonSQS.GetQueueAttributes"], { QueueUrl: urlOf("inbox"), AttributeNames: ["Policy"] }, OPERATOR);
    expect(JSON.parse((attributes as any).Attributes.Policy)).toEqual(JSON.parse(policy));
  });

  test("a role sends with its identity policy; FIFO deliveries keep their group", async () => {
    const role = "arn:aws:iam::123456789012:role/sender";
    const { cloud, sqs } = await deploy((add) => queue(add, "orders.fifo", { fifoQueue: true, contentBasedDeduplication: true }));
    const from: Principal = { kind: "role", arn: role };
    expect((await rejection(() => cloud.deliver(arnOf("orders.fifo"), { body: "x", groupId: "g" }, from))).code).toBe("AccessDeniedException");
    cloud.iam.putRolePolicy(role, "send", [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: arnOf("orders.fifo") }]);
    await cloud.deliver(arnOf("orders.fifo"), { body: "x", groupId: "g" }, from);
    const [message] = await sqs.receive("orders.fifo");
    expect(message.attributes.MessageGroupId).toBe("g");
    expect(message.attributes.SenderId).toMatch(/^AROA[0-9A-F]{17}:sender$/);
  });
});

describe("the JSON protocol operations", () => {
  test("unknown queues answer QueueDoesNotExist with the legacy query code", async () => {
    const { call } = await deploy((add) => queue(add, "work"));
    const error = await rejection(() => call("SendMessage", { QueueUrl: urlOf("nope"), MessageBody: "x" }));
    expect(error).toBeInstanceOf(SqsError);
    expect(error.code).toBe("com.amazonaws.sqs#QueueDoesNotExist");
    expect(error.queryErrorHeader).toBe("AWS.SimpleQueueService.NonExistentQueue;Sender");
    expect((await rejection(() => call("GetQueueUrl", { QueueName: "nope" }))).code).toBe("com.amazonaws.sqs#QueueDoesNotExist");
    // On the wire, queue URLs point at the local endpoint: SDKs send each request to its QueueUrl's host.
    expect(await call("GetQueueUrl", { QueueName: "work" })).toEqual({ QueueUrl: wireUrlOf("work") });
  });

  test("queue URLs of the local endpoint name the same queue", async () => {
    const { call } = await deploy((add) => queue(add, "work"));
    await call("SendMessage", { QueueUrl: `http://127.0.0.1:4566/${ACCOUNT}/work`, MessageBody: "x" });
    expect((await call("GetQueueAttributes", { QueueUrl: urlOf("work"), AttributeNames: ["ApproximateNumberOfMessages"] })).Attributes).toEqual({ ApproximateNumberOfMessages: "1" });
  });

  test("GetQueueAttributes answers All and named attributes; an unknown name is InvalidAttributeName", async () => {
    const { call } = await deploy((add) => {
      queue(add, "dlq.fifo", { fifoQueue: true });
      queue(add, "orders.fifo", {
        fifoQueue: true,
        contentBasedDeduplication: true,
        visibilityTimeoutSeconds: 60,
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf("dlq.fifo"), maxReceiveCount: 3 }),
      });
    });
    await call("SendMessage", { QueueUrl: urlOf("orders.fifo"), MessageBody: "a", MessageGroupId: "g" });
    await call("SendMessage", { QueueUrl: urlOf("orders.fifo"), MessageBody: "b", MessageGroupId: "g" });
    await call("ReceiveMessage", { QueueUrl: urlOf("orders.fifo") });
    const { Attributes } = await call("GetQueueAttributes", { QueueUrl: urlOf("orders.fifo"), AttributeNames: ["All"] });
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: "1",
      ApproximateNumberOfMessagesNotVisible: "1",
      ApproximateNumberOfMessagesDelayed: "0",
      QueueArn: arnOf("orders.fifo"),
      VisibilityTimeout: "60",
      FifoQueue: "true",
      ContentBasedDeduplication: "true",
      MessageRetentionPeriod: "345600",
      MaximumMessageSize: "262144",
      SqsManagedSseEnabled: "true",
    });
    expect(JSON.parse(Attributes.RedrivePolicy)).toEqual({ deadLetterTargetArn: arnOf("dlq.fifo"), maxReceiveCount: 3 });
    expect((await call("GetQueueAttributes", { QueueUrl: urlOf("orders.fifo"), AttributeNames: ["QueueArn", "FifoQueue"] })).Attributes).toEqual({
      QueueArn: arnOf("orders.fifo"),
      FifoQueue: "true",
    });
    const error = await rejection(() => call("GetQueueAttributes", { QueueUrl: urlOf("orders.fifo"), AttributeNames: ["Colour"] }));
    expect(error.code).toBe("com.amazonaws.sqs#InvalidAttributeName");
    expect(await call("ListDeadLetterSourceQueues", { QueueUrl: urlOf("dlq.fifo") })).toEqual({ queueUrls: [wireUrlOf("orders.fifo")] });
  });

  test("ReceiveMessage validates its parameters and returns only the attributes asked for", async () => {
    const { call } = await deploy((add) => queue(add, "work"));
    const bad = await rejection(() => call("ReceiveMessage", { QueueUrl: urlOf("work"), MaxNumberOfMessages: 11 }));
    expect(bad.message).toBe("Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
    expect(await call("ReceiveMessage", { QueueUrl: urlOf("work") })).toEqual({});
    await call("SendMessage", {
      QueueUrl: urlOf("work"),
      MessageBody: "x",
      MessageAttributes: { "trace.id": { DataType: "String", StringValue: "t-1" }, other: { DataType: "Number", StringValue: "7" } },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-abc" } },
    });
    const { Messages } = await call("ReceiveMessage", { QueueUrl: urlOf("work"), AttributeNames: ["SentTimestamp", "AWSTraceHeader"], MessageAttributeNames: ["trace.*"] });
    expect(Object.keys(Messages[0].Attributes).sort()).toEqual(["AWSTraceHeader", "SentTimestamp"]);
    expect(Messages[0].MessageAttributes).toEqual({ "trace.id": { DataType: "String", StringValue: "t-1" } });
    expect(Messages[0].MD5OfMessageAttributes).toBe(md5OfMessageAttributes({ "trace.id": { DataType: "String", StringValue: "t-1" } }));
  });

  test("long polling waits on the cloud's clock for a message, or answers empty at the end of the wait", async () => {
    const { cloud, sqs, call } = await deploy((add) => queue(add, "work"));
    const start = cloud.clock.now();
    const waiting = call("ReceiveMessage", { QueueUrl: urlOf("work"), WaitTimeSeconds: 20 }).then((answer) => ({ answer, at: cloud.clock.now() }));
    cloud.clock.schedule(5_000, () => sqs.send("work", { body: "arrived" }));
    await cloud.clock.settle(10_000);
    const { answer, at } = await waiting;
    const { Messages } = answer;
    expect(Messages.map((m: any) => m.Body)).toEqual(["arrived"]);
    expect(at - start).toBeGreaterThanOrEqual(5_000);
    expect(at - start).toBeLessThan(6_000);
    await call("DeleteMessage", { QueueUrl: urlOf("work"), ReceiptHandle: Messages[0].ReceiptHandle });

    const empty = call("ReceiveMessage", { QueueUrl: urlOf("work"), WaitTimeSeconds: 20 });
    const before = cloud.clock.now();
    await cloud.clock.settle();
    expect(await empty).toEqual({});
    expect(cloud.clock.now() - before).toBeGreaterThanOrEqual(20_000);
  });

  test("batch operations report each entry on its own", async () => {
    const { call } = await deploy((add) => queue(add, "work"));
    const sent = await call("SendMessageBatch", {
      QueueUrl: urlOf("work"),
      Entries: [
        { Id: "ok", MessageBody: "hello" },
        { Id: "bad", MessageBody: "bad \u0000 char" },
        { Id: "delayed", MessageBody: "later", DelaySeconds: 901 },
      ],
    });
    expect(sent.Successful).toEqual([{ Id: "ok", MessageId: expect.any(String), MD5OfMessageBody: "5d41402abc4b2a76b9719d911017c592" }]);
    expect(sent.Failed.map((f: any) => [f.Id, f.Code, f.SenderFault])).toEqual([
      ["bad", "InvalidMessageContents", true],
      ["delayed", "InvalidParameterValue", true],
    ]);
    expect((await rejection(() => call("SendMessageBatch", { QueueUrl: urlOf("work"), Entries: [] }))).code).toBe("com.amazonaws.sqs#EmptyBatchRequest");
    const repeated = await rejection(() => call("SendMessageBatch", { QueueUrl: urlOf("work"), Entries: [{ Id: "a", MessageBody: "1" }, { Id: "a", MessageBody: "2" }] }));
    expect(repeated.code).toBe("com.amazonaws.sqs#BatchEntryIdsNotDistinct");

    const { Messages } = await call("ReceiveMessage", { QueueUrl: urlOf("work"), MaxNumberOfMessages: 10 });
    const deleted = await call("DeleteMessageBatch", {
      QueueUrl: urlOf("work"),
      Entries: [
        { Id: "one", ReceiptHandle: Messages[0].ReceiptHandle },
        { Id: "two", ReceiptHandle: "garbage" },
      ],
    });
    expect(deleted.Successful).toEqual([{ Id: "one" }]);
    expect(deleted.Failed).toEqual([{ Id: "two", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: expect.stringContaining("garbage") }]);
  });

  test("ListQueues filters by prefix and pages; PurgeQueue empties a queue once a minute", async () => {
    const { cloud, call } = await deploy((add) => {
      queue(add, "orders-a");
      queue(add, "orders-b");
      queue(add, "payments");
    });
    expect(await call("ListQueues", { QueueNamePrefix: "orders" })).toEqual({ QueueUrls: [wireUrlOf("orders-a"), wireUrlOf("orders-b")] });
    const page = await call("ListQueues", { MaxResults: 2 });
    expect(page.QueueUrls).toHaveLength(2);
    expect((await call("ListQueues", { MaxResults: 2, NextToken: page.NextToken })).QueueUrls).toEqual([wireUrlOf("payments")]);

    await call("SendMessage", { QueueUrl: urlOf("payments"), MessageBody: "x" });
    await call("PurgeQueue", { QueueUrl: urlOf("payments") });
    expect((await call("GetQueueAttributes", { QueueUrl: urlOf("payments"), AttributeNames: ["ApproximateNumberOfMessages"] })).Attributes.ApproximateNumberOfMessages).toBe("0");
    expect((await rejection(() => call("PurgeQueue", { QueueUrl: urlOf("payments") }))).code).toBe("com.amazonaws.sqs#PurgeQueueInProgress");
    await advance(cloud, 60_000);
    await call("PurgeQueue", { QueueUrl: urlOf("payments") });
  });

  test("a role caller needs the sqs action in its policies or in the queue policy", async () => {
    const role: Principal = { kind: "role", arn: "arn:aws:iam::123456789012:role/reader" };
    const { cloud, call } = await deploy((add) => queue(add, "work"));
    await call("SendMessage", { QueueUrl: urlOf("work"), MessageBody: "x" });
    expect((await rejection(() => call("ReceiveMessage", { QueueUrl: urlOf("work") }, role))).code).toBe("AccessDeniedException");
    cloud.iam.putRolePolicy(role.arn, "read", [{ Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: arnOf("work") }]);
    const { Messages } = await call("ReceiveMessage", { QueueUrl: urlOf("work") }, role);
    await call("DeleteMessage", { QueueUrl: urlOf("work"), ReceiptHandle: Messages[0].ReceiptHandle }, role);
    expect((await rejection(() => call("PurgeQueue", { QueueUrl: urlOf("work") }, role))).code).toBe("AccessDeniedException");
  });

  test("StartMessageMoveTask moves dead-lettered messages back to their source queue", async () => {
    const { cloud, sqs, call } = await deploy((add) => {
      queue(add, "dlq");
      queue(add, "other");
      queue(add, "source", { visibilityTimeoutSeconds: 5, redrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf("dlq"), maxReceiveCount: 1 }) });
    });
    for (const body of ["a", "b", "c"]) sqs.send("source", { body });
    await sqs.receive("source", { max: 10 });
    await cloud.clock.settle();
    expect(await sqs.receive("source", { max: 10 })).toEqual([]);
    expect(sqs.depth("dlq").visible).toBe(3);

    const notADlq = await rejection(() => call("StartMessageMoveTask", { SourceArn: arnOf("other") }));
    expect(notADlq.message).toBe("Source queue must be configured as a Dead Letter Queue.");

    const { TaskHandle } = await call("StartMessageMoveTask", { SourceArn: arnOf("dlq"), MaxNumberOfMessagesPerSecond: 2 });
    expect(TaskHandle).toEqual(expect.any(String));
    const running = await rejection(() => call("StartMessageMoveTask", { SourceArn: arnOf("dlq") }));
    expect(running.message).toContain("Only one active task");
    await cloud.clock.settle();

    expect(sqs.depth("dlq").visible).toBe(0);
    const back = await sqs.receive("source", { max: 10 });
    expect(back.map((m) => m.body).sort()).toEqual(["a", "b", "c"]);
    expect(back.every((m) => m.attributes.ApproximateReceiveCount === "1")).toBe(true);
    const { Results } = await call("ListMessageMoveTasks", { SourceArn: arnOf("dlq"), MaxResults: 10 });
    expect(Results).toEqual([
      {
        Status: "COMPLETED",
        SourceArn: arnOf("dlq"),
        ApproximateNumberOfMessagesMoved: 3,
        ApproximateNumberOfMessagesToMove: 3,
        MaxNumberOfMessagesPerSecond: 2,
        StartedTimestamp: expect.any(Number),
      },
    ]);
  });

  test("a move task can redrive to another destination", async () => {
    const { cloud, sqs, call } = await deploy((add) => {
      queue(add, "dlq");
      queue(add, "replay");
      queue(add, "source", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf("dlq"), maxReceiveCount: 1 }) });
    });
    sqs.send("source", { body: "x" });
    await sqs.receive("source", { visibilityTimeout: 0 });
    await cloud.clock.settle();
    await sqs.receive("source");
    await call("StartMessageMoveTask", { SourceArn: arnOf("dlq"), DestinationArn: arnOf("replay") });
    await cloud.clock.settle();
    expect(sqs.depth("replay").visible).toBe(1);
    expect((await call("ListMessageMoveTasks", { SourceArn: arnOf("dlq") })).Results[0]).toMatchObject({ Status: "COMPLETED", DestinationArn: arnOf("replay") });
  });
});

describe("through the endpoint with @aws-sdk/client-sqs", () => {
  test("the SDK accepts the answers: body digests it checks, attributes, FIFO fields and errors", async () => {
    const { cloud } = await deploy((add) => {
      queue(add, "sdk");
      queue(add, "sdk.fifo", { fifoQueue: true, contentBasedDeduplication: true });
    });
    const endpoint = await startEndpoint(cloud, 0);
    // An explicit endpoint: without one the SDK sends to the host of an AWS-form QueueUrl.
    const client = new SQSClient({ region: "eu-west-1", endpoint: endpoint.url, credentials: { accessKeyId: "operator", secretAccessKey: "local" } });
    try {
      const MessageAttributes = {
        kind: { DataType: "String", StringValue: "order" },
        amount: { DataType: "Number", StringValue: "12.5" },
        blob: { DataType: "Binary", BinaryValue: Uint8Array.from([0, 1, 2, 250]) },
      };
      const body = "héllo ✓ \u{1F697}";
      const sent = await client.send(new SendMessageCommand({ QueueUrl: urlOf("sdk"), MessageBody: body, MessageAttributes }));
      expect(sent.MD5OfMessageBody).toBe(md5OfBody(body));
      expect(sent.MD5OfMessageAttributes).toBe(
        md5OfMessageAttributes({
          kind: { DataType: "String", StringValue: "order" },
          amount: { DataType: "Number", StringValue: "12.5" },
          blob: { DataType: "Binary", BinaryValue: Buffer.from([0, 1, 2, 250]).toString("base64") },
        }),
      );
      const batch = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: urlOf("sdk"),
          Entries: [
            { Id: "one", MessageBody: "1" },
            { Id: "two", MessageBody: "2", DelaySeconds: 0 },
          ],
        }),
      );
      expect(batch.Successful?.map((entry) => entry.Id)).toEqual(["one", "two"]);

      const received = await client.send(
        new ReceiveMessageCommand({ QueueUrl: urlOf("sdk"), MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }),
      );
      expect(received.Messages?.map((m) => m.Body)).toEqual([body, "1", "2"]);
      const [first] = received.Messages!;
      expect(first.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
      expect(Buffer.from(first.MessageAttributes!.blob.BinaryValue!)).toEqual(Buffer.from([0, 1, 2, 250]));
      expect(first.Attributes?.ApproximateReceiveCount).toBe("1");
      await client.send(new DeleteMessageCommand({ QueueUrl: urlOf("sdk"), ReceiptHandle: first.ReceiptHandle }));
      const attributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: urlOf("sdk"), AttributeNames: ["ApproximateNumberOfMessagesNotVisible"] }));
      expect(attributes.Attributes).toEqual({ ApproximateNumberOfMessagesNotVisible: "2" });

      const fifo = await client.send(new SendMessageCommand({ QueueUrl: urlOf("sdk.fifo"), MessageBody: "f", MessageGroupId: "g" }));
      expect(fifo.SequenceNumber).toMatch(/^\d{20}$/);

      await expect(client.send(new SendMessageCommand({ QueueUrl: urlOf("missing"), MessageBody: "x" }))).rejects.toMatchObject({ name: "QueueDoesNotExist" });
      await expect(client.send(new SendMessageCommand({ QueueUrl: urlOf("sdk.fifo"), MessageBody: "x" }))).rejects.toMatchObject({
        message: "The request must contain the parameter MessageGroupId.",
      });
    } finally {
      client.destroy();
      await endpoint.close();
      await cloud.stop();
    }
  });
});

describe("throughput", () => {
  test("sends, receives and deletes 20,000 messages without slowing down", async () => {
    const { sqs } = await deploy((add) => queue(add, "busy"));
    const started = Date.now();
    for (let i = 0; i < 20_000; i++) sqs.send("busy", { body: `{"order":${i}}` });
    let received = 0;
    for (;;) {
      const batch = await sqs.receive("busy", { max: 10 });
      if (batch.length === 0) break;
      for (const message of batch) sqs.delete("busy", message.receiptHandle);
      received += batch.length;
    }
    expect(received).toBe(20_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
