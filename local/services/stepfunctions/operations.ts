import type {
  DescribeExecutionInput,
  DescribeStateMachineInput,
  ExecutionStatus,
  GetExecutionHistoryInput,
  ListExecutionsInput,
  ListStateMachinesInput,
  SendTaskFailureInput,
  SendTaskHeartbeatInput,
  SendTaskSuccessInput,
  StartExecutionInput,
  StartSyncExecutionInput,
  StopExecutionInput,
} from "@aws-sdk/client-sfn";
import { z } from "zod";
import { tiedTo, type Wire } from "../../common/sdk-shape";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud } from "../../cloud";
import type { Principal } from "../../iam";
import { operation, type Operation } from "../../common/operation";
import { decodeToken, encodeToken, paginate } from "../../common/pagination";
import type { Execution, ExecutionRecord } from "./execution";
import { historyEventToWire } from "./history";
import type { StateMachineRecord } from "./service";
import type { TaskTokens } from "./tokens";
import { parseInput, requireArn, seconds } from "./wire";

/** What the wire operations need of the service. */
export interface StepFunctionsOperationsHost {
  readonly cloud: LocalCloud;
  readonly tokens: TaskTokens;
  /** StateMachineDoesNotExist if there is none. */
  machineRecord(arn: string): StateMachineRecord;
  /** ExecutionDoesNotExist if there is none (or it was forgotten). */
  executionRun(arn: string): Execution;
  launch(machine: StateMachineRecord, input: unknown, name?: string): Execution;
  stateMachines(): StateMachineRecord[];
  execution(executionArn: string): ExecutionRecord | undefined;
}

const STATUSES = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"] as const satisfies readonly ExecutionStatus[];

// The shapes of AWS's JSON protocol (https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html).
// The ARNs the SDK marks required are optional here only where the handler answers their absence
// itself; `maxResults` is range-checked by the handler to word AWS's error.
const StartExecutionInput = tiedTo<Wire<StartExecutionInput & StartSyncExecutionInput>>()(z.object({ stateMachineArn: z.string(), name: z.string().optional(), input: z.string().optional(), traceHeader: z.string().optional() }));
const ExecutionArnInput = tiedTo<Wire<DescribeExecutionInput>>()(z.object({ executionArn: z.string() }));
const ListExecutionsInput = tiedTo<Wire<ListExecutionsInput>>()(z.object({
  // Either a stateMachineArn or a mapRunArn in AWS; without Map Runs locally, its absence is the handler's ValidationException.
  stateMachineArn: z.string().optional(),
  statusFilter: z.enum(STATUSES, { error: () => `Member must satisfy enum value set: [${STATUSES.join(", ")}]` }).optional(),
  maxResults: z.number().optional(),
  nextToken: z.string().optional(),
}));
const GetExecutionHistoryInput = tiedTo<Wire<GetExecutionHistoryInput>>()(z.object({
  executionArn: z.string(),
  maxResults: z.number().optional(),
  reverseOrder: z.boolean().optional(),
  nextToken: z.string().optional(),
  includeExecutionData: z.boolean().optional(),
}));
const StopExecutionInput = tiedTo<Wire<StopExecutionInput>>()(z.object({ executionArn: z.string(), error: z.string().optional(), cause: z.string().optional() }));
const SendTaskSuccessInput = tiedTo<Wire<SendTaskSuccessInput>>()(z.object({ taskToken: z.string(), output: z.string() }));
const SendTaskFailureInput = tiedTo<Wire<SendTaskFailureInput>>()(z.object({ taskToken: z.string(), error: z.string().optional(), cause: z.string().optional() }));
const SendTaskHeartbeatInput = tiedTo<Wire<SendTaskHeartbeatInput>>()(z.object({ taskToken: z.string() }));
const ListStateMachinesInput = tiedTo<Wire<ListStateMachinesInput>>()(z.object({ maxResults: z.number().optional(), nextToken: z.string().optional() }));
const StateMachineArnInput = tiedTo<Wire<DescribeStateMachineInput>>()(z.object({ stateMachineArn: z.string() }));

/**
 * Step Functions' wire operations (`AWSStepFunctions.StartExecution` ...), each authorized as
 * states:<Action> on the state machine or execution it names.
 */
