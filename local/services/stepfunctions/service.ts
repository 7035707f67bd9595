import { randomUUID } from "crypto";
import { NAMES } from "@event-routes/aws-model";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud, type Message, type Service } from "../../cloud";
import type { Operation } from "../../common/operation";
import type { Principal } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import { parseDefinition, prepareDefinition } from "./definition";
import { Execution, type ExecutableMachine, type ExecutionHost, type ExecutionRecord, type ExecutionStatus } from "./execution";
import { stepFunctionsOperations, type StepFunctionsOperationsHost } from "./operations";
import { TaskTokens } from "./tokens";
import { checkName, parseInput } from "./wire";

export type { ExecutionRecord } from "./execution";

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

export class StepFunctionsService implements Service, ExecutionHost, StepFunctionsOperationsHost {
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
    this.operations = stepFunctionsOperations(this);
  }

  materialize(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    const name: string = state.name ?? inputs.name ?? resource.name;
    checkName(name, NAMES.stateMachine);
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
    const machine = this.machineRecord(arn);
    authorizeOrThrow(this.cloud, from, "states:StartExecution", machine.arn);
    this.launch(machine, parseInput(message.body));
  }

  async stop(): Promise<void> {
    for (const execution of this.executionsByArn.values()) execution.stop("ABORTED", "States.Aborted", "The local cloud stopped");
  }

  // ---- programmatic API (tests, CLI) ----

  /** Starts an execution; `from` (when given) must be allowed states:StartExecution. */
  startExecution(stateMachineArn: string, input: unknown = {}, from?: Principal, name?: string): { executionArn: string; done: Promise<ExecutionRecord> } {
    const machine = this.machineRecord(stateMachineArn);
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
    this.executionRun(executionArn).stop("ABORTED", error, cause);
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

  /** Starts an execution of `machine` (StartExecution is idempotent for the same name and input). */
  launch(machine: StateMachineRecord, input: unknown, requestedName?: string): Execution {
    const name = requestedName ?? randomUUID();
    checkName(name, NAMES.execution);
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

  /** The state machine of an ARN; StateMachineDoesNotExist if none. */
  machineRecord(arn: string): StateMachineRecord {
    const machine = this.machines.get(arn);
    if (!machine) throw new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  /** The execution of an ARN; ExecutionDoesNotExist if none is kept. */
  executionRun(arn: string): Execution {
    const execution = this.executionsByArn.get(arn);
    if (!execution) throw new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
    return execution;
  }
}
