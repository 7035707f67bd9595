import { type NameRule, nameFits } from "@event-routes/aws-model";
import { AwsError } from "../../aws-error";

/** A state machine's or an execution's name (`rule`: NAMES.stateMachine or NAMES.execution): 1 to 80 characters, none of those AWS refuses. */
export function checkName(name: unknown, rule: NameRule): void {
  if (typeof name !== "string" || !nameFits(rule, name)) throw new AwsError("InvalidName", `Invalid Name: '${name}'`);
}

/** An execution's input as JSON text (StartExecution's `input`, an EventBridge event). */
export function parseInput(text: unknown): unknown {
  if (typeof text !== "string") throw new AwsError("InvalidExecutionInput", "Invalid State Machine Execution Input: 'the input must be a JSON text'");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AwsError("InvalidExecutionInput", `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }
}

/** An ARN of Step Functions of one of `types` (`stateMachine`, `execution`, `express`). */
export function requireArn(arn: string | undefined, field: string, types: string[]): string {
  if (arn === undefined) throw AwsError.validation(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  const parts = arn.split(":");
  if (parts.length < 7 || parts[0] !== "arn" || parts[2] !== "states") throw new AwsError("InvalidArn", `Invalid Arn: 'Unable to parse ARN: ${arn}'`);
  if (!types.includes(parts[5])) throw new AwsError("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${parts[5]}'`);
  return arn;
}

/** Step Functions' times on the wire: seconds since the epoch (the cloud keeps milliseconds). */
export function seconds(ms: number): number {
  return ms / 1000;
}
