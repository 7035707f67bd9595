import { randomUUID } from "crypto";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Message, type Operation, type Service } from "../../cloud";
import type { Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import { parseDefinition, prepareDefinition } from "./definition";
import { Execution, type ExecutableMachine, type ExecutionHost, type ExecutionRecord, type ExecutionStatus } from "./execution";
import { historyEventToWire } from "./history";
import { TaskTokens } from "./tokens";

export type { ExecutionRecord, ExecutionStatus } from "./execution";
export type { HistoryEvent } from "./history";

/**
 * AWS Step Functions: state machines (`aws:sfn/stateMachine:StateMachine`) and their executions,
 * run by the aws-local-stepfunctions interpreter with the local cloud's integrations (Lambda, SNS,
 * EventBridge, SQS, `.waitForTaskToken`) and its clock (Wait states, Retry intervals, timeouts).
 * EventBridge starts executions through `deliver`; the wire operations are AWS's JSON protocol
 * (`AWSStepFunctions.StartExecution` ...); tests and the CLI use `startExecution` and friends.
 */

export type StateMachineType = "STANDARD" | "EXPRESS";

export interface StateMachineRecord extends ExecutableMachine {
  type: StateMachineType;
  /** The definition as deployed (JSON text). */
  definition: string;
  /** Cloud time (ms since the epoch). */
  creationDate: number;
  loggingConfiguration?: { level?: string; includeExecutionData?: boolean; logDestination?: string };
  tracingConfiguration?: { enabled?: boolean };
  executions: Set<Execution>;
}

export interface ExecutionCounters {
  started: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
}

const EXPRESS_MAX_SECONDS = 300;
const STATUSES: ReadonlySet<string> = new Set(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]);
/** Characters AWS refuses in state machine and execution names. */
// eslint-disable-next-line no-control-regex -- AWS refuses control characters in names
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

export class StepFunctionsService implements Service, ExecutionHost {
  readonly namespace = "states";
  readonly resourceTypes = ["aws:sfn/stateMachine:StateMachine"] as const;
  readonly tokens = new TaskTokens();
  readonly counters: ExecutionCounters = { started: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0 };
  /** Finished executions kept for Describe/List/GetExecutionHistory; the oldest are forgotten first. */
  retainExecutions = 5_000;
  readonly operations: Record<string, Operation>;
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly executionsByArn = new Map<string, Execution>();
  /** Finished executions, oldest first: the ones to forget beyond `retainExecutions`. */
  private readonly finishedInOrder = new Set<Execution>();
  private sequence = 0;

  constructor(readonly cloud: LocalCloud) {
    this.operations = {
      "AWSStepFunctions.StartExecution": (body, caller) => this.wireStartExecution(body, caller),
      "AWSStepFunctions.StartSyncExecution": (body, caller) => this.wireStartSyncExecution(body, caller),
      "AWSStepFunctions.DescribeExecution": (body, caller) => describeExecution(this.executionForCaller(body, caller, "states:DescribeExecution").record),
      "AWSStepFunctions.ListExecutions": (body, caller) => this.wireListExecutions(body, caller),
      "AWSStepFunctions.GetExecutionHistory": (body, caller) => this.wireGetExecutionHistory(body, caller),
      "AWSStepFunctions.StopExecution": (body, caller) => this.wireStopExecution(body, caller),
      "AWSStepFunctions.SendTaskSuccess": (body, caller) => this.wireSendTask(body, caller, "states:SendTaskSuccess"),
      "AWSStepFunctions.SendTaskFailure": (body, caller) => this.wireSendTask(body, caller, "states:SendTaskFailure"),
      "AWSStepFunctions.SendTaskHeartbeat": (body, caller) => this.wireSendTask(body, caller, "states:SendTaskHeartbeat"),
      "AWSStepFunctions.ListStateMachines": (body, caller) => this.wireListStateMachines(body, caller),
      "AWSStepFunctions.DescribeStateMachine": (body, caller) => this.wireDescribeStateMachine(body, caller),
    };
  }

