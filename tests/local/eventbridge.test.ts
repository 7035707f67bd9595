import { runOperation } from "../../local/cloud";
import { AwsError, DeployError } from "../../local/aws-error";
import { LocalCloud, Message, Service } from "../../local/cloud";
import type { Principal } from "../../local/iam";
import { RecordingMocks } from "../../local/resource-graph";
import { EventBridgeService } from "../../local/services/eventbridge/service";
import { IamService } from "../../local/services/iam/service";

const ACCOUNT = "123456789012";
const queueArn = (name: string) => `arn:aws:sqs:eu-west-1:${ACCOUNT}:${name}`;

/** Queues that record what arrives and can be told to fail, to watch EventBridge deliver. */
class ScriptedQueues implements Service {
  readonly namespace = "sqs";
  readonly resourceTypes = [];
  readonly received: { arn: string; message: Message; from: Principal; at: number }[] = [];
  failures: AwsError[] = [];
  constructor(private readonly cloud: LocalCloud) {}
  materialize(): void {}
  async deliver(arn: string, message: Message, from: Principal): Promise<void> {
    const failure = arn.endsWith("-dlq") ? undefined : this.failures.shift();
    if (failure) throw failure;
    this.received.push({ arn, message, from, at: this.cloud.clock.now() });
  }
  bodies(name: string): any[] {
    return this.received.filter((r) => r.arn === queueArn(name)).map((r) => JSON.parse(r.message.body));
  }
}

interface RouteSpec {
  pattern: unknown;
  target?: string;
  extra?: Record<string, unknown>;
}

async function deploy(routes: Record<string, RouteSpec>, more: (mocks: RecordingMocks) => void = () => undefined) {
  const cloud = new LocalCloud();
  const events = new EventBridgeService(cloud);
  const queues = new ScriptedQueues(cloud);
  cloud.register(new IamService(cloud)).register(events).register(queues);
  const mocks = new RecordingMocks();
  mocks.newResource({ type: "aws:cloudwatch/eventBus:EventBus", name: "shop", inputs: { name: "shop" } } as never);
  for (const [name, spec] of Object.entries(routes)) {
    mocks.newResource({ type: "aws:cloudwatch/eventRule:EventRule", name, inputs: { name, eventBusName: "shop", eventPattern: JSON.stringify(spec.pattern) } } as never);
    mocks.newResource({
      type: "aws:cloudwatch/eventTarget:EventTarget",
      name: `${name}-target`,
      inputs: { rule: name, eventBusName: "shop", targetId: "queue", arn: queueArn(spec.target ?? name), ...(spec.extra ?? {}) },
    } as never);
  }
  more(mocks);
  await cloud.deploy(mocks.resources);
  return { cloud, events, queues };
}

const operator: Principal = { kind: "operator" };
const put = (events: EventBridgeService, detail: object, detailType = "OrderPlaced", source = "shop.sales") =>
  events.putEvents([{ EventBusName: "shop", Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }], operator);

