/** AWS's error code for a rejected pattern (PutRule, TestEventPattern, CreateArchive, ...). */
export const INVALID_EVENT_PATTERN_CODE = "InvalidEventPatternException";

const MESSAGE_PREFIX = "Event pattern is not valid. Reason: ";

/**
 * Thrown for a pattern EventBridge would reject. `message` has AWS's form
 * (`Event pattern is not valid. Reason: <reason>`); `reason` is the part after `Reason: `, worded
 * as AWS / event-ruler word it wherever that wording is known.
 */
export class InvalidEventPatternError extends Error {
  override readonly name = "InvalidEventPatternError";
  readonly code = INVALID_EVENT_PATTERN_CODE;

  constructor(readonly reason: string) {
    super(MESSAGE_PREFIX + reason);
  }
}

/** Throws an {@link InvalidEventPatternError} with the given reason. */
export function reject(reason: string): never {
  throw new InvalidEventPatternError(reason);
}
