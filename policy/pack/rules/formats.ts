/** Small helpers shared by rules: value ranges and name formats. */
import { CannotTell, RuleContext } from "./model";

/** Reports a number outside [min, max] (absent values take AWS's default, so they pass). */
export function inRange(context: RuleContext, value: unknown, min: number, max: number, what: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "number") throw new CannotTell(`${what} is not a known number`);
  if (!Number.isInteger(value) || value < min || value > max) {
    context.report(`${what} is ${value}; AWS accepts whole numbers from ${min} to ${max} and refuses anything else at deploy time. Set it within that range.`);
  }
}

/** Reports a name that breaks AWS's length or character rules. */
export function nameFormat(context: RuleContext, value: unknown, max: number, pattern: RegExp, what: string, min = 1): void {
  if (value === undefined || value === null) return;
  if (typeof value !== "string") throw new CannotTell(`${what} is not a known string`);
  if (value.length < min || value.length > max || !pattern.test(value)) {
    context.report(`${what} "${value}" is refused by AWS: it must be ${min} to ${max} characters matching ${pattern.source}. Rename it.`);
  }
}
