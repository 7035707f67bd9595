import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The AWS SDK for JavaScript v3 that the Node.js runtimes provide to function code
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html, "Runtime-included SDK
 * versions"): code that does not bundle the SDK (inline code, bundles that leave `@aws-sdk/*`
 * external) finds it through `NODE_PATH`, after the task root's own `node_modules`, so a package's
 * own copy wins (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html: NODE_PATH
 * ends with `$LAMBDA_RUNTIME_DIR/node_modules`).
 *
 * Locally the runtime directory holds only the `@aws-sdk` and `@smithy` scopes of this project's
 * node_modules (links), so code that forgets to bundle another package fails here as on AWS.
 * It is the parent of every task root (`./code.ts`), so ES module handlers, whose imports
 * ignore NODE_PATH, find the SDK too: in the node_modules of a parent directory, after the
 * package's own. AWS does not fix the SDK's version per runtime (it differs by Region and over
 * time); locally it is the version this project installs.
 */
const SCOPES = ["@aws-sdk", "@smithy"] as const;

let runtimeDirectory: string | undefined;

/**
 * The local `LAMBDA_RUNTIME_DIR`, also the parent of the task roots: made once per process, one per
 * installation of this project (checkouts side by side each link their own SDK).
 */
export function lambdaRuntimeDirectory(): string {
  if (runtimeDirectory) return runtimeDirectory;
  const installed = installedNodeModules();
  const root = path.join(os.tmpdir(), "event-routes-local-cloud", `runtime-${createHash("sha256").update(installed).digest("hex").slice(0, 16)}`);
  const modules = path.join(root, "node_modules");
  fs.mkdirSync(modules, { recursive: true });
  for (const scope of SCOPES) {
    const target = path.join(installed, scope);
    if (fs.existsSync(target)) link(target, path.join(modules, scope));
  }
  return (runtimeDirectory = root);
}

/** The `NODE_PATH` of a function: the runtime's modules, then the runtime and the task root, as on AWS. */
export function lambdaNodePath(taskRoot: string): string {
  const runtime = lambdaRuntimeDirectory();
  return [path.join(runtime, "node_modules"), runtime, taskRoot].join(path.delimiter);
}

/** The node_modules directory this project's SDK is installed in. */
function installedNodeModules(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules");
    if (fs.existsSync(path.join(candidate, "@aws-sdk"))) return candidate;
    if (path.dirname(dir) === dir) throw new Error("the AWS SDK for JavaScript v3 is not installed (run npm ci): the local Lambda runtime provides it to functions");
  }
}

/** A symbolic link made safely when several processes (jest workers) make it at once. */
function link(target: string, at: string): void {
  try {
    if (fs.readlinkSync(at) === target) return;
  } catch {
    // not there yet
  }
  const temporary = `${at}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  fs.symlinkSync(target, temporary, "dir");
  fs.renameSync(temporary, at);
}
