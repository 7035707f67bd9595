import type { LocalCloud } from "../../cloud";
import type { Clock, Timer } from "../../clock";
import type { Principal } from "../../iam";
import { readReferencePath, type PreparedDefinition, type StateEntry, type StateJson } from "./definition";
import { RetryPolicy, runtimeError, StateAborted, StateError } from "./errors";
import { ExecutionHistory, type HistoryEvent } from "./history";
import { callIntegration, type IntegrationCall, type TaskResource } from "./integrations";
import { ExecutionError, statesTimeoutError, type LibraryRun, type JsonValue, type LibraryRunOptions, type TaskHandler } from "./library";
import type { TaskTokens } from "./tokens";

/**
 * One execution of a state machine. The interpreter walks the states; the Task, Wait and retried
 * Parallel/Map states run in handlers here (see ./definition.ts), which wait on the
 * cloud's clock.
 *
 * The virtual clock jumps whenever no tracked work runs. An execution is therefore not tracked as
 * a whole (its Wait states and retry intervals would keep the clock from ever reaching their
 * timers): each service call is tracked, waits are timers, and what the interpreter does between
 * them runs in microtasks, which finish before the clock looks again.
 */

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** Cloud time (ms since the epoch). */
  startDate: number;
  stopDate?: number;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
}

export interface ExecutableMachine {
  arn: string;
  name: string;
  roleArn: string;
  prepared: PreparedDefinition;
  /** Maximum duration (the definition's TimeoutSeconds; 5 minutes for EXPRESS). */
  timeoutSeconds?: number;
}

export interface ExecutionHost {
  readonly cloud: LocalCloud;
  readonly tokens: TaskTokens;
  finished(execution: Execution): void;
}

type Outcome = { status: Exclude<ExecutionStatus, "RUNNING">; output?: unknown; error?: string; cause?: string };

export class Execution {
  readonly record: ExecutionRecord;
  readonly done: Promise<ExecutionRecord>;
  private readonly clock: Clock;
  private readonly history: ExecutionHistory;
  private readonly principal: Principal;
  private readonly runOptions: LibraryRunOptions;
  /** Handlers running now, each cancelled when its Parallel/Map branch or the execution stops. */
  private readonly running = new Set<StateScope>();
  private readonly run: LibraryRun;
  private readonly timeout?: Timer;
  /** The token `$$.Task.Token` gave the Parameters being evaluated, for the handler called next. */
  private mintedToken?: string;
  private stopped?: Outcome;

  constructor(
    private readonly host: ExecutionHost,
    readonly machine: ExecutableMachine,
    executionArn: string,
    name: string,
    input: unknown,
    /** Start order across the cloud (pagination of ListExecutions). */
    readonly sequence: number,
  ) {
    this.clock = host.cloud.clock;
    this.history = new ExecutionHistory(this.clock, machine.prepared.states, (container) => this.cancelNested(container));
    this.record = { executionArn, stateMachineArn: machine.arn, name, status: "RUNNING", startDate: this.clock.now(), input, history: this.history.events };
    this.principal = { kind: "role", arn: machine.roleArn };
    this.runOptions = { overrides: { taskResourceLocalHandlers: this.handlers() }, context: this.contextObject(), noThrowOnAbort: true };
    this.history.record("ExecutionStarted", { input, roleArn: machine.roleArn });
    this.run = machine.prepared.machine.run(input as never, this.runOptions);
    this.history.follow(this.run.eventLogs);
    const limit = machine.timeoutSeconds;
    if (limit !== undefined) {
      this.timeout = this.clock.schedule(limit * 1000, () => this.stop("TIMED_OUT", "States.Timeout", `The execution ran longer than its time limit of ${limit} seconds`));
    }
    this.done = this.finish();
  }

  /** StopExecution, or the execution's time limit. */
  stop(status: "ABORTED" | "TIMED_OUT", error?: string, cause?: string): void {
    if (this.stopped || this.record.status !== "RUNNING") return;
    this.stopped = { status, error, cause };
    this.cancelRunning(`the execution was ${status === "ABORTED" ? "stopped" : "timed out"}`);
    this.run.abort();
  }

  private async finish(): Promise<ExecutionRecord> {
    let outcome: Outcome;
    try {
      const output = await this.run.result;
      outcome = this.stopped ?? { status: "SUCCEEDED", output };
    } catch (error) {
      outcome = this.stopped ?? { status: "FAILED", ...failureOf(error) };
    }
    this.timeout?.cancel();
    // Handlers left running belong to branches the interpreter abandoned.
    this.cancelRunning("the execution ended");
    await this.history.drained();
    const { status, output, error, cause } = outcome;
    const finalEvent = { SUCCEEDED: "ExecutionSucceeded", FAILED: "ExecutionFailed", ABORTED: "ExecutionAborted", TIMED_OUT: "ExecutionTimedOut" }[status];
    this.history.close(finalEvent, status === "SUCCEEDED" ? { output } : { error, cause });
    Object.assign(this.record, { status, stopDate: this.clock.now() }, status === "SUCCEEDED" ? { output } : { error, cause });
    this.host.finished(this);
    return this.record;
  }

