/**
 * IAM's policy evaluation, for the statements that bear on one request: an explicit Deny wins,
 * else an Allow allows, else the request is implicitly denied. Three-valued, so that an offline
 * check can say "unknown" where the answer depends on the real request; a caller that knows its
 * whole request context (the local cloud) never meets "unknown" from a key, and reads it as deny.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { ConditionContext, conditionsHold, Outcome, UnknownKeys } from "./conditions";
import { list, Statement } from "./grammar";
import { Caller, principalMatch } from "./principals";
import { wildcard } from "./wildcard";

export interface Request {
  /** Checked against Principal / NotPrincipal (resource and trust policies); absent for identity policies, whose principal is implied. */
  principal?: Caller;
  action: string;
  resource: string;
  context?: ConditionContext;
  /** Keys the context lacks that the real request may carry (offline); omitted: the context is complete. */
  unknownKeys?: UnknownKeys;
}

/** Action names are not case-sensitive; resource ARNs are. */
function actionMatches(statement: Statement, action: string): boolean {
  const any = (patterns: string[]) => patterns.some((pattern) => wildcard(String(pattern), action, true));
  if (statement.Action !== undefined) return any(list(statement.Action));
  return !any(list(statement.NotAction));
}

/** A resource policy may leave Resource out: it then means the resource it is attached to. */
function resourceMatches(statement: Statement, resource: string): boolean {
  if (statement.Resource !== undefined) return list(statement.Resource).some((pattern) => wildcard(String(pattern), resource));
  if (statement.NotResource !== undefined) return !list(statement.NotResource).some((pattern) => wildcard(String(pattern), resource));
  return true;
}

/** Whether a statement bears on the request: principal (when given), action, resource, conditions. */
export function statementApplies(statement: Statement, request: Request): Outcome {
  if (request.principal && principalMatch(statement, request.principal) === undefined) return false;
  if (!actionMatches(statement, request.action) || !resourceMatches(statement, request.resource)) return false;
  return conditionsHold(statement.Condition, request.context ?? {}, request.unknownKeys);
}

/** The evaluation's answer: allowed, denied by a statement, denied for want of an Allow, or unknown offline. */
export type Verdict = "allow" | "explicit-deny" | "implicit-deny" | "unknown";

export function evaluate(statements: readonly Statement[], request: Request): Verdict {
  let allowed: Outcome = false;
  let denyUnknown = false;
  for (const statement of statements) {
    const hit = statementApplies(statement, request);
    if (statement.Effect === "Deny") {
      if (hit === true) return "explicit-deny";
      if (hit === "unknown") denyUnknown = true;
    } else if (statement.Effect === "Allow") {
      // Any Allow that applies allows; one that might leaves the answer open until another does.
      if (hit === true) allowed = true;
      else if (hit === "unknown" && allowed !== true) allowed = "unknown";
    }
  }
  // A Deny that might apply leaves an Allow undecided.
  if (allowed === true) return denyUnknown ? "unknown" : "allow";
  return allowed === "unknown" ? "unknown" : "implicit-deny";
}

/** `evaluate` as true (allowed), false (denied either way) or "unknown". */
export function decide(statements: readonly Statement[], request: Request): Outcome {
  const verdict = evaluate(statements, request);
  return verdict === "allow" ? true : verdict === "unknown" ? "unknown" : false;
}
