import { runOperation } from "../../local/cloud";
import { AwsError } from "../../local/aws-error";
import { authorizeOrThrow, LocalCloud, type Message, type Service } from "../../local/cloud";
import type { Principal } from "../../local/iam";
import { RecordingMocks } from "../../local/resource-graph";
import type { LambdaApi } from "../../local/services/contracts";
import { SnsService } from "../../local/services/sns/service";
import { XmlResponse } from "../../local/common/xml";

const ACCOUNT = "123456789012";
const arn = (service: string, resource: string) => `arn:aws:${service}:eu-west-1:${ACCOUNT}:${resource}`;
const TOPIC = arn("sns", "orders");
const RULE = arn("events", "rule/dealership/notify");
const eventBridge: Principal = { kind: "service", service: "events.amazonaws.com", sourceArn: RULE, sourceAccount: ACCOUNT };

/** A queue service that checks sqs:SendMessage against the queue policies, as SQS does. */
class FakeSqs implements Service {
  readonly namespace = "sqs";
  readonly resourceTypes = [];
  readonly received: { queue: string; message: Message; from: Principal }[] = [];
  constructor(private readonly cloud: LocalCloud) {}
  materialize(): void {}
  async deliver(queue: string, message: Message, from: Principal): Promise<void> {
    authorizeOrThrow(this.cloud, from, "sqs:SendMessage", queue);
    this.received.push({ queue, message, from });
  }
}

class FakeLambda implements Service, LambdaApi {
  readonly namespace = "lambda";
  readonly resourceTypes = [];
  readonly invoked: { fn: string; payload: any; from: Principal }[] = [];
  constructor(private readonly cloud: LocalCloud) {}
  materialize(): void {}
  async invoke(): Promise<never> {
    throw new Error("SNS invokes asynchronously");
  }
  async invokeAsync(fn: string, payload: unknown, from: Principal) {
    authorizeOrThrow(this.cloud, from, "lambda:InvokeFunction", fn);
    this.invoked.push({ fn, payload, from });
    return { requestId: `req-${this.invoked.length}` };
  }
  functionArn(fn: string) {
    return fn;
  }
  roleOf() {
    return undefined;
  }
}

const allowSns = (resource: string, action: string, sourceArn = TOPIC) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: action, Resource: resource, Condition: { ArnEquals: { "aws:SourceArn": sourceArn } } }],
  });

const topicPolicy = (ruleArnPattern: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sns:Publish", Resource: TOPIC, Condition: { Bool: { "aws:SecureTransport": "false" } } },
      {
        Sid: "EventBridgeRules",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sns:Publish",
        Resource: TOPIC,
        Condition: { ArnLike: { "aws:SourceArn": ruleArnPattern }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
      },
    ],
  });

interface Setup {
  cloud: LocalCloud;
  sns: SnsService;
  sqs: FakeSqs;
  lambda: FakeLambda;
}

async function deploy(build: (mocks: RecordingMocks) => void): Promise<Setup> {
  const cloud = new LocalCloud();
  const sns = new SnsService(cloud);
  const sqs = new FakeSqs(cloud);
  const lambda = new FakeLambda(cloud);
  cloud.register(sns).register(sqs).register(lambda);
  const mocks = new RecordingMocks();
  build(mocks);
  await cloud.deploy(mocks.resources);
  return { cloud, sns, sqs, lambda };
}

const resource = (mocks: RecordingMocks, type: string, name: string, inputs: Record<string, unknown>) => mocks.newResource({ type, name, inputs } as any);
const topic = (mocks: RecordingMocks, name = "orders", inputs: Record<string, unknown> = {}) => resource(mocks, "aws:sns/topic:Topic", name, { name, ...inputs });
const subscription = (mocks: RecordingMocks, name: string, inputs: Record<string, unknown>) => resource(mocks, "aws:sns/topicSubscription:TopicSubscription", name, { topic: TOPIC, ...inputs });
const queuePolicy = (cloud: LocalCloud, queue: string) => cloud.iam.putResourcePolicy(queue, "queue-policy", JSON.parse(allowSns(queue, "sqs:SendMessage")).Statement);

