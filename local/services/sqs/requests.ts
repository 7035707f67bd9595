import { NAMES, nameFits, RANGES } from "@event-routes/aws-model";
import type { MessageAttribute } from "../../cloud";
import { SqsError, sqsErrors } from "./errors";
import type { SendEntry } from "./shapes";
import { type SendInput, validateAttributes } from "./validation";

/**
 * Reading a request of the right shape as SQS does: the checks its shape cannot express (ranges,
 * empty values, batch entry IDs), with SQS's codes and messages.
 */

type WireAttributes = Record<string, { DataType?: string; StringValue?: string; BinaryValue?: string }>;

/** A send as SendMessage or a SendMessageBatch entry carries it. */
export function sendInput(entry: SendEntry): SendInput {
  return {
    // An absent body fails validation as SQS's MissingParameter (per entry in a batch).
    body: entry.MessageBody ?? "",
    attributes: messageAttributes(entry.MessageAttributes),
    groupId: entry.MessageGroupId,
    deduplicationId: entry.MessageDeduplicationId,
    delaySeconds: entry.DelaySeconds === undefined ? undefined : Number(entry.DelaySeconds),
    traceHeader: traceHeaderOf(entry.MessageSystemAttributes),
  };
}

/** The size of an entry's attributes; an invalid entry counts 0 here and fails on its own when sent. */
export function attributeBytes(attributes: WireAttributes | undefined): number {
  try {
    return validateAttributes(messageAttributes(attributes));
  } catch {
    return 0;
  }
}

/** Message attributes as sent: DataType with StringValue or BinaryValue (base64 in JSON). */
function messageAttributes(value: WireAttributes | undefined): Record<string, MessageAttribute> | undefined {
  if (value === undefined) return undefined;
  const entries = Object.entries(value);
  if (entries.length === 0) return undefined;
  const attributes: Record<string, MessageAttribute> = {};
  for (const [name, attribute] of entries) {
    const normalized = { DataType: attribute.DataType } as MessageAttribute;
    if (attribute.StringValue !== undefined) normalized.StringValue = attribute.StringValue;
    if (attribute.BinaryValue !== undefined) normalized.BinaryValue = attribute.BinaryValue;
    attributes[name] = normalized;
  }
  return attributes;
}

function traceHeaderOf(attributes: WireAttributes | undefined): string | undefined {
  if (attributes === undefined) return undefined;
  for (const name of Object.keys(attributes)) {
    if (name !== "AWSTraceHeader") throw sqsErrors.invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
  }
  const header = attributes.AWSTraceHeader;
  if (header === undefined) return undefined;
  if (header.DataType !== "String" || typeof header.StringValue !== "string" || header.StringValue === "") {
    throw sqsErrors.invalidParameterValue("Message system attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'.");
  }
  return header.StringValue;
}

/** A member SQS requires: absent or empty is MissingParameter. */
export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === "") throw sqsErrors.missingParameter(name);
  return value;
}

export function visibilityTimeoutOf(value: number | string | undefined): number {
  if (value === undefined) throw sqsErrors.missingParameter("VisibilityTimeout");
  return numberParameter(value, "VisibilityTimeout", 0, RANGES.sqs.visibilityTimeoutSeconds.min, RANGES.sqs.visibilityTimeoutSeconds.max, "Must be >= 0 and <= 43200, if provided.");
}

/** An integer parameter (numeric text in the query protocol) within SQS's range for it. */
export function numberParameter(value: number | string | undefined, name: string, fallback: number, min: number, max: number, reason: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw sqsErrors.invalidParameter(name, value, reason);
  return number;
}


/** The checks every *Batch operation makes on its entries. */
export function batchEntries<Entry extends { Id?: string }>(entries: Entry[] | undefined): (Entry & { Id: string })[] {
  if (entries === undefined || entries.length === 0) throw sqsErrors.emptyBatchRequest();
  if (entries.length > RANGES.sqs.batchEntries.max) throw sqsErrors.tooManyEntriesInBatchRequest(entries.length);
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id;
    if (id === undefined || !nameFits(NAMES.sqsBatchEntryId, id)) throw sqsErrors.invalidBatchEntryId();
    if (seen.has(id)) throw sqsErrors.batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return entries as (Entry & { Id: string })[];
}

/** Runs each entry on its own: an entry AWS would reject is a Failed item, the others succeed. */
export function eachEntry<Entry extends { Id: string }>(entries: Entry[], run: (entry: Entry) => Record<string, unknown>): { Successful: unknown[]; Failed: unknown[] } {
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...run(entry) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: error.status < 500, Code: error.queryCode, Message: error.message });
    }
  }
  return { Successful, Failed };
}
