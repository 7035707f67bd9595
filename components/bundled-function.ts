import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EventSourceBus } from "./bus-ref";
import { bundleHandler, BundleOptions } from "./bundle";
import { DeploymentContext, stackContext } from "./context";
import { policyJson, PolicyStatement, serviceTrustPolicy } from "./iam";
import { NAME_LIMITS, physicalName } from "./naming";
import { Queue, QueueConsumerArgs } from "./queue";
import { assertInteger, assertLogRetention } from "./validation";

export type LambdaRuntime = "nodejs22.x" | "nodejs24.x";

export interface AsyncInvokeArgs {
  /** Retries of a failed asynchronous invoke (0 to 2). Default: 2, as in AWS. */
  maximumRetryAttempts?: number;
  /** Age after which an asynchronous event is dropped to the failure destination (60 to 21,600 s). Default: 21,600 (6 hours), as in AWS. */
  maximumEventAgeInSeconds?: number;
  /** Where events that still fail are sent. The function's role is granted to send there. Default: none, they are dropped. */
  onFailure?: Queue;
}

export interface BundledFunctionArgs {
  /** The handler's TypeScript or JavaScript entry file, bundled with esbuild. Required. */
  entry: string;
  /** Exported handler function name in the entry. Default: `handler`. */
  handlerExport?: string;
  /** The function's description. Default: none. */
  description?: string;
  /** Lambda runtime. Default: `nodejs24.x` (supported until 2028, where nodejs22.x is deprecated on 2027-04-30, https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). */
  runtime?: LambdaRuntime;
  /** Instruction set. Default: `arm64`. */
  architecture?: "arm64" | "x86_64";
  /** Memory in MB (128 to 10,240). Default: 256. */
  memorySize?: number;
  /** Timeout of one invocation in seconds. Default: 10. */
  timeoutSeconds?: number;
  /** Environment variables (`EVENT_BUS_NAME` is added for `publishes`). Default: none. */
  environment?: Record<string, pulumi.Input<string>>;
  /** Days the function's log group keeps its logs. Default: 14. */
  logRetentionDays?: number;
  /** X-Ray active tracing (the role may then write traces). Default: false (PassThrough). */
  tracing?: boolean;
  /** Concurrent executions reserved for the function (0 to 1000; 0 stops it). Default: none, it uses the account's unreserved concurrency. */
  reservedConcurrency?: number;
  /** Retries, event age and failure destination of asynchronous invokes. Default: AWS's (2 retries, 6 hours, no destination). */
  asyncInvoke?: AsyncInvokeArgs;
  /** The function publishes events to `bus`, only with these `source` values (`events:source` condition). Default: it publishes nowhere. */
  publishes?: { bus: EventSourceBus; sources: string[] };
  /** esbuild settings of the bundle. Default: everything bundled, for `node22` (see {@link BundleOptions}). */
  bundle?: BundleOptions;
  /** Name prefix and tags. Default: the running stack's ({@link stackContext}). */
  context?: DeploymentContext;
}

/**
 * A Lambda function built from a handler entry point: an esbuild bundle (never closure
 * serialization), its own role with only the grants it is given, a log group with retention, JSON
 * logs, optional tracing and a failure destination for asynchronous invokes.
 */
export class BundledFunction extends pulumi.ComponentResource {
  readonly logicalName: string;
  readonly function: aws.lambda.Function;
  readonly role: aws.iam.Role;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly timeoutSeconds: number;
  readonly bundleSha256: string;
  readonly rolePolicies: aws.iam.RolePolicy[] = [];
  readonly asyncInvokeConfig?: aws.lambda.FunctionEventInvokeConfig;

