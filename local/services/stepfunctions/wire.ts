import { AwsError } from "../../aws-error";

/** Characters AWS refuses in state machine and execution names. */
// eslint-disable-next-line no-control-regex -- AWS refuses control characters in names
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

/** A state machine or execution name: 1 to 80 characters, none of those AWS refuses. */
export function checkName(name: unknown): void {
  if (typeof name !== "string" || name.length === 0 || name.length > 80 || INVALID_NAME.test(name)) throw new AwsError("InvalidName", `Invalid Name: '${name}'`);
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
