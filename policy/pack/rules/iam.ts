/** IAM roles and policy documents (identity and resource policies), and resource policy sizes. */
import { NAMES, RANGES } from "@event-routes/aws-model";
import { nameFormat, inRange } from "./formats";
import { known } from "./graph";
import { parseDocument, principals, Statement } from "./iam-documents";
import { CannotTell, list, Rule, RuleContext, StackResource, T } from "./model";

const GRAMMAR = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html";
const QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html";

type Kind = "identity" | "trust" | "resource";

/** Every policy document a resource carries, with its kind. */
function documentsOf(r: StackResource): [string, unknown, Kind][] {
  switch (r.type) {
    case T.rolePolicy:
    case T.policy:
      return [["policy", r.props.policy, "identity"]];
    case T.role:
      return [["assumeRolePolicy", r.props.assumeRolePolicy, "trust"], ...list(r.props.inlinePolicies as { name?: string; policy?: string }[]).filter((p) => p?.policy).map((p): [string, unknown, Kind] => [`inline policy ${p.name}`, p.policy, "identity"])];
    case T.queuePolicy:
    case T.topicPolicy:
    case T.busPolicy:
      return [["policy", r.props.policy, "resource"]];
    case T.key:
      return r.props.policy ? [["key policy", r.props.policy, "resource"]] : [];
    case T.queue:
    case T.topic:
      return r.props.policy ? [["policy", r.props.policy, "resource"]] : [];
    default:
      return [];
  }
}

const CONDITION_OPERATOR = /^(ForAllValues:|ForAnyValue:)?(String(Not)?Equals(IgnoreCase)?|String(Not)?Like|Numeric(Not)?Equals|Numeric(Less|Greater)Than(Equals)?|Date(Not)?Equals|Date(Less|Greater)Than(Equals)?|Bool|BinaryEquals|IpAddress|NotIpAddress|Arn(Not)?Equals|Arn(Not)?Like)(IfExists)?$|^Null$/;

function checkDocument(context: RuleContext, where: string, doc: unknown, kind: Kind): void {
  if (doc === undefined || doc === null || doc === "") {
    if (kind !== "resource") context.report(`${where} is empty: IAM refuses it (MalformedPolicyDocument).`);
    return;
  }
  let parsed: { Version?: string; Statement: Statement[] };
  try {
    parsed = parseDocument(doc, where);
  } catch (error) {
    if (error instanceof CannotTell && typeof doc === "string") return context.report(`${where} is not valid JSON: AWS refuses it (MalformedPolicyDocument). Build it with JSON.stringify.`);
    throw error;
  }
  const problems: string[] = [];
  if (parsed.Version !== undefined && parsed.Version !== "2012-10-17" && parsed.Version !== "2008-10-17") problems.push(`Version "${parsed.Version}" (use "2012-10-17")`);
  if (parsed.Statement.length === 0) problems.push("no Statement");
  for (const [i, s] of parsed.Statement.entries()) {
    const at = `statement ${s?.Sid ?? i}`;
    if (!s || typeof s !== "object") {
      problems.push(`${at} is not an object`);
      continue;
    }
    if (s.Effect !== "Allow" && s.Effect !== "Deny") problems.push(`${at}: Effect "${s.Effect}" (must be Allow or Deny)`);
    if (s.Action === undefined && s.NotAction === undefined) problems.push(`${at}: no Action`);
    for (const action of list(s.Action ?? s.NotAction)) {
      if (typeof action !== "string" || !(action === "*" || /^[a-zA-Z0-9-]+:[A-Za-z0-9*?-]+$/.test(action))) problems.push(`${at}: action "${action}" is not service:Action`);
    }
    const hasPrincipal = s.Principal !== undefined || s.NotPrincipal !== undefined;
    if (kind === "identity" && hasPrincipal) problems.push(`${at}: an identity policy names no Principal ("Policy document should not specify a principal")`);
    if (kind !== "identity" && !hasPrincipal) problems.push(`${at}: a ${kind} policy needs a Principal`);
    if (kind === "identity" && s.Resource === undefined && s.NotResource === undefined) problems.push(`${at}: no Resource`);
    if (kind === "trust") {
      for (const action of list(s.Action)) if (!/^sts:/.test(action)) problems.push(`${at}: a trust policy allows only sts: actions, not ${action}`);
      if (s.Resource !== undefined || s.NotResource !== undefined) problems.push(`${at}: a trust policy has no Resource ("Has prohibited field Resource")`);
    }
    for (const operator of Object.keys(s.Condition ?? {})) if (!CONDITION_OPERATOR.test(operator)) problems.push(`${at}: unknown condition operator ${operator}`);
  }
  if (problems.length > 0) context.report(`${where} is refused by AWS (MalformedPolicyDocument): ${problems.join("; ")}. Fix the document.`);
}