  private handlers(): Record<string, TaskHandler> {
    const handlers: Record<string, TaskHandler> = {};
    // What a handler resolves to is JSON: a service's answer or a state's output.
    const json = (result: Promise<unknown>) => result as Promise<JsonValue>;
    for (const entry of this.machine.prepared.states.values()) {
      if (entry.wrapped) handlers[entry.name] = (input) => json(this.inScope(entry, (scope) => this.runRetried(entry, input, scope)));
      else if (entry.type === "Task") handlers[entry.name] = (input) => json(this.inScope(entry, (scope) => this.runTask(entry, input, scope)));
      else if (entry.type === "Wait") handlers[entry.name] = (input) => json(this.inScope(entry, (scope) => this.runWait(entry, input, scope)));
    }
    return handlers;
  }

  /** The Context Object. `LocalCloudExecution` backs `$$.Execution.Input`/`StartTime` (see ./definition.ts). */
  private contextObject(): Record<string, unknown> {
    const { executionArn, name, input, startDate } = this.record;
    const startTime = new Date(startDate).toISOString();
    // Read while the interpreter evaluates a state's Parameters, right before it calls the state's handler.
    const task = Object.defineProperty({}, "Token", { enumerable: true, get: () => (this.mintedToken ??= this.host.tokens.mint()) });
    return {
      Execution: { Id: executionArn, Name: name, RoleArn: this.machine.roleArn, StartTime: startTime, Input: input, RedriveCount: 0 },
      LocalCloudExecution: { Input: input, StartTime: startTime },
      StateMachine: { Id: this.machine.arn, Name: this.machine.name },
      Task: task,
    };
  }

  /** Runs a handler; called synchronously by the interpreter right after it evaluated the Parameters. */
  private async inScope<T>(entry: StateEntry, run: (scope: StateScope) => Promise<T>): Promise<T> {
    const token = entry.resource?.pattern === "waitForTaskToken" ? (this.mintedToken ?? this.host.tokens.mint()) : undefined;
    this.mintedToken = undefined;
    const scope = new StateScope(entry, token);
    this.running.add(scope);
    try {
      return await scope.race(run(scope));
    } finally {
      this.running.delete(scope);
    }
  }

  private async runTask(entry: StateEntry, input: unknown, scope: StateScope): Promise<unknown> {
    // The interpreter's StateEntered event is still on its way to the history: let it land first.
    await this.busyWhile(new Promise((resolve) => setImmediate(resolve)));
    const retry = new RetryPolicy(entry.state.Retry ?? []);
    let parameters = input;
    for (;;) {
      scope.throwIfCancelled();
      try {
        return await this.attempt(entry, entry.resource!, parameters, scope);
      } catch (error) {
        const delay = scope.cancelled ? undefined : retry.nextDelayMs(error);
        if (delay === undefined) throw error;
        await this.sleep(delay, scope);
        // Each attempt of a callback task has a token of its own.
        if (scope.token) parameters = replaceText(parameters, scope.token, (scope.token = this.host.tokens.mint()));
      }
    }
  }

