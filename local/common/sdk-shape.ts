import type { z } from "zod";

/**
 * The one way a request shape (zod) is tied to the AWS SDK's request type at compile time, so the
 * shape cannot drift from the SDK's:
 *
 *   const PutRecordInput = tiedTo<Wire<PutRecordInput>>()(z.object({ ... }));
 *
 * `Wire<Request, Form>` is the SDK's type as the service's wire carries it; `tiedTo` accepts a
 * schema only if what it produces is assignable to that (so a member the SDK requires stays
 * required, and each member's type is one the SDK can send) and it names no member the SDK lacks.
 * Where a service's wire differs from the SDK's types, it says how in its `WireForm` (numbers as
 * text, dates, blobs, a type of its own such as DynamoDB's AttributeValue) or, for one member, with
 * `Override` / `CheckedLater`.
 */

/** How a service's wire carries the SDK's types that JSON has no form for. */
export interface WireForm {
  /** An SDK `number`. */
  number: unknown;
  /** An SDK `Date`. */
  date: unknown;
  /** An SDK `Uint8Array`. */
  blob: unknown;
  /** Types the service carries in a form of its own, as a union of `[SdkType, WireType]` pairs. */
  special: readonly [unknown, unknown];
}

/**
 * The JSON protocols (awsJson1_0/1_1, restJson1): numbers as numbers, a `Date` as epoch seconds
 * (the SDK sends a number; ISO 8601 text is taken too), a `Uint8Array` as base64 text.
 * `Special` names the types a service carries in a form of its own.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html#shape-serialization
 */
export interface JsonWire<Special extends readonly [unknown, unknown] = never> extends WireForm {
  number: number;
  date: number | string;
  blob: string;
  special: Special;
}

/** A wire where numbers may also come as text: a query string, or SQS's query protocol beside its JSON one. */
export interface TextNumbersWire<Special extends readonly [unknown, unknown] = never> extends Omit<JsonWire<Special>, "number"> {
  number: number | string;
}

type SpecialOf<T, Pairs> = Pairs extends readonly [infer From, infer To] ? ([T] extends [From] ? To : never) : never;

/**
 * An SDK type as `Form` carries it. Members keep the SDK's optionality; enums are any text (the
 * service answers an unknown value with its own error).
 */
export type Wire<T, Form extends WireForm = JsonWire> = [SpecialOf<T, Form["special"]>] extends [never] ? WireOf<T, Form> : SpecialOf<T, Form["special"]>;

type WireOf<T, Form extends WireForm> = T extends Uint8Array
  ? Form["blob"]
  : T extends Date
    ? Form["date"]
    : T extends number
      ? Form["number"]
      : T extends string
        ? string
        : T extends readonly (infer Item)[]
          ? Wire<Item, Form>[]
          : T extends object
            ? // A member of a union the form carries as one type (each union member is matched alone here).
              [SpecialOf<T, Form["special"]>] extends [never]
              ? { [K in keyof T]: Wire<T[K], Form> }
              : SpecialOf<T, Form["special"]>
            : T;

/** `W` with `Members` carried differently than the SDK types them (say why where it is used). */
export type Override<W, Members> = Omit<W, keyof Members> & Members;

/**
 * `W` with members the SDK requires made optional, where the service checks their absence itself
 * with its own error (SQS and EventBridge report a missing member per batch entry).
 */
export type CheckedLater<W, Members extends keyof W> = Omit<W, Members> & Partial<Pick<W, Members>>;

/**
 * Ties a schema to `W` (usually `Wire<SdkRequest>`) at compile time: its output must be assignable
 * to `W`, and it may name no member `W` lacks (the error names them in `notInTheSdk`).
 */
export const tiedTo =
  <W>() =>
  <Schema extends z.ZodType<W>>(
    schema: Schema & (Exclude<keyof z.output<Schema>, keyof W> extends never ? unknown : { notInTheSdk: Exclude<keyof z.output<Schema>, keyof W> }),
  ): Schema =>
    schema;