describe("SNS fan-out", () => {
  const QUEUE = arn("sqs", "orders-queue");
  const RAW_QUEUE = arn("sqs", "orders-raw");
  const FUNCTION = arn("lambda", "function:notify");

  async function fanOut(): Promise<Setup> {
    const setup = await deploy((mocks) => {
      topic(mocks);
      resource(mocks, "aws:sns/topicPolicy:TopicPolicy", "orders", { arn: TOPIC, policy: topicPolicy(`${arn("events", "rule/dealership")}/*`) });
      subscription(mocks, "to-queue", { protocol: "sqs", endpoint: QUEUE });
      subscription(mocks, "to-raw-queue", { protocol: "sqs", endpoint: RAW_QUEUE, rawMessageDelivery: true });
      subscription(mocks, "to-function", { protocol: "lambda", endpoint: FUNCTION });
      subscription(mocks, "to-email", { protocol: "email", endpoint: "dealer@example.com" });
      subscription(mocks, "to-webhook", { protocol: "https", endpoint: "https://hooks.example.com/sns" });
    });
    queuePolicy(setup.cloud, QUEUE);
    queuePolicy(setup.cloud, RAW_QUEUE);
    setup.cloud.iam.putResourcePolicy(FUNCTION, "sns-invoke", JSON.parse(allowSns(FUNCTION, "lambda:InvokeFunction")).Statement);
    return setup;
  }

  it("delivers one publish to a queue (envelope), a raw queue, a function and the outbox", async () => {
    const { cloud, sns, sqs, lambda } = await fanOut();
    const attributes = { store: { DataType: "String", StringValue: "north" }, price: { DataType: "Number", StringValue: "210.75" } };
    const messageId = await sns.publish(TOPIC, { Message: "Your car is ready", Subject: "Handover", MessageAttributes: attributes }, eventBridge);
    await cloud.clock.settle();

    const enveloped = sqs.received.find((r) => r.queue === QUEUE)!;
    const envelope = JSON.parse(enveloped.message.body);
    expect(envelope).toMatchObject({
      Type: "Notification",
      MessageId: messageId,
      TopicArn: TOPIC,
      Subject: "Handover",
      Message: "Your car is ready",
      SignatureVersion: "1",
      MessageAttributes: { store: { Type: "String", Value: "north" }, price: { Type: "Number", Value: "210.75" } },
    });
    expect(new Date(envelope.Timestamp).getTime()).toBeLessThanOrEqual(cloud.clock.now());
    expect(envelope.SigningCertURL).toMatch(/^https:\/\/sns\.eu-west-1\.amazonaws\.com\/.+\.pem$/);
    expect(envelope.UnsubscribeURL).toContain("Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:123456789012:orders:");
    expect(enveloped.from).toEqual({ kind: "service", service: "sns.amazonaws.com", sourceArn: TOPIC, sourceAccount: ACCOUNT });

    const raw = sqs.received.find((r) => r.queue === RAW_QUEUE)!;
    expect(raw.message.body).toBe("Your car is ready");
    expect(raw.message.attributes).toEqual(attributes);

    expect(lambda.invoked).toHaveLength(1);
    const record = lambda.invoked[0].payload.Records[0];
    expect(record).toMatchObject({ EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: sns.subscriptionsOf(TOPIC).find((s) => s.protocol === "lambda")!.arn });
    expect(record.Sns).toMatchObject({ Type: "Notification", MessageId: messageId, TopicArn: TOPIC, Subject: "Handover", Message: "Your car is ready", MessageAttributes: { store: { Type: "String", Value: "north" } } });
    expect(record.Sns.SigningCertUrl).toBeDefined();
    expect(lambda.invoked[0].from).toMatchObject({ kind: "service", service: "sns.amazonaws.com", sourceArn: TOPIC });

    expect(sns.outbox.map(({ protocol, endpoint, subject, message }) => ({ protocol, endpoint, subject, message }))).toEqual([
      { protocol: "email", endpoint: "dealer@example.com", subject: "Handover", message: "Your car is ready" },
      { protocol: "https", endpoint: "https://hooks.example.com/sns", subject: "Handover", message: "Your car is ready" },
    ]);
    expect(sns.outbox[0].body).toBe("Your car is ready");
    expect(JSON.parse(sns.outbox[1].body)).toMatchObject({ Type: "Notification", Message: "Your car is ready" });
    expect(cloud.trace.count("notification.published")).toBe(1);
    expect(cloud.trace.count("notification.delivered")).toBe(2);
    expect(sns.published).toEqual([expect.objectContaining({ topicArn: TOPIC, messageId, subject: "Handover", message: "Your car is ready" })]);
    expect(cloud.errors).toEqual([]);
  });

  it("reaches the topic through cloud.deliver, as an EventBridge target does", async () => {
    const { cloud, sqs } = await fanOut();
    await cloud.deliver(TOPIC, { body: "from a rule" }, eventBridge);
    await cloud.clock.settle();
    expect(sqs.received.find((r) => r.queue === RAW_QUEUE)?.message.body).toBe("from a rule");
  });

  it("sends each protocol its entry of a json MessageStructure", async () => {
    const { cloud, sns, sqs, lambda } = await fanOut();
    await sns.publish(TOPIC, { Message: JSON.stringify({ default: "plain", email: "Dear customer", lambda: '{"kind":"fn"}' }), MessageStructure: "json" }, eventBridge);
    await cloud.clock.settle();
    expect(sns.outbox.find((e) => e.protocol === "email")?.message).toBe("Dear customer");
    expect(sns.outbox.find((e) => e.protocol === "https")?.message).toBe("plain");
    expect(lambda.invoked[0].payload.Records[0].Sns.Message).toBe('{"kind":"fn"}');
    expect(sqs.received.find((r) => r.queue === RAW_QUEUE)?.message.body).toBe("plain");
    await expect(sns.publish(TOPIC, { Message: '{"email":"x"}', MessageStructure: "json" }, eventBridge)).rejects.toMatchObject({ code: "InvalidParameter", message: "Invalid parameter: Message Structure - No default entry in JSON message body" });
  });

  it("records a publish to a topic without subscriptions", async () => {
    const { cloud, sns } = await deploy((mocks) => topic(mocks, "quiet"));
    const quiet = arn("sns", "quiet");
    const id = await sns.publish(quiet, { Message: "nobody listens" }, { kind: "operator" });
    await cloud.clock.settle();
    expect(sns.published).toEqual([expect.objectContaining({ topicArn: quiet, messageId: id, message: "nobody listens" })]);
    const trace = cloud.trace.records.find((r) => r.kind === "notification.published")!;
    expect(trace).toMatchObject({ resource: "quiet", payload: "nobody listens" });
  });

  it("drops a delivery the queue's policy refuses, or sends it to the subscription's DLQ", async () => {
    const DENIED = arn("sqs", "no-policy");
    const DLQ = arn("sqs", "sns-dlq");
    const { cloud, sns, sqs } = await deploy((mocks) => {
      topic(mocks);
      subscription(mocks, "denied", { protocol: "sqs", endpoint: DENIED });
      subscription(mocks, "denied-with-dlq", { protocol: "sqs", endpoint: DENIED, redrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ }) });
    });
    queuePolicy(cloud, DLQ);
    await sns.publish(TOPIC, { Message: "lost?" }, { kind: "operator" });
    await cloud.clock.settle();
    expect(sqs.received.map((r) => r.queue)).toEqual([DLQ]);
    expect(JSON.parse(sqs.received[0].message.body)).toMatchObject({ Type: "Notification", Message: "lost?" });
    expect(sns.failures).toHaveLength(2);
    expect(sns.failures.map((f) => f.deadLettered).sort()).toEqual([false, true]);
    expect(sns.failures[0].error).toMatch(/^AccessDeniedException: .*sqs:SendMessage/);
    expect(cloud.trace.count("target.dropped")).toBe(1);
    expect(cloud.trace.count("target.dead-lettered")).toBe(1);
  });
});

