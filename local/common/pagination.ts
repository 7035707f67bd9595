import { z } from "zod";
import type { AwsError } from "../aws-error";

/**
 * Paging for every List/Describe operation of the local cloud. A token is opaque to the caller, as
 * AWS's are: base64 of a small JSON position. Each service says how it words a bad token (SQS
 * `InvalidParameterValue`, Step Functions `InvalidToken` ...), since those differ in AWS.
 */

/** A position in a listing: an offset, and what else the service needs to resume (a stream's name). */
const Position = z.object({ offset: z.number().int().nonnegative() }).catchall(z.unknown());
export type Position = z.infer<typeof Position>;

export function encodeToken(position: Position): string {
  return Buffer.from(JSON.stringify(position)).toString("base64");
}

/** The position a token holds; `invalid` is thrown for anything that is not a token of ours. */
export function decodeToken<Extra extends z.ZodRawShape = Record<never, never>>(token: string, invalid: () => AwsError, extra?: Extra): Position & z.infer<z.ZodObject<Extra>> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw invalid();
  }
  const parsed = (extra ? Position.extend(extra) : Position).safeParse(value);
  if (!parsed.success) throw invalid();
  return parsed.data as Position & z.infer<z.ZodObject<Extra>>;
}

export interface Page<T> {
  readonly page: T[];
  /** The token for the next page; absent on the last one. */
  readonly next?: string;
}

/**
 * One page of `items` from the position `token` holds (the start when absent), at most `size`
 * long. Items keep their order, so a listing that does not change pages the same way twice.
 */
export function paginate<T>(items: readonly T[], token: string | undefined, size: number, invalid: () => AwsError): Page<T> {
  const start = token === undefined || token === "" ? 0 : decodeToken(token, invalid).offset;
  if (start > items.length) throw invalid();
  const page = items.slice(start, start + size);
  return { page, ...(start + size < items.length ? { next: encodeToken({ offset: start + size }) } : {}) };
}
