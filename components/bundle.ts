import * as esbuild from "esbuild";
import { createHash } from "crypto";
import * as path from "path";

export interface BundleOptions {
  /** Modules left out of the bundle (they must exist in the Lambda runtime). Default: none, everything is bundled. */
  external?: string[];
  /** esbuild target: the Node.js version the bundle's syntax is for. Default: `"node22"`. */
  target?: string;
}

export interface Bundle {
  /** The CommonJS source of `index.js`. */
  readonly code: string;
  /** SHA-256 of the code: equal bundles deploy as equal artifacts. */
  readonly sha256: string;
  readonly bytes: number;
}

// Kept process-wide (not per module instance), so test runners that reload modules reuse bundles too.
const CACHE_KEY = Symbol.for("@event-routes/components.bundle-cache");
const cache: Map<string, Bundle> = ((globalThis as Record<symbol, unknown>)[CACHE_KEY] ??= new Map<string, Bundle>()) as Map<string, Bundle>;

/**
 * Bundles a handler entry point into one minified CommonJS file with esbuild. The output depends on
 * the sources only (no timestamps, no absolute paths), so the artifact the tests and the local
 * cloud run is byte for byte the one `pulumi up` deploys. Bundles are cached per process: a program
 * with many functions sharing a handler bundles it once.
 */
export function bundleHandler(entry: string, options: BundleOptions = {}): Bundle {
  const absolute = path.resolve(entry);
  const key = JSON.stringify([absolute, options.external ?? [], options.target ?? "node22"]);
  const cached = cache.get(key);
  if (cached) return cached;
  const result = esbuild.buildSync({
    entryPoints: [absolute],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: options.target ?? "node22",
    minify: true,
    legalComments: "none",
    // Powertools and the AWS SDK ship ES module builds that tree-shake better.
    mainFields: ["module", "main"],
    external: options.external ?? [],
    write: false,
    logLevel: "silent",
    absWorkingDir: process.cwd(),
  });
  const code = result.outputFiles[0].text;
  const bundle: Bundle = { code, bytes: Buffer.byteLength(code), sha256: createHash("sha256").update(code).digest("hex") };
  cache.set(key, bundle);
  return bundle;
}