describe("EventBridge rules", () => {
  it("deliver exactly the events their patterns match, for every operator of the pattern language", async () => {
    const { cloud, events, queues } = await deploy({
      prefix: { pattern: { detail: { model: [{ prefix: "Grand" }] } } },
      suffix: { pattern: { detail: { email: [{ suffix: "@example.com" }] } } },
      "anything-but": { pattern: { detail: { vehicleClass: [{ "anything-but": ["standard"] }] } } },
      "anything-but-prefix": { pattern: { detail: { orderId: [{ "anything-but": { prefix: "test-" } }] } } },
      numeric: { pattern: { detail: { priceCents: [{ numeric: [">=", 5_000_000, "<", 10_000_000] }] } } },
      exists: { pattern: { detail: { phone: [{ exists: false }] } } },
      cidr: { pattern: { detail: { ip: [{ cidr: "10.0.0.0/24" }] } } },
      "ignore-case": { pattern: { detail: { currency: [{ "equals-ignore-case": "eur" }] } } },
      wildcard: { pattern: { detail: { model: [{ wildcard: "*Tourer*" }] } } },
      or: { pattern: { detail: { $or: [{ vehicleClass: ["premium"] }, { priceCents: [{ numeric: [">", 9_000_000] }] }] } } },
      nested: { pattern: { detail: { customer: { tier: ["gold"] } } } },
      array: { pattern: { detail: { options: ["sunroof"] } } },
    });
    const premium = { orderId: "o-1", model: "Grand Tourer", email: "ada@example.com", vehicleClass: "premium", priceCents: 8_900_000, ip: "10.0.0.7", currency: "EUR", customer: { tier: "gold" }, options: ["tow-bar", "sunroof"] };
    const standard = { orderId: "test-2", model: "City Hatch", email: "bob@example.org", vehicleClass: "standard", priceCents: 2_000_000, phone: "+44", ip: "10.0.1.7", currency: "USD", customer: { tier: "silver" }, options: [] };
    await put(events, premium);
    await put(events, standard);
    await cloud.clock.settle();
    const matched = (rule: string) => queues.bodies(rule).map((event) => event.detail.orderId);
    for (const rule of ["prefix", "suffix", "anything-but", "numeric", "exists", "cidr", "ignore-case", "wildcard", "or", "nested", "array"]) {
      expect([rule, matched(rule)]).toEqual([rule, ["o-1"]]);
    }
    expect(matched("anything-but-prefix")).toEqual(["o-1"]);
    // The standard order matches none of the rules: it is counted, not lost silently.
    expect(events.stats).toMatchObject({ accepted: 2, deliveries: 12, unmatched: 1 });
  });

  it("send the event AWS builds: id, account, region, time, detail-type, source, resources, detail", async () => {
    const { cloud, events, queues } = await deploy({ all: { pattern: { source: ["shop.sales"] } } });
    const result = await put(events, { orderId: "o-9" });
    await cloud.clock.settle();
    const [event] = queues.bodies("all");
    expect(result).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: event.id }] });
    expect(event).toMatchObject({ version: "0", account: ACCOUNT, region: "eu-west-1", source: "shop.sales", "detail-type": "OrderPlaced", resources: [], detail: { orderId: "o-9" } });
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("render input transformers, input paths and constant inputs as the target receives them", async () => {
    const { cloud, events, queues } = await deploy({
      text: {
        pattern: { source: ["shop.sales"] },
        extra: { inputTransformer: { inputPaths: { model: "$.detail.model", id: "$.detail.orderId", missing: "$.detail.nope" }, inputTemplate: '"Your <model> is ready (order <id>)<missing>"' } },
      },
      json: {
        pattern: { source: ["shop.sales"] },
        extra: { inputTransformer: { inputPaths: { price: "$.detail.priceCents", customer: "$.detail.customer" }, inputTemplate: '{"price": <price>, "who": <customer>, "rule": "<aws.events.rule-name>", "note": "<customer>"}' } },
      },
      path: { pattern: { source: ["shop.sales"] }, extra: { inputPath: "$.detail.customer" } },
      constant: { pattern: { source: ["shop.sales"] }, extra: { input: '{"fixed":true}' } },
    });
    await put(events, { orderId: "o-5", model: 'Roadster "S"', priceCents: 42, customer: { name: "Ada" } });
    await cloud.clock.settle();
    const raw = (rule: string) => queues.received.find((r) => r.arn === queueArn(rule))!.message.body;
    expect(raw("text")).toBe('Your Roadster "S" is ready (order o-5)');
    expect(JSON.parse(raw("json"))).toEqual({ price: 42, who: { name: "Ada" }, rule: "json", note: '{"name":"Ada"}' });
    expect(JSON.parse(raw("path"))).toEqual({ name: "Ada" });
    expect(JSON.parse(raw("constant"))).toEqual({ fixed: true });
  });

  it("render <aws.events.event> without the detail and insert it unescaped; wildcard paths select every member", async () => {
    const { cloud, events, queues } = await deploy({
      envelope: { pattern: { source: ["shop.sales"] }, extra: { inputTransformer: { inputPaths: {}, inputTemplate: '{"event": <aws.events.event>, "whole": "<aws.events.event.json>"}' } } },
      wildcard: { pattern: { source: ["shop.sales"] }, extra: { inputTransformer: { inputPaths: { skus: "$.detail.lines[*].sku" }, inputTemplate: '{"skus": <skus>}' } } },
    });
    await put(events, { orderId: "o-6", lines: [{ sku: "A" }, { sku: "B" }] });
    await cloud.clock.settle();
    const raw = (rule: string) => queues.received.find((r) => r.arn === queueArn(rule))!.message.body;
    const envelope = raw("envelope");
    expect(envelope).toContain('"whole": "{"');
    expect(JSON.parse(envelope.replace(/"whole": ".*"}$/s, '"whole": null}')).event).toMatchObject({ source: "shop.sales", "detail-type": "OrderPlaced" });
    expect(JSON.parse(envelope.replace(/"whole": ".*"}$/s, '"whole": null}')).event.detail).toBeUndefined();
    expect(JSON.parse(raw("wildcard"))).toEqual({ skus: ["A", "B"] });
  });

  it("refuse at deploy an input path EventBridge would refuse, naming where it goes wrong", async () => {
    await expect(deploy({ p: { pattern: { source: ["x"] }, extra: { inputPath: "$.detail..model" } } })).rejects.toThrow(/not a JSONPath EventBridge accepts \(at character 9\)/);
  });

  it("fail the delivery of a target whose role does not trust EventBridge, straight to the DLQ", async () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/untrusting`;
    const { cloud, events, queues } = await deploy(
      { stream: { pattern: { source: ["shop.sales"] }, target: "unused", extra: { arn: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/shop`, roleArn, deadLetterConfig: { arn: queueArn("orders-dlq") } } } },
      (mocks) => {
        mocks.newResource({ type: "aws:iam/role:Role", name: "untrusting", inputs: { name: "untrusting", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) } } as never);
      },
    );
    await put(events, { orderId: "o-8" });
    await cloud.clock.settle();
    const [dead] = queues.received.filter((r) => r.arn === queueArn("orders-dlq"));
    expect(dead.message.attributes?.ERROR_CODE.StringValue).toBe("NO_PERMISSIONS");
    expect(dead.message.attributes?.ERROR_MESSAGE.StringValue).toMatch(/cannot assume the role .*untrusting/);
  });

  it("refuse at deploy a pattern AWS rejects, with AWS's message", async () => {
    const attempt = deploy({ bad: { pattern: { detail: { priceCents: [{ numeric: [">", "ten"] }] } } } });
    await expect(attempt).rejects.toThrow(DeployError);
    await expect(deploy({ bad: { pattern: { detail: { priceCents: [{ numeric: [">", "ten"] }] } } } })).rejects.toThrow(/InvalidEventPatternException/);
    await expect(deploy({ bad: { pattern: { detail: { x: [{ nope: 1 }] } } } })).rejects.toThrow(/eventRule:EventRule "bad"/);
  });

  it("deploy a target of a service the local cloud does not run, list it, and trace what it drops", async () => {
    const { cloud, events } = await deploy({}, (mocks) => {
      mocks.newResource({ type: "aws:cloudwatch/eventRule:EventRule", name: "crm", inputs: { name: "crm", eventBusName: "shop", eventPattern: JSON.stringify({ source: ["shop.sales"] }) } } as never);
      mocks.newResource({ type: "aws:cloudwatch/eventTarget:EventTarget", name: "crm-target", inputs: { rule: "crm", eventBusName: "shop", targetId: "crm", arn: "arn:aws:ecs:eu-west-1:123456789012:cluster/crm", roleArn: "arn:aws:iam::123456789012:role/x" } } as never);
    });
    expect(events.unemulatedTargets).toEqual(["target crm of rule crm (ecs)"]);
    await put(events, { orderId: "o-7" });
    await cloud.clock.settle();
    expect(events.stats.dropped).toBe(1);
    expect(cloud.trace.records.find((r) => r.kind === "target.dropped")?.summary).toMatch(/ecs targets are not emulated locally/);
  });

  it("refuse at deploy an input template that uses an undefined variable", async () => {
    await expect(deploy({ t: { pattern: { source: ["x"] }, extra: { inputTransformer: { inputPaths: {}, inputTemplate: '"<who>"' } } } })).rejects.toThrow(/InputTemplate uses <who>/);
  });
});