describe("SNS topic policy", () => {
  it("lets the rules it names publish and refuses the rest (AuthorizationError)", async () => {
    const { cloud, sns } = await deploy((mocks) => {
      topic(mocks);
      resource(mocks, "aws:sns/topicPolicy:TopicPolicy", "orders", { arn: TOPIC, policy: topicPolicy(`${arn("events", "rule/dealership")}/*`) });
    });
    await expect(sns.publish(TOPIC, { Message: "ok" }, eventBridge)).resolves.toEqual(expect.any(String));
    const otherBus: Principal = { kind: "service", service: "events.amazonaws.com", sourceArn: arn("events", "rule/other-bus/notify"), sourceAccount: ACCOUNT };
    const refused = sns.publish(TOPIC, { Message: "no" }, otherBus);
    await expect(refused).rejects.toBeInstanceOf(AwsError);
    await expect(refused).rejects.toMatchObject({ code: "AuthorizationError", status: 403 });
    await expect(refused).rejects.toThrow(/sns:Publish on .*orders/);
    expect(cloud.trace.count("notification.published")).toBe(1);
  });

  it("refuses EventBridge when the topic has no statement for it", async () => {
    const { sns } = await deploy((mocks) => topic(mocks));
    await expect(sns.publish(TOPIC, { Message: "no policy" }, eventBridge)).rejects.toMatchObject({ code: "AuthorizationError" });
  });

  it("lets a role publish with an identity policy", async () => {
    const { cloud, sns } = await deploy((mocks) => topic(mocks));
    const role: Principal = { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/paperwork` };
    await expect(sns.publish(TOPIC, { Message: "x" }, role)).rejects.toMatchObject({ code: "AuthorizationError" });
    cloud.iam.putRolePolicy(role.arn, "publish", [{ Effect: "Allow", Action: "sns:Publish", Resource: TOPIC }]);
    await expect(sns.publish(TOPIC, { Message: "x" }, role)).resolves.toEqual(expect.any(String));
  });

  it("fails the deploy for a policy of a topic that does not exist", async () => {
    await expect(deploy((mocks) => resource(mocks, "aws:sns/topicPolicy:TopicPolicy", "orphan", { arn: arn("sns", "missing"), policy: topicPolicy("*") }))).rejects.toThrow(
      /NotFound: Topic does not exist/,
    );
  });
});

describe("SNS filter policies", () => {
  const Q = (name: string) => arn("sqs", name);

  async function filtered(): Promise<Setup> {
    const setup = await deploy((mocks) => {
      topic(mocks);
      subscription(mocks, "north", { protocol: "sqs", endpoint: Q("north"), rawMessageDelivery: true, filterPolicy: JSON.stringify({ store: ["north"], price: [{ numeric: [">=", 100, "<", 500] }] }) });
      subscription(mocks, "sports", { protocol: "sqs", endpoint: Q("sports"), rawMessageDelivery: true, filterPolicy: JSON.stringify({ interests: ["rugby", { prefix: "foot" }] }) });
      subscription(mocks, "not-test", { protocol: "sqs", endpoint: Q("not-test"), rawMessageDelivery: true, filterPolicy: JSON.stringify({ store: [{ "anything-but": ["test"] }] }) });
      subscription(mocks, "body", {
        protocol: "sqs",
        endpoint: Q("body"),
        rawMessageDelivery: true,
        filterPolicyScope: "MessageBody",
        filterPolicy: JSON.stringify({ detail: { status: ["ready"], model: [{ "equals-ignore-case": "ev6" }] } }),
      });
      subscription(mocks, "everything", { protocol: "sqs", endpoint: Q("everything"), rawMessageDelivery: true });
    });
    for (const name of ["north", "sports", "not-test", "body", "everything"]) queuePolicy(setup.cloud, Q(name));
    return setup;
  }

  const receivers = async (setup: Setup, message: string, attributes: Record<string, { DataType: string; StringValue: string }> = {}) => {
    setup.sqs.received.length = 0;
    await setup.sns.publish(TOPIC, { Message: message, MessageAttributes: attributes }, { kind: "operator" });
    await setup.cloud.clock.settle();
    return setup.sqs.received.map((r) => r.queue.split(":").pop()).sort();
  };

  it("matches message attributes: strings, numbers, String.Array, anything-but", async () => {
    const setup = await filtered();
    const s = (value: string) => ({ DataType: "String", StringValue: value });
    const n = (value: string) => ({ DataType: "Number", StringValue: value });
    expect(await receivers(setup, "a", { store: s("north"), price: n("210.75") })).toEqual(["everything", "north", "not-test"]);
    expect(await receivers(setup, "b", { store: s("north"), price: n("600") })).toEqual(["everything", "not-test"]);
    // a number written as a String attribute does not match a numeric condition
    expect(await receivers(setup, "c", { store: s("north"), price: s("210") })).toEqual(["everything", "not-test"]);
    expect(await receivers(setup, "d", { store: s("test"), interests: { DataType: "String.Array", StringValue: '["chess","football"]' } })).toEqual(["everything", "sports"]);
    expect(await receivers(setup, "e")).toEqual(["everything"]);
  });

  it("matches the message body in the MessageBody scope, and never a body that is not JSON", async () => {
    const setup = await filtered();
    expect(await receivers(setup, JSON.stringify({ detail: { status: "ready", model: "EV6" } }))).toEqual(["body", "everything"]);
    expect(await receivers(setup, JSON.stringify({ detail: { status: "built", model: "EV6" } }))).toEqual(["everything"]);
    expect(await receivers(setup, "not json")).toEqual(["everything"]);
  });

  it("rejects policies SNS refuses", async () => {
    const attempt = (filterPolicy: unknown, filterPolicyScope?: string) =>
      deploy((mocks) => {
        topic(mocks);
        subscription(mocks, "bad", { protocol: "sqs", endpoint: Q("bad"), filterPolicy: JSON.stringify(filterPolicy), filterPolicyScope });
      });
    await expect(attempt({ a: [{ wildcard: "x*" }] })).rejects.toThrow(/Unrecognized match type wildcard/);
    await expect(attempt({ detail: { status: ["x"] } })).rejects.toThrow(/MessageAttributes does not support nested filter policy/);
    await expect(attempt({ a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"], f: ["1"] })).rejects.toThrow(/more than 5 keys/);
    await expect(attempt({ a: Array.from({ length: 20 }, (_, i) => `${i}`), b: Array.from({ length: 10 }, (_, i) => `${i}`) })).rejects.toThrow(/too complex/);
    await expect(attempt({ a: [{ numeric: [">"] }] })).rejects.toThrow(/InvalidParameter: Invalid parameter: FilterPolicy/);
    await expect(attempt({ a: ["x"] }, "Everything")).rejects.toThrow(/FilterPolicyScope/);
  });
});

describe("SNS query protocol", () => {
  const role: Principal = { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/app` };

  async function wired() {
    const setup = await deploy((mocks) => {
      topic(mocks);
      topic(mocks, "alarms", { displayName: "Alarms" });
      subscription(mocks, "mail", { protocol: "email-json", endpoint: "ops@example.com" });
    });
    const call = (form: Record<string, string>, caller: Principal = { kind: "operator" }) => runOperation(setup.sns.operations[`sns.${form.Action}`], form, caller) as XmlResponse;
    return { ...setup, call };
  }

  it("publishes a form with message attributes and answers in XML", async () => {
    const { cloud, sns, call } = await wired();
    const answer = call({
      Action: "Publish",
      TopicArn: TOPIC,
      Message: "Hello <dealer> & co",
      Subject: "Greetings",
      "MessageAttributes.entry.1.Name": "kind",
      "MessageAttributes.entry.1.Value.DataType": "String",
      "MessageAttributes.entry.1.Value.StringValue": "greeting",
    });
    expect(answer).toBeInstanceOf(XmlResponse);
    const id = /<MessageId>([^<]+)<\/MessageId>/.exec(answer.xml)?.[1];
    expect(answer.xml).toMatch(/^<\?xml version="1.0"\?>\n<PublishResponse xmlns="http:\/\/sns.amazonaws.com\/doc\/2010-03-31\/"><PublishResult><MessageId>/);
    expect(answer.xml).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/PublishResponse>$/);
    await cloud.clock.settle();
    expect(sns.published[0]).toMatchObject({ messageId: id, message: "Hello <dealer> & co", subject: "Greetings" });
    const body = JSON.parse(sns.outbox[0].body);
    expect(body).toMatchObject({ Type: "Notification", MessageId: id, Message: "Hello <dealer> & co", MessageAttributes: { kind: { Type: "String", Value: "greeting" } } });
  });

  it("lists topics and subscriptions and reads topic attributes", async () => {
    const { call } = await wired();
    const topics = call({ Action: "ListTopics" }).xml;
    expect([...topics.matchAll(/<TopicArn>([^<]+)<\/TopicArn>/g)].map((m) => m[1])).toEqual([arn("sns", "alarms"), TOPIC]);
    const subscriptions = call({ Action: "ListSubscriptionsByTopic", TopicArn: TOPIC }).xml;
    expect(subscriptions).toContain("<Protocol>email-json</Protocol>");
    expect(subscriptions).toContain("<Endpoint>ops@example.com</Endpoint>");
    expect(subscriptions).toContain(`<Owner>${ACCOUNT}</Owner>`);
    expect(call({ Action: "ListSubscriptions" }).xml).toContain(`<SubscriptionArn>${TOPIC}:`);
    const attributes = call({ Action: "GetTopicAttributes", TopicArn: arn("sns", "alarms") }).xml;
    expect(attributes).toContain("<entry><key>DisplayName</key><value>Alarms</value></entry>");
    expect(attributes).toContain("<entry><key>SubscriptionsConfirmed</key><value>0</value></entry>");
    expect(attributes).toMatch(/<key>Policy<\/key><value>\{&#34;Version&#34;:&#34;2008-10-17&#34;/);
  });

  it("pages ListTopics 100 at a time", async () => {
    const { sns } = await deploy((mocks) => {
      for (let n = 0; n < 101; n++) topic(mocks, `topic-${String(n).padStart(3, "0")}`);
    });
    const call = (form: Record<string, string>) => runOperation(sns.operations[`sns.${form.Action}`], form, { kind: "operator" }) as XmlResponse;
    const first = call({ Action: "ListTopics" }).xml;
    expect(first.match(/<TopicArn>/g)).toHaveLength(100);
    const token = /<NextToken>([^<]+)<\/NextToken>/.exec(first)![1];
    const second = call({ Action: "ListTopics", NextToken: token }).xml;
    expect([...second.matchAll(/<TopicArn>([^<]+)<\/TopicArn>/g)].map((m) => m[1])).toEqual([arn("sns", "topic-100")]);
    expect(second).not.toContain("<NextToken>");
  });

  it("answers with SNS's errors", async () => {
    const { call } = await wired();
    expect(() => call({ Action: "Publish", TopicArn: arn("sns", "nope"), Message: "x" })).toThrow(expect.objectContaining({ code: "NotFound", message: "Topic does not exist", status: 404 }));
    expect(() => call({ Action: "Publish", TopicArn: TOPIC, Message: "" })).toThrow(expect.objectContaining({ code: "InvalidParameter", message: "Invalid parameter: Empty message" }));
    expect(() => call({ Action: "Publish", Message: "x" })).toThrow(expect.objectContaining({ code: "InvalidParameter" }));
    // A required member that is absent is refused by the shape check, worded as SNS's validation does.
    expect(() => call({ Action: "Publish", TopicArn: TOPIC })).toThrow(
      expect.objectContaining({ code: "ValidationError", status: 400, message: "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null" }),
    );
    expect(() => call({ Action: "GetTopicAttributes" })).toThrow(expect.objectContaining({ code: "ValidationError", message: expect.stringContaining("'topicArn'") }));
    expect(() => call({ Action: "ListTopics", NextToken: "not-a-token" })).toThrow(expect.objectContaining({ code: "InvalidParameter", message: "Invalid parameter: NextToken" }));
    expect(() => call({ Action: "Publish", TopicArn: TOPIC, Message: "x", Subject: "two\nlines" })).toThrow(expect.objectContaining({ message: "Invalid parameter: Subject" }));
    // A Subject is 1 to 100 characters (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html).
    expect(() => call({ Action: "Publish", TopicArn: TOPIC, Message: "x", Subject: "s".repeat(101) })).toThrow(expect.objectContaining({ message: "Invalid parameter: Subject" }));
    expect(() => call({ Action: "Publish", TopicArn: TOPIC, Message: "x", Subject: "s".repeat(100) })).not.toThrow();
    expect(() =>
      call({
        Action: "Publish",
        TopicArn: TOPIC,
        Message: "x",
        "MessageAttributes.entry.1.Name": "price",
        "MessageAttributes.entry.1.Value.DataType": "Number",
        "MessageAttributes.entry.1.Value.StringValue": "cheap",
      }),
    ).toThrow(expect.objectContaining({ code: "InvalidParameterValue", message: "Could not cast message attribute 'price' value to number." }));
    expect(() => call({ Action: "ListTopics" }, role)).toThrow(expect.objectContaining({ code: "AuthorizationError", status: 403 }));
    expect(() => call({ Action: "Publish", TopicArn: TOPIC, Message: "x" }, role)).toThrow(expect.objectContaining({ code: "AuthorizationError" }));
  });
});

describe("SNS GetSubscriptionAttributes", () => {
  it("reads a subscription's settings, its filter policy among them, for a caller allowed to", async () => {
    const policy = JSON.stringify({ kind: ["order"] });
    const { sns } = await deploy((mocks) => {
      topic(mocks);
      subscription(mocks, "orders", { protocol: "sqs", endpoint: arn("sqs", "orders"), filterPolicy: policy, rawMessageDelivery: true });
    });
    const call = (form: Record<string, string>, caller: Principal = { kind: "operator" }) => runOperation(sns.operations[`sns.${form.Action}`], form, caller) as XmlResponse;
    const arnOf = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(call({ Action: "ListSubscriptions" }).xml)![1];
    const xml = call({ Action: "GetSubscriptionAttributes", SubscriptionArn: arnOf }).xml;
    expect(xml).toContain("<entry><key>Protocol</key><value>sqs</value></entry>");
    expect(xml).toContain("<entry><key>RawMessageDelivery</key><value>true</value></entry>");
    expect(xml).toContain("<entry><key>FilterPolicy</key><value>{&#34;kind&#34;:[&#34;order&#34;]}</value></entry>");
    expect(xml).toContain("<entry><key>FilterPolicyScope</key><value>MessageAttributes</value></entry>");
    expect(() => call({ Action: "GetSubscriptionAttributes", SubscriptionArn: `${TOPIC}:nothing` })).toThrow(expect.objectContaining({ code: "NotFound", status: 404 }));
    const role: Principal = { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/app` };
    expect(() => call({ Action: "GetSubscriptionAttributes", SubscriptionArn: arnOf }, role)).toThrow(expect.objectContaining({ code: "AuthorizationError", status: 403 }));
  });
});

describe("SNS FIFO topics", () => {
  it("needs a group id, passes it on and drops duplicates within 5 minutes", async () => {
    const FIFO = arn("sns", "orders.fifo");
    const QUEUE = arn("sqs", "orders.fifo");
    const { cloud, sns, sqs } = await deploy((mocks) => {
      topic(mocks, "orders.fifo", { fifoTopic: true, contentBasedDeduplication: true });
      subscription(mocks, "fifo-queue", { topic: FIFO, protocol: "sqs", endpoint: QUEUE, rawMessageDelivery: true });
    });
    cloud.iam.putResourcePolicy(QUEUE, "queue-policy", JSON.parse(allowSns(QUEUE, "sqs:SendMessage", FIFO)).Statement);
    await expect(sns.publish(FIFO, { Message: "m" }, { kind: "operator" })).rejects.toMatchObject({ message: "Invalid parameter: The MessageGroupId parameter is required for FIFO topics" });
    await sns.publish(FIFO, { Message: "m", MessageGroupId: "order-1" }, { kind: "operator" });
    await sns.publish(FIFO, { Message: "m", MessageGroupId: "order-1" }, { kind: "operator" });
    await cloud.clock.settle();
    expect(sqs.received).toHaveLength(1);
    expect(sqs.received[0].message).toMatchObject({ body: "m", groupId: "order-1", deduplicationId: expect.any(String) });
    cloud.clock.schedule(5 * 60_000 + 1, () => undefined);
    await cloud.clock.settle();
    await sns.publish(FIFO, { Message: "m", MessageGroupId: "order-1" }, { kind: "operator" });
    await cloud.clock.settle();
    expect(sqs.received).toHaveLength(2);
  });

  it("refuses a FIFO topic whose name does not end in .fifo", async () => {
    await expect(deploy((mocks) => topic(mocks, "orders", { fifoTopic: true }))).rejects.toThrow(/Fifo Topic names must end with .fifo/);
  });
});
