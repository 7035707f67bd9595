import { execFile } from "node:child_process";
import { promisify } from "node:util";

export type Outcome = { ok: true; value: unknown } | { ok: false; name: string; message: string };

/**
 * Loads a bundle in a fresh Node process, as the Lambda runtime does, and invokes
 * its `handler` once per event, one after the other (module state is reused
 * between invocations, like a warm Lambda). Returns each invocation's outcome.
 */
export async function invokeBundle(
  bundle: string,
  events: unknown[],
  env: Record<string, string>,
): Promise<Outcome[]> {
  const script = `
    const { handler } = require(${JSON.stringify(bundle)});
    const context = { functionName: "bundle", awsRequestId: "r", getRemainingTimeInMillis: () => 30000 };
    (async () => {
      const outcomes = [];
      for (const event of ${JSON.stringify(events)}) {
        try { outcomes.push({ ok: true, value: (await handler(event, context)) ?? null }); }
        catch (error) { outcomes.push({ ok: false, name: error.name, message: error.message }); }
      }
      process.stdout.write("\\n@@" + JSON.stringify(outcomes));
    })();`;
  const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
    env: {
      PATH: process.env.PATH ?? "",
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      POWERTOOLS_LOG_LEVEL: "ERROR",
      ...env,
    },
  });
  return JSON.parse(stdout.slice(stdout.lastIndexOf("\n@@") + 3)) as Outcome[];
}
