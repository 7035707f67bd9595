/**
 * Offline checks of what AWS would reject at deploy time or what would drop events at run time,
 * over the resources a program registers (as recorded by `local/resource-graph`). Each check
 * returns violations naming the resource; an empty list means the program passes.
 */
import { validateEventPattern } from "@event-routes/event-pattern";

export interface Resource {
  type: string;
  name: string;
  // Resource inputs are untyped JSON: each check reads the fields of its resource type.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inputs: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  state: Record<string, any>;
}

export interface Violation {
  check: string;
  resource: string;
  message: string;
}

const T = {
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  fn: "aws:lambda/function:Function",
  permission: "aws:lambda/permission:Permission",
  esm: "aws:lambda/eventSourceMapping:EventSourceMapping",
  invokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  key: "aws:kms/key:Key",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  busPolicy: "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
} as const;

/** AWS limits these checks enforce (AWS documentation). */
export const LIMITS = {
  sqsPolicyBytes: 8_192,
  sqsPolicyStatements: 20,
  snsPolicyBytes: 30_720,
  lambdaPolicyBytes: 20_480,
  roleInlinePolicyChars: 10_240,
  trustPolicyChars: 2_048,
  patternChars: 2_048,
  names: { rule: 64, targetId: 64, queue: 80, function: 64, role: 64, stateMachine: 80, topic: 256 },
} as const;

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: "*" | { Service?: string | string[]; AWS?: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = <X>(v: X | X[] | undefined): X[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** The principals of one kind a statement names; "*" names everyone. */
const principals = (s: Statement, kind: "Service" | "AWS"): string[] => (s.Principal === "*" ? ["*"] : list(s.Principal?.[kind]));
const statementsOf = (doc: string | undefined): Statement[] => (doc ? list(JSON.parse(doc).Statement) : []);

/** IAM's ArnLike/StringLike: `*` any run of characters, `?` one. */
export function arnLike(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(value);
}

/** Does `statement` let `service` perform `action` on `resource` when sent by rule `ruleArn`? */
function allowsService(statement: Statement, service: string, action: string, resource: string, ruleArn: string, account: string): boolean {
  if (statement.Effect !== "Allow") return false;
  if (!principals(statement, "Service").includes(service)) return false;
  if (!list(statement.Action).some((a) => arnLike(a, action))) return false;
  if (!list(statement.Resource).some((r) => arnLike(r, resource))) return false;
  const sourceArn = [...list(statement.Condition?.ArnLike?.["aws:SourceArn"]), ...list(statement.Condition?.ArnEquals?.["aws:SourceArn"])];
  const sourceAccount = list(statement.Condition?.StringEquals?.["aws:SourceAccount"]);
  return sourceArn.some((p) => arnLike(p, ruleArn)) && sourceAccount.includes(account);
}

function accountOf(arn: string): string {
  return arn.split(":")[4];
}

/** All checks over one program's resources. */
export function checkProgram(resources: Resource[]): Violation[] {
  return [
    ...checkTargets(resources),
    ...checkSinglePolicies(resources),
    ...checkPolicySizes(resources),
    ...checkNames(resources),
    ...checkQueues(resources),
    ...checkIam(resources),
    ...checkFunctions(resources),
    ...checkPatterns(resources),
  ];
}

export function checkTargets(resources: Resource[]): Violation[] {
  const out: Violation[] = [];
  const of = (type: string) => resources.filter((r) => r.type === type);
  const rules = new Map(of(T.rule).map((r) => [r.state.name as string, r]));
  const queuesByArn = new Map(of(T.queue).map((q) => [q.state.arn as string, q]));
  const queuePolicies = new Map(of(T.queuePolicy).map((p) => [p.inputs.queueUrl as string, statementsOf(p.inputs.policy)]));
  const topicPolicies = new Map(of(T.topicPolicy).map((p) => [p.inputs.arn as string, statementsOf(p.inputs.policy)]));
  const topicsByArn = new Map(of(T.topic).map((t) => [t.state.arn as string, t]));
  const keysByArn = new Map(of(T.key).map((k) => [k.state.arn as string, statementsOf(k.inputs.policy)]));
  const roles = new Map(of(T.role).map((r) => [r.state.arn as string, r]));
  const fail = (target: Resource, message: string): undefined => {
    out.push({ check: "target-wiring", resource: target.name, message });
    return undefined;
  };

  // EventBridge reaches a queue's or topic's key through SQS or SNS, which pass it no aws:SourceArn
  // or aws:SourceAccount: a key statement that requires them never matches
  // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
  const keyAllowsEvents = (keyArn: string | undefined): boolean => {
    if (!keyArn) return true;
    const statements = keysByArn.get(keyArn);
    if (!statements) return !keyArn.startsWith("alias/aws/");
    const needsSource = (s: (typeof statements)[number]) => /aws:source(arn|account)/i.test(JSON.stringify(s.Condition ?? {}));
    return statements.some((s) => s.Effect === "Allow" && principals(s, "Service").includes("events.amazonaws.com") && list(s.Action).includes("kms:GenerateDataKey") && !needsSource(s));
  };
  const queueAccepts = (target: Resource, queueArn: string, ruleArn: string, what: string) => {
    const queue = queuesByArn.get(queueArn);
    if (!queue) return fail(target, `${what} ${queueArn} is not a queue of this program`);
    const policy = queuePolicies.get(queue.state.url) ?? [];
    if (!policy.some((s) => allowsService(s, "events.amazonaws.com", "sqs:SendMessage", queueArn, ruleArn, accountOf(ruleArn)))) {
      fail(target, `${what} ${queue.name}: no queue policy statement lets rule ${ruleArn} send (aws:SourceArn and aws:SourceAccount)`);
    }
    if (!keyAllowsEvents(queue.inputs.kmsMasterKeyId)) fail(target, `${what} ${queue.name}: its KMS key does not let EventBridge encrypt (events.amazonaws.com with kms:GenerateDataKey and no aws:SourceArn/aws:SourceAccount condition, which SQS and SNS do not supply)`);
    return queue;
  };

  for (const target of of(T.target)) {
    const rule = rules.get(target.inputs.rule);
    if (!rule) {
      fail(target, `rule ${target.inputs.rule} is not in this program`);
      continue;
    }
    const ruleArn: string = rule.state.arn;
    const arn: string = target.inputs.arn;
    const retry = target.inputs.retryPolicy;
    if (!retry || retry.maximumRetryAttempts === undefined || retry.maximumEventAgeInSeconds === undefined) fail(target, "no retry policy");
    const dlqArn = target.inputs.deadLetterConfig?.arn;
    if (!dlqArn) fail(target, "no dead-letter queue");
    else {
      const dlq = queueAccepts(target, dlqArn, ruleArn, "dead-letter queue");
      if (dlq?.inputs.fifoQueue) fail(target, `dead-letter queue ${dlq.name} is FIFO; EventBridge needs a standard queue`);
    }
    const service = arn.split(":")[2];
    if (service === "lambda") {
      const fnName = arn.split(":")[6];
      const granted = of(T.permission).some(
        (p) =>
          (p.inputs.function === fnName || p.inputs.function === arn) &&
          p.inputs.principal === "events.amazonaws.com" &&
          p.inputs.action === "lambda:InvokeFunction" &&
          p.inputs.sourceArn && arnLike(p.inputs.sourceArn, ruleArn) &&
          p.inputs.sourceAccount === accountOf(ruleArn),
      );
      if (!granted) fail(target, `function ${fnName}: no permission lets rule ${ruleArn} invoke it (with aws:SourceArn and aws:SourceAccount)`);
    } else if (service === "sqs") {
      const queue = queueAccepts(target, arn, ruleArn, "queue");
      if (queue?.inputs.fifoQueue) {
        if (!target.inputs.sqsTarget?.messageGroupId) fail(target, `FIFO queue ${queue.name} without a message group id: EventBridge cannot deliver`);
        if (!queue.inputs.contentBasedDeduplication) fail(target, `FIFO queue ${queue.name} needs content-based deduplication`);
      }
    } else if (service === "sns") {
      const statements = topicPolicies.get(arn) ?? [];
      if (!statements.some((s) => allowsService(s, "events.amazonaws.com", "sns:Publish", arn, ruleArn, accountOf(ruleArn)))) {
        fail(target, `topic ${arn}: no topic policy statement lets rule ${ruleArn} publish`);
      }
      if (!keyAllowsEvents(topicsByArn.get(arn)?.inputs.kmsMasterKeyId)) fail(target, `topic ${arn}: its KMS key does not let EventBridge encrypt (events.amazonaws.com with kms:GenerateDataKey and no aws:SourceArn/aws:SourceAccount condition, which SQS and SNS do not supply)`);
    } else {
      const action = { states: "states:StartExecution", kinesis: "kinesis:PutRecord", events: "events:PutEvents" }[service];
      if (!action) {
        fail(target, `no wiring check for target service ${service}`);
        continue;
      }
      const role = roles.get(target.inputs.roleArn);
      if (!role) {
        fail(target, `${service} target without a role of this program: EventBridge cannot deliver`);
        continue;
      }
      const trust = statementsOf(role.inputs.assumeRolePolicy);
      if (!trust.some((s) => allowsService({ ...s, Resource: "*" }, "events.amazonaws.com", "sts:AssumeRole", "*", ruleArn, accountOf(ruleArn)))) {
        fail(target, `role ${role.name} cannot be assumed by rule ${ruleArn} (trust with aws:SourceArn and aws:SourceAccount)`);
      }
      const granted = of(T.rolePolicy)
        .filter((p) => p.inputs.role === role.state.name)
        .flatMap((p) => statementsOf(p.inputs.policy))
        .some((s) => s.Effect === "Allow" && list(s.Action).includes(action) && list(s.Resource).includes(arn));
      if (!granted) fail(target, `role ${role.name} is not allowed ${action} on ${arn}`);
    }
  }
  return out;
}

/** A queue or topic has one policy: a second one silently replaces the first. */
export function checkSinglePolicies(resources: Resource[]): Violation[] {
  const out: Violation[] = [];
  for (const [type, key] of [[T.queuePolicy, "queueUrl"], [T.topicPolicy, "arn"], [T.busPolicy, "eventBusName"]] as const) {
    const seen = new Map<string, string>();
    for (const p of resources.filter((r) => r.type === type)) {
      const owner = p.inputs[key];
      if (seen.has(owner)) out.push({ check: "single-policy", resource: p.name, message: `${owner} already has policy ${seen.get(owner)}; the last one applied wins` });
      else seen.set(owner, p.name);
    }
  }
  return out;
}

export function checkPolicySizes(resources: Resource[]): Violation[] {
  const out: Violation[] = [];
  const fail = (r: Resource, message: string) => out.push({ check: "policy-size", resource: r.name, message });
  for (const p of resources.filter((r) => r.type === T.queuePolicy)) {
    const bytes = Buffer.byteLength(p.inputs.policy);
    const count = statementsOf(p.inputs.policy).length;
    if (bytes > LIMITS.sqsPolicyBytes) fail(p, `queue policy is ${bytes} bytes; SQS allows ${LIMITS.sqsPolicyBytes}`);
    if (count > LIMITS.sqsPolicyStatements) fail(p, `queue policy has ${count} statements; SQS allows ${LIMITS.sqsPolicyStatements}`);
  }
  for (const p of resources.filter((r) => r.type === T.topicPolicy)) {
    const bytes = Buffer.byteLength(p.inputs.policy);
    if (bytes > LIMITS.snsPolicyBytes) fail(p, `topic policy is ${bytes} bytes; SNS allows ${LIMITS.snsPolicyBytes}`);
  }
  // A Lambda resource policy holds one statement per permission; each is about this long as AWS stores it.
  const perFunction = new Map<string, number>();
  for (const p of resources.filter((r) => r.type === T.permission)) {
    const statement = { Sid: p.name, Effect: "Allow", Principal: { Service: p.inputs.principal }, Action: p.inputs.action, Resource: `arn:aws:lambda:xx-xxxx-1:000000000000:function:${p.inputs.function}`, Condition: { StringEquals: { "AWS:SourceAccount": p.inputs.sourceAccount }, ArnLike: { "AWS:SourceArn": p.inputs.sourceArn } } };
    perFunction.set(p.inputs.function, (perFunction.get(p.inputs.function) ?? 0) + JSON.stringify(statement).length);
  }
  for (const [fn, bytes] of perFunction) {
    if (bytes > LIMITS.lambdaPolicyBytes) out.push({ check: "policy-size", resource: fn, message: `resource policy of ${fn} would be ~${bytes} bytes; Lambda allows ${LIMITS.lambdaPolicyBytes}` });
  }
  const inlinePerRole = new Map<string, number>();
  for (const p of resources.filter((r) => r.type === T.rolePolicy)) {
    const chars = p.inputs.policy.replace(/\s/g, "").length;
    inlinePerRole.set(p.inputs.role, (inlinePerRole.get(p.inputs.role) ?? 0) + chars);
  }
  for (const [role, chars] of inlinePerRole) {
    if (chars > LIMITS.roleInlinePolicyChars) out.push({ check: "policy-size", resource: role, message: `inline policies of role ${role} total ${chars} characters; IAM allows ${LIMITS.roleInlinePolicyChars}` });
  }
  for (const r of resources.filter((x) => x.type === T.role)) {
    const chars = r.inputs.assumeRolePolicy.replace(/\s/g, "").length;
    if (chars > LIMITS.trustPolicyChars) fail(r, `trust policy is ${chars} characters; IAM allows ${LIMITS.trustPolicyChars}`);
  }
  return out;
}

export function checkNames(resources: Resource[]): Violation[] {
  const out: Violation[] = [];
  const check = (type: string, field: string, limit: number, pattern: RegExp, source: "inputs" | "state" = "state") => {
    for (const r of resources.filter((x) => x.type === type)) {
      const value: string | undefined = r[source][field];
      if (value === undefined) continue;
      if (value.length > limit || !pattern.test(value)) {
        out.push({ check: "names", resource: r.name, message: `${field} "${value}" breaks AWS's rule: at most ${limit} of ${pattern.source}` });
      }
    }
  };
  check(T.rule, "name", LIMITS.names.rule, /^[.\-_A-Za-z0-9]+$/);
  check(T.target, "targetId", LIMITS.names.targetId, /^[.\-_A-Za-z0-9]+$/, "inputs");
  check(T.queue, "name", LIMITS.names.queue, /^[A-Za-z0-9_-]+(\.fifo)?$/);
  check(T.fn, "name", LIMITS.names.function, /^[A-Za-z0-9_-]+$/);
  check(T.role, "name", LIMITS.names.role, /^[\w+=,.@-]+$/);
  check("aws:sfn/stateMachine:StateMachine", "name", LIMITS.names.stateMachine, /^[A-Za-z0-9_-]+$/);
  check(T.topic, "name", LIMITS.names.topic, /^[A-Za-z0-9_-]+(\.fifo)?$/);
  for (const q of resources.filter((x) => x.type === T.queue)) {
    if (Boolean(q.inputs.fifoQueue) !== String(q.state.name).endsWith(".fifo")) {
      out.push({ check: "names", resource: q.name, message: "a FIFO queue's name must end in .fifo, and only a FIFO queue's" });
    }
  }
  return out;
}

/** Queues are encrypted and redriven; consumers fit the visibility timeout; every DLQ is alarmed. */
export function checkQueues(resources: Resource[]): Violation[] {
  const out: Violation[] = [];
  const queues = resources.filter((r) => r.type === T.queue);
  const byArn = new Map(queues.map((q) => [q.state.arn as string, q]));
  const deadLetterArns = new Set<string>();
  for (const q of queues) if (q.inputs.redrivePolicy) deadLetterArns.add(JSON.parse(q.inputs.redrivePolicy).deadLetterTargetArn);
  for (const t of resources.filter((r) => r.type === T.target)) if (t.inputs.deadLetterConfig?.arn) deadLetterArns.add(t.inputs.deadLetterConfig.arn);
  for (const c of resources.filter((r) => r.type === T.invokeConfig)) {
    const arn = c.inputs.destinationConfig?.onFailure?.destination;
    if (arn) deadLetterArns.add(arn);
  }
  const alarmed = new Set(
    resources
      .filter((r) => r.type === T.alarm && r.inputs.namespace === "AWS/SQS" && r.inputs.metricName === "ApproximateNumberOfMessagesVisible")
      .map((a) => a.inputs.dimensions?.QueueName),
  );
  for (const q of queues) {
    const fail = (message: string) => out.push({ check: "queues", resource: q.name, message });
    if (!q.inputs.sqsManagedSseEnabled && !q.inputs.kmsMasterKeyId) fail("not encrypted at rest");
    const isDlq = deadLetterArns.has(q.state.arn);
    if (!isDlq && !q.inputs.redrivePolicy) fail("no redrive policy: a message that keeps failing is retried until it expires");
    if (isDlq && !alarmed.has(q.state.name)) fail("dead-letter queue without an alarm on its depth");
  }
  for (const m of resources.filter((r) => r.type === T.esm)) {
    const queue = byArn.get(m.inputs.eventSourceArn);
    const fn = resources.find((r) => r.type === T.fn && (r.state.arn === m.inputs.functionName || r.state.name === m.inputs.functionName));
    if (!queue || !fn) continue;
    if ((queue.inputs.visibilityTimeoutSeconds ?? 30) < (fn.inputs.timeout ?? 3)) {
      out.push({ check: "queues", resource: m.name, message: `queue visibility timeout ${queue.inputs.visibilityTimeoutSeconds} s is below function timeout ${fn.inputs.timeout} s; AWS rejects the mapping` });
    }
    if (!list(m.inputs.functionResponseTypes).includes("ReportBatchItemFailures")) {
      out.push({ check: "queues", resource: m.name, message: "no partial batch responses: one bad message fails its whole batch" });
    }
  }
  return out;
}

/** No wildcard actions, no public principals without a confining condition. */
export function checkIam(resources: Resource[]): Violation[] {
  const out: Violation[] = [];
  const docs: [Resource, string | undefined][] = resources.flatMap((r): [Resource, string | undefined][] => {
    switch (r.type) {
      case T.rolePolicy:
      case T.queuePolicy:
      case T.topicPolicy:
      case T.busPolicy:
        return [[r, r.inputs.policy]];
      case T.role:
        return [[r, r.inputs.assumeRolePolicy]];
      default:
        return [];
    }
  });
  for (const [r, doc] of docs) {
    for (const s of statementsOf(doc)) {
      if (s.Effect !== "Allow") continue;
      for (const action of list(s.Action)) {
        if (action === "*" || action.endsWith(":*")) out.push({ check: "iam", resource: r.name, message: `allows wildcard action ${action}` });
      }
      if (principals(s, "AWS").includes("*") && !s.Condition) out.push({ check: "iam", resource: r.name, message: "allows any principal without a condition" });
    }
  }
  return out;
}

const SUPPORTED_RUNTIMES = new Set(["nodejs22.x", "nodejs24.x"]);

export function checkFunctions(resources: Resource[]): Violation[] {
  return resources
    .filter((r) => r.type === T.fn && !SUPPORTED_RUNTIMES.has(r.inputs.runtime))
    .map((r) => ({ check: "functions", resource: r.name, message: `runtime ${r.inputs.runtime} is not a supported Node.js runtime (nodejs22.x or newer)` }));
}

export function checkPatterns(resources: Resource[]): Violation[] {
  const out: Violation[] = [];
  for (const r of resources.filter((x) => x.type === T.rule && x.inputs.eventPattern)) {
    try {
      validateEventPattern(r.inputs.eventPattern);
    } catch (error) {
      out.push({ check: "patterns", resource: r.name, message: (error as Error).message });
    }
  }
  return out;
}
