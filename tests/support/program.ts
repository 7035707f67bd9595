import type { ProgramRun } from "../../local/run-program";
import type { RegisteredResource } from "../../local/resource-graph";

/**
 * Runs `program` under recording mocks in a module registry of its own (a fresh Pulumi SDK), so
 * several stacks or programs can run in one test file.
 */
export async function runIsolated<T>(options: { project?: string; stack: string; config?: Record<string, string>; stackFile?: boolean; program: () => T }): Promise<ProgramRun<T>> {
  let run!: ProgramRun<T>;
  await jest.isolateModulesAsync(async () => {
    const harness: typeof import("../../local/run-program") = require("../../local/run-program");
    const config = { ...(options.stackFile ? harness.readStackConfig(options.stack) : {}), ...(options.config ?? {}) };
    run = await harness.runProgram({ project: options.project ?? "dealership-events", stack: options.stack, config, program: options.program });
  });
  return run;
}

export function ofType(run: { mocks: { resources: RegisteredResource[] } }, type: string): RegisteredResource[] {
  return run.mocks.resources.filter((r) => r.type === type);
}

export function policyOf(resource: RegisteredResource, field = "policy"): { Statement: any[] } {
  return JSON.parse(resource.inputs[field]);
}
