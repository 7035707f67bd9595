import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { CloudIdentity, DEFAULT_IDENTITY, RecordingMocks } from "./resource-graph";

/** The config of `Pulumi.<stack>.yaml` in `root` (default: the working directory, as for `pulumi`) as Pulumi hands it to a program: `ns:key` to text or JSON. */
export function readStackConfig(stack: string, root = process.cwd()): Record<string, string> {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`no stack "${stack}": ${file} does not exist`);
  const doc = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
  const config: Record<string, unknown> = doc.config ?? {};
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

export interface ProgramRun<T> {
  mocks: RecordingMocks;
  /** What the program function returned. */
  result: T;
}

/**
 * Runs a Pulumi program under recording mocks and waits until every resource is registered. Each
 * run loads its own copy of the Pulumi SDK, so runs do not share runtime state.
 */
export async function runProgram<T>(options: {
  project?: string;
  stack: string;
  config?: Record<string, string>;
  identity?: CloudIdentity;
  program: () => T;
}): Promise<ProgramRun<T>> {
  // Loaded here, not imported: under jest.isolateModules each run gets its own copy of the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
  const settings: { getMonitor(): MockMonitor; waitForRPCs(): Promise<void> } = require("@pulumi/pulumi/runtime/settings");
  /* eslint-enable @typescript-eslint/no-require-imports */
  const identity = options.identity ?? DEFAULT_IDENTITY;
  const config = { "aws:region": identity.region, ...(options.config ?? {}) };
  const mocks = new RecordingMocks({ ...identity, region: config["aws:region"] });
  await pulumi.runtime.setMocks(mocks, options.project ?? "program", options.stack, false);
  const duplicates = refuseDuplicateUrns(settings.getMonitor());
  pulumi.runtime.setAllConfig(config);
  let result: T;
  try {
    result = options.program();
    // An async program (`export = async () => ...`) registers as it goes: let it finish first.
    if (result instanceof Promise) await result;
  } finally {
    await drain(settings, mocks);
  }
  if (duplicates.length > 0) {
    // The engine's error (pkg/diag/errors.go); URNs: https://www.pulumi.com/docs/iac/concepts/resources/names/
    throw new Error(duplicates.map((urn) => `Duplicate resource URN '${urn}'; try giving it a unique name`).join("\n"));
  }
  return { mocks, result };
}

interface MockMonitor {
  newUrn(parent: string, type: string, name: string): string;
  registerResource(request: MonitorRequest, callback: unknown): unknown;
  readResource(request: MonitorRequest, callback: unknown): unknown;
}
interface MonitorRequest {
  getParent(): string;
  getType(): string;
  getName(): string;
}

/**
 * Pulumi's engine refuses a program that registers two resources with the same URN (same type,
 * name and parent type); the SDK's mock monitor accepts them. Records every URN registered and
 * returns the list of duplicates, which `runProgram` turns into the engine's error.
 */
function refuseDuplicateUrns(monitor: MockMonitor): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const method of ["registerResource", "readResource"] as const) {
    const original = monitor[method].bind(monitor);
    monitor[method] = (request: MonitorRequest, callback: unknown) => {
      const urn = monitor.newUrn(request.getParent(), request.getType(), request.getName());
      if (seen.has(urn)) duplicates.push(urn);
      seen.add(urn);
      return original(request, callback);
    };
  }
  return duplicates;
}

/**
 * Waits until the program has registered everything: the SDK's own drain of outstanding RPCs, as
 * at the end of a real deployment, repeated until a turn of the event loop adds nothing (outputs
 * of components are registered after their children resolve). The Pulumi SDK keeps its runtime
 * state process-wide, so the next run must not start while this one still has work in flight.
 */
async function drain(settings: { waitForRPCs(): Promise<void> }, mocks: RecordingMocks): Promise<void> {
  for (let seen = -1; seen !== mocks.resources.length; ) {
    seen = mocks.resources.length;
    await settings.waitForRPCs();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await settings.waitForRPCs();
  }
}