  constructor(name: string, args: BundledFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("event-routes:index:BundledFunction", name, {}, opts);
    this.logicalName = name;
    const context = args.context ?? stackContext();
    const where = `BundledFunction "${name}"`;
    this.timeoutSeconds = args.timeoutSeconds ?? 10;
    validateFunctionArgs(where, args, this.timeoutSeconds);

    const functionName = physicalName([context.namePrefix, name], NAME_LIMITS.function);
    let bundle;
    try {
      bundle = bundleHandler(args.entry, args.bundle);
    } catch (error) {
      throw new Error(`${where}: bundling ${args.entry} failed: ${(error as Error).message}`, { cause: error });
    }
    this.bundleSha256 = bundle.sha256;

    this.logGroup = new aws.cloudwatch.LogGroup(
      name,
      { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays ?? 14, tags: context.tags },
      { parent: this },
    );
    this.role = new aws.iam.Role(
      name,
      {
        name: physicalName([context.namePrefix, name], NAME_LIMITS.role),
        assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
        tags: context.tags,
      },
      { parent: this },
    );
    const baseline: pulumi.Input<PolicyStatement>[] = [
      { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${this.logGroup.arn}:*` },
    ];
    if (args.tracing) {
      // X-Ray's segment APIs have no resource-level permissions: "*" is the only resource they take.
      baseline.push({ Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" });
    }
    this.grant("logs", baseline);
    const environment: Record<string, pulumi.Input<string>> = { ...args.environment };
    if (args.publishes) {
      environment.EVENT_BUS_NAME = args.publishes.bus.name;
      this.grant("publish", [
        {
          Effect: "Allow",
          Action: "events:PutEvents",
          Resource: args.publishes.bus.arn,
          Condition: { StringEquals: { "events:source": args.publishes.sources } },
        },
      ]);
    }

    this.function = new aws.lambda.Function(
      name,
      {
        name: functionName,
        description: args.description,
        runtime: args.runtime ?? "nodejs24.x",
        architectures: [args.architecture ?? "arm64"],
        handler: `index.${args.handlerExport ?? "handler"}`,
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
        sourceCodeHash: bundle.sha256,
        role: this.role.arn,
        memorySize: args.memorySize ?? 256,
        timeout: this.timeoutSeconds,
        reservedConcurrentExecutions: args.reservedConcurrency,
        environment: Object.keys(environment).length > 0 ? { variables: environment } : undefined,
        loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
        tracingConfig: { mode: args.tracing ? "Active" : "PassThrough" },
        tags: context.tags,
      },
      // The role's grants must exist before the function can be invoked with them.
      { parent: this, dependsOn: [this.logGroup, ...this.rolePolicies] },
    );
    this.arn = this.function.arn;
    this.name = this.function.name;

    if (args.asyncInvoke) {
      const failure = args.asyncInvoke.onFailure;
      if (failure) this.grant("on-failure", failure.sendStatements());
      this.asyncInvokeConfig = new aws.lambda.FunctionEventInvokeConfig(
        name,
        {
          functionName: this.function.name,
          maximumRetryAttempts: args.asyncInvoke.maximumRetryAttempts ?? 2,
          maximumEventAgeInSeconds: args.asyncInvoke.maximumEventAgeInSeconds ?? 21_600,
          destinationConfig: failure ? { onFailure: { destination: failure.arn } } : undefined,
        },
        { parent: this, dependsOn: this.rolePolicies },
      );
    }
    this.registerOutputs({ arn: this.arn, name: this.name, bundleSha256: this.bundleSha256 });
  }

  /** Adds an inline policy to the function's role. */
  grant(name: string, statements: pulumi.Input<PolicyStatement>[]): aws.iam.RolePolicy {
    const policy = new aws.iam.RolePolicy(
      `${this.logicalName}-${name}`,
      { role: this.role.id, policy: policyJson(statements) },
      { parent: this },
    );
    this.rolePolicies.push(policy);
    return policy;
  }

  /** Makes this function consume `queue` (see `Queue.addConsumer`). */
  consume(queue: Queue, args: Omit<QueueConsumerArgs, "functionTimeoutSeconds"> = {}): aws.lambda.EventSourceMapping {
    return queue.addConsumer(this, { ...args, functionTimeoutSeconds: this.timeoutSeconds });
  }
}

function validateFunctionArgs(where: string, args: BundledFunctionArgs, timeout: number): void {
  const int = (key: string, value: number | undefined, min: number, max: number) => assertInteger(where, key, value, min, max);
  int("timeoutSeconds", timeout, 1, 900);
  int("memorySize", args.memorySize, 128, 10_240);
  int("reservedConcurrency", args.reservedConcurrency, 0, 1000);
  int("asyncInvoke.maximumRetryAttempts", args.asyncInvoke?.maximumRetryAttempts, 0, 2);
  int("asyncInvoke.maximumEventAgeInSeconds", args.asyncInvoke?.maximumEventAgeInSeconds, 60, 21_600);
  assertLogRetention(where, "logRetentionDays", args.logRetentionDays);
  for (const key of Object.keys(args.environment ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) throw new Error(`${where}: environment variable name "${key}" is not valid`);
    if (key.startsWith("AWS_")) throw new Error(`${where}: environment variable "${key}" is reserved by Lambda`);
  }
  if (args.publishes && args.publishes.sources.length === 0) {
    throw new Error(`${where}: publishes.sources must name at least one event source`);
  }
}
