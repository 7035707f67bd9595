import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { CloudIdentity, DEFAULT_IDENTITY, RecordingMocks } from "./resource-graph";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** The config of `Pulumi.<stack>.yaml` as Pulumi hands it to a program: `ns:key` to text or JSON. */
export function readStackConfig(stack: string, root = PROJECT_ROOT): Record<string, string> {
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
  const pulumi: typeof import("@pulumi/pulumi") = require("@pulumi/pulumi");
  const settings = require("@pulumi/pulumi/runtime/settings");
  const identity = options.identity ?? DEFAULT_IDENTITY;
  const config = { "aws:region": identity.region, ...(options.config ?? {}) };
  const mocks = new RecordingMocks({ ...identity, region: config["aws:region"] });
  await pulumi.runtime.setMocks(mocks, options.project ?? "dealership-events", options.stack, false);
  pulumi.runtime.setAllConfig(config);
  const result = options.program();
  // The SDK's own drain of outstanding registrations, as at the end of a real deployment.
  await settings.waitForRPCs();
  return { mocks, result };
}
