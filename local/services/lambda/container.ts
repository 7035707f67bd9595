import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import { AwsError } from "../../aws-error";
import type { FunctionError } from "../contracts";
import type { LocalFunction } from "./function";

/**
 * The worker that hosts a function is plain JavaScript, shipped as it is written (not compiled):
 * it lives in the package's services/lambda/ folder, found from the package root whether this module
 * runs from its source or from dist/.
 */
const BOOTSTRAP = path.join(packageRoot(__dirname), "services", "lambda", "bootstrap.cjs");

function packageRoot(dir: string): string {
  for (let at = dir; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, "package.json"))) return at;
    if (path.dirname(at) === at) throw new Error(`no package.json above ${dir}`);
  }
}

/**
 * Containers per function when the function reserves no concurrency. AWS scales to the account's
 * limit; a laptop cannot: on 2 cores, one container per function is 1.7x faster than four
 * (`npm run bench:local`), since every container is a thread with its own V8. Further invokes wait
 * for a free container. One per two cores by default; `LambdaService` takes another number.
 */
export const DEFAULT_CONTAINERS_PER_FUNCTION = Math.max(1, Math.floor(os.cpus().length / 2));

export type ContainerOutcome = { ok: true; payload: unknown } | { ok: false; error: FunctionError; timedOut?: boolean };

interface Pending {
  resolve: (result: { ok: true; payload: unknown } | { ok: false; error: FunctionError }) => void;
}

/** One execution environment: a worker thread with the function's environment and module state. */
export class Container {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private sequence = 0;
  busy = false;
  dead = false;

  constructor(fn: LocalFunction, environment: Record<string, string>, onLog: (line: string) => void) {
    const containerId = randomUUID().replace(/-/g, "");
    this.worker = new Worker(BOOTSTRAP, {
      env: environment,
      stdout: true,
      stderr: true,
      workerData: {
        taskRoot: fn.taskRoot,
        handler: fn.handler,
        functionName: fn.name,
        functionArn: fn.arn,
        memorySize: fn.memorySize,
        logGroupName: environment.AWS_LAMBDA_LOG_GROUP_NAME,
        containerId,
      },
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, fn.memorySize) },
    });
    const lines = (stream: NodeJS.ReadableStream) => {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        for (const line of parts) if (line) onLog(line);
      });
    };
    lines(this.worker.stdout);
    lines(this.worker.stderr);
    this.worker.on("message", (message: { id: number; ok: boolean; payload?: unknown; error?: FunctionError }) => {
      const pending = this.pending.get(message.id);
      this.pending.delete(message.id);
      pending?.resolve(message.ok ? { ok: true, payload: message.payload } : { ok: false, error: message.error! });
    });
    const crash = (error: FunctionError) => {
      this.dead = true;
      for (const pending of this.pending.values()) pending.resolve({ ok: false, error });
      this.pending.clear();
    };
    this.worker.on("error", (error) => crash({ errorType: "Runtime.ExitError", errorMessage: `RequestId: the runtime crashed: ${error.message}` }));
    this.worker.on("exit", (code) => crash({ errorType: "Runtime.ExitError", errorMessage: `Runtime exited with error: exit status ${code}` }));
  }

  run(event: unknown, requestId: string, timeoutMs: number, cloudClockOffset = 0): Promise<ContainerOutcome> {
    const id = ++this.sequence;
    return new Promise((resolve) => {
      // The timeout is real time: the handler's code runs in real time, not on the cloud's clock.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        void this.terminate();
        resolve({ ok: false, timedOut: true, error: { errorType: "Sandbox.Timedout", errorMessage: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` } });
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      });
      this.worker.postMessage({ id, requestId, event, deadline: Date.now() + timeoutMs, cloudClockOffset });
    });
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }
}

/**
 * An idle container of the function, a new one while it has fewer than `limit`, or the next to be
 * released. A function reserving no concurrency at all is throttled, as in AWS.
 */
export async function acquireContainer(fn: LocalFunction, limit: number, create: () => Container): Promise<Container> {
  if (fn.reservedConcurrency === 0) {
    fn.stats.throttles++;
    throw new AwsError("TooManyRequestsException", "Rate Exceeded.", 429);
  }
  for (;;) {
    fn.containers = fn.containers.filter((container) => !container.dead);
    const idle = fn.containers.find((container) => !container.busy);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (fn.containers.length < limit) {
      const container = create();
      fn.stats.coldStarts++;
      container.busy = true;
      fn.containers.push(container);
      return container;
    }
    await new Promise<void>((resolve) => fn.waiting.push(resolve));
  }
}

export function releaseContainer(fn: LocalFunction, container: Container): void {
  container.busy = false;
  fn.waiting.shift()?.();
}
