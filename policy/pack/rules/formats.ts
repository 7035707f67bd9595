/** Small helpers shared by rules: value ranges and name formats, against aws-model's AWS limits. */
import { inRange as within, nameFits, NameRule, Range } from "@event-routes/aws-model";
import { CannotTell, RuleContext } from "./model";

/** Reports a number outside the range (absent values take AWS's default, so they pass). */
export function inRange(context: RuleContext, value: unknown, range: Range, what: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "number") throw new CannotTell(`${what} is not a known number`);
  if (!within(range, value)) {
    context.report(`${what} is ${value}; AWS accepts whole numbers from ${range.min} to ${range.max} and refuses anything else at deploy time. Set it within that range.`);
  }
}

/** Reports a name that breaks AWS's length or character rules. */
export function nameFormat(context: RuleContext, value: unknown, rule: NameRule, what: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string") throw new CannotTell(`${what} is not a known string`);
  if (!nameFits(rule, value)) {
    context.report(`${what} "${value}" is refused by AWS: it must be ${rule.min} to ${rule.max} characters matching ${rule.pattern.source}. Rename it.`);
  }
}