  private async attempt(entry: StateEntry, resource: TaskResource, parameters: unknown, scope: StateScope): Promise<unknown> {
    const lambdaFunction = resource.kind === "lambda:function";
    const timeoutInSeconds = secondsOf(entry, "TimeoutSeconds", parameters);
    const heartbeatInSeconds = scope.token ? secondsOf(entry, "HeartbeatSeconds", parameters) : undefined;
    const task = { resourceType: resource.resourceType, resource: resource.resource };
    if (lambdaFunction) {
      this.history.record("LambdaFunctionScheduled", { resource: resource.arn, input: parameters, timeoutInSeconds });
      this.history.record("LambdaFunctionStarted");
    } else {
      this.history.record("TaskScheduled", { ...task, region: this.host.cloud.identity.region, parameters, timeoutInSeconds, heartbeatInSeconds });
      this.history.record("TaskStarted", task);
    }
    const deadline = new TaskDeadline(this.clock, entry.name, timeoutInSeconds, heartbeatInSeconds);
    const call: IntegrationCall = { cloud: this.host.cloud, principal: this.principal, stateName: entry.name, executionArn: this.record.executionArn, stateMachineArn: this.machine.arn };
    try {
      const work = scope.token ? this.awaitCallback(resource, parameters, call, scope.token, deadline) : this.busyWhile(callIntegration(resource, parameters, call));
      const output = await scope.race(Promise.race([work, deadline.expired]));
      if (lambdaFunction) this.history.record("LambdaFunctionSucceeded", { output });
      else this.history.record("TaskSucceeded", { ...task, output });
      return output;
    } catch (error) {
      if (!scope.cancelled) {
        const { name: errorName, message: cause } = error as Error;
        const timedOut = errorName === "States.Timeout" || errorName === "States.HeartbeatTimeout";
        if (lambdaFunction) this.history.record(timedOut ? "LambdaFunctionTimedOut" : "LambdaFunctionFailed", { error: errorName, cause });
        else this.history.record(timedOut ? "TaskTimedOut" : "TaskFailed", { ...task, error: errorName, cause });
      }
      throw error;
    } finally {
      deadline.clear();
      if (scope.token) this.host.tokens.release(scope.token);
    }
  }

  /** `.waitForTaskToken`: hands out the token with the call, then waits for SendTask*. */
  private async awaitCallback(resource: TaskResource, parameters: unknown, call: IntegrationCall, token: string, deadline: TaskDeadline): Promise<unknown> {
    let settle!: { resolve: (output: unknown) => void; reject: (error: Error) => void };
    const answered = new Promise<unknown>((resolve, reject) => (settle = { resolve, reject }));
    answered.catch(() => undefined); // answered before the submission returned: awaited below
    // Registered first: the receiver may answer before the call returns.
    this.host.tokens.register(token, {
      executionArn: this.record.executionArn,
      succeed: settle.resolve,
      fail: (error, cause) => settle.reject(new StateError(error ?? "", cause ?? "")),
      heartbeat: () => deadline.heartbeat(),
    });
    try {
      const submitted = await this.busyWhile(callIntegration(resource, parameters, call));
      this.history.record("TaskSubmitted", { resourceType: resource.resourceType, resource: resource.resource, output: submitted });
    } catch (error) {
      this.host.tokens.release(token);
      throw error;
    }
    // Released by the attempt when it ends (answered, timed out or cancelled).
    return answered;
  }

  private async runWait(entry: StateEntry, input: unknown, scope: StateScope): Promise<unknown> {
    await this.sleep(waitMs(entry.state, input, this.clock.now()), scope);
    return input;
  }

  /** A Parallel/Map state with a Retry field: runs it bare, retrying on the cloud's clock. */
  private async runRetried(entry: StateEntry, input: unknown, scope: StateScope): Promise<unknown> {
    const { retry, machine } = entry.wrapped!;
    const policy = new RetryPolicy(retry);
    for (;;) {
      scope.throwIfCancelled();
      const attempt = machine.run(input as never, this.runOptions);
      this.history.follow(attempt.eventLogs);
      scope.onCancel(() => attempt.abort());
      try {
        return await attempt.result;
      } catch (error) {
        const failure = error instanceof ExecutionError ? error.cause : error;
        const delay = scope.cancelled ? undefined : policy.nextDelayMs(failure);
        if (delay === undefined) throw failure;
        await this.sleep(delay, scope);
      }
    }
  }

  private sleep(ms: number, scope: StateScope): Promise<void> {
    scope.throwIfCancelled();
    if (ms <= 0) return Promise.resolve();
    return scope.race(
      new Promise<void>((resolve) => {
        const timer = this.clock.schedule(ms, resolve);
        scope.onCancel(() => timer.cancel());
      }),
    );
  }

  /** Counts `work` as activity of the cloud while it runs; its outcome is the caller's. */
  private busyWhile<T>(work: Promise<T>): Promise<T> {
    const ignore = () => undefined;
    this.clock.track(work.then(ignore, ignore));
    return work;
  }

  /**
   * A branch of `container` failed: the interpreter stops the others, their handlers stop too.
   * Inside a Map, several instances of `container` may run at once and a handler does not know
   * which one it belongs to: those handlers are left to finish (the interpreter ignores them).
   */
  private cancelNested(container: string): void {
    const { states } = this.machine.prepared;
    if (states.get(container)?.containers.some((outer) => states.get(outer)?.type === "Map")) return;
    for (const scope of this.running) {
      if (!scope.entry.containers.includes(container)) continue;
      this.history.record(`${scope.entry.type}StateAborted`);
      scope.cancel(new StateAborted(`a branch of ${container} failed`));
    }
  }

