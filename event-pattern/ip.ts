/**
 * IP addresses as event-ruler reads them: a string is an address only if it looks like one (its
 * IPv4 / IPv6 regexes) and Java's `InetAddress` accepts it. IPv4 is dotted-quad decimal; IPv6 is
 * hex groups with at most one `::` (no embedded IPv4, no zone). An IPv4-mapped IPv6 address
 * (`::ffff:a.b.c.d` written in hex) is the IPv4 address, as Java returns it.
 */
import { reject } from "./errors";
import type { IpRange } from "./ir";

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

const groups = new Uint16Array(8);

/**
 * Parses `text` into `out` (at least 16 bytes) without allocating; returns the address length
 * (4 or 16), or 0 when `text` is not an address.
 */
export function parseIpAddress(text: string, out: Uint8Array): 0 | 4 | 16 {
  const first = text.charCodeAt(0);
  // Cheap pre-check: every address starts with a hex digit or ':'.
  if (!(first >= 0x30 && first <= 0x3a) && !((first | 0x20) >= 0x61 && (first | 0x20) <= 0x66)) return 0;
  if (IPV4_SHAPE.test(text)) return parseIpv4(text, out) ? 4 : 0;
  if (IPV6_SHAPE.test(text)) return parseIpv6(text, out);
  return 0;
}

/** True if event-ruler would treat `text` as a candidate address at all (its regex test). */
export function looksLikeIpAddress(text: string): boolean {
  return IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);
}

function parseIpv4(text: string, out: Uint8Array): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (code === 0x2e) {
      // Current JDKs refuse octets with leading zeros as ambiguous (octal or decimal?).
      if (value > 255 || (digits > 1 && text.charCodeAt(i - digits) === 0x30)) return false;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else {
      value = value * 10 + (code - 0x30);
      digits++;
      if (digits > 3) return false;
    }
  }
  return true;
}

function hexValue(code: number): number {
  if (code <= 0x39) return code - 0x30;
  return (code | 0x20) - 0x61 + 10;
}

function parseIpv6(text: string, out: Uint8Array): 0 | 4 | 16 {
  const length = text.length;
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return 0;
    gap = 0;
    i = 2;
  }
  while (i < length) {
    let value = 0;
    let digits = 0;
    while (i < length && text.charCodeAt(i) !== 0x3a) {
      value = value * 16 + hexValue(text.charCodeAt(i));
      if (++digits > 4) return 0;
      i++;
    }
    if (digits === 0 || count === 8) return 0;
    groups[count++] = value;
    if (i === length) break;
    i++; // the ':' after the group
    if (i === length) return 0; // a single trailing ':'
    if (text.charCodeAt(i) === 0x3a) {
      if (gap !== -1) return 0;
      gap = count;
      i++;
    }
  }
  if (gap === -1 ? count !== 8 : count > 7) return 0;
  out.fill(0, 0, 16);
  const tail = gap === -1 ? 0 : count - gap;
  for (let g = 0; g < count; g++) {
    const slot = gap !== -1 && g >= gap ? 8 - tail + (g - gap) : g;
    out[slot * 2] = groups[g] >> 8;
    out[slot * 2 + 1] = groups[g] & 0xff;
  }
  if (isIpv4Mapped(out)) {
    out.copyWithin(0, 12, 16);
    return 4;
  }
  return 16;
}

function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** True if the `length`-byte address in `address` lies within `range`. */
export function inIpRange(address: Uint8Array, length: number, range: IpRange): boolean {
  if (range.low.length !== length) return false;
  return compareBytes(address, range.low, length) >= 0 && compareBytes(address, range.high, length) <= 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array, length: number): number {
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

/** The single-address range for an exact-value string, or undefined if it is not an address. */
export function ipRangeIfAddress(text: string): IpRange | undefined {
  const scratch = new Uint8Array(16);
  const length = parseIpAddress(text, scratch);
  if (length === 0) return undefined;
  const bytes = scratch.slice(0, length);
  return { low: bytes, high: bytes };
}

/** Parses a `cidr` filter value, rejecting it with event-ruler's messages. */
export function parseCidr(cidr: string): IpRange {
  const parts = javaSplit(cidr, "/");
  if (parts.length !== 2) reject("Malformed CIDR, one '/' required");
  const maskBits = javaParseInt(parts[1]);
  if (maskBits === undefined) reject("Malformed CIDR, mask bits must be an integer");
  if (maskBits < 0) reject("Malformed CIDR, mask bits must not be negative");

  const address = parts[0];
  if (!looksLikeIpAddress(address)) reject(`Nonstandard IP address: ${address}`);
  const scratch = new Uint8Array(16);
  const length = parseIpAddress(address, scratch);
  if (length === 0) reject(`Invalid IP address: ${address}`);
  if (length === 4 && maskBits > 31) reject("IPv4 mask bits must be < 32");
  if (length === 16 && maskBits > 127) reject("IPv6 mask bits must be < 128");

  const low = scratch.slice(0, length);
  const high = low.slice();
  for (let bit = maskBits; bit < length * 8; bit++) {
    const mask = 0x80 >> (bit & 7);
    low[bit >> 3] &= ~mask;
    high[bit >> 3] |= mask;
  }
  return { low, high };
}

/** Java's `String.split(regex)` for a literal separator: trailing empty parts are dropped. */
function javaSplit(text: string, separator: string): string[] {
  const parts = text.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** Java's `Integer.parseInt`: optional sign, decimal digits, 32-bit range. */
function javaParseInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= -2147483648 && value <= 2147483647 ? value : undefined;
}
