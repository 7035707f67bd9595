/**
 * IAM as the local cloud enforces it: the program's own roles, inline and attached policies and
 * the resource policies of queues, topics, buses and functions decide whether a delivery or a
 * call is allowed, so a missing grant fails here as it would in AWS. Evaluation follows AWS's
 * order for one account: an explicit Deny wins, then an Allow from either the caller's identity
 * policies or the resource's policy; anything else is an implicit deny.
 */

export type Principal =
  /** An AWS service acting for a resource (EventBridge delivering for a rule). */
  | { kind: "service"; service: string; sourceArn?: string; sourceAccount?: string }
  /** A role: a function's execution role, a rule target's role, a state machine's role. */
  | { kind: "role"; arn: string }
  /** Whoever holds the local cloud's operator credentials (the CLI, tests, SDKs of people). */
  | { kind: "operator" };

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export type ConditionContext = Record<string, string | string[] | undefined>;

export interface Decision {
  allowed: boolean;
  /** Why, in the words of an AWS AccessDenied message. */
  reason: string;
}

export function parsePolicy(document: unknown, where: string): Statement[] {
  const parsed = typeof document === "string" ? safeJson(document, where) : document;
  if (!parsed || typeof parsed !== "object") throw new Error(`${where}: the policy is not a JSON object`);
  const statements = (parsed as { Statement?: unknown }).Statement;
  if (statements === undefined) throw new Error(`${where}: the policy has no Statement`);
  const list = Array.isArray(statements) ? statements : [statements];
  for (const [index, statement] of list.entries()) {
    if (statement?.Effect !== "Allow" && statement?.Effect !== "Deny") throw new Error(`${where}: Statement[${index}] needs Effect Allow or Deny`);
    if (statement.Action === undefined && statement.NotAction === undefined) throw new Error(`${where}: Statement[${index}] has no Action`);
  }
  return list as Statement[];
}

function safeJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: the policy is not valid JSON (${(error as Error).message})`, { cause: error });
  }
}

/** The policies of one deployment, kept by role and by resource ARN. */
export class PolicyStore {
  private readonly identity = new Map<string, { name: string; statements: Statement[] }[]>();
  private readonly resource = new Map<string, { name: string; statements: Statement[] }[]>();
  private readonly trust = new Map<string, Statement[]>();

  constructor(readonly account: string) {}

  /** Sets a role's trust policy (its `assumeRolePolicy`). */
  putTrustPolicy(roleArn: string, statements: Statement[]): void {
    this.trust.set(roleArn, statements);
  }

  /**
   * Whether `service` may assume the role, by its trust policy. A role the deployment does not hold
   * is not known here: it is trusted, and grants nothing, since none of its policies are known.
   */
  canAssume(roleArn: string, service: string, context: ConditionContext = {}): boolean {
    const statements = this.trust.get(roleArn);
    if (!statements) return true;
    const caller: Principal = { kind: "service", service };
    const applicable = statements.filter(
      (statement) => principalMatches(statement, caller, this.account) && actionMatches(statement, "sts:AssumeRole") && conditionsHold(statement.Condition, { "aws:SourceAccount": this.account, ...context }),
    );
    return applicable.some((statement) => statement.Effect === "Allow") && !applicable.some((statement) => statement.Effect === "Deny");
  }

  /** Sets (replaces) the identity policy `name` of a role. */
  putRolePolicy(roleArn: string, name: string, statements: Statement[]): void {
    upsert(this.identity, roleArn, name, statements);
  }

  /** Sets (replaces) the resource policy `name` of a resource (one per resource in AWS, many for Lambda permissions). */
  putResourcePolicy(resourceArn: string, name: string, statements: Statement[]): void {
    upsert(this.resource, resourceArn, name, statements);
  }

  resourcePolicies(resourceArn: string): Statement[] {
    return (this.resource.get(resourceArn) ?? []).flatMap((policy) => policy.statements);
  }

  rolePolicies(roleArn: string): Statement[] {
    return (this.identity.get(roleArn) ?? []).flatMap((policy) => policy.statements);
  }

  /**
   * Whether `principal` may perform `action` on `resourceArn`. With `keyPolicy`, the resource policy
   * is a KMS key policy, which KMS requires: identity policies count only when a statement of the
   * key policy that names the account (its root principal) allows the action, and nothing is
   * allowed without the key policy. https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
   */
  authorize(principal: Principal, action: string, resourceArn: string, context: ConditionContext = {}, options: { keyPolicy?: boolean } = {}): Decision {
    if (principal.kind === "operator") return { allowed: true, reason: "operator" };
    const full: ConditionContext = { ...context };
    if (principal.kind === "service") {
      full["aws:SourceArn"] ??= principal.sourceArn;
      full["aws:SourceAccount"] ??= principal.sourceAccount;
    } else {
      full["aws:PrincipalArn"] ??= principal.arn;
      full["aws:PrincipalAccount"] ??= principal.arn.split(":")[4];
    }
    const applies = (statement: Statement) => actionMatches(statement, action) && resourceMatches(statement, resourceArn) && conditionsHold(statement.Condition, full);
    const fromResource = this.resourcePolicies(resourceArn)
      .map((statement) => ({ statement, match: principalMatches(statement, principal, this.account) }))
      .filter(({ statement, match }) => match !== undefined && applies(statement));
    const delegated = !options.keyPolicy || fromResource.some(({ statement, match }) => match === "account" && statement.Effect === "Allow");
    // An explicit deny of the caller's own policies counts even where they cannot grant.
    const fromIdentity = (principal.kind === "role" ? this.rolePolicies(principal.arn) : []).filter((statement) => applies(statement) && (delegated || statement.Effect === "Deny"));
    // Naming the account in a resource policy delegates to the account's IAM: the role itself must
    // still be allowed. Only a statement naming the role, a service or "*" grants on its own.
    const applicable = [
      ...fromIdentity,
      ...fromResource.filter(({ statement, match }) => match === "direct" || statement.Effect === "Deny").map(({ statement }) => statement),
    ];
    const who = principal.kind === "service" ? `service ${principal.service}` : principal.arn;
    if (applicable.some((statement) => statement.Effect === "Deny")) {
      return { allowed: false, reason: `${who} is not authorized to perform ${action} on ${resourceArn} with an explicit deny` };
    }
    if (applicable.some((statement) => statement.Effect === "Allow")) return { allowed: true, reason: "allowed" };
    const policyKind = principal.kind === "service" || (options.keyPolicy && !delegated) ? "resource-based policy" : "identity-based policy";
    return { allowed: false, reason: `${who} is not authorized to perform ${action} on ${resourceArn} because no ${policyKind} allows the ${action} action` };
  }
}

function upsert(map: Map<string, { name: string; statements: Statement[] }[]>, key: string, name: string, statements: Statement[]): void {
  const list = map.get(key) ?? [];
  const index = list.findIndex((policy) => policy.name === name);
  if (index >= 0) list[index] = { name, statements };
  else list.push({ name, statements });
  map.set(key, list);
}

const asList = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

/** How a statement's principal covers the caller: by name ("direct"), through its account, or not at all. */
function principalMatches(statement: Statement, principal: Principal, account: string): "direct" | "account" | undefined {
  const matches = (spec: unknown): "direct" | "account" | undefined => {
    if (spec === "*") return "direct";
    if (!spec || typeof spec !== "object") return undefined;
    const { Service, AWS } = spec as { Service?: unknown; AWS?: unknown };
    if (principal.kind === "service") return asList(Service).includes(principal.service) ? "direct" : undefined;
    if (principal.kind !== "role") return undefined;
    const names = asList(AWS);
    if (names.some((who) => who === "*" || who === principal.arn)) return "direct";
    if (names.some((who) => who === account || who === `arn:aws:iam::${account}:root`)) return "account";
    return undefined;
  };
  if (statement.Principal !== undefined) return matches(statement.Principal);
  if (statement.NotPrincipal !== undefined) return matches(statement.NotPrincipal) ? undefined : "direct";
  return undefined;
}

function actionMatches(statement: Statement, action: string): boolean {
  const test = (patterns: string[]) => patterns.some((pattern) => wildcard(pattern.toLowerCase(), action.toLowerCase()));
  if (statement.Action !== undefined) return test(asList(statement.Action));
  return !test(asList(statement.NotAction));
}

function resourceMatches(statement: Statement, resourceArn: string): boolean {
  // A resource policy may leave Resource out: it then means the resource it is attached to.
  if (statement.Resource === undefined && statement.NotResource === undefined) return true;
  if (statement.Resource !== undefined) return asList(statement.Resource).some((pattern) => wildcard(pattern, resourceArn));
  return !asList(statement.NotResource).some((pattern) => wildcard(pattern, resourceArn));
}

/** IAM's `*` (any run of characters, `:` included) and `?` (one character). */
export function wildcard(pattern: string, value: string): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return pattern === value;
  let cached = wildcardCache.get(pattern);
  if (!cached) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    cached = new RegExp(`^${source}$`, "s");
    wildcardCache.set(pattern, cached);
  }
  return cached.test(value);
}
const wildcardCache = new Map<string, RegExp>();

function conditionsHold(conditions: Statement["Condition"], context: ConditionContext): boolean {
  if (!conditions) return true;
  return Object.entries(conditions).every(([operator, keys]) =>
    Object.entries(keys ?? {}).every(([key, expected]) => conditionHolds(operator, context[key] ?? context[lookupIgnoringCase(context, key)], asList(expected))),
  );
}

function lookupIgnoringCase(context: ConditionContext, key: string): string {
  return Object.keys(context).find((candidate) => candidate.toLowerCase() === key.toLowerCase()) ?? key;
}

function conditionHolds(rawOperator: string, actual: string | string[] | undefined, expected: string[]): boolean {
  let operator = rawOperator;
  let setOperator: "any" | "all" | undefined;
  if (operator.startsWith("ForAnyValue:")) [setOperator, operator] = ["any", operator.slice(12)];
  else if (operator.startsWith("ForAllValues:")) [setOperator, operator] = ["all", operator.slice(13)];
  const ifExists = operator.endsWith("IfExists");
  if (ifExists) operator = operator.slice(0, -8);
  if (operator === "Null") return expected.includes(String(actual === undefined));
  if (actual === undefined) return ifExists || operator.includes("Not") || setOperator === "all";
  const values = Array.isArray(actual) ? actual : [actual];
  const single = (value: string) => compareOne(operator, value, expected);
  if (setOperator === "all") return values.every(single);
  return values.some(single);
}

function compareOne(operator: string, value: string, expected: string[]): boolean {
  const negated = operator.includes("Not");
  const base = operator.replace("Not", "");
  let hit: boolean;
  switch (base) {
    case "StringEquals":
    case "ArnEquals":
      hit = expected.includes(value);
      break;
    case "StringEqualsIgnoreCase":
      hit = expected.some((candidate) => candidate.toLowerCase() === value.toLowerCase());
      break;
    case "StringLike":
    case "ArnLike":
      hit = expected.some((pattern) => wildcard(pattern, value));
      break;
    case "Bool":
      hit = expected.some((candidate) => candidate.toLowerCase() === value.toLowerCase());
      break;
    case "NumericEquals":
      hit = expected.some((candidate) => Number(candidate) === Number(value));
      break;
    case "NumericLessThan":
      hit = expected.some((candidate) => Number(value) < Number(candidate));
      break;
    case "NumericLessThanEquals":
      hit = expected.some((candidate) => Number(value) <= Number(candidate));
      break;
    case "NumericGreaterThan":
      hit = expected.some((candidate) => Number(value) > Number(candidate));
      break;
    case "NumericGreaterThanEquals":
      hit = expected.some((candidate) => Number(value) >= Number(candidate));
      break;
    default:
      // An operator we do not know cannot grant anything.
      return false;
  }
  return negated ? !hit : hit;
}
