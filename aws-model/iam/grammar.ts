/**
 * The IAM policy language's grammar: a document, its statements and their elements, and reading a
 * document from the JSON text or object a program or an API call hands over.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */

/** The principals a statement names by kind; `"*"` alone names everyone. */
export interface PrincipalMap {
  AWS?: string | string[];
  Service?: string | string[];
  Federated?: string | string[];
  CanonicalUser?: string | string[];
}

/** A condition block: operator → condition key → the value(s) to compare with. */
export type ConditionBlock = Record<string, Record<string, unknown>>;

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | PrincipalMap;
  NotPrincipal?: "*" | PrincipalMap;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Statement[];
}

/** A document that cannot be read; the message names where it came from. */
export class PolicyGrammarError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PolicyGrammarError";
  }
}

/** An element that may be one value or a list, as a list (`Action: "s3:Get*"` is `["s3:Get*"]`). */
export const list = <X>(value: X | X[] | undefined | null): X[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

/** The document as a JSON object, from JSON text or an object. */
function documentObject(document: unknown, where: string): Record<string, unknown> {
  let value = document;
  if (typeof document === "string") {
    try {
      value = JSON.parse(document);
    } catch (error) {
      throw new PolicyGrammarError(`${where} is not JSON (${(error as Error).message})`, { cause: error });
    }
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new PolicyGrammarError(`${where} is not a policy document (a JSON object)`);
  return value as Record<string, unknown>;
}

/**
 * Reads a document without judging its statements: JSON text or an object, with `Statement` as a
 * list (possibly empty). For checks that report what is wrong with a statement themselves.
 */
export function readPolicyDocument(document: unknown, where: string): PolicyDocument {
  const value = documentObject(document, where);
  return { ...(value as unknown as PolicyDocument), Statement: list(value.Statement as Statement | Statement[] | undefined) };
}

/**
 * Reads a document as IAM accepts one: it has a Statement, and every statement has Effect Allow or
 * Deny and an Action or NotAction (the grammar's required elements). Errors name the statement.
 */
export function parsePolicyDocument(document: unknown, where: string): PolicyDocument {
  const value = documentObject(document, where);
  if (value.Statement === undefined) throw new PolicyGrammarError(`${where}: the policy has no Statement`);
  const statements = list(value.Statement as Statement | Statement[]);
  for (const [index, statement] of statements.entries()) {
    const at = `${where}: Statement[${index}]`;
    if (!statement || typeof statement !== "object") throw new PolicyGrammarError(`${at} is not an object`);
    if (statement.Effect !== "Allow" && statement.Effect !== "Deny") throw new PolicyGrammarError(`${at} needs Effect Allow or Deny`);
    if (statement.Action === undefined && statement.NotAction === undefined) throw new PolicyGrammarError(`${at} has no Action`);
  }
  return { ...(value as unknown as PolicyDocument), Statement: statements };
}
