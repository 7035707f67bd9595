/**
 * Bundles every handler as it is deployed (the same esbuild settings as BundledFunction) into
 * .build/handlers/<name>.js and prints the sizes. `pulumi up` does not need this step: the program
 * bundles on its own; this is for inspecting and measuring the artifacts.
 */
import * as fs from "fs";
import * as path from "path";
import { bundleHandler } from "@event-routes/components";

export const HANDLERS_DIR = path.resolve(__dirname, "../handlers");
export const OUT_DIR = path.resolve(__dirname, "../.build/handlers");

/** Handler entry points: every top-level .ts file of handlers/. */
export function handlerNames(): string[] {
  return fs
    .readdirSync(HANDLERS_DIR)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

export function bundleAll(): { name: string; file: string; bytes: number; sha256: string }[] {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  return handlerNames().map((name) => {
    const bundle = bundleHandler(path.join(HANDLERS_DIR, `${name}.ts`));
    const file = path.join(OUT_DIR, `${name}.js`);
    fs.writeFileSync(file, bundle.code);
    return { name, file, bytes: bundle.bytes, sha256: bundle.sha256 };
  });
}

if (require.main === module) {
  for (const b of bundleAll()) console.log(`${b.name.padEnd(20)} ${(b.bytes / 1024).toFixed(1).padStart(8)} KiB  sha256 ${b.sha256.slice(0, 16)}`);
}
