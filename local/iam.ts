/**
 * IAM as the local cloud enforces it: the program's own roles, inline and attached policies and
 * the resource policies of queues, topics, buses and functions decide whether a delivery or a
 * call is allowed, so a missing grant fails here as it would in AWS. Evaluation follows AWS's
 * order for one account: an explicit Deny wins, then an Allow from either the caller's identity
 * policies or the resource's policy; anything else is an implicit deny. The policy language and
 * its evaluation are @event-routes/aws-model's; this module keeps the store and how the local
 * cloud combines identity and resource policies (account delegation, KMS key policies).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { ConditionContext, evaluate, parsePolicyDocument, principalMatch, Request, Statement, statementApplies } from "@event-routes/aws-model";

export type { ConditionContext, Statement } from "@event-routes/aws-model";

export type Principal =
  /** An AWS service acting for a resource (EventBridge delivering for a rule). */
  | { kind: "service"; service: string; sourceArn?: string; sourceAccount?: string }
  /** A role: a function's execution role, a rule target's role, a state machine's role. */
  | { kind: "role"; arn: string }
  /** Whoever holds the local cloud's operator credentials (the CLI, tests, SDKs of people). */
  | { kind: "operator" };

export interface Decision {
  allowed: boolean;
  /** Why, in the words of an AWS AccessDenied message. */
  reason: string;
}

/** The statements of a policy document as IAM accepts it; errors name `where` and the statement. */
export function parsePolicy(document: unknown, where: string): Statement[] {
  return parsePolicyDocument(document, where).Statement;
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
    const request = { principal: { kind: "service", service } as const, action: "sts:AssumeRole", resource: roleArn, context: { "aws:SourceAccount": this.account, ...context } };
    return evaluate(certain(statements, request), request) === "allow";
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
    const request = { action, resource: resourceArn, context: full };
    const applies = (statement: Statement) => statementApplies(statement, request) === true;
    const fromResource = this.resourcePolicies(resourceArn)
      .map((statement) => ({ statement, match: principalMatch(statement, principal) }))
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
    const verdict = evaluate(applicable, request);
    if (verdict === "explicit-deny") return { allowed: false, reason: `${who} is not authorized to perform ${action} on ${resourceArn} with an explicit deny` };
    if (verdict === "allow") return { allowed: true, reason: "allowed" };
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

/**
 * The statements that certainly apply. The local cloud knows its whole request context, so only an
 * operator aws-model does not model leaves a statement "unknown": such a statement neither allows
 * nor denies here (IAM itself refuses a policy with an unknown operator when it is set).
 */
function certain(statements: Statement[], request: Request): Statement[] {
  return statements.filter((statement) => statementApplies(statement, request) === true);
}
