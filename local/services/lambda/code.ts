import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { AwsError } from "../../aws-error";
import { lambdaRuntimeDirectory } from "./runtime-sdk";

/**
 * A function's deployment package, read from the `code` input the program gave the Function
 * resource (an AssetArchive of StringAssets/FileAssets, or a FileArchive of a directory), and laid
 * out as a task root on disk: the container loads its handler from there, so stack traces, `require`
 * and `__dirname` behave as in Lambda. Equal packages share one directory. `size` and `sha256`
 * (base64) describe the files: there is no zip file locally to measure, as AWS's CodeSize and
 * CodeSha256 do.
 */
export async function materializeCode(code: unknown, functionName: string): Promise<{ root: string; size: number; sha256: string }> {
  const files = await filesOf(code, functionName);
  if (files.size === 0) throw new AwsError("InvalidParameterValueException", `function ${functionName}: the deployment package is empty`);
  const hash = createHash("sha256");
  for (const [name, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update("\0").update(content).update("\0");
  const digest = hash.digest();
  // Under the runtime directory, so the runtime's SDK is in a parent's node_modules (ES modules too).
  const root = path.join(lambdaRuntimeDirectory(), digest.toString("hex").slice(0, 24));
  if (!fs.existsSync(path.join(root, ".complete"))) {
    for (const [name, content] of files) {
      const target = path.join(root, name);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
    fs.writeFileSync(path.join(root, ".complete"), "");
  }
  const size = [...files.values()].reduce((total, content) => total + content.length, 0);
  return { root, size, sha256: digest.toString("base64") };
}

async function filesOf(code: unknown, functionName: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const archive = code as { assets?: Promise<Record<string, unknown>> | Record<string, unknown>; path?: Promise<string> | string } | undefined;
  if (archive?.assets !== undefined) {
    for (const [name, asset] of Object.entries(await archive.assets)) {
      const content = asset as { text?: Promise<string> | string; path?: Promise<string> | string; assets?: unknown };
      if (content.text !== undefined) files.set(name, Buffer.from(await content.text));
      else if (content.path !== undefined) files.set(name, fs.readFileSync(await content.path));
      else throw new AwsError("InvalidParameterValueException", `function ${functionName}: asset "${name}" is neither text nor a file (nested archives are not supported locally)`);
    }
    return files;
  }
  if (archive?.path !== undefined) {
    const source = await archive.path;
    if (!fs.existsSync(source)) throw new AwsError("InvalidParameterValueException", `function ${functionName}: code path ${source} does not exist`);
    if (!fs.statSync(source).isDirectory()) {
      throw new AwsError("InvalidParameterValueException", `function ${functionName}: the local cloud runs code from a directory or inline assets, not the archive file ${source}`);
    }
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else files.set(path.relative(source, full), fs.readFileSync(full));
      }
    };
    walk(source);
    return files;
  }
  throw new AwsError("InvalidParameterValueException", `function ${functionName}: no code (the local cloud needs \`code\` as an asset archive or a directory; S3 and image packages cannot be fetched)`);
}