/** AWS's size for a resource policy as stored (JSON text). */
const bytes = (doc: unknown) => Buffer.byteLength(typeof doc === "string" ? doc : JSON.stringify(doc));

export const iamRules: Rule[] = [
  {
    name: "iam-policy-document",
    severity: "mandatory",
    description: "Policy documents are JSON AWS accepts: Version 2012-10-17, Effect Allow/Deny, service:Action actions, no Principal in identity policies, a Principal in resource and trust policies, Resource in identity policies, sts: actions in trust policies, known condition operators",
    docs: GRAMMAR,
    subjects: [T.rolePolicy, T.policy, T.role, T.queuePolicy, T.topicPolicy, T.busPolicy, T.key, T.queue, T.topic],
    check(subject, context) {
      for (const [where, doc, kind] of documentsOf(subject)) checkDocument(context, where, doc, kind);
    },
  },
  {
    name: "iam-role",
    severity: "mandatory",
    description: "A role name is 1-64 characters of [\\w+=,.@-], its path begins and ends with /, at most 20 managed policies, maxSessionDuration 3600-43200 s, trust policy at most 2,048 characters and inline policies at most 10,240 characters in all (whitespace not counted)",
    docs: QUOTAS,
    subjects: [T.role],
    check(role, context) {
      nameFormat(context, role.props.name, NAMES.role, "role name");
      inRange(context, role.props.maxSessionDuration, RANGES.iam.maxSessionDurationSeconds, "maxSessionDuration");
      const path = role.props.path;
      if (typeof path === "string" && path !== "" && !/^\/([\x21-\x7e]*\/)?$/.test(path)) context.report(`path "${path}" must begin and end with /: CreateRole refuses it.`);
      const attached = new Set([...list(role.props.managedPolicyArns as string[]), ...context.graph.of(T.attachment).filter((a) => a.props.role === role.props.name).map((a) => a.props.policyArn)]);
      if (attached.size > RANGES.iam.managedPoliciesPerRole.max) context.report(`${attached.size} managed policies are attached; IAM allows at most 20 per role (10 by default) and refuses the next. Combine policies.`);
      const trust = role.props.assumeRolePolicy;
      if (typeof trust === "string" && trust.replace(/\s/g, "").length > RANGES.iam.trustPolicyCharacters.max) context.report(`the trust policy is ${trust.replace(/\s/g, "").length} characters; IAM allows 2,048 by default. Shorten it.`);
      const inline = [
        ...context.graph.of(T.rolePolicy).filter((p) => p.props.role === role.props.name || p.props.role === role.props.arn).map((p) => p.props.policy),
        ...list(role.props.inlinePolicies as { policy?: string }[]).map((p) => p?.policy),
      ].filter((d): d is string => typeof d === "string");
      // The engine's outputs list a role's RolePolicy documents among its inlinePolicies too: count each once.
      const unique = [...new Set(inline.map((d) => d.replace(/\s/g, "")))];
      const chars = unique.reduce((sum, d) => sum + d.length, 0);
      if (chars > 10240) context.report(`the role's inline policies total ${chars} characters; IAM allows 10,240 per role and refuses the one that crosses it. Use managed policies or fewer statements.`);
    },
  },
  {
    name: "iam-least-privilege",
    severity: "advisory",
    description: "No wildcard actions in identity, trust or resource policies, and no public principal without a condition (docs/design.md 3.7)",
    docs: "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
    subjects: [T.rolePolicy, T.policy, T.role, T.queuePolicy, T.topicPolicy, T.busPolicy],
    check(subject, context) {
      for (const [where, doc] of documentsOf(subject)) {
        for (const s of known(() => parseDocument(doc, where).Statement) ?? []) {
          if (s.Effect !== "Allow") continue;
          for (const action of list(s.Action)) if (action === "*" || action.endsWith(":*")) context.report(`${where} allows the wildcard action ${action}. Name the actions needed.`);
          if (principals(s, "AWS").includes("*") && !s.Condition) context.report(`${where} allows any principal without a condition. Name the principals or add a condition.`);
        }
      }
    },
  },
  {
    name: "single-resource-policy",
    severity: "mandatory",
    description: "A queue, topic or bus has one resource policy: a second one silently replaces the first, and its grants disappear",
    docs: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html",
    subjects: [T.queuePolicy, T.topicPolicy, T.busPolicy],
    check(policy, context) {
      const field = policy.type === T.queuePolicy ? "queueUrl" : policy.type === T.topicPolicy ? "arn" : "eventBusName";
      const owner = policy.props[field];
      const all = context.graph.of(policy.type).filter((p) => p.props[field] === owner);
      if (all.length > 1 && all[0] !== policy) context.report(`${owner} already has policy ${all[0].name}: whichever is applied last replaces the other, so the other's grants silently disappear. Merge them into one policy.`);
    },
  },
  {
    name: "resource-policy-size",
    severity: "mandatory",
    description: "Resource policies within AWS's sizes: SQS 8,192 bytes and 20 statements, SNS 30,720 bytes, a Lambda function's policy 20,480 bytes, a bus policy 10,240 characters",
    docs: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html",
    subjects: [T.queuePolicy, T.topicPolicy, T.busPolicy, T.fn],
    check(subject, context) {
      if (subject.type === T.queuePolicy) {
        const size = bytes(subject.props.policy);
        const count = parseDocument(subject.props.policy, "the policy").Statement.length;
        if (size > 8192) context.report(`the queue policy is ${size} bytes; SQS allows 8,192 and refuses it. Grant per bus (aws:SourceArn with a wildcard) instead of per rule.`);
        if (count > RANGES.sqs.policyStatements.max) context.report(`the queue policy has ${count} statements; SQS allows 20 and refuses it. Merge statements.`);
      } else if (subject.type === T.topicPolicy) {
        const size = bytes(subject.props.policy);
        if (size > 30720) context.report(`the topic policy is ${size} bytes; SNS allows 30,720 (https://docs.aws.amazon.com/general/latest/gr/sns.html). Merge statements.`);
      } else if (subject.type === T.busPolicy) {
        const size = bytes(subject.props.policy);
        if (size > 10240) context.report(`the bus policy is ${size} characters; EventBridge allows 10,240 (eb-quota). Merge statements.`);
      } else {
        // One statement per permission, about this long as Lambda stores it (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
        const permissions = context.graph.of(T.permission).filter((p) => context.graph.fn(p.props.function) === subject);
        const size = permissions.reduce(
          (sum, p) => sum + JSON.stringify({ Sid: p.props.statementId ?? p.name, Effect: "Allow", Principal: { Service: p.props.principal }, Action: p.props.action, Resource: subject.props.arn, Condition: { StringEquals: { "AWS:SourceAccount": p.props.sourceAccount }, ArnLike: { "AWS:SourceArn": p.props.sourceArn } } }).length,
          0,
        );
        if (size > RANGES.lambda.resourcePolicyBytes.max) context.report(`the function's resource policy would be about ${size} bytes from ${permissions.length} permissions; Lambda allows 20,480 and refuses the permission that crosses it. Grant per bus instead of per rule.`);
      }
    },
  },
];
