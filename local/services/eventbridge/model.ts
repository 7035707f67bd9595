import { compileEventPattern, type EventPatternMatcher, InvalidEventPatternError } from "@event-routes/event-pattern";
import { AwsError } from "../../aws-error";
import type { compileTargetInput, PathKey } from "./input-transformer";

/** EventBridge's model: buses, their rules and targets, archives and replays, and what was done with events. */

export type EventBridgeEvent = Record<string, unknown> & { id: string; source: string; "detail-type": string; time: string; detail: unknown };

export interface Bus {
  name: string;
  arn: string;
  rules: Rule[];
  archives: Archive[];
}

export interface Rule {
  name: string;
  arn: string;
  bus: Bus;
  pattern?: string;
  schedule?: string;
  matcher?: EventPatternMatcher;
  enabled: boolean;
  description?: string;
  roleArn?: string;
  targets: Target[];
}

export interface Target {
  id: string;
  arn: string;
  roleArn?: string;
  settings: Record<string, unknown>;
  render: ReturnType<typeof compileTargetInput>;
  retry: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };
  deadLetterArn?: string;
  messageGroupId?: string;
  partitionKeyPath?: readonly PathKey[];
}

export interface Archive {
  name: string;
  arn: string;
  bus: Bus;
  matcher?: EventPatternMatcher;
  pattern?: string;
  retentionDays: number;
  events: { at: number; event: EventBridgeEvent }[];
}

export interface Replay {
  name: string;
  arn: string;
  state: "STARTING" | "RUNNING" | "COMPLETED" | "FAILED";
  archiveArn: string;
  destination: string;
  start: number;
  end: number;
  replayed: number;
}

/** Counts of what the buses did with events: for the CLI's summary and the benchmark. */
export interface BusStats {
  accepted: number;
  rejected: number;
  unmatched: number;
  deliveries: number;
  retries: number;
  deadLettered: number;
  dropped: number;
}

/** The ARN services of the targets EventBridge can deliver to locally. */
export const EMULATED_TARGETS = new Set(["sqs", "sns", "lambda", "states", "kinesis", "events"]);

/** An event pattern (JSON text) compiled, or the InvalidEventPatternException AWS answers with. */
export function compilePattern(pattern: string): EventPatternMatcher {
  try {
    return compileEventPattern(typeof pattern === "string" ? JSON.parse(pattern) : pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw new AwsError("InvalidEventPatternException", error.message);
    if (error instanceof SyntaxError) throw new AwsError("InvalidEventPatternException", `Event pattern is not valid. Reason: ${error.message}`);
    throw error;
  }
}

/** The last part of an ARN (a queue's or function's name), for the trace. */
export function shortName(arn: string): string {
  return arn.split(/[:/]/).pop() ?? arn;
}
