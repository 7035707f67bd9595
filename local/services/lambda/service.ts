import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, LocalCloud, Message, Service } from "../../cloud";
import type { Principal, Statement } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import type { EventBridgeApi, FunctionError, InvokeResult, LambdaApi } from "../contracts";
import { materializeCode } from "./code";
import { lambdaNodePath, lambdaRuntimeDirectory } from "./runtime-sdk";

/**
 * The worker that hosts a function is plain JavaScript, shipped as it is written (not compiled):
 * it lives in the package's services/lambda/ folder, found from the package root whether this module
 * runs from its source or from dist/.
 */
const BOOTSTRAP = path.join(packageRoot(__dirname), "services", "lambda", "bootstrap.cjs");

function packageRoot(dir: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, "package.json"))) return at;
    if (path.dirname(at) === at) throw new Error(`no package.json above ${dir}`);
  }
}
/** Runtimes the local containers can run (Node.js only: the bundles are JavaScript). */
const NODE_RUNTIME = /^nodejs(\d+)\.x$/;
/** AWS's asynchronous invoke retries wait one minute, then two. */
const ASYNC_RETRY_DELAYS_MS = [60_000, 120_000];
/**
 * Containers per function when the function reserves no concurrency. AWS scales to the account's
 * limit; a laptop cannot: on 2 cores, one container per function is 1.7x faster than four
 * (`npm run bench:local`), since every container is a thread with its own V8. Further invokes wait
 * for a free container. One per two cores by default; `LambdaService` takes another number.
 */
export const DEFAULT_CONTAINERS_PER_FUNCTION = Math.max(1, Math.floor(os.cpus().length / 2));
const LOG_LINES_KEPT = 500;

interface AsyncConfig {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  onFailure?: string;
  onSuccess?: string;
}

interface LocalFunction {
  name: string;
  arn: string;
  roleArn: string;
  handler: string;
  runtime: string;
  timeoutMs: number;
  memorySize: number;
  environment: Record<string, string>;
  deadLetterTarget?: string;
  reservedConcurrency?: number;
  async: AsyncConfig;
  code: unknown;
  taskRoot?: string;
  codeSize: number;
  codeSha256: string;
  description?: string;
  tracingMode?: string;
  tags: Record<string, string>;
  /** When it was deployed (GetFunctionConfiguration's LastModified). */
  lastModified: string;
  /** A FunctionEventInvokeConfig resource configured `async` (GetFunctionEventInvokeConfig). */
  eventInvokeConfigured: boolean;
  /** What every container of the function starts with; made on the first container. */
  containerEnvironment?: Record<string, string>;
  containers: Container[];
  waiting: (() => void)[];
  logs: string[];
  stats: { invocations: number; errors: number; timeouts: number; coldStarts: number; throttles: number };
}

interface Pending {
  resolve: (result: { ok: true; payload: unknown } | { ok: false; error: FunctionError }) => void;
}

/** One execution environment: a worker thread with the function's environment and module state. */
class Container {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private sequence = 0;
  busy = false;
  dead = false;