  materialize(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    const name: string = state.name ?? inputs.name ?? resource.name;
    checkName(name);
    const type: StateMachineType = inputs.type ?? "STANDARD";
    if (type !== "STANDARD" && type !== "EXPRESS") throw AwsError.validation(`1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]`);
    if (!inputs.roleArn) throw AwsError.validation("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
    if (!this.cloud.iam.canAssume(inputs.roleArn, "states.amazonaws.com")) {
      throw new AwsError("AccessDeniedException", `Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.`);
    }
    const { text, parsed } = parseDefinition(inputs.definition);
    const prepared = prepareDefinition(text, parsed, type);
    const arn: string = state.arn ?? this.cloud.arn("states", `stateMachine:${name}`);
    if (this.machines.has(arn)) throw new AwsError("StateMachineAlreadyExists", `State Machine Already Exists: '${arn}'`);
    const limits = [prepared.timeoutSeconds, type === "EXPRESS" ? EXPRESS_MAX_SECONDS : undefined].filter((limit): limit is number => limit !== undefined);
    this.machines.set(arn, {
      arn,
      name,
      type,
      roleArn: inputs.roleArn,
      definition: text,
      prepared,
      timeoutSeconds: limits.length > 0 ? Math.min(...limits) : undefined,
      creationDate: this.cloud.clock.now(),
      loggingConfiguration: inputs.loggingConfiguration,
      tracingConfiguration: inputs.tracingConfiguration,
      executions: new Set(),
    });
  }

  /** EventBridge (a rule target with a role) starts an execution with the event as input. */
  async deliver(arn: string, message: Message, from: Principal): Promise<void> {
    const machine = this.machineOrThrow(arn);
    authorizeOrThrow(this.cloud, from, "states:StartExecution", machine.arn);
    this.launch(machine, parseInput(message.body));
  }

  async stop(): Promise<void> {
    for (const execution of this.executionsByArn.values()) execution.stop("ABORTED", "States.Aborted", "The local cloud stopped");
  }

  // ---- programmatic API (tests, CLI) ----

  /** Starts an execution; `from` (when given) must be allowed states:StartExecution. */
  startExecution(stateMachineArn: string, input: unknown = {}, from?: Principal, name?: string): { executionArn: string; done: Promise<ExecutionRecord> } {
    const machine = this.machineOrThrow(stateMachineArn);
    if (from) authorizeOrThrow(this.cloud, from, "states:StartExecution", machine.arn);
    const execution = this.launch(machine, input, name);
    return { executionArn: execution.record.executionArn, done: execution.done };
  }

  execution(executionArn: string): ExecutionRecord | undefined {
    return this.executionsByArn.get(executionArn)?.record;
  }

  /** Executions (of one state machine, or all), oldest first. */
  executions(stateMachineArn?: string): ExecutionRecord[] {
    const executions = stateMachineArn ? (this.machines.get(stateMachineArn)?.executions ?? []) : this.executionsByArn.values();
    return [...executions].map((execution) => execution.record);
  }

  stateMachine(arnOrName: string): StateMachineRecord | undefined {
    return this.machines.get(arnOrName) ?? [...this.machines.values()].find((machine) => machine.name === arnOrName);
  }

  stateMachines(): StateMachineRecord[] {
    return [...this.machines.values()];
  }

  stopExecution(executionArn: string, error?: string, cause?: string): number {
    this.executionOrThrow(executionArn).stop("ABORTED", error, cause);
    return this.cloud.clock.now();
  }

  sendTaskSuccess(taskToken: string, output: unknown): void {
    this.tokens.succeed(taskToken, output);
  }

  sendTaskFailure(taskToken: string, error?: string, cause?: string): void {
    this.tokens.fail(taskToken, error, cause);
  }

  sendTaskHeartbeat(taskToken: string): void {
    this.tokens.heartbeat(taskToken);
  }

  // ---- ExecutionHost ----

  finished(execution: Execution): void {
    const { record, machine } = execution;
    this.counters.running--;
    const counter = ({ SUCCEEDED: "succeeded", FAILED: "failed", TIMED_OUT: "timedOut", ABORTED: "aborted" } as const)[record.status as Exclude<ExecutionStatus, "RUNNING">];
    this.counters[counter]++;
    const succeeded = record.status === "SUCCEEDED";
    this.cloud.trace.record({
      at: this.cloud.clock.now(),
      kind: succeeded ? "execution.succeeded" : "execution.failed",
      resource: machine.name,
      summary: succeeded ? `execution ${record.name} succeeded` : `execution ${record.name} ${record.status.toLowerCase().replace("_", " ")}: ${record.error ?? ""}${record.cause ? ` (${record.cause})` : ""}`,
      // A failure carries the input too: it tells whose execution failed (the order, in the trace).
      payload: succeeded ? record.output : { status: record.status, error: record.error, cause: record.cause, input: record.input },
    });
    this.finishedInOrder.add(execution);
    this.forgetOldExecutions();
  }

  // ---- internals ----

  private launch(machine: StateMachineRecord, input: unknown, requestedName?: string | null): Execution {
    const name = requestedName ?? randomUUID();
    checkName(name);
    const executionArn =
      machine.type === "EXPRESS" ? this.cloud.arn("states", `express:${machine.name}:${name}:${randomUUID()}`) : this.cloud.arn("states", `execution:${machine.name}:${name}`);
    const existing = this.executionsByArn.get(executionArn);
    if (existing) {
      // StartExecution is idempotent for a running STANDARD execution of the same name and input.
      if (existing.record.status === "RUNNING" && JSON.stringify(existing.record.input) === JSON.stringify(input)) return existing;
      throw new AwsError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
    }
    this.counters.started++;
    this.counters.running++;
    this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "execution.started", resource: machine.name, summary: `${machine.name} execution ${name} started`, payload: input });
    const execution = new Execution(this, machine, executionArn, name, input, ++this.sequence);
    // An execution that cannot finish is the emulation's fault: reported to the cloud's error sink.
    execution.done.catch((error) => this.cloud.clock.spawn(() => Promise.reject(error)));
    this.executionsByArn.set(executionArn, execution);
    machine.executions.add(execution);
    return execution;
  }

  private forgetOldExecutions(): void {
    for (const execution of this.finishedInOrder) {
      if (this.executionsByArn.size <= this.retainExecutions) return;
      this.finishedInOrder.delete(execution);
      this.executionsByArn.delete(execution.record.executionArn);
      this.machines.get(execution.machine.arn)?.executions.delete(execution);
    }
  }

  private machineOrThrow(arn: string): StateMachineRecord {
    const machine = this.machines.get(arn);
    if (!machine) throw new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private executionOrThrow(arn: string): Execution {
    const execution = this.executionsByArn.get(arn);
    if (!execution) throw new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private machineForCaller(body: any, caller: Principal, action: string): StateMachineRecord {
    const arn = requireArn(body?.stateMachineArn, "stateMachineArn", ["stateMachine"]);
    authorizeOrThrow(this.cloud, caller, action, arn);
    return this.machineOrThrow(arn);
  }

  private executionForCaller(body: any, caller: Principal, action: string): Execution {
    const arn = requireArn(body?.executionArn, "executionArn", ["execution", "express"]);
    authorizeOrThrow(this.cloud, caller, action, arn);
    return this.executionOrThrow(arn);
  }

  private wireStartExecution(body: any, caller: Principal) {
    const machine = this.machineForCaller(body, caller, "states:StartExecution");
    const execution = this.launch(machine, body.input === undefined ? {} : parseInput(body.input), body.name);
    return { executionArn: execution.record.executionArn, startDate: seconds(execution.record.startDate) };
  }

  private async wireStartSyncExecution(body: any, caller: Principal) {
    const machine = this.machineForCaller(body, caller, "states:StartSyncExecution");
    if (machine.type !== "EXPRESS") throw new AwsError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
    const record = await this.launch(machine, body.input === undefined ? {} : parseInput(body.input), body.name).done;
    const { executionArn, stateMachineArn, name, startDate, stopDate, status, input, output, error, cause } = record;
    return {
      executionArn,
      stateMachineArn,
      name,
      startDate: seconds(startDate),
      stopDate: seconds(stopDate!),
      status,
      input: JSON.stringify(input),
      inputDetails: { included: true },
      ...(status === "SUCCEEDED" ? { output: JSON.stringify(output ?? null), outputDetails: { included: true } } : { error, cause }),
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil((stopDate! - startDate) / 100) * 100) },
    };
  }

  private wireListExecutions(body: any, caller: Principal) {
    const machine = this.machineForCaller(body, caller, "states:ListExecutions");
    if (machine.type === "EXPRESS") throw new AwsError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
    const { statusFilter } = body;
    if (statusFilter !== undefined && !STATUSES.has(statusFilter)) {
      throw AwsError.validation(`1 validation error detected: Value '${statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${[...STATUSES].join(", ")}]`);
    }
    const limit = maxResultsOf(body);
    const before = body.nextToken === undefined ? Infinity : decodeToken(body.nextToken);
    const page: Execution[] = [];
    let more = false;
    // Newest first, as AWS lists them; the token is the start order of the last one listed.
    for (const execution of [...machine.executions].reverse()) {
      if (execution.sequence >= before || (statusFilter && execution.record.status !== statusFilter)) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(execution);
    }
    return {
      executions: page.map(({ record }) => ({
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: seconds(record.startDate),
        ...(record.stopDate !== undefined ? { stopDate: seconds(record.stopDate) } : {}),
      })),
      ...(more ? { nextToken: encodeToken(page[page.length - 1].sequence) } : {}),
    };
  }

  private wireGetExecutionHistory(body: any, caller: Principal) {
    const { record } = this.executionForCaller(body, caller, "states:GetExecutionHistory");
    const limit = maxResultsOf(body);
    const offset = body.nextToken === undefined ? 0 : decodeToken(body.nextToken);
    const events = body.reverseOrder ? [...record.history].reverse() : record.history;
    const page = events.slice(offset, offset + limit);
    return {
      events: page.map((event) => historyEventToWire(event, body.includeExecutionData ?? true)),
      ...(offset + limit < events.length ? { nextToken: encodeToken(offset + limit) } : {}),
    };
  }

  private wireStopExecution(body: any, caller: Principal) {
    const execution = this.executionForCaller(body, caller, "states:StopExecution");
    execution.stop("ABORTED", body.error, body.cause);
    return { stopDate: seconds(execution.record.stopDate ?? this.cloud.clock.now()) };
  }

  private wireSendTask(body: any, caller: Principal, action: string) {
    const token: string = body?.taskToken;
    const task = this.tokens.waitingTask(token);
    authorizeOrThrow(this.cloud, caller, action, this.executionsByArn.get(task.executionArn)?.machine.arn ?? "*");
    if (action === "states:SendTaskHeartbeat") this.tokens.heartbeat(token);
    else if (action === "states:SendTaskFailure") this.tokens.fail(token, body.error, body.cause);
    else {
      if (typeof body.output !== "string") throw AwsError.validation("1 validation error detected: Value null at 'output' failed to satisfy constraint: Member must not be null");
      let output: unknown;
      try {
        output = JSON.parse(body.output);
      } catch (error) {
        throw new AwsError("InvalidOutput", `Invalid Output: '${(error as Error).message}'`);
      }
      this.tokens.succeed(token, output);
    }
    return {};
  }

  private wireListStateMachines(body: any, caller: Principal) {
    authorizeOrThrow(this.cloud, caller, "states:ListStateMachines", "*");
    const limit = maxResultsOf(body);
    const offset = body?.nextToken === undefined ? 0 : decodeToken(body.nextToken);
    const machines = [...this.machines.values()].sort((a, b) => a.name.localeCompare(b.name));
    return {
      stateMachines: machines
        .slice(offset, offset + limit)
        .map(({ arn, name, type, creationDate }) => ({ stateMachineArn: arn, name, type, creationDate: seconds(creationDate) })),
      ...(offset + limit < machines.length ? { nextToken: encodeToken(offset + limit) } : {}),
    };
  }

  private wireDescribeStateMachine(body: any, caller: Principal) {
    const machine = this.machineForCaller(body, caller, "states:DescribeStateMachine");
    const logging = machine.loggingConfiguration;
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: "ACTIVE",
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: seconds(machine.creationDate),
      loggingConfiguration: {
        level: logging?.level ?? "OFF",
        includeExecutionData: logging?.includeExecutionData ?? false,
        ...(logging?.logDestination ? { destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: logging.logDestination } }] } : {}),
      },
      tracingConfiguration: { enabled: machine.tracingConfiguration?.enabled ?? false },
    };
  }
}

