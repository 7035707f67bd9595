/**
 * An error as an AWS service reports it: a code (`__type` in the JSON protocols), a message and the
 * HTTP status. Services of the local cloud throw these; the endpoint answers with them and
 * EventBridge copies their code and message into the attributes of a dead-letter message.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }

  static validation(message: string): AwsError {
    return new AwsError("ValidationException", message, 400);
  }
}

/**
 * An error the caller gets although the operation ran: its answer was lost on the way back (a
 * 5xx or a dropped connection after the service acted). Injected by a chaos run, to see what a
 * client's retry of an operation that already happened does.
 */
export class LostAnswerError extends AwsError {}

/** A deployment input AWS would reject: names the resource, as `pulumi up` would. */
export class DeployError extends Error {
  constructor(
    readonly resource: { type: string; name: string },
    readonly cause: AwsError | Error,
  ) {
    super(`${resource.type} "${resource.name}": ${cause instanceof AwsError ? `${cause.code}: ` : ""}${cause.message}`);
    this.name = "DeployError";
  }
}