describe("EventBridge delivery failures", () => {
  const withDlq = (retries: number, maxAge = 3600) => ({
    pattern: { source: ["shop.sales"] },
    extra: { retryPolicy: { maximumRetryAttempts: retries, maximumEventAgeInSeconds: maxAge }, deadLetterConfig: { arn: queueArn("orders-dlq") } },
  });

  it("retry a failing target with growing backoff in cloud time, then deliver", async () => {
    const { cloud, events, queues } = await deploy({ orders: withDlq(8) });
    queues.failures = [new AwsError("InternalError", "try again", 500), new AwsError("ThrottlingException", "slow down")];
    const start = cloud.clock.now();
    await put(events, { orderId: "o-1" });
    await cloud.clock.settle();
    expect(queues.bodies("orders").map((e) => e.detail.orderId)).toEqual(["o-1"]);
    expect(queues.received[0].at - start).toBeGreaterThanOrEqual(3000);
    expect(events.stats).toMatchObject({ retries: 2, deliveries: 1, deadLettered: 0 });
  });

  it("dead-letter the original event with AWS's attributes once retries are exhausted", async () => {
    const { cloud, events, queues } = await deploy({ orders: withDlq(2) });
    queues.failures = Array.from({ length: 3 }, () => new AwsError("InternalError", "target is down", 500));
    await put(events, { orderId: "o-2" });
    await cloud.clock.settle();
    const [dead] = queues.received.filter((r) => r.arn === queueArn("orders-dlq"));
    expect(JSON.parse(dead.message.body)).toMatchObject({ source: "shop.sales", detail: { orderId: "o-2" } });
    const attributes = Object.fromEntries(Object.entries(dead.message.attributes!).map(([k, v]) => [k, v.StringValue]));
    expect(attributes).toEqual({
      RULE_ARN: `arn:aws:events:eu-west-1:${ACCOUNT}:rule/shop/orders`,
      TARGET_ARN: queueArn("orders"),
      ERROR_CODE: "INTERNAL_ERROR",
      ERROR_MESSAGE: "target is down",
      RETRY_ATTEMPTS: "2",
      EXHAUSTED_RETRY_CONDITION: "MaximumRetryAttempts",
    });
    expect(dead.from).toMatchObject({ kind: "service", service: "events.amazonaws.com", sourceArn: `arn:aws:events:eu-west-1:${ACCOUNT}:rule/shop/orders` });
  });

  it("send a permission failure to the DLQ at once, without retries", async () => {
    const { cloud, events, queues } = await deploy({ orders: withDlq(8) });
    queues.failures = [new AwsError("AccessDeniedException", "no policy allows it")];
    await put(events, { orderId: "o-3" });
    await cloud.clock.settle();
    expect(events.stats).toMatchObject({ retries: 0, deadLettered: 1 });
    expect(queues.received[0].message.attributes?.ERROR_CODE.StringValue).toBe("NO_PERMISSIONS");
  });

  it("drop the event when retries run out and no DLQ is set, and say so in the trace", async () => {
    const { cloud, events, queues } = await deploy({ orders: { pattern: { source: ["shop.sales"] }, extra: { retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } } } });
    queues.failures = [new AwsError("InternalError", "down", 500)];
    await put(events, { orderId: "o-4" });
    await cloud.clock.settle();
    expect(events.stats.dropped).toBe(1);
    expect(cloud.trace.records.find((r) => r.kind === "target.dropped")?.summary).toMatch(/no DLQ/);
  });
});

