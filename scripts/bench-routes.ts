/**
 * Benchmark: evaluating the synthetic program (scripts/synthetic-routes.ts) under Pulumi mocks for
 * 10, 100 and 300 routes, each in a fresh Node.js process. Prints wall time, peak memory (max RSS)
 * and the number of resources registered, in all and per route.
 *
 *   npm run bench:routes            # or: npx ts-node --transpile-only scripts/bench-routes.ts 10 100 300
 */
import { execFileSync } from "child_process";
import * as path from "path";

async function child(routes: number): Promise<void> {
  const started = process.hrtime.bigint();
  const { runProgram } = await import("@event-routes/local-cloud");
  const { syntheticRoutes } = await import("./synthetic-routes");
  const { checkProgram } = await import("@event-routes/policy");
  const run = await runProgram({ project: "dealership-events", stack: "bench", program: () => syntheticRoutes(routes) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const violations = checkProgram(run.mocks.resources).length;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ routes, seconds, maxRssMb, resources: run.mocks.resources.length, violations }) + "\n");
}

function main(): void {
  const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const rows = (counts.length ? counts : [10, 100, 300]).map((routes) => {
    const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--child", String(routes)], {
      cwd: path.resolve(__dirname, ".."),
      encoding: "utf8",
    });
    return JSON.parse(out.trim().split("\n").pop()!);
  });
  console.log("routes  time (s)  max RSS (MB)  resources  per route  offline-check violations");
  for (const r of rows) {
    console.log(
      `${String(r.routes).padStart(6)}  ${r.seconds.toFixed(2).padStart(8)}  ${r.maxRssMb.toFixed(0).padStart(12)}  ${String(r.resources).padStart(9)}  ${(r.resources / r.routes).toFixed(2).padStart(9)}  ${r.violations}`,
    );
  }
}

if (process.argv[2] === "--child") {
  child(Number(process.argv[3])).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main();
}
