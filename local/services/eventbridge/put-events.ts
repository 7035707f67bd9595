import { AwsError } from "../../aws-error";
import type { CloudIdentity } from "../../resource-graph";
import type { EventBridgeEvent } from "./model";
import type { PutEventsEntry } from "./wire";

/**
 * What PutEvents checks of a request and of each entry, and the event it makes of an entry.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */

/** PutEvents limits: 10 entries and 256 KiB per request. */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * The whole request's checks. Callers inside the local cloud (Step Functions' integration) hand
 * over entries the endpoint's shape check never saw, so the entries are checked here too.
 */
export function checkRequest(entries: readonly PutEventsEntry[]): void {
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
    throw new AwsError("ValidationException", `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`);
  }
  if (entries.some((entry) => entry === null || typeof entry !== "object" || Array.isArray(entry))) {
    throw new AwsError("ValidationException", "1 validation error detected: every member of 'entries' must be a PutEventsRequestEntry object");
  }
  const size = entries.reduce((total, entry) => total + entrySize(entry), 0);
  if (size > MAX_REQUEST_BYTES) throw new AwsError("ValidationException", "Total size of the entries in the request is over the limit.");
}

/** https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html */
function entrySize(entry: PutEventsEntry): number {
  // AWS's documented calculation: UTF-8 bytes of Source, DetailType, Detail and resources, 14 for a time.
  const bytes = (text: unknown) => (typeof text === "string" ? Buffer.byteLength(text) : 0);
  return (entry.Time !== undefined ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((total, resource) => total + bytes(resource), 0);
}

/** Why AWS would refuse this one entry (its own ErrorCode in the answer), if it would. */
export function entryProblem(entry: PutEventsEntry): { ErrorCode: string; ErrorMessage: string } | undefined {
  const invalid = (field: string, reason: string) => ({ ErrorCode: "InvalidArgument", ErrorMessage: `Parameter ${field} is not valid. Reason: ${reason}` });
  for (const field of ["Source", "DetailType", "Detail", "EventBusName"] as const) {
    if (entry[field] !== undefined && typeof entry[field] !== "string") return invalid(field, `${field} must be a string.`);
  }
  if (!entry.Source) return invalid("Source", "Source is a required argument.");
  if (!entry.DetailType) return invalid("DetailType", "DetailType is a required argument.");
  if (!entry.Detail) return invalid("Detail", "Detail is a required argument.");
  if (entry.Source.startsWith("aws.")) return { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." };
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  }
  if (detail === null || typeof detail !== "object" || Array.isArray(detail)) return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  return undefined;
}

/** The event an accepted entry becomes (its time the entry's, else `now`). */
export function eventOf(entry: PutEventsEntry, id: string, now: Date, identity: CloudIdentity): EventBridgeEvent {
  const time = entry.Time === undefined ? now : new Date(typeof entry.Time === "number" ? entry.Time * 1000 : entry.Time);
  return {
    version: "0",
    id,
    "detail-type": entry.DetailType!,
    source: entry.Source!,
    account: identity.account,
    time: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: identity.region,
    resources: entry.Resources ?? [],
    detail: JSON.parse(entry.Detail!),
  };
}