  constructor(fn: LocalFunction, environment: Record<string, string>, onLog: (line: string) => void) {
    const containerId = randomUUID().replace(/-/g, "");
    this.worker = new Worker(BOOTSTRAP, {
      env: environment,
      stdout: true,
      stderr: true,
      workerData: {
        taskRoot: fn.taskRoot,
        handler: fn.handler,
        functionName: fn.name,
        functionArn: fn.arn,
        memorySize: fn.memorySize,
        logGroupName: environment.AWS_LAMBDA_LOG_GROUP_NAME,
        containerId,
      },
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, fn.memorySize) },
    });
    const lines = (stream: NodeJS.ReadableStream) => {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        for (const line of parts) if (line) onLog(line);
      });
    };
    lines(this.worker.stdout);
    lines(this.worker.stderr);
    this.worker.on("message", (message: { id: number; ok: boolean; payload?: unknown; error?: FunctionError }) => {
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      pending?.resolve(message.ok ? { ok: true, payload: message.payload } : { ok: false, error: message.error! });
    });
    const crash = (error: FunctionError) => {
      this.dead = true;
      for (const pending of this.pending.values()) pending.resolve({ ok: false, error });
      this.pending.clear();
    };
    this.worker.on("error", (error) => crash({ errorType: "Runtime.ExitError", errorMessage: `RequestId: the runtime crashed: ${error.message}` }));
    this.worker.on("exit", (code) => crash({ errorType: "Runtime.ExitError", errorMessage: `Runtime exited with error: exit status ${code}` }));
  }

  run(event: unknown, requestId: string, timeoutMs: number, cloudClockOffset = 0): Promise<{ ok: true; payload: unknown } | { ok: false; error: FunctionError; timedOut?: boolean }> {
    const id = ++this.sequence;
    return new Promise((resolve) => {
      // The timeout is real time: the handler's code runs in real time, not on the cloud's clock.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.terminate();
        resolve({ ok: false, timedOut: true, error: { errorType: "Sandbox.Timedout", errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` } });
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      });
      this.worker.postMessage({ id, requestId, event, deadline: Date.now() + timeoutMs, cloudClockOffset });
    });
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

/**
 * Lambda: each function runs its real deployment package in containers (worker threads) with the
 * environment of its resource, its own module state and AWS credentials of its role, so its SDK
 * clients reach the local endpoint as that role. Synchronous invokes, asynchronous invokes with
 * AWS's retries and destinations, resource policies (`Permission`) and timeouts.
 */
export class LambdaService implements Service, LambdaApi {
  readonly namespace = "lambda";
  readonly resourceTypes = [
    "aws:lambda/function:Function",
    "aws:lambda/permission:Permission",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  ] as const;
  private readonly functions = new Map<string, LocalFunction>();
  /** Echo every log line of every function to this sink (the CLI's --logs). */
  logSink?: (functionName: string, line: string) => void;

  constructor(
    private readonly cloud: LocalCloud,
    readonly containersPerFunction = DEFAULT_CONTAINERS_PER_FUNCTION,
  ) {
    if (!Number.isInteger(containersPerFunction) || containersPerFunction < 1) throw new Error(`containers per function must be a whole number >= 1, not ${containersPerFunction}`);
  }

  /** Lambda's REST Invoke, as the endpoint routes it (`POST /2015-03-31/functions/{name}/invocations`). */
  readonly operations = {
    "Lambda.Invoke": async (body: { FunctionName: string; InvocationType: string; Payload: unknown }, caller: Principal) => {
      if (body.InvocationType === "Event") return { status: 202, ...(await this.invokeAsync(body.FunctionName, body.Payload, caller)) };
      if (body.InvocationType === "DryRun") {
        authorizeOrThrow(this.cloud, caller, "lambda:InvokeFunction", this.require(body.FunctionName).arn);
        return { status: 204, requestId: randomUUID() };
      }
      if (body.InvocationType !== "RequestResponse") throw new AwsError("InvalidParameterValueException", `InvocationType ${body.InvocationType} is not valid`);
      const result = await this.invoke(body.FunctionName, body.Payload, caller);
      return { status: 200, requestId: result.requestId, payload: result.functionError ?? result.payload, functionError: result.functionError ? "Unhandled" : undefined };
    },
    // The read API, each call authorized as lambda:<Action> on the function, or "*" where the action
    // has no resource type (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html).
    "Lambda.ListFunctions": (query: { Marker?: string; MaxItems?: string }, caller: Principal) => {
      authorizeOrThrow(this.cloud, caller, "lambda:ListFunctions", "*");
      const { page, next } = paginate([...this.functions.values()].sort((a, b) => a.name.localeCompare(b.name)), query);
      return { Functions: page.map((fn) => this.configurationOf(fn)), ...(next ? { NextMarker: next } : {}) };
    },
    "Lambda.GetFunction": (query: { FunctionName: string }, caller: Principal) => {
      const fn = this.readable(query.FunctionName, caller, "lambda:GetFunction");
      return {
        Configuration: this.configurationOf(fn),
        // AWS answers a presigned S3 URL of the zip; locally the code is the task root on disk.
        Code: { RepositoryType: "S3", Location: `file://${fn.taskRoot}` },
        ...(Object.keys(fn.tags).length > 0 ? { Tags: fn.tags } : {}),
        ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
      };
    },
    "Lambda.GetFunctionConfiguration": (query: { FunctionName: string }, caller: Principal) => this.configurationOf(this.readable(query.FunctionName, caller, "lambda:GetFunctionConfiguration")),
    "Lambda.GetPolicy": (query: { FunctionName: string }, caller: Principal) => {
      const fn = this.readable(query.FunctionName, caller, "lambda:GetPolicy");
      const statements = this.cloud.iam.resourcePolicies(fn.arn);
      if (statements.length === 0) throw new AwsError("ResourceNotFoundException", "The resource you requested does not exist.", 404);
      return { Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: statements }), RevisionId: fn.codeSha256 };
    },
    "Lambda.GetFunctionEventInvokeConfig": (query: { FunctionName: string }, caller: Principal) => {
      const fn = this.readable(query.FunctionName, caller, "lambda:GetFunctionEventInvokeConfig");
      if (!fn.eventInvokeConfigured) throw new AwsError("ResourceNotFoundException", `The function ${fn.arn} doesn't have an EventInvokeConfig`, 404);
      const destination = (arn: string | undefined) => (arn ? { Destination: arn } : {});
      return {
        FunctionArn: `${fn.arn}:$LATEST`,
        MaximumRetryAttempts: fn.async.maximumRetryAttempts,
        MaximumEventAgeInSeconds: fn.async.maximumEventAgeInSeconds,
        DestinationConfig: { OnSuccess: destination(fn.async.onSuccess), OnFailure: destination(fn.async.onFailure) },
        LastModified: Date.parse(fn.lastModified) / 1000,
      };
    },
    "Lambda.GetFunctionConcurrency": (query: { FunctionName: string }, caller: Principal) => {
      const fn = this.readable(query.FunctionName, caller, "lambda:GetFunctionConcurrency");
      return fn.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: fn.reservedConcurrency } : {};
    },
    "Lambda.ListTags": (query: { Resource: string }, caller: Principal) => ({ Tags: this.readable(query.Resource, caller, "lambda:ListTags").tags }),
  };

  /** FunctionConfiguration, as ListFunctions and GetFunctionConfiguration answer it. */
  private configurationOf(fn: LocalFunction) {
    return {
      FunctionName: fn.name,
      FunctionArn: fn.arn,
      Runtime: fn.runtime,
      Role: fn.roleArn,
      Handler: fn.handler,
      CodeSize: fn.codeSize,
      ...(fn.description ? { Description: fn.description } : {}),
      Timeout: fn.timeoutMs / 1000,
      MemorySize: fn.memorySize,
      LastModified: fn.lastModified,
      CodeSha256: fn.codeSha256,
      Version: "$LATEST",
      ...(Object.keys(fn.environment).length > 0 ? { Environment: { Variables: fn.environment } } : {}),
      ...(fn.deadLetterTarget ? { DeadLetterConfig: { TargetArn: fn.deadLetterTarget } } : {}),
      TracingConfig: { Mode: fn.tracingMode ?? "PassThrough" },
      RevisionId: fn.codeSha256,
      State: "Active",
      LastUpdateStatus: "Successful",
      PackageType: "Zip",
      Architectures: ["x86_64"],
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: "JSON", LogGroup: `/aws/lambda/${fn.name}` },
    };
  }

  /** The function a read names, once `caller` may read it with `action`. */
  private readable(ref: string, caller: Principal, action: string): LocalFunction {
    const fn = this.require(ref);
    authorizeOrThrow(this.cloud, caller, action, fn.arn);
    return fn;
  }

  async materialize(resource: RegisteredResource): Promise<void> {
    const { inputs, state } = resource;
    switch (resource.type) {
      case "aws:lambda/function:Function": {
        const runtime = String(inputs.runtime ?? "");
        const version = NODE_RUNTIME.exec(runtime);
        if (!version) throw new AwsError("InvalidParameterValueException", `runtime "${runtime}" cannot run in the local cloud (Node.js runtimes only)`);
        if (Number(version[1]) < 20) throw new AwsError("InvalidParameterValueException", `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions.`);
        const fn: LocalFunction = {
          name: state.name,
          arn: state.arn,
          roleArn: inputs.role,
          handler: inputs.handler ?? "index.handler",
          runtime,
          timeoutMs: (inputs.timeout ?? 3) * 1000,
          memorySize: inputs.memorySize ?? 128,
          environment: { ...(inputs.environment?.variables ?? {}) },
          deadLetterTarget: inputs.deadLetterConfig?.targetArn,
          reservedConcurrency: inputs.reservedConcurrentExecutions >= 0 ? inputs.reservedConcurrentExecutions : undefined,
          async: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 },
          code: inputs.code,
          codeSize: 0,
          codeSha256: "",
          description: inputs.description,
          tracingMode: inputs.tracingConfig?.mode,
          tags: { ...(inputs.tags ?? {}) },
          lastModified: lambdaTimestamp(this.cloud.clock.date()),
          eventInvokeConfigured: false,
          containers: [],
          waiting: [],
          logs: [],
          stats: { invocations: 0, errors: 0, timeouts: 0, coldStarts: 0, throttles: 0 },
        };
        if (!fn.handler.includes(".")) throw new AwsError("InvalidParameterValueException", `handler "${fn.handler}" must be <module>.<export>`);
        if (!this.cloud.iam.canAssume(fn.roleArn, "lambda.amazonaws.com")) throw new AwsError("InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.");
        const code = await materializeCode(inputs.code, fn.name);
        fn.taskRoot = code.root;
        fn.codeSize = code.size;
        fn.codeSha256 = code.sha256;
        this.functions.set(fn.name, fn);
        return;
      }
      case "aws:lambda/permission:Permission": {
        const fn = this.require(inputs.function);
        const principal = String(inputs.principal);
        const statement: Statement = {
          Sid: inputs.statementId ?? resource.name,
          Effect: "Allow",
          Principal: principal.endsWith(".amazonaws.com") ? { Service: principal } : { AWS: principal },
          Action: inputs.action,
          Resource: fn.arn,
          Condition: {
            ...(inputs.sourceArn ? { ArnLike: { "aws:SourceArn": inputs.sourceArn } } : {}),
            ...(inputs.sourceAccount ? { StringEquals: { "aws:SourceAccount": inputs.sourceAccount } } : {}),
          },
        };
        this.cloud.iam.putResourcePolicy(fn.arn, `permission:${statement.Sid}`, [statement]);
        return;
      }
      case "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": {
        const fn = this.require(inputs.functionName);
        fn.async = {
          maximumRetryAttempts: inputs.maximumRetryAttempts ?? 2,
          maximumEventAgeInSeconds: inputs.maximumEventAgeInSeconds ?? 21_600,
          onFailure: inputs.destinationConfig?.onFailure?.destination,
          onSuccess: inputs.destinationConfig?.onSuccess?.destination,
        };
        fn.eventInvokeConfigured = true;
        return;
      }
    }
  }

  functionArn(ref: string): string | undefined {
    return this.find(ref)?.arn;
  }

  roleOf(ref: string): string | undefined {
    return this.find(ref)?.roleArn;
  }

  timeoutSecondsOf(ref: string): number | undefined {
    const fn = this.find(ref);
    return fn && fn.timeoutMs / 1000;
  }

  /** Where failed asynchronous invokes go: failure destinations and dead-letter targets. */
  failureDestinations(): Set<string> {
    const arns = new Set<string>();
    for (const fn of this.functions.values()) for (const arn of [fn.async.onFailure, fn.deadLetterTarget]) if (arn) arns.add(arn);
    return arns;
  }

  stats(ref: string) {
    return this.require(ref).stats;
  }

  /** The last log lines a function wrote (its CloudWatch log stream, locally). */
  logs(ref: string): readonly string[] {
    return this.require(ref).logs;
  }

  async invoke(functionRef: string, payload: unknown, from: Principal): Promise<InvokeResult> {
    const fn = this.require(functionRef);
    authorizeOrThrow(this.cloud, from, "lambda:InvokeFunction", fn.arn);
    return this.cloud.clock.track(this.execute(fn, payload));
  }

  async invokeAsync(functionRef: string, payload: unknown, from: Principal): Promise<{ requestId: string }> {
    const fn = this.require(functionRef);
    authorizeOrThrow(this.cloud, from, "lambda:InvokeFunction", fn.arn);
    const requestId = randomUUID();
    const queuedAt = this.cloud.clock.now();
    // Lambda's internal queue: the caller gets 202 now, the function runs soon after.
    this.cloud.clock.spawn(() => this.runAsync(fn, payload, requestId, queuedAt, 1));
    return { requestId };
  }

  async deliver(arn: string, message: Message, from: Principal): Promise<void> {
    let payload: unknown;
    try {
      payload = JSON.parse(message.body);
    } catch {
      payload = message.body;
    }
    await this.invokeAsync(arn, payload, from);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.functions.values()].flatMap((fn) => fn.containers.map((container) => container.terminate())));
    for (const fn of this.functions.values()) fn.containers = [];
  }

  private async runAsync(fn: LocalFunction, payload: unknown, requestId: string, queuedAt: number, attempt: number, throttles = 0): Promise<void> {
    let result: InvokeResult;
    try {
      result = await this.execute(fn, payload, requestId);
    } catch (error) {
      if (!(error instanceof AwsError) || error.code !== "TooManyRequestsException") throw error;
      // A throttled event stays in Lambda's queue and is tried again until it is too old; throttles
      // do not count as retries.
      const delay = Math.min(1000 * 2 ** throttles, 300_000);
      if (this.cloud.clock.now() - queuedAt + delay <= fn.async.maximumEventAgeInSeconds * 1000) {
        this.cloud.clock.schedule(delay, () => this.cloud.clock.spawn(() => this.runAsync(fn, payload, requestId, queuedAt, attempt, throttles + 1)));
        return;
      }
      result = { requestId, functionError: { errorType: error.code, errorMessage: error.message } };
      return this.giveUp(fn, payload, requestId, attempt - 1, "EventAgeExceeded", result);
    }
    if (!result.functionError) {
      if (!fn.async.onSuccess) return;
      try {
        await this.sendRecord(fn, fn.async.onSuccess, this.invocationRecord(fn, payload, requestId, attempt, "Success", result));
      } catch (error) {
        this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "target.dropped", resource: fn.name, summary: `${fn.name}: the success record could not be sent to ${fn.async.onSuccess}: ${(error as Error).message}`, payload });
      }
      return;
    }
    const age = this.cloud.clock.now() - queuedAt;
    const retriesLeft = attempt <= fn.async.maximumRetryAttempts;
    const delay = ASYNC_RETRY_DELAYS_MS[attempt - 1] ?? ASYNC_RETRY_DELAYS_MS[ASYNC_RETRY_DELAYS_MS.length - 1];
    if (retriesLeft && age + delay <= fn.async.maximumEventAgeInSeconds * 1000) {
      this.cloud.clock.schedule(delay, () => this.cloud.clock.spawn(() => this.runAsync(fn, payload, requestId, queuedAt, attempt + 1)));
      return;
    }
    await this.giveUp(fn, payload, requestId, attempt, retriesLeft ? "EventAgeExceeded" : "RetriesExhausted", result);
  }

  /** An asynchronous event Lambda stops trying: to the failure destination or DLQ, or dropped. */
  private async giveUp(fn: LocalFunction, payload: unknown, requestId: string, attempts: number, condition: string, result: InvokeResult): Promise<void> {
    const failure = result.functionError!;
    const destination = fn.async.onFailure ?? fn.deadLetterTarget;
    const at = this.cloud.clock.now();
    this.cloud.trace.record({
      at,
      kind: "function.async-failed",
      resource: fn.name,
      summary: `${fn.name}: ${condition} after ${attempts} attempts (${failure.errorType}: ${failure.errorMessage})${destination ? `, sent to ${destination.split(":").pop()}` : ", dropped (no destination)"}`,
      payload,
    });
    try {
      if (fn.async.onFailure) {
        await this.sendRecord(fn, fn.async.onFailure, this.invocationRecord(fn, payload, requestId, attempts, condition, result));
      } else if (fn.deadLetterTarget) {
        await this.cloud.deliver(
          fn.deadLetterTarget,
          {
            body: JSON.stringify(payload),
            attributes: {
              RequestID: { DataType: "String", StringValue: requestId },
              ErrorCode: { DataType: "Number", StringValue: "200" },
              ErrorMessage: { DataType: "String", StringValue: failure.errorMessage },
            },
          },
          { kind: "role", arn: fn.roleArn },
        );
      }
    } catch (error) {
      // The role cannot write its destination (a missing grant): AWS loses the event; say so.
      this.cloud.trace.record({ at, kind: "target.dropped", resource: fn.name, summary: `${fn.name}: the failed event could not be sent to ${destination}: ${(error as Error).message}`, payload });
    }
  }

  /** The invocation record Lambda sends to a destination. */
  private invocationRecord(fn: LocalFunction, payload: unknown, requestId: string, attempts: number, condition: string, result: InvokeResult) {
    return {
      version: "1.0",
      timestamp: this.cloud.clock.date().toISOString(),
      requestContext: { requestId, functionArn: `${fn.arn}:$LATEST`, condition, approximateInvokeCount: attempts },
      requestPayload: payload,
      responseContext: { statusCode: 200, executedVersion: "$LATEST", ...(result.functionError ? { functionError: "Unhandled" } : {}) },
      responsePayload: result.functionError ?? result.payload,
    };
  }

  /** Destinations are written with the function's execution role, as in AWS. */
  private async sendRecord(fn: LocalFunction, destination: string, record: unknown): Promise<void> {
    const body = JSON.stringify(record);
    const service = destination.split(":")[2];
    const role: Principal = { kind: "role", arn: fn.roleArn };
    if (service === "events") {
      const outcome = (record as { requestContext: { condition: string } }).requestContext.condition === "Success" ? "Success" : "Failure";
      const events = this.cloud.service<Service & EventBridgeApi>("events");
      await events.putEvents([{ Source: "lambda", DetailType: `Lambda Function Invocation Result - ${outcome}`, Detail: body, EventBusName: destination }], role);
      return;
    }
    await this.cloud.deliver(destination, { body }, role);
  }

  private async execute(fn: LocalFunction, payload: unknown, requestId: string = randomUUID()): Promise<InvokeResult> {
    const container = await this.acquire(fn);
    fn.stats.invocations++;
    try {
      // The handler reads the cloud's clock (bootstrap.cjs); it stands still while this runs.
      const outcome = await container.run(payload, requestId, fn.timeoutMs, this.cloud.clock.now() - Date.now());
      const at = this.cloud.clock.now();
      if (outcome.ok) {
        this.cloud.trace.record({ at, kind: "function.invoked", resource: fn.name, summary: describeSuccess(fn.name, payload, outcome.payload), payload, result: outcome.payload });
        return { payload: outcome.payload, requestId };
      }
      fn.stats.errors++;
      if ("timedOut" in outcome && outcome.timedOut) fn.stats.timeouts++;
      this.cloud.trace.record({ at, kind: "function.failed", resource: fn.name, summary: `${fn.name} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`, payload });
      this.log(fn, JSON.stringify({ level: "ERROR", requestId, errorType: outcome.error.errorType, errorMessage: outcome.error.errorMessage }));
      return { functionError: outcome.error, requestId };
    } finally {
      this.release(fn, container);
    }
  }

  private async acquire(fn: LocalFunction): Promise<Container> {
    const limit = Math.min(fn.reservedConcurrency ?? this.containersPerFunction, this.containersPerFunction);
    if (fn.reservedConcurrency === 0) {
      fn.stats.throttles++;
      throw new AwsError("TooManyRequestsException", "Rate Exceeded.", 429);
    }
    for (;;) {
      fn.containers = fn.containers.filter((container) => !container.dead);
      const idle = fn.containers.find((container) => !container.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (fn.containers.length < limit) {
        const container = new Container(fn, (fn.containerEnvironment ??= this.environmentOf(fn)), (line) => this.log(fn, line));
        fn.stats.coldStarts++;
        container.busy = true;
        fn.containers.push(container);
        return container;
      }
      await new Promise<void>((resolve) => fn.waiting.push(resolve));
    }
  }

  private release(fn: LocalFunction, container: Container): void {
    container.busy = false;
    fn.waiting.shift()?.();
  }

  private environmentOf(fn: LocalFunction): Record<string, string> {
    const { region } = this.cloud.identity;
    const credentials = this.cloud.issueCredentials({ kind: "role", arn: fn.roleArn }, fn.name);
    return {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      TZ: ":UTC",
      LANG: "en_US.UTF-8",
      // The runtime's AWS SDK v3, after the package's own node_modules (./lambda-runtime-sdk.ts).
      NODE_PATH: lambdaNodePath(fn.taskRoot!),
      ...fn.environment,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_LAMBDA_LOG_FORMAT: "JSON",
      LAMBDA_TASK_ROOT: fn.taskRoot!,
      LAMBDA_RUNTIME_DIR: lambdaRuntimeDirectory(),
      _HANDLER: fn.handler,
      AWS_ENDPOINT_URL: this.cloud.endpointUrl,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      // The SDK must not look for other credentials or config files of this machine.
      AWS_SDK_LOAD_CONFIG: "0",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
  }

  private log(fn: LocalFunction, line: string): void {
    fn.logs.push(line);
    if (fn.logs.length > LOG_LINES_KEPT) fn.logs.splice(0, fn.logs.length - LOG_LINES_KEPT);
    this.logSink?.(fn.name, line);
  }

  private find(ref: string): LocalFunction | undefined {
    if (!ref) return undefined;
    // name, ARN, qualified ARN ($LATEST) or partial ARN
    const name = ref.startsWith("arn:") ? ref.split(":")[6] : ref.includes(":") ? ref.split(":")[0] : ref;
    return this.functions.get(name);
  }

  private require(ref: string): LocalFunction {
    const fn = this.find(ref);
    if (!fn) throw new AwsError("ResourceNotFoundException", `Function not found: ${ref.startsWith("arn:") ? ref : this.cloud.arn("lambda", `function:${ref}`)}`, 404);
    return fn;
  }
}

/** Lambda's timestamp form, `2026-12-01T21:00:00.000+0000`. */
function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}

