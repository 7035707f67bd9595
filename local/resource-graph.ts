import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/**
 * A resource's inputs or state as the program gave them, in the shape of its Pulumi type. Pulumi's
 * mocks hand them over untyped (`MockResourceArgs.inputs` is `any`); each service reads the
 * members it knows and checks them as AWS does when the resource is created. Requests on the
 * endpoint, unlike these, are checked against typed shapes (./common/operation.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one untyped boundary: Pulumi's own mock inputs
export type ResourceProperties = Record<string, any>;

/** One resource a program registered, with its resolved inputs and the outputs we gave it. */
export interface RegisteredResource {
  type: string;
  name: string;
  id: string;
  inputs: ResourceProperties;
  state: ResourceProperties;
}

export interface CloudIdentity {
  account: string;
  region: string;
  partition: string;
}

export const DEFAULT_IDENTITY: CloudIdentity = { account: "123456789012", region: "eu-west-1", partition: "aws" };

/**
 * Pulumi mocks that act as a tiny deployment engine: every resource gets the id, ARN, name and URL
 * AWS would give it, derived deterministically from its inputs, and is recorded in order. Tests
 * read the recorded graph; the local cloud materializes it.
 */
export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RegisteredResource[] = [];

  constructor(readonly identity: CloudIdentity = DEFAULT_IDENTITY) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: ResourceProperties } {
    const physical = args.inputs.name ?? autoName(args.name, args.type);
    const { id, state } = outputsFor(args.type, physical, args.inputs, this.identity, args.name);
    const resolved = { ...args.inputs, ...state };
    this.resources.push({ type: args.type, name: args.name, id, inputs: args.inputs, state: resolved });
    return { id, state: resolved };
  }

  call(args: pulumi.runtime.MockCallArgs): ResourceProperties {
    const { account, region, partition } = this.identity;
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: account, arn: `arn:${partition}:iam::${account}:user/local`, userId: "AIDALOCAL", id: account };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, id: region, description: region, endpoint: `${region}.amazonaws.com` };
      case "aws:iam/getPolicyDocument:getPolicyDocument":
        return policyDocument(args.inputs);
      case "aws:index/getPartition:getPartition":
        return { partition, dnsSuffix: "amazonaws.com", id: partition, reverseDnsPrefix: "com.amazonaws" };
      default:
        throw new Error(`no mock for the function ${args.token}`);
    }
  }

  ofType(type: string): RegisteredResource[] {
    return this.resources.filter((r) => r.type === type);
  }
}

/**
 * `aws.iam.getPolicyDocument` renders its statements as IAM JSON, as the provider does (single
 * values stay lists; a "*" principal of type "*" is the bare "*").
 * https://www.pulumi.com/registry/packages/aws/api-docs/iam/getpolicydocument/
 */
function policyDocument(inputs: ResourceProperties): ResourceProperties {
  const principalsOf = (list: { type: string; identifiers: string[] }[] | undefined) => {
    if (!list?.length) return undefined;
    if (list.some((p) => p.type === "*")) return "*";
    const out: Record<string, string | string[]> = {};
    for (const p of list) {
      const ids = [...((out[p.type] as string[] | undefined) ?? []), ...p.identifiers];
      out[p.type] = ids.length === 1 ? ids[0] : ids;
    }
    return out;
  };
  const one = (values: string[] | undefined) => (values === undefined ? undefined : values.length === 1 ? values[0] : values);
  const statements = (inputs.statements ?? []).map((s: ResourceProperties) => {
    const condition: Record<string, Record<string, string | string[]>> = {};
    for (const c of s.conditions ?? []) condition[c.test] = { ...(condition[c.test] ?? {}), [c.variable]: one(c.values)! };
    const statement = {
      Sid: s.sid,
      Effect: s.effect ?? "Allow",
      Principal: principalsOf(s.principals),
      NotPrincipal: principalsOf(s.notPrincipals),
      Action: one(s.actions),
      NotAction: one(s.notActions),
      Resource: one(s.resources),
      NotResource: one(s.notResources),
      Condition: Object.keys(condition).length > 0 ? condition : undefined,
    };
    return Object.fromEntries(Object.entries(statement).filter(([, v]) => v !== undefined));
  });
  const document = { Version: inputs.version ?? "2012-10-17", Statement: statements };
  return { json: JSON.stringify(document, null, 2), minifiedJson: JSON.stringify(document), id: createHash("sha256").update(JSON.stringify(document)).digest("hex").slice(0, 10) };
}

function autoName(name: string, type: string): string {
  return `${name}-${createHash("sha256").update(`${type}::${name}`).digest("hex").slice(0, 7)}`;
}

