/**
 * The Principal / NotPrincipal elements of resource-based policies (and trust policies).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
import { list, PrincipalMap, Statement } from "./grammar";
import { wildcard } from "./wildcard";

/** Who makes a request: an AWS service acting for a resource, or a role (by ARN). */
export type Caller = { kind: "service"; service: string } | { kind: "role"; arn: string };

/**
 * How a statement names the caller: by name (`"direct"`), or through the caller's account
 * (`"account"`: the account id or its root ARN), which delegates to the account's own IAM
 * policies: the role must then be allowed by them as well.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-accounts
 */
export type PrincipalMatch = "direct" | "account" | undefined;

/** The principals of one kind a statement names; `"*"` names everyone. */
export function principals(statement: Statement, kind: keyof PrincipalMap): string[] {
  if (statement.Principal === "*") return ["*"];
  return list(statement.Principal?.[kind]);
}

function named(spec: Statement["Principal"], caller: Caller): PrincipalMatch {
  if (spec === "*") return "direct";
  if (!spec || typeof spec !== "object") return undefined;
  const aws = list(spec.AWS).map(String);
  // `"*"` and `{"AWS": "*"}` are the same: every principal, service principals included.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous
  if (aws.includes("*")) return "direct";
  if (caller.kind === "service") return list(spec.Service).map(String).includes(caller.service) ? "direct" : undefined;
  if (aws.some((who) => who === caller.arn || wildcard(who, caller.arn))) return "direct";
  const [, partition, , , account] = caller.arn.split(":");
  if (aws.some((who) => who === account || who === `arn:${partition}:iam::${account}:root`)) return "account";
  return undefined;
}

/** How the statement's Principal (or NotPrincipal: everyone it does not name) covers the caller. */
export function principalMatch(statement: Statement, caller: Caller): PrincipalMatch {
  if (statement.Principal !== undefined) return named(statement.Principal, caller);
  if (statement.NotPrincipal !== undefined) return named(statement.NotPrincipal, caller) ? undefined : "direct";
  return undefined;
}