/**
 * A page of a Lambda list: `Marker` is where the previous page stopped, `MaxItems` at most 50
 * (https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html).
 */
export function paginate<T>(items: readonly T[], query: { Marker?: string; MaxItems?: string }): { page: T[]; next?: string } {
  const max = query.MaxItems === undefined ? 50 : Number(query.MaxItems);
  if (!Number.isInteger(max) || max < 1 || max > 50) {
    throw new AwsError("ValidationException", `1 validation error detected: Value '${query.MaxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 50`);
  }
  const start = query.Marker === undefined ? 0 : Number(query.Marker);
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw new AwsError("InvalidParameterValueException", `Marker ${query.Marker} is not valid`);
  const page = items.slice(start, start + max);
  return { page, next: start + max < items.length ? String(start + max) : undefined };
}

/** "factory handled a batch of 3: 1 record reported failed", for the trace. */
function describeSuccess(name: string, event: unknown, result: unknown): string {
  const records = (event as { Records?: unknown[] } | undefined)?.Records;
  if (!Array.isArray(records)) return `${name} handled an event`;
  const failed = (result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length ?? 0;
  return `${name} handled a batch of ${records.length}${failed > 0 ? `: ${failed} record${failed === 1 ? "" : "s"} reported failed` : ""}`;
}
