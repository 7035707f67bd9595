import { randomUUID } from "crypto";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, LocalCloud, Message, Service } from "../../cloud";
import type { Principal, Statement } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";
import type { Operation } from "../../common/operation";
import type { InvokeResult, LambdaApi } from "../contracts";
import { AsyncInvokeQueue } from "./async-invoke";
import { materializeCode } from "./code";
import { acquireContainer, Container, DEFAULT_CONTAINERS_PER_FUNCTION, releaseContainer } from "./container";
import { lambdaTimestamp, type LocalFunction } from "./function";
import { lambdaOperations, type LambdaOperationsHost } from "./operations";
import { lambdaNodePath, lambdaRuntimeDirectory } from "./runtime-sdk";

export { DEFAULT_CONTAINERS_PER_FUNCTION } from "./container";

/** Runtimes the local containers can run (Node.js only: the bundles are JavaScript). */
const NODE_RUNTIME = /^nodejs(\d+)\.x$/;
const LOG_LINES_KEPT = 500;

/**
 * Lambda: each function runs its real deployment package in containers (worker threads, ./container.ts)
 * with the environment of its resource, its own module state and AWS credentials of its role, so its SDK
 * clients reach the local endpoint as that role. Synchronous invokes, asynchronous invokes with
 * AWS's retries and destinations (./async-invoke.ts), resource policies (`Permission`) and timeouts;
 * the wire operations are in ./operations.ts.
 */
export class LambdaService implements Service, LambdaApi, LambdaOperationsHost {
  readonly namespace = "lambda";
  readonly resourceTypes = [
    "aws:lambda/function:Function",
    "aws:lambda/permission:Permission",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
  ] as const;
  /** Lambda's REST Invoke and read API, as the endpoint routes them (`POST /2015-03-31/functions/{name}/invocations` ...). */
  readonly operations: Record<string, Operation>;
  private readonly functions = new Map<string, LocalFunction>();
  private readonly asyncInvokes: AsyncInvokeQueue;
  /** Echo every log line of every function to this sink (the CLI's --logs). */
  logSink?: (functionName: string, line: string) => void;

  constructor(
    private readonly cloud: LocalCloud,
    readonly containersPerFunction = DEFAULT_CONTAINERS_PER_FUNCTION,
  ) {
    if (!Number.isInteger(containersPerFunction) || containersPerFunction < 1) throw new Error(`containers per function must be a whole number >= 1, not ${containersPerFunction}`);
    this.operations = lambdaOperations(cloud, this);
    this.asyncInvokes = new AsyncInvokeQueue(cloud, (fn, payload, requestId) => this.execute(fn, payload, requestId));
  }

  functionRecords(): LocalFunction[] {
    return [...this.functions.values()];
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
        const fn = this.functionRecord(inputs.function);
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
        const fn = this.functionRecord(inputs.functionName);
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
    return this.functionRecord(ref).stats;
  }

  /** The last log lines a function wrote (its CloudWatch log stream, locally). */
  logs(ref: string): readonly string[] {
    return this.functionRecord(ref).logs;
  }

  async invoke(functionRef: string, payload: unknown, from: Principal): Promise<InvokeResult> {
    const fn = this.functionRecord(functionRef);
    authorizeOrThrow(this.cloud, from, "lambda:InvokeFunction", fn.arn);
    return this.cloud.clock.track(this.execute(fn, payload));
  }

  async invokeAsync(functionRef: string, payload: unknown, from: Principal): Promise<{ requestId: string }> {
    const fn = this.functionRecord(functionRef);
    authorizeOrThrow(this.cloud, from, "lambda:InvokeFunction", fn.arn);
    const requestId = randomUUID();
    // Lambda's internal queue: the caller gets 202 now, the function runs soon after.
    this.asyncInvokes.enqueue(fn, payload, requestId);
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

  private async execute(fn: LocalFunction, payload: unknown, requestId: string = randomUUID()): Promise<InvokeResult> {
    const limit = Math.min(fn.reservedConcurrency ?? this.containersPerFunction, this.containersPerFunction);
    const container = await acquireContainer(fn, limit, () => new Container(fn, (fn.containerEnvironment ??= this.environmentOf(fn)), (line) => this.log(fn, line)));
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
      releaseContainer(fn, container);
    }
  }

  private environmentOf(fn: LocalFunction): Record<string, string> {
    const { region } = this.cloud.identity;
    const credentials = this.cloud.issueCredentials({ kind: "role", arn: fn.roleArn }, fn.name);
    return {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      TZ: ":UTC",
      LANG: "en_US.UTF-8",
      // The runtime's AWS SDK v3, after the package's own node_modules (./runtime-sdk.ts).
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

  /** The function a name or ARN (qualified or partial) refers to; ResourceNotFoundException if none. */
  functionRecord(ref: string): LocalFunction {
    const fn = this.find(ref);
    if (!fn) throw new AwsError("ResourceNotFoundException", `Function not found: ${ref.startsWith("arn:") ? ref : this.cloud.arn("lambda", `function:${ref}`)}`, 404);
    return fn;
  }
}

/** "factory handled a batch of 3: 1 record reported failed", for the trace. */
function describeSuccess(name: string, event: unknown, result: unknown): string {
  const records = (event as { Records?: unknown[] } | undefined)?.Records;
  if (!Array.isArray(records)) return `${name} handled an event`;
  const failed = (result as { batchItemFailures?: unknown[] } | undefined)?.batchItemFailures?.length ?? 0;
  return `${name} handled a batch of ${records.length}${failed > 0 ? `: ${failed} record${failed === 1 ? "" : "s"} reported failed` : ""}`;
}
