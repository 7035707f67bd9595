import { createHash } from "crypto";
import type { MessageAttribute } from "../../cloud";

/** MD5OfMessageBody / MD5OfBody: the hex MD5 of the body's UTF-8 bytes (the SDKs check it). */
export function md5OfBody(body: string): string {
  return createHash("md5").update(body, "utf8").digest("hex");
}

/** An attribute as the digest reads it: the JSON protocol carries binary values base64-encoded. */
export interface DigestableAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;

/**
 * MD5OfMessageAttributes (and MD5OfMessageSystemAttributes) by AWS's documented algorithm: for
 * each attribute in ascending name order, the name, the data type and the value, each as a 4-byte
 * big-endian length followed by its bytes, with a 1-byte transport type (1 string, 2 binary)
 * before the value; the hex MD5 of all of it. Undefined when there are no attributes, as AWS
 * leaves the field out then.
 */
export function md5OfMessageAttributes(attributes: Record<string, DigestableAttribute | MessageAttribute> | undefined): string | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  for (const name of names) {
    const { DataType, StringValue, BinaryValue } = attributes[name];
    updateWithLength(hash, Buffer.from(name, "utf8"));
    updateWithLength(hash, Buffer.from(DataType, "utf8"));
    if (DataType.startsWith("Binary")) {
      hash.update(Uint8Array.of(BINARY_TRANSPORT));
      updateWithLength(hash, Buffer.from(BinaryValue ?? "", "base64"));
    } else {
      hash.update(Uint8Array.of(STRING_TRANSPORT));
      updateWithLength(hash, Buffer.from(StringValue ?? "", "utf8"));
    }
  }
  return hash.digest("hex");
}

function updateWithLength(hash: ReturnType<typeof createHash>, bytes: Buffer): void {
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(bytes.length, 0);
  hash.update(length);
  hash.update(bytes);
}
