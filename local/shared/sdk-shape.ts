import { z } from "zod";

/**
 * An AWS SDK request type as a JSON body carries it: blobs (`Uint8Array` in the SDK) are base64
 * text, timestamps (`Date`) epoch seconds or text, numbers `Numbers` (SQS's query protocol sends
 * them as text), and enums any text (the service answers an unknown value with its own error).
 * Every member is optional here: which ones a request must have is the schema's to say, since
 * some services report a missing member per batch entry, not per request.
 */
export type Wire<T, Numbers = number> = T extends Uint8Array
  ? string
  : T extends Date
    ? number | string
    : T extends number
      ? Numbers
      : T extends string
        ? string
        : T extends readonly (infer Item)[]
          ? Wire<Item, Numbers>[]
          : T extends object
            ? { [K in keyof T]?: Wire<T[K], Numbers> }
            : T;

/**
 * A request schema tied at compile time to the SDK's request type as it travels (`Wire<Request>`):
 * each member must be one the SDK sends, and its schema's type one the SDK can send, so the shape
 * cannot drift from the SDK's.
 *
 *   const SendMessageInput = sdkShape<Wire<SendMessageRequest>>()({ QueueUrl: z.string(), ... });
 */
export function sdkShape<Request>() {
  return <Shape extends z.ZodRawShape & { [K in keyof Shape]: K extends keyof Request ? z.ZodType<Request[K]> : never }>(shape: Shape) => z.object(shape);
}
