import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LOG_RETENTION_DAYS } from "@event-routes/components";

/**
 * Everything that differs between stacks. `Pulumi.<stack>.yaml` holds it under the project's
 * namespace; it is validated whole, and an error names the key and the stack file.
 */
export const PROJECT = "dealership-events";

const logRetention = z
  .number()
  .int()
  .refine((d) => LOG_RETENTION_DAYS.includes(d), { message: `must be a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(", ")}` });

export const configSchema = z
  .object({
    /** Days the bus archive keeps events for replay (0: forever). */
    archiveRetentionDays: z.number().int().min(0).max(36_500),
    /** Retention of function, workflow and bus logs. */
    logRetentionDays: logRetention,
    /** Memory of every handler function, in MB. */
    lambdaMemoryMb: z.number().int().min(128).max(10_240),
    /** Timeout of every handler function, in seconds (queues get 6x as visibility timeout). */
    lambdaTimeoutSeconds: z.number().int().min(1).max(900).default(10),
    /** X-Ray tracing of functions and the workflow. */
    tracing: z.boolean(),
    /** "customer-managed": a KMS key of ours for queues, topics, the table and the stream. "aws-managed": SSE-SQS and AWS managed keys (topics unencrypted). */
    encryption: z.enum(["customer-managed", "aws-managed"]),
    /** Step Functions type of the paperwork workflow. */
    workflowType: z.enum(["STANDARD", "EXPRESS"]),
    /** Pulumi `protect` on stateful resources (bus, archive, queues, table, stream, key). */
    protect: z.boolean(),
    /** Email addresses that receive alarms (confirm the subscription email once). */
    alarmEmails: z.array(z.string().email()).default([]),
    /** EventBridge bus log level, or "OFF". */
    busLogLevel: z.enum(["OFF", "ERROR", "INFO", "TRACE"]).default("ERROR"),
    /** Retries of a failed delivery to any rule target before it goes to the target DLQ. */
    targetRetryAttempts: z.number().int().min(0).max(185),
    /** Age after which an undelivered event goes to the target DLQ, in seconds. */
    targetMaxEventAgeSeconds: z.number().int().min(60).max(86_400),
    /** Receives before a message moves to a queue's dead-letter queue. */
    maxReceiveCount: z.number().int().min(1).max(1000).default(3),
    /** Accounts allowed to put events on the dealership bus (partners, other workloads). */
    allowPutEventsFromAccounts: z.array(z.string().regex(/^\d{12}$/, "must be a 12-digit account id")).default([]),
  })
  .strict();

export type DealershipConfig = z.infer<typeof configSchema>;

/** Reads and validates the stack's configuration; the error names each bad key and the stack file. */
export function loadConfig(): DealershipConfig {
  return parseConfig(pulumi.runtime.allConfig(), pulumi.getStack());
}

/** Validates raw Pulumi config (keys `<namespace>:<key>`, values as Pulumi stores them: strings or JSON). */
export function parseConfig(raw: Record<string, string>, stack: string): DealershipConfig {
  const values: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(raw)) {
    const [namespace, key] = fullKey.split(":");
    if (namespace !== PROJECT || key === undefined) continue;
    values[key] = decode(text);
  }
  const result = configSchema.safeParse(values);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys : undefined;
    if (unknownKeys) return `  ${unknownKeys.map((k) => `${PROJECT}:${k}`).join(", ")}: not a setting of this program (misspelt?)`;
    const key = issue.path.length > 0 ? `${PROJECT}:${issue.path.join(".")}` : PROJECT;
    const missing = issue.path.length === 1 && values[String(issue.path[0])] === undefined;
    return `  ${key}: ${missing ? "missing" : issue.message}`;
  });
  throw new Error(`Invalid configuration in Pulumi.${stack}.yaml:\n${problems.join("\n")}`);
}

/** Pulumi keeps structured values as JSON text and scalars as text: give each its JSON meaning. */
function decode(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
