import type { MessageAttribute } from "../../cloud";
import { sqsErrors } from "./errors";
import type { QueueConfig, RedriveAllowPolicy, RedrivePolicy } from "./queue";
import { inRange, NAMES, nameFits, type Range, RANGES } from "@event-routes/aws-model";

/**
 * What SQS checks before it accepts a queue or a message, with AWS's error codes and messages.
 */

/** A send as SendMessage / SendMessageBatch / a delivery carries it. */
export interface SendInput {
  body: string;
  attributes?: Record<string, MessageAttribute>;
  groupId?: string;
  deduplicationId?: string;
  delaySeconds?: number;
  traceHeader?: string;
}

// eslint-disable-next-line no-control-regex -- SQS's allowed characters are defined by code point
const VALID_BODY = /^[\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
export const MAX_MESSAGE_ATTRIBUTES = 10;

export function validateSend(config: QueueConfig, input: SendInput): void {
  if (typeof input.body !== "string" || input.body.length === 0) throw sqsErrors.missingParameter("MessageBody");
  if (!VALID_BODY.test(input.body)) throw sqsErrors.invalidMessageContents();
  const size = Buffer.byteLength(input.body, "utf8") + validateAttributes(input.attributes);
  if (size > config.maximumMessageSize) {
    throw sqsErrors.invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${config.maximumMessageSize} bytes.`);
  }
  if (input.delaySeconds !== undefined) {
    if (config.fifo && input.delaySeconds !== 0) {
      throw sqsErrors.invalidParameter("DelaySeconds", input.delaySeconds, "The request include parameter that is not valid for this queue type.");
    }
    if (!inRange(RANGES.sqs.delaySeconds, input.delaySeconds)) {
      throw sqsErrors.invalidParameter("DelaySeconds", input.delaySeconds, "DelaySeconds must be >= 0 and <= 900.");
    }
  }
  if (input.groupId !== undefined && !nameFits(NAMES.sqsMessageGroupId, input.groupId)) {
    throw sqsErrors.invalidParameter("MessageGroupId", input.groupId, "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
  }
  if (input.deduplicationId !== undefined && !nameFits(NAMES.sqsDeduplicationId, input.deduplicationId)) {
    throw sqsErrors.invalidParameter(
      "MessageDeduplicationId",
      input.deduplicationId,
      "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
    );
  }
  if (!config.fifo) {
    if (input.deduplicationId !== undefined) {
      throw sqsErrors.invalidParameter("MessageDeduplicationId", input.deduplicationId, "The request include parameter that is not valid for this queue type");
    }
    return;
  }
  if (input.groupId === undefined) throw sqsErrors.missingParameter("MessageGroupId");
  if (input.deduplicationId === undefined && !config.contentBasedDeduplication) {
    throw sqsErrors.invalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
  }
}

/** Checks message attributes as SendMessage does; returns their size in bytes (it counts toward the message size). */
export function validateAttributes(attributes: Record<string, MessageAttribute> | undefined, kind = "message"): number {
  if (!attributes) return 0;
  const names = Object.keys(attributes);
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw sqsErrors.invalidParameterValue(`Number of ${kind} attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`);
  }
  let size = 0;
  for (const name of names) {
    const attribute = attributes[name] as MessageAttribute & { DataType: string };
    if (!nameFits(NAMES.sqsMessageAttributeName, name) || /^(aws\.|amazon\.)/i.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
      throw sqsErrors.invalidParameterValue(`Message (user) attribute name ${name} is invalid.`);
    }
    const type = attribute?.DataType;
    if (typeof type !== "string" || !/^(String|Number|Binary)(\..+)?$/.test(type)) {
      throw sqsErrors.invalidParameterValue(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const binary = type.startsWith("Binary");
    const value = binary ? attribute.BinaryValue : attribute.StringValue;
    if (value === undefined || value === null || value === "") {
      throw sqsErrors.invalidParameterValue(`Message (user) attribute '${name}' must contain a non-empty value of type '${binary ? "Binary" : type.split(".")[0]}'.`);
    }
    if (type.startsWith("Number") && !Number.isFinite(Number(value))) {
      throw sqsErrors.invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(type) + (binary ? Buffer.byteLength(value, "base64") : Buffer.byteLength(value));
  }
  return size;
}


export function validateQueueName(name: string, fifo: boolean): void {
  if (!nameFits(NAMES.queue, name) || name.endsWith(".fifo") !== fifo) {
    throw sqsErrors.invalidParameterValue(
      fifo
        ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
        : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
    );
  }
}

/** An integer attribute within AWS's range, or InvalidAttributeValue naming it. */
export function integerAttribute(name: string, value: unknown, fallback: number, range: Range): number {
  if (value === undefined || value === null) return fallback;
  const number = Number(value);
  if (!inRange(range, number)) throw sqsErrors.invalidAttributeValue(name);
  return number;
}

export function parseRedrivePolicy(value: unknown): RedrivePolicy | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const invalid = (reason: string) => sqsErrors.invalidParameter("RedrivePolicy", text, reason);
  let parsed: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | null;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid("Redrive policy is not a valid JSON map.");
  }
  if (!parsed || typeof parsed !== "object") throw invalid("Redrive policy is not a valid JSON map.");
  if (typeof parsed.deadLetterTargetArn !== "string" || !parsed.deadLetterTargetArn.startsWith("arn:")) {
    throw invalid("Invalid value for deadLetterTargetArn.");
  }
  const maxReceiveCount = Number(parsed.maxReceiveCount);
  if (!inRange(RANGES.sqs.maxReceiveCount, maxReceiveCount)) {
    throw invalid(`Invalid value for maxReceiveCount: ${parsed.maxReceiveCount}, valid values are from 1 to 1000 both inclusive.`);
  }
  return { deadLetterTargetArn: parsed.deadLetterTargetArn, maxReceiveCount };
}

export function parseRedriveAllowPolicy(value: unknown): RedriveAllowPolicy | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const invalid = (reason: string) => sqsErrors.invalidParameter("RedriveAllowPolicy", text, reason);
  let parsed: { redrivePermission?: unknown; sourceQueueArns?: unknown } | null;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid("Redrive allow policy is not a valid JSON map.");
  }
  const permission = parsed?.redrivePermission;
  if (permission !== "allowAll" && permission !== "denyAll" && permission !== "byQueue") {
    throw invalid("Invalid value for redrivePermission: valid values are allowAll, denyAll and byQueue.");
  }
  const sources = parsed?.sourceQueueArns;
  if (permission === "byQueue") {
    if (!Array.isArray(sources) || sources.length < 1 || sources.length > 10) throw invalid("sourceQueueArns must hold 1 to 10 queue ARNs when redrivePermission is byQueue.");
  } else if (sources !== undefined) {
    throw invalid(`sourceQueueArns can be specified only when redrivePermission is byQueue.`);
  }
  return { redrivePermission: permission, sourceQueueArns: sources as string[] | undefined };
}

/** Whether the dead-letter queue's RedriveAllowPolicy lets `sourceArn` use it. */
export function redriveAllowed(policy: RedriveAllowPolicy | undefined, sourceArn: string): boolean {
  if (!policy || policy.redrivePermission === "allowAll") return true;
  if (policy.redrivePermission === "denyAll") return false;
  return (policy.sourceQueueArns ?? []).includes(sourceArn);
}
