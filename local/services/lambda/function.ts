import type { Container } from "./container";

/** A function's asynchronous invoke settings (FunctionEventInvokeConfig), AWS's defaults otherwise. */
export interface AsyncConfig {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  onFailure?: string;
  onSuccess?: string;
}

/** A deployed function: its configuration, its containers and what it has done. */
export interface LocalFunction {
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

/** FunctionConfiguration, as ListFunctions and GetFunctionConfiguration answer it. */
export function configurationOf(fn: LocalFunction) {
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

/** Lambda's timestamp form, `2026-12-01T21:00:00.000+0000`. */
export function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}
