import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { parseCommandLine } from "../../local/command-line";

const ROOT = path.join(__dirname, "..", "..");

describe("the local cloud's command line", () => {
  it("reads commands and options", () => {
    expect(parseCommandLine(["start"])).toMatchObject({ command: "start", stack: "dev", verbose: false, logs: false });
    expect(parseCommandLine(["serve", "--stack", "prod", "--port", "4599", "--orders", "100", "--containers", "2"])).toMatchObject({ command: "serve", stack: "prod", port: 4599, orders: 100, containers: 2 });
    expect(parseCommandLine(["--help"])).toBe("help");
    expect(parseCommandLine(["serve", "--with", "examples/loyalty"])).toMatchObject({ with: [path.join(ROOT, "examples", "loyalty")] });
    expect(parseCommandLine(["start"])).toMatchObject({ program: process.cwd() });
    expect(parseCommandLine(["start", "--program", "examples/raw-aws"])).toMatchObject({ program: path.join(ROOT, "examples", "raw-aws") });
  });

  it.each([
    [[], "no command: say start or serve"],
    [["deploy"], 'unknown command "deploy"'],
    [["start", "--bogus"], "Unknown option '--bogus'"],
    [["serve", "--port", "99999"], '--port must be a whole number from 0 to 65535, not "99999"'],
    [["serve", "--orders", "ten"], '--orders must be a whole number from 1 to 1000000, not "ten"'],
    [["start", "--orders", "5"], "--orders is an option of serve"],
    [["start", "--stack", "../etc"], '--stack "../etc" is not a stack name'],
    [["serve", "--with", "no/such/dir"], "--with no/such/dir: there is no Pulumi.yaml in"],
    [["start", "--program", "no/such/dir"], "--program no/such/dir: there is no Pulumi.yaml in"],
  ])("refuses %j with a message that names the problem", (argv, message) => {
    expect(() => parseCommandLine(argv as string[])).toThrow(message);
  });

  it("`npm start` runs the dev stack end to end and accounts for every event", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["-r", "ts-node/register/transpile-only", "dealership/local.ts", "start"], { cwd: ROOT, timeout: 120_000, maxBuffer: 10 * 2 ** 20 });
    expect(stdout).toContain('Deployed stack "dev" into the local cloud');
    expect(stdout).toMatch(/ok {2}order-std-1001: .* -> delivered, customer notified/);
    expect(stdout).toMatch(/ok {2}order-prm-2003: .* -> payment-declined, customer notified/);
    expect(stdout).toMatch(/ok {2}order-malformed-1: .* -> parked/);
    expect(stdout).toMatch(/delivered: +4/);
    // A batch's failure is told apart from the order it failed for.
    expect(stdout).toContain("1 record reported failed (this order's record)");
    expect(stdout).toContain("Every event is accounted for.");
  });

  it("runs the scenario on the prod stack too (customer-managed key, standard workflow, tracing)", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["-r", "ts-node/register/transpile-only", "dealership/local.ts", "start", "--stack", "prod"], { cwd: ROOT, timeout: 120_000, maxBuffer: 10 * 2 ** 20 });
    expect(stdout).toContain('Deployed stack "prod" into the local cloud');
    expect(stdout).toContain("Every event is accounted for.");
  });

  it("exits 1 and says why when the stack does not exist", async () => {
    const run = promisify(execFile)(process.execPath, ["-r", "ts-node/register/transpile-only", "dealership/local.ts", "start", "--stack", "staging"], { cwd: ROOT, timeout: 60_000 });
    await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no stack "staging"') });
  });

  describe("the local-cloud package's bin (event-routes-local), run on a user's program", () => {
    // What `npx event-routes-local` runs: the built bin the package declares, from the user's folder.
    const BIN = path.join(ROOT, "local", require("../../local/package.json").bin["event-routes-local"]);
    const run = (args: string[], cwd: string) => promisify(execFile)(process.execPath, [BIN, ...args], { cwd, timeout: 120_000, maxBuffer: 10 * 2 ** 20 });

    it("start --program <dir>: deploys the program from its folder, runs it until idle and reports", async () => {
      const { stdout } = await run(["start", "--program", "raw-aws"], path.join(ROOT, "examples"));
      expect(stdout).toMatch(/Deployed stack "dev" into the local cloud: \d+ AWS resources/);
      expect(stdout).toContain("Ran until idle");
      expect(stdout).toContain("Nothing was dropped or dead-lettered.");
      expect(stdout).not.toMatch(/order|dealership/i);
    });

    it("without --program, the working directory is the program; a folder without Pulumi.yaml exits 2 and says so", async () => {
      await expect(run(["start"], path.join(ROOT, "tests"))).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining(`the working directory: there is no Pulumi.yaml in ${path.join(ROOT, "tests")}`) });
      await expect(run(["serve", "--orders", "5"], path.join(ROOT, "examples", "raw-aws"))).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--orders needs a program that brings a scenario") });
    });
  });
});
