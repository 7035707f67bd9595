import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import type { ClockMode } from "./clock";
import { INERT_TYPES, LocalCloud } from "./cloud";
import { Endpoint, startEndpoint } from "./endpoint";
import { CloudIdentity, DEFAULT_IDENTITY, RegisteredResource } from "./resource-graph";
import { readStackConfig, runProgram } from "./run-program";
import { DynamoDbService } from "./services/dynamodb/service";
import { EventBridgeService } from "./services/eventbridge/service";
import { EventSourceMappingService } from "./services/lambda/event-source-mapping";
import { IamService } from "./services/iam/service";
import { KinesisService } from "./services/kinesis/service";
import { KmsService } from "./services/kms/service";
import { LambdaService } from "./services/lambda/service";
import { SnsService } from "./services/sns/service";
import { SqsService } from "./services/sqs/service";
import { StepFunctionsService } from "./services/stepfunctions/service";

/** The port AWS tools conventionally use for a local cloud. */
export const DEFAULT_PORT = 4566;

export interface StackRecording {
  resources: RegisteredResource[];
  /** The program's stack outputs, resolved. */
  outputs: Record<string, unknown>;
}

export interface RecordOptions {
  /** The stack, whose Pulumi.<stack>.yaml configures the program. Required. */
  stack: string;
  /** Folder holding Pulumi.yaml and Pulumi.<stack>.yaml. Default: the working directory, as for `pulumi`. */
  root?: string;
  /** The Pulumi project name. Default: the `name` of Pulumi.yaml. */
  project?: string;
  /** The program's entry module. Default: Pulumi.yaml's `main`, else `index.ts`, in `root`. */
  entry?: string;
  /** Config on top of Pulumi.<stack>.yaml's. Default: none. */
  config?: Record<string, string>;
  /** Account, region and partition the program is deployed into. Default: the local cloud's default identity (123456789012, eu-west-1). */
  identity?: CloudIdentity;
}

const recordings = new Map<string, Promise<StackRecording>>();

/**
 * Runs the program for a stack through the Pulumi SDK's mocks, with that stack's config, and
 * records every resource it registers. Recordings are kept per process: a Pulumi program runs once
 * per process (its module registers at load), and each local cloud deploys the recording afresh.
 */
export function recordStack(options: RecordOptions): Promise<StackRecording> {
  const root = options.root ?? process.cwd();
  const entry = path.resolve(root, options.entry ?? programMain(root));
  const key = JSON.stringify([entry, options.stack, options.config ?? {}, options.identity ?? null]);
  let recording = recordings.get(key);
  if (!recording) {
    recording = record(root, entry, options);
    recordings.set(key, recording);
    recording.catch(() => recordings.delete(key));
  }
  return recording;
}

async function record(root: string, entry: string, options: RecordOptions): Promise<StackRecording> {
  const config = { ...readStackConfig(options.stack, root), ...(options.config ?? {}) };
  const { mocks, result } = await runProgram({
    project: options.project ?? projectName(root),
    stack: options.stack,
    config,
    identity: options.identity ?? DEFAULT_IDENTITY,
    // The program registers its resources when its module loads, as under `pulumi up`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    program: () => require(entry) as Record<string, unknown>,
  });
  return { resources: mocks.resources, outputs: await resolveOutputs(result) };
}

/** The program's entry: `main` of its Pulumi.yaml (https://www.pulumi.com/docs/iac/concepts/projects/project-file/), else index.ts. */
function programMain(root: string): string {
  const file = path.join(root, "Pulumi.yaml");
  const main: unknown = fs.existsSync(file) ? parseYaml(fs.readFileSync(file, "utf8"))?.main : undefined;
  return typeof main === "string" && main ? main : "index.ts";
}

function projectName(root: string): string {
  const name: unknown = parseYaml(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"))?.name;
  if (typeof name !== "string" || !name) throw new Error(`${path.join(root, "Pulumi.yaml")} has no project name`);
  return name;
}

async function resolveOutputs(exports: Record<string, unknown>): Promise<Record<string, unknown>> {
  const resolved: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exports ?? {})) {
    const output = value as { apply?: (fn: (v: unknown) => unknown) => unknown };
    resolved[name] = typeof output?.apply === "function" ? await new Promise((resolve) => output.apply!((v) => resolve(v))) : value;
  }
  return resolved;
}

