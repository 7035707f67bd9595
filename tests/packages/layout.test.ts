import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The local cloud's layout shows its architecture: one folder per emulated service under
 * `services/` (its wire layer, model and behaviour), shared concerns under `common/`, and no module
 * so long that a newcomer cannot read it in one sitting.
 */
const MAX_LINES = 500;
/** What may sit directly in services/: the contracts services call each other by. */
const SERVICES_TOP_LEVEL = new Set(["contracts.ts"]);

function layoutProblems(localRoot: string): string[] {
  const problems: string[] = [];
  const services = path.join(localRoot, "services");
  for (const entry of fs.readdirSync(services, { withFileTypes: true })) {
    if (entry.isFile() && !SERVICES_TOP_LEVEL.has(entry.name)) problems.push(`services/${entry.name} belongs in the folder of its service`);
  }
  for (const folder of ["services", "common"]) {
    for (const file of sourcesUnder(path.join(localRoot, folder))) {
      const lines = (fs.readFileSync(file, "utf8").match(/\n/g) ?? []).length;
      if (lines > MAX_LINES) problems.push(`${path.relative(localRoot, file)} has ${lines} lines (at most ${MAX_LINES}): split it by job`);
    }
  }
  return problems;
}

function sourcesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(full);
    return /\.(ts|cjs)$/.test(entry.name) ? [full] : [];
  });
}

describe("the local cloud's layout", () => {
  it("has a folder per service, shared concerns apart, and no module over the limit", () => {
    expect(layoutProblems(path.resolve(__dirname, "../../local"))).toEqual([]);
  });

  it("names a service file left at the top and a module over the limit", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "layout-"));
    fs.mkdirSync(path.join(root, "services", "queue"), { recursive: true });
    fs.writeFileSync(path.join(root, "services", "contracts.ts"), "export {};\n");
    fs.writeFileSync(path.join(root, "services", "queue-wire.ts"), "export {};\n");
    fs.writeFileSync(path.join(root, "services", "queue", "model.ts"), "//\n".repeat(MAX_LINES + 1));
    expect(layoutProblems(root)).toEqual(["services/queue-wire.ts belongs in the folder of its service", `services/queue/model.ts has ${MAX_LINES + 1} lines (at most ${MAX_LINES}): split it by job`]);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
