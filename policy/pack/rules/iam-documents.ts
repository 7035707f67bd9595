/**
 * IAM policy documents: parsing, and the part of IAM's evaluation the rules need (does a document
 * allow a principal an action on a resource, given the request context a service supplies).
 * Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * Evaluation: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { CannotTell, list } from "./model";

export interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: "*" | { Service?: string | string[]; AWS?: string | string[]; Federated?: string | string[] };
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}

/** Parses a policy document given as JSON text or an object; throws CannotTell on anything else. */
export function parseDocument(doc: unknown, what: string): PolicyDocument {
  let value = doc;
  if (typeof doc === "string") {
    try {
      value = JSON.parse(doc);
    } catch {
      throw new CannotTell(`${what} is not JSON`);
    }
  }
  if (!value || typeof value !== "object") throw new CannotTell(`${what} is not a policy document`);
  const statement = (value as PolicyDocument).Statement;
  return { ...(value as PolicyDocument), Statement: list(statement as Statement | Statement[]) };
}

/** IAM's StringLike / ArnLike: `*` any run of characters, `?` one character. */
function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, caseInsensitive ? "i" : "");
  return re.test(value);
}

/** The principals of one kind a statement names; "*" names everyone. */
export function principals(s: Statement, kind: "Service" | "AWS"): string[] {
  if (s.Principal === "*") return ["*"];
  return list(s.Principal?.[kind]);
}

/** What a service supplies with its request: condition keys and their values (keys lower-case). */
export type RequestContext = Record<string, string>;

type Outcome = true | false | "unknown";

/** Evaluates a statement's Condition block against the request context. */
function conditionsHold(s: Statement, context: RequestContext, contextKnown: boolean): Outcome {
  let outcome: Outcome = true;
  for (const [rawOperator, entries] of Object.entries(s.Condition ?? {})) {
    const ifExists = rawOperator.endsWith("IfExists");
    const operator = ifExists ? rawOperator.slice(0, -"IfExists".length) : rawOperator;
    for (const [rawKey, expected] of Object.entries(entries ?? {})) {
      const key = rawKey.toLowerCase();
      const values = list(expected as string | string[]).map(String);
      const actual = context[key];
      if (actual === undefined) {
        if (operator === "Null") {
          if (!values.includes("true")) outcome = outcome === true ? "unknown" : outcome;
          continue;
        }
        if (ifExists) continue;
        // A key the request does not carry: the condition fails for positive operators.
        if (contextKnown && key in KNOWN_ABSENT) return false;
        outcome = "unknown";
        continue;
      }
      const holds = compare(operator, values, actual);
      if (holds === false) return false;
      if (holds === "unknown") outcome = "unknown";
    }
  }
  return outcome;
}

/** Keys we know a service request never carries unless the context says so. */
const KNOWN_ABSENT: Record<string, true> = { "aws:sourcearn": true, "aws:sourceaccount": true, "aws:principalorgid": true };

function compare(operator: string, values: string[], actual: string): Outcome {
  switch (operator) {
    case "StringEquals":
    case "ArnEquals":
      return values.includes(actual);
    case "StringEqualsIgnoreCase":
      return values.some((v) => v.toLowerCase() === actual.toLowerCase());
    case "StringLike":
    case "ArnLike":
      return values.some((v) => wildcardMatch(v, actual));
    case "StringNotEquals":
    case "ArnNotEquals":
      return !values.includes(actual);
    case "StringNotLike":
    case "ArnNotLike":
      return !values.some((v) => wildcardMatch(v, actual));
    case "Bool":
      return values.includes(actual);
    default:
      return "unknown";
  }
}

function matchesAny(patterns: string[], value: string, caseInsensitive: boolean): boolean {
  return patterns.some((p) => wildcardMatch(p, value, caseInsensitive));
}

export interface Request {
  /** `{ Service: "events.amazonaws.com" }` or `{ AWS: "arn:aws:iam::1:role/x" }`; absent for identity policies. */
  principal?: { Service?: string; AWS?: string };
  action: string;
  resource: string;
  context?: RequestContext;
  /** The service does not document which condition keys it supplies: conditions on absent keys are unknown. */
  contextUnknown?: boolean;
}

/** Does a statement apply to the request? (principal, action, resource, conditions) */
function applies(s: Statement, request: Request): Outcome {
  if (request.principal) {
    if (s.NotPrincipal !== undefined) return "unknown";
    const { Service, AWS } = request.principal;
    // "*" and {"AWS": "*"} name every principal, service principals included.
    const everyone = s.Principal === "*" || principals(s, "AWS").includes("*");
    const named = (Service && (everyone || principals(s, "Service").includes(Service))) || (AWS && principalMatchesAws(s, AWS));
    if (!named) return false;
  }
  const actionOk = s.NotAction !== undefined ? !matchesAny(list(s.NotAction), request.action, true) : matchesAny(list(s.Action), request.action, true);
  if (!actionOk) return false;
  const resourceOk =
    s.NotResource !== undefined ? !matchesAny(list(s.NotResource), request.resource, false) : s.Resource === undefined ? true : matchesAny(list(s.Resource), request.resource, false);
  if (!resourceOk) return false;
  return conditionsHold(s, request.context ?? {}, !request.contextUnknown);
}

/** An AWS principal names a role directly, or its account (the account then delegates to IAM). */
function principalMatchesAws(s: Statement, roleArn: string): boolean {
  const account = roleArn.split(":")[4];
  return principals(s, "AWS").some((p) => p === "*" || p === roleArn || p === account || p === `arn:aws:iam::${account}:root` || wildcardMatch(p, roleArn));
}

/** IAM's decision over a set of statements: an explicit deny wins, else any allow. */
export function decide(statements: Statement[], request: Request): Outcome {
  let allowed: Outcome = false;
  for (const s of statements) {
    const hit = applies(s, request);
    if (s.Effect === "Deny") {
      if (hit === true) return false;
      continue;
    }
    if (s.Effect !== "Allow") continue;
    if (hit === true) allowed = allowed === "unknown" ? "unknown" : true;
    else if (hit === "unknown" && allowed !== true) allowed = "unknown";
  }
  // A deny we could not evaluate leaves an allow undecided.
  if (allowed === true && statements.some((s) => s.Effect === "Deny" && applies(s, request) === "unknown")) return "unknown";
  return allowed;
}