export function stepFunctionsOperations(host: StepFunctionsOperationsHost): Record<string, Operation> {
  const { cloud } = host;
  const machineFor = (arn: string | undefined, caller: Principal, action: string): StateMachineRecord => {
    const checked = requireArn(arn, "stateMachineArn", ["stateMachine"]);
    authorizeOrThrow(cloud, caller, action, checked);
    return host.machineRecord(checked);
  };
  const executionFor = (arn: string, caller: Principal, action: string): Execution => {
    const checked = requireArn(arn, "executionArn", ["execution", "express"]);
    authorizeOrThrow(cloud, caller, action, checked);
    return host.executionRun(checked);
  };
  /** SendTask*: authorized on the state machine of the execution waiting for the token. */
  const taskFor = (token: string, caller: Principal, action: string): void => {
    const task = host.tokens.waitingTask(token);
    authorizeOrThrow(cloud, caller, action, host.execution(task.executionArn)?.stateMachineArn ?? "*");
  };
  return {
    "AWSStepFunctions.StartExecution": operation(StartExecutionInput, (request, caller) => {
      const machine = machineFor(request.stateMachineArn, caller, "states:StartExecution");
      const execution = host.launch(machine, request.input === undefined ? {} : parseInput(request.input), request.name);
      return { executionArn: execution.record.executionArn, startDate: seconds(execution.record.startDate) };
    }),
    "AWSStepFunctions.StartSyncExecution": operation(StartExecutionInput, async (request, caller) => {
      const machine = machineFor(request.stateMachineArn, caller, "states:StartSyncExecution");
      if (machine.type !== "EXPRESS") throw new AwsError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
      const record = await host.launch(machine, request.input === undefined ? {} : parseInput(request.input), request.name).done;
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
    }),
    "AWSStepFunctions.DescribeExecution": operation(ExecutionArnInput, ({ executionArn }, caller) => describeExecution(executionFor(executionArn, caller, "states:DescribeExecution").record)),
    "AWSStepFunctions.ListExecutions": operation(ListExecutionsInput, (request, caller) => {
      const machine = machineFor(request.stateMachineArn, caller, "states:ListExecutions");
      if (machine.type === "EXPRESS") throw new AwsError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
      const limit = maxResultsOf(request.maxResults);
      // Newest first, as AWS lists them. The token's position is the start order of the last one
      // listed, so executions started between pages do not shift the next page.
      const before = request.nextToken === undefined ? Infinity : decodeToken(request.nextToken, () => invalidToken(request.nextToken)).offset;
      const page: Execution[] = [];
      let more = false;
      for (const execution of [...machine.executions].reverse()) {
        if (execution.sequence >= before || (request.statusFilter && execution.record.status !== request.statusFilter)) continue;
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
        ...(more ? { nextToken: encodeToken({ offset: page[page.length - 1].sequence }) } : {}),
      };
    }),
    "AWSStepFunctions.GetExecutionHistory": operation(GetExecutionHistoryInput, (request, caller) => {
      const { record } = executionFor(request.executionArn, caller, "states:GetExecutionHistory");
      const events = request.reverseOrder ? [...record.history].reverse() : record.history;
      const { page, next } = paginate(events, request.nextToken, maxResultsOf(request.maxResults), () => invalidToken(request.nextToken));
      return { events: page.map((event) => historyEventToWire(event, request.includeExecutionData ?? true)), ...(next ? { nextToken: next } : {}) };
    }),
    "AWSStepFunctions.StopExecution": operation(StopExecutionInput, (request, caller) => {
      const execution = executionFor(request.executionArn, caller, "states:StopExecution");
      execution.stop("ABORTED", request.error, request.cause);
      return { stopDate: seconds(execution.record.stopDate ?? cloud.clock.now()) };
    }),
    "AWSStepFunctions.SendTaskSuccess": operation(SendTaskSuccessInput, ({ taskToken, output }, caller) => {
      taskFor(taskToken, caller, "states:SendTaskSuccess");
      let parsed: unknown;
      try {
        parsed = JSON.parse(output);
      } catch (error) {
        throw new AwsError("InvalidOutput", `Invalid Output: '${(error as Error).message}'`);
      }
      host.tokens.succeed(taskToken, parsed);
      return {};
    }),
    "AWSStepFunctions.SendTaskFailure": operation(SendTaskFailureInput, ({ taskToken, error, cause }, caller) => {
      taskFor(taskToken, caller, "states:SendTaskFailure");
      host.tokens.fail(taskToken, error, cause);
      return {};
    }),
    "AWSStepFunctions.SendTaskHeartbeat": operation(SendTaskHeartbeatInput, ({ taskToken }, caller) => {
      taskFor(taskToken, caller, "states:SendTaskHeartbeat");
      host.tokens.heartbeat(taskToken);
      return {};
    }),
    "AWSStepFunctions.ListStateMachines": operation(ListStateMachinesInput, (request, caller) => {
      authorizeOrThrow(cloud, caller, "states:ListStateMachines", "*");
      const machines = host.stateMachines().sort((a, b) => a.name.localeCompare(b.name));
      const { page, next } = paginate(machines, request.nextToken, maxResultsOf(request.maxResults), () => invalidToken(request.nextToken));
      return {
        stateMachines: page.map(({ arn, name, type, creationDate }) => ({ stateMachineArn: arn, name, type, creationDate: seconds(creationDate) })),
        ...(next ? { nextToken: next } : {}),
      };
    }),
    "AWSStepFunctions.DescribeStateMachine": operation(StateMachineArnInput, ({ stateMachineArn }, caller) => describeStateMachine(machineFor(stateMachineArn, caller, "states:DescribeStateMachine"))),
  };
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

function describeStateMachine(machine: StateMachineRecord) {
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

/** `maxResults` 0 to 1000, 0 (or none) meaning AWS's page of 100. */
function maxResultsOf(requested = 0): number {
  if (!Number.isInteger(requested) || requested < 0 || requested > 1000) {
    throw AwsError.validation(`1 validation error detected: Value '${requested}' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 1000`);
  }
  return requested === 0 ? 100 : requested;
}

/** Step Functions' answer to a token it did not give. */
function invalidToken(token: string | undefined): AwsError {
  return new AwsError("InvalidToken", `Invalid Token: '${String(token)}'`);
}
