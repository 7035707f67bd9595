/**
 * IAM policy documents as the offline rules see them: aws-model's grammar and evaluation, with the
 * rules' way of failing (CannotTell) and what an offline check knows of a request's context.
 * Evaluation: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { decide as evaluate, PolicyDocument, PolicyGrammarError, readPolicyDocument, Statement } from "@event-routes/aws-model";
import { CannotTell } from "./model";

export { principals } from "@event-routes/aws-model";
export type { Statement } from "@event-routes/aws-model";

/** Reads a policy document given as JSON text or an object; throws CannotTell on anything else. */
export function parseDocument(doc: unknown, what: string): PolicyDocument {
  try {
    return readPolicyDocument(doc, what);
  } catch (error) {
    if (error instanceof PolicyGrammarError) throw new CannotTell(error.message);
    throw error;
  }
}

/** What a service supplies with its request: condition keys and their values (keys lower-case). */
export type RequestContext = Record<string, string>;

export interface Request {
  /** `{ Service: "events.amazonaws.com" }` or `{ AWS: "arn:aws:iam::1:role/x" }`; absent for identity policies. */
  principal?: { Service?: string; AWS?: string };
  action: string;
  resource: string;
  context?: RequestContext;
  /** The service does not document which condition keys it supplies: conditions on absent keys are unknown. */
  contextUnknown?: boolean;
}

/** Keys we know a service request never carries unless the context says so. */
const KNOWN_ABSENT = new Set(["aws:sourcearn", "aws:sourceaccount", "aws:principalorgid"]);

/** IAM's decision over a set of statements: true, false, or "unknown" where it depends on the real request. */
export function decide(statements: Statement[], request: Request): true | false | "unknown" {
  const { principal, contextUnknown, ...rest } = request;
  const caller = principal?.Service ? ({ kind: "service", service: principal.Service } as const) : principal?.AWS ? ({ kind: "role", arn: principal.AWS } as const) : undefined;
  // Any other key the context lacks may be in the real request: offline, it is unknown.
  return evaluate(statements, { ...rest, principal: caller, unknownKeys: (key) => contextUnknown || !KNOWN_ABSENT.has(key) });
}