function outputsFor(type: string, name: string, inputs: ResourceProperties, who: CloudIdentity, logicalName: string) {
  const { account, region, partition } = who;
  const arn = (service: string, resource: string, regional = true) => `arn:${partition}:${service}:${regional ? region : ""}:${account}:${resource}`;
  const uuid = () => {
    const h = createHash("sha256").update(`${type}::${logicalName}`).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  };
  switch (type) {
    case "aws:cloudwatch/eventBus:EventBus":
      return { id: name, state: { name, arn: arn("events", `event-bus/${name}`) } };
    case "aws:cloudwatch/eventRule:EventRule": {
      const reference: string = inputs.eventBusName ?? "default";
      // A bus named by ARN may be another account's: the rule lives where the bus does.
      const [owner, busRegion, bus] = reference.startsWith("arn:")
        ? [reference.split(":")[4], reference.split(":")[3], reference.slice(reference.indexOf(":event-bus/") + 11)]
        : [account, region, reference];
      const resource = bus === "default" ? `rule/${name}` : `rule/${bus}/${name}`;
      return { id: `${bus}|${name}`, state: { name, arn: `arn:${partition}:events:${busRegion}:${owner}:${resource}` } };
    }
    case "aws:cloudwatch/eventTarget:EventTarget":
      return { id: `${inputs.eventBusName}-${inputs.rule}-${inputs.targetId}`, state: {} };
    case "aws:cloudwatch/eventArchive:EventArchive":
      return { id: name, state: { name, arn: arn("events", `archive/${name}`) } };
    case "aws:cloudwatch/eventBusPolicy:EventBusPolicy":
      return { id: inputs.eventBusName, state: {} };
    case "aws:sqs/queue:Queue": {
      const url = `https://sqs.${region}.amazonaws.com/${account}/${name}`;
      return { id: url, state: { name, arn: arn("sqs", name), url } };
    }
    case "aws:sqs/queuePolicy:QueuePolicy":
      return { id: inputs.queueUrl, state: {} };
    case "aws:sns/topic:Topic":
      return { id: arn("sns", name), state: { name, arn: arn("sns", name) } };
    case "aws:sns/topicPolicy:TopicPolicy":
      return { id: inputs.arn, state: {} };
    case "aws:sns/topicSubscription:TopicSubscription":
      return { id: `${inputs.topic}:${uuid()}`, state: { arn: `${inputs.topic}:${uuid()}` } };
    case "aws:lambda/function:Function": {
      const fnArn = arn("lambda", `function:${name}`);
      return {
        id: name,
        state: { name, arn: fnArn, qualifiedArn: `${fnArn}:$LATEST`, invokeArn: `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${fnArn}/invocations`, version: "$LATEST" },
      };
    }
    case "aws:lambda/eventSourceMapping:EventSourceMapping":
      return { id: uuid(), state: { uuid: uuid(), functionArn: inputs.functionName } };
    case "aws:iam/role:Role":
      return { id: name, state: { name, arn: `arn:${partition}:iam::${account}:role/${name}`, uniqueId: `AROA${uuid().slice(0, 17).replace(/-/g, "").toUpperCase()}` } };
    case "aws:iam/rolePolicy:RolePolicy":
      return { id: `${inputs.role}:${name}`, state: { name } };
    case "aws:iam/policy:Policy":
      return { id: `arn:${partition}:iam::${account}:policy/${name}`, state: { name, arn: `arn:${partition}:iam::${account}:policy/${name}`, policyId: `ANPA${uuid().slice(0, 17).replace(/-/g, "").toUpperCase()}` } };
    case "aws:sfn/stateMachine:StateMachine":
      return { id: arn("states", `stateMachine:${name}`), state: { name, arn: arn("states", `stateMachine:${name}`) } };
    case "aws:kinesis/stream:Stream":
      return { id: arn("kinesis", `stream/${name}`), state: { name, arn: arn("kinesis", `stream/${name}`) } };
    case "aws:dynamodb/table:Table":
      return { id: name, state: { name, arn: arn("dynamodb", `table/${name}`) } };
    case "aws:kms/key:Key": {
      const keyId = uuid();
      return { id: keyId, state: { keyId, arn: arn("kms", `key/${keyId}`) } };
    }
    case "aws:kms/alias:Alias":
      return { id: inputs.name ?? name, state: { name: inputs.name ?? name, arn: arn("kms", inputs.name ?? name) } };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: name, state: { name, arn: arn("logs", `log-group:${name}`) } };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { id: name, state: { name, arn: arn("cloudwatch", `alarm:${name}`) } };
    case "aws:cloudwatch/dashboard:Dashboard":
      return { id: inputs.dashboardName ?? name, state: { dashboardArn: arn("cloudwatch", `dashboard/${inputs.dashboardName ?? name}`, false) } };
    case "aws:cloudwatch/logDeliverySource:LogDeliverySource":
      return { id: name, state: { name, arn: arn("logs", `delivery-source:${name}`) } };
    case "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination":
      return { id: name, state: { name, arn: arn("logs", `delivery-destination:${name}`) } };
    case "aws:cloudwatch/logDelivery:LogDelivery":
      return { id: uuid(), state: { arn: arn("logs", `delivery:${uuid()}`) } };
    default:
      return { id: `${name}-id`, state: {} };
  }
}
