/** Every rule of the pack, and the function that runs them over a stack. */
import { cloudwatchRules } from "./cloudwatch";
import { dataRules } from "./data";
import { evaluate } from "./evaluate";
import { eventbridgeRules } from "./eventbridge";
import { iamRules } from "./iam";
import { kmsRules } from "./kms";
import { lambdaRules } from "./lambda";
import type { Finding, Rule, StackResource } from "./model";
import { nameRules } from "./names";
import { sqsSnsRules } from "./sqs-sns";
import { stepFunctionsRules } from "./stepfunctions";

export type { Finding, Rule, Severity, StackResource } from "./model";

export const RULES: readonly Rule[] = [...eventbridgeRules, ...sqsSnsRules, ...lambdaRules, ...stepFunctionsRules, ...dataRules, ...kmsRules, ...iamRules, ...cloudwatchRules, ...nameRules];

/** Every finding of every rule over one stack's resources. */
export function checkStack(resources: StackResource[], rules: readonly Rule[] = RULES): Finding[] {
  return evaluate(resources, rules);
}