function describeExecution(record: ExecutionRecord) {
  const { executionArn, stateMachineArn, name, status, startDate, stopDate, input, output, error, cause } = record;
  return {
    executionArn,
    stateMachineArn,
    name,
    status,
    startDate: seconds(startDate),
    ...(stopDate !== undefined ? { stopDate: seconds(stopDate) } : {}),
    input: JSON.stringify(input),
    inputDetails: { included: true },
    ...(status === "SUCCEEDED" ? { output: JSON.stringify(output ?? null), outputDetails: { included: true } } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(cause !== undefined ? { cause } : {}),
    redriveCount: 0,
  };
}

function checkName(name: unknown): void {
  if (typeof name !== "string" || name.length === 0 || name.length > 80 || INVALID_NAME.test(name)) throw new AwsError("InvalidName", `Invalid Name: '${name}'`);
}

function parseInput(text: unknown): unknown {
  if (typeof text !== "string") throw new AwsError("InvalidExecutionInput", "Invalid State Machine Execution Input: 'the input must be a JSON text'");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AwsError("InvalidExecutionInput", `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }
}

/** An ARN of Step Functions of one of `types` (`stateMachine`, `execution`, `express`). */
function requireArn(arn: unknown, field: string, types: string[]): string {
  if (arn === undefined || arn === null) throw AwsError.validation(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  const parts = typeof arn === "string" ? arn.split(":") : [];
  if (parts.length < 7 || parts[0] !== "arn" || parts[2] !== "states") throw new AwsError("InvalidArn", `Invalid Arn: 'Unable to parse ARN: ${String(arn)}'`);
  if (!types.includes(parts[5])) throw new AwsError("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${parts[5]}'`);
  return arn as string;
}

function maxResultsOf(body: any): number {
  const requested = body?.maxResults ?? 0;
  if (!Number.isInteger(requested) || requested < 0 || requested > 1000) {
    throw AwsError.validation(`1 validation error detected: Value '${requested}' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 1000`);
  }
  return requested === 0 ? 100 : requested;
}

function encodeToken(position: number): string {
  return Buffer.from(JSON.stringify({ position })).toString("base64");
}

function decodeToken(token: unknown): number {
  try {
    const { position } = JSON.parse(Buffer.from(String(token), "base64").toString("utf8"));
    if (Number.isInteger(position) && position >= 0) return position;
  } catch {
    // reported below
  }
  throw new AwsError("InvalidToken", `Invalid Token: '${String(token)}'`);
}

function seconds(ms: number): number {
  return ms / 1000;
}
