import { createHash } from "node:crypto";

/** Crockford-style alphabet without I, L, O, U: unambiguous in references and plates. */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** `length` characters from `alphabet`, derived from a SHA-256 of the parts. */
export function digest(parts: readonly string[], length: number, alphabet = ALPHABET): string {
  const bytes = createHash("sha256").update(parts.join("\u0000")).digest();
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[bytes[i % bytes.length]! % alphabet.length];
  return out;
}

/**
 * A reference derived from the order, e.g. `INV-7K3M9Q2D4X8A`: a retry or a
 * duplicate execution for the same order yields the same reference.
 */
export function deterministicId(prefix: string, orderId: string): string {
  return `${prefix}-${digest([prefix, orderId], 12)}`;
}