/** A local cloud with every service this project emulates. */
export function createLocalCloud(options: { clock?: ClockMode; identity?: CloudIdentity; onError?: (error: unknown) => void; containersPerFunction?: number } = {}): LocalCloud {
  const cloud = new LocalCloud(options);
  return cloud
    .register(new IamService(cloud))
    .register(new KmsService(cloud))
    .register(new EventBridgeService(cloud))
    .register(new SqsService(cloud))
    .register(new LambdaService(cloud, options.containersPerFunction))
    .register(new EventSourceMappingService(cloud))
    .register(new StepFunctionsService(cloud))
    .register(new SnsService(cloud))
    .register(new KinesisService(cloud))
    .register(new DynamoDbService(cloud));
}

export interface LocalDeployment extends StackRecording {
  cloud: LocalCloud;
  endpoint: Endpoint;
  /** Warnings for the user: resource types not emulated, managed policies that could not be read. */
  warnings: string[];
  stop(): Promise<void>;
}

export interface DeployOptions extends RecordOptions {
  /** The endpoint's port on 127.0.0.1 (0: any free port). Default: 4566 ({@link DEFAULT_PORT}). */
  port?: number;
  /** `virtual`: the cloud's time jumps to the next timer when idle; `real`: wall-clock time. Default: `virtual`. */
  clock?: ClockMode;
  /** Called with failures of the cloud's background work; they are also kept in `cloud.errors`. Default: none. */
  onError?: (error: unknown) => void;
  /** Lambda containers per function. Default: one per two cores of this machine. */
  containersPerFunction?: number;
  /**
   * More programs deployed into the same cloud after the first, in order: another team's stack
   * that attaches to this one's bus, say. Their resources join `resources`; outputs are the first's.
   * Default: none.
   */
  also?: RecordOptions[];
}

/** Deploys a stack into a new local cloud and opens its endpoint. */
export async function deployLocal(options: DeployOptions): Promise<LocalDeployment> {
  const first = await recordStack(options);
  const others: StackRecording[] = [];
  // One program at a time: the Pulumi SDK's runtime state is process-wide.
  for (const other of options.also ?? []) others.push(await recordStack({ identity: options.identity, ...other }));
  const recording: StackRecording = { outputs: first.outputs, resources: [...first.resources, ...others.flatMap((other) => other.resources)] };
  const cloud = createLocalCloud({ clock: options.clock, identity: options.identity, onError: options.onError, containersPerFunction: options.containersPerFunction });
  const endpoint = await startEndpoint(cloud, options.port ?? DEFAULT_PORT);
  const stop = async () => {
    await cloud.stop();
    await endpoint.close();
  };
  try {
    await cloud.deploy(recording.resources);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...recording, cloud, endpoint, warnings: warningsOf(cloud), stop };
}

function warningsOf(cloud: LocalCloud): string[] {
  const warnings: string[] = [];
  if (cloud.notEmulated.size > 0) {
    warnings.push(`not emulated (deployed, but nothing runs them): ${[...cloud.notEmulated].map(([type, count]) => `${count} ${type}`).join(", ")}`);
  }
  if (cloud.inert.size > 0) {
    warnings.push(`kept inert (accepted, no behaviour locally): ${[...cloud.inert].map(([type, count]) => `${count} ${type.split(":").pop()} (${INERT_TYPES[type]})`).join(", ")}`);
  }
  const iam = cloud.service<IamService>("iam");
  if (iam.unknownManagedPolicies.length > 0) warnings.push(`AWS managed policies cannot be read locally and grant nothing here: ${iam.unknownManagedPolicies.join(", ")}`);
  const kms = cloud.service<KmsService>("kms");
  if (kms.unknownKeys.size > 0) warnings.push(`KMS keys not in the deployment cannot be read locally; their use is not checked: ${[...kms.unknownKeys].join(", ")}`);
  const events = cloud.service<EventBridgeService>("events");
  if (events.unemulatedTargets.length > 0) warnings.push(`rule targets not emulated (what they are sent is dropped and traced): ${events.unemulatedTargets.join(", ")}`);
  if (events.scheduledRules.length > 0) warnings.push(`scheduled rules do not fire locally: ${events.scheduledRules.join(", ")}`);
  return warnings;
}