describe("PutEvents", () => {
  it("rejects entries AWS rejects, each on its own, and counts them", async () => {
    const { events } = await deploy({ all: { pattern: { source: ["shop.sales"] } } });
    const result = await events.putEvents(
      [
        { EventBusName: "shop", Source: "shop.sales", DetailType: "A", Detail: "{not json" },
        { EventBusName: "shop", Source: "shop.sales", DetailType: "B", Detail: "[1]" },
        { EventBusName: "shop", DetailType: "C", Detail: "{}" },
        { EventBusName: "nowhere", Source: "shop.sales", DetailType: "D", Detail: "{}" },
        { EventBusName: "shop", Source: "shop.sales", DetailType: "E", Detail: "{}" },
      ],
      operator,
    );
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries.map((e) => ("ErrorCode" in e ? e.ErrorCode : "ok"))).toEqual(["MalformedDetail", "MalformedDetail", "InvalidArgument", "ResourceNotFoundException", "ok"]);
    await expect(events.putEvents(Array.from({ length: 11 }, () => ({ Source: "s", DetailType: "d", Detail: "{}", EventBusName: "shop" })), operator)).rejects.toMatchObject({ code: "ValidationException" });
  });

  it("authorizes a role by the events:source its policy allows", async () => {
    const { events } = await deploy({ all: { pattern: { source: ["shop.sales"] } } }, (mocks) => {
      mocks.newResource({ type: "aws:iam/role:Role", name: "seller", inputs: { name: "seller", assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) } } as never);
      mocks.newResource({
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "seller-publish",
        inputs: { role: "seller", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "events:PutEvents", Resource: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/shop`, Condition: { StringEquals: { "events:source": ["shop.sales"] } } }] }) },
      } as never);
    });
    const seller: Principal = { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/seller` };
    await expect(events.putEvents([{ EventBusName: "shop", Source: "shop.sales", DetailType: "OrderPlaced", Detail: "{}" }], seller)).resolves.toMatchObject({ FailedEntryCount: 0 });
    await expect(events.putEvents([{ EventBusName: "shop", Source: "shop.factory", DetailType: "VehicleProduced", Detail: "{}" }], seller)).rejects.toMatchObject({
      code: "AccessDeniedException",
      message: expect.stringContaining("events:PutEvents"),
    });
  });
});

describe("Archive and replay", () => {
  it("archives matching events and replays a time window onto the bus, marked with replay-name", async () => {
    const { cloud, events, queues } = await deploy({ all: { pattern: { source: ["shop.sales"] } } }, (mocks) =>
      mocks.newResource({ type: "aws:cloudwatch/eventArchive:EventArchive", name: "shop-archive", inputs: { name: "shop-archive", eventSourceArn: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/shop`, retentionDays: 7 } } as never),
    );
    const before = cloud.clock.now();
    await put(events, { orderId: "o-1" });
    await put(events, { orderId: "o-2" });
    await cloud.clock.settle();
    const archive = events.archives()[0];
    expect(archive.events).toHaveLength(2);
    events.startReplay({
      ReplayName: "again",
      EventSourceArn: archive.arn,
      EventStartTime: (before - 1000) / 1000,
      EventEndTime: (cloud.clock.now() + 1000) / 1000,
      Destination: { Arn: `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/shop` },
    });
    await cloud.clock.settle();
    const delivered = queues.bodies("all");
    expect(delivered.map((e) => [e.detail.orderId, e["replay-name"]])).toEqual([
      ["o-1", undefined],
      ["o-2", undefined],
      ["o-1", "again"],
      ["o-2", "again"],
    ]);
    // Replayed events are not archived a second time.
    expect(archive.events).toHaveLength(2);
  });
});

describe("Authorization of every operation", () => {
  it("checks the caller of each operation as events:<Action> on its resource, StartReplay included", async () => {
    const busArn = `arn:aws:events:eu-west-1:${ACCOUNT}:event-bus/shop`;
    const archiveArn = `arn:aws:events:eu-west-1:${ACCOUNT}:archive/shop-archive`;
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    const { events } = await deploy({ all: { pattern: { source: ["shop.sales"] } } }, (mocks) => {
      mocks.newResource({ type: "aws:cloudwatch/eventArchive:EventArchive", name: "shop-archive", inputs: { name: "shop-archive", eventSourceArn: busArn } } as never);
      mocks.newResource({ type: "aws:iam/role:Role", name: "nobody", inputs: { name: "nobody", assumeRolePolicy: trust } } as never);
      mocks.newResource({ type: "aws:iam/role:Role", name: "reader", inputs: { name: "reader", assumeRolePolicy: trust } } as never);
      mocks.newResource({
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "reader-policy",
        inputs: {
          role: "reader",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: ["events:ListRules", "events:DescribeEventBus"], Resource: "*" },
              { Effect: "Allow", Action: "events:DescribeRule", Resource: `arn:aws:events:eu-west-1:${ACCOUNT}:rule/shop/all` },
            ],
          }),
        },
      } as never);
    });
    const nobody: Principal = { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/nobody` };
    const reader: Principal = { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/reader` };
    const now = Date.now() / 1000;
    const calls: [string, object][] = [
      ["TestEventPattern", { EventPattern: JSON.stringify({ source: ["a"] }), Event: JSON.stringify({ id: "1", account: ACCOUNT, source: "a", time: "2025-01-01T00:00:00Z", region: "eu-west-1", "detail-type": "x" }) }],
      ["ListRules", { EventBusName: "shop" }],
      ["DescribeRule", { Name: "all", EventBusName: "shop" }],
      ["ListTargetsByRule", { Rule: "all", EventBusName: "shop" }],
      ["ListEventBuses", {}],
      ["DescribeEventBus", { Name: "shop" }],
      ["ListArchives", {}],
      ["DescribeArchive", { ArchiveName: "shop-archive" }],
      ["ListRuleNamesByTarget", { TargetArn: queueArn("all"), EventBusName: "shop" }],
      ["StartReplay", { ReplayName: "r1", EventSourceArn: archiveArn, EventStartTime: now - 60, EventEndTime: now, Destination: { Arn: busArn } }],
      ["DescribeReplay", { ReplayName: "r1" }],
    ];
    const operations = events.operations;
    for (const [action, body] of calls) {
      expect(() => runOperation(operations[`AWSEvents.${action}`], body, nobody)).toThrow(expect.objectContaining({ code: "AccessDeniedException", message: expect.stringContaining(`events:${action}`) }));
    }
    // What the role's policy grants, it may do; the rest stays denied.
    expect(runOperation(operations["AWSEvents.ListRules"], { EventBusName: "shop" }, reader)).toMatchObject({ Rules: [{ Name: "all" }] });
    expect(runOperation(operations["AWSEvents.DescribeRule"], { Name: "all", EventBusName: "shop" }, reader)).toMatchObject({ Name: "all" });
    expect(runOperation(operations["AWSEvents.DescribeEventBus"], { Name: "shop" }, reader)).toMatchObject({ Name: "shop" });
    expect(() => runOperation(operations["AWSEvents.ListTargetsByRule"], { Rule: "all", EventBusName: "shop" }, reader)).toThrow(expect.objectContaining({ code: "AccessDeniedException" }));
    // The operator (any key that is not a function's) may do anything.
    const replay = calls.find(([action]) => action === "StartReplay")![1];
    expect(runOperation(operations["AWSEvents.StartReplay"], replay, operator)).toMatchObject({ State: "STARTING" });
    expect(runOperation(operations["AWSEvents.DescribeArchive"], { ArchiveName: "shop-archive" }, operator)).toMatchObject({ ArchiveArn: archiveArn, EventSourceArn: busArn, State: "ENABLED" });
    expect(runOperation(operations["AWSEvents.ListRuleNamesByTarget"], { TargetArn: queueArn("all"), EventBusName: "shop" }, operator)).toEqual({ RuleNames: ["all"] });
    expect(() => runOperation(operations["AWSEvents.DescribeArchive"], { ArchiveName: "nothing" }, operator)).toThrow(expect.objectContaining({ code: "ResourceNotFoundException" }));
    // List operations page with the shared token scheme: every bus once, then no token.
    const first = runOperation(operations["AWSEvents.ListEventBuses"], { Limit: 1 }, operator) as { EventBuses: { Name: string }[]; NextToken?: string };
    expect(first.EventBuses).toHaveLength(1);
    const second = runOperation(operations["AWSEvents.ListEventBuses"], { Limit: 1, NextToken: first.NextToken }, operator) as { EventBuses: { Name: string }[]; NextToken?: string };
    expect([...first.EventBuses, ...second.EventBuses].map((bus) => bus.Name).sort()).toEqual(["default", "shop"]);
    expect(second.NextToken).toBeUndefined();
    expect(() => runOperation(operations["AWSEvents.ListEventBuses"], { NextToken: "forged" }, operator)).toThrow(expect.objectContaining({ code: "ValidationException" }));
    expect(() => runOperation(operations["AWSEvents.ListRules"], { Limit: 101 }, operator)).toThrow(expect.objectContaining({ code: "ValidationException" }));
  });
});