  private cancelRunning(reason: string): void {
    for (const scope of this.running) scope.cancel(new StateAborted(reason));
  }
}

/** One call of a state's handler: what to undo when it is cancelled. */
class StateScope {
  cancelled = false;
  private readonly hooks: (() => void)[] = [];
  private readonly whenCancelled: Promise<never>;
  private rejectCancelled!: (error: Error) => void;

  constructor(
    readonly entry: StateEntry,
    /** `.waitForTaskToken`: the token of the current attempt. */
    public token: string | undefined,
  ) {
    this.whenCancelled = new Promise<never>((_, reject) => (this.rejectCancelled = reject));
    this.whenCancelled.catch(() => undefined);
  }

  cancel(reason: StateAborted): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const hook of this.hooks) hook();
    this.rejectCancelled(reason);
  }

  onCancel(hook: () => void): void {
    this.hooks.push(hook);
  }

  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.whenCancelled]);
  }

  throwIfCancelled(): void {
    if (this.cancelled) throw new StateAborted("the state was cancelled");
  }
}

/** TimeoutSeconds and HeartbeatSeconds of one task attempt, on the cloud's clock. */
class TaskDeadline {
  readonly expired: Promise<never>;
  private reject!: (error: Error) => void;
  private timeout?: Timer;
  private heartbeatTimer?: Timer;

  constructor(
    private readonly clock: Clock,
    private readonly stateName: string,
    timeoutSeconds: number | undefined,
    private readonly heartbeatSeconds: number | undefined,
  ) {
    this.expired = new Promise<never>((_, reject) => (this.reject = reject));
    this.expired.catch(() => undefined);
    if (timeoutSeconds !== undefined) {
      this.timeout = clock.schedule(timeoutSeconds * 1000, () => this.expire("States.Timeout", `State '${stateName}' did not finish within its TimeoutSeconds of ${timeoutSeconds}`));
    }
    this.heartbeat();
  }

  heartbeat(): void {
    if (this.heartbeatSeconds === undefined) return;
    this.heartbeatTimer?.cancel();
    const seconds = this.heartbeatSeconds;
    this.heartbeatTimer = this.clock.schedule(seconds * 1000, () => this.expire("States.HeartbeatTimeout", `State '${this.stateName}' sent no heartbeat for ${seconds} seconds`));
  }

  clear(): void {
    this.timeout?.cancel();
    this.heartbeatTimer?.cancel();
  }

  private expire(name: "States.Timeout" | "States.HeartbeatTimeout", cause: string): void {
    this.clear();
    this.clock.track(statesTimeoutError(name, cause).then(this.reject));
  }
}

function failureOf(error: unknown): { error?: string; cause?: string } {
  const failure = error instanceof ExecutionError ? error.cause : error;
  if (failure instanceof Error) return { error: failure.name, cause: failure.message };
  return { error: "States.Runtime", cause: String(failure) };
}

/** TimeoutSeconds/HeartbeatSeconds, or their Path read from the task's effective parameters. */
function secondsOf(entry: StateEntry, field: "TimeoutSeconds" | "HeartbeatSeconds", parameters: unknown): number | undefined {
  const { state } = entry;
  if (state[field] !== undefined) return state[field];
  const path = state[`${field}Path`];
  if (path === undefined) return undefined;
  const seconds = readReferencePath(parameters, path);
  if (!Number.isInteger(seconds) || (seconds as number) < 1) throw runtimeError(`The ${field}Path '${path}' of state '${entry.name}' does not select a positive integer`);
  return seconds as number;
}

/** How long a Wait state waits, from `now` (cloud time). */
function waitMs(state: StateJson, input: unknown, now: number): number {
  if (state.Seconds !== undefined) return state.Seconds * 1000;
  if (state.Timestamp !== undefined) return Math.max(0, Date.parse(state.Timestamp) - now);
  if (state.SecondsPath !== undefined) {
    const seconds = readReferencePath(input, state.SecondsPath);
    if (!Number.isInteger(seconds) || (seconds as number) < 0) throw runtimeError(`The SecondsPath '${state.SecondsPath}' does not select a non-negative integer`);
    return (seconds as number) * 1000;
  }
  const timestamp = readReferencePath(input, state.TimestampPath ?? "");
  const at = typeof timestamp === "string" ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(at)) throw runtimeError(`The TimestampPath '${state.TimestampPath}' does not select an ISO 8601 timestamp`);
  return Math.max(0, at - now);
}

/** `value` with every occurrence of `from` in its strings replaced by `to`. */
function replaceText(value: unknown, from: string, to: string): unknown {
  if (typeof value === "string") return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((item) => replaceText(item, from, to));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceText(item, from, to)]));
  return value;
}
