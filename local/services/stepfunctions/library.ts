/**
 * aws-local-stepfunctions (MIT) as the local cloud uses it: the Amazon States Language
 * interpreter (paths, intrinsic functions, Choice, Pass, Parallel, Map, Catch, Fail). Its
 * real-time timers and its calls to AWS never run: every Task state of a definition it runs has a
 * local handler, Wait states and Retry fields are rewritten away (see ./definition.ts).
 * The two quirks of running it here live in this module.
 */
import { ExecutionError, StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";

export { ExecutionError, StateMachine };
export type { StateMachineDefinition };

export type LibraryRun = ReturnType<StateMachine["run"]>;
export type LibraryRunOptions = NonNullable<Parameters<StateMachine["run"]>[1]>;
export type LibraryEvent = LibraryRun["eventLogs"] extends AsyncGenerator<infer Event> ? Event : never;
/** The interpreter's local handler of a Task state: state input and result are JSON values. */
export type TaskHandler = NonNullable<NonNullable<LibraryRunOptions["overrides"]>["taskResourceLocalHandlers"]>[string];
/** A JSON value as the interpreter passes it (its JSONValue type is not exported). */
export type JsonValue = Parameters<TaskHandler>[0];

// The library is built for Node 22 and calls Promise.withResolvers (ES2024) for every Task state;
// the project runs on Node 20, so the standard method is provided where it is missing.
const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
promiseStatics.withResolvers ??= function withResolvers() {
  let resolve!: (value: unknown) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
};

let timeoutErrorClass: Promise<new () => Error> | undefined;

/**
 * A `States.Timeout` error the interpreter's Catch tells apart from other task errors:
 * `States.TaskFailed` matches every task error except a timeout, which the library recognizes by
 * its own (unexported) error class. The class is taken once from a run whose task times out after
 * a millisecond of real time.
 */
export async function statesTimeoutError(name: "States.Timeout" | "States.HeartbeatTimeout", cause: string): Promise<Error> {
  timeoutErrorClass ??= probeTimeoutErrorClass();
  const error = new (await timeoutErrorClass)();
  error.name = name;
  error.message = cause;
  return error;
}

async function probeTimeoutErrorClass(): Promise<new () => Error> {
  const probe = new StateMachine({ StartAt: "Probe", States: { Probe: { Type: "Task", Resource: "local:probe", TimeoutSeconds: 0.001, End: true } } } as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const run = probe.run(null, { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise(() => undefined) } } });
  const failure = await run.result.then(
    () => undefined,
    (error: unknown) => (error instanceof ExecutionError ? error.cause : undefined),
  );
  if (!(failure instanceof Error) || failure.name !== "States.Timeout") throw new Error("aws-local-stepfunctions did not time out its probe task as expected");
  return failure.constructor as new () => Error;
}
