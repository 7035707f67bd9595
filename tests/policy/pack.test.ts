import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { RULES } from "../../policy/checks";
import { runIsolated } from "../support/program";
import { FIXTURES, fixturesProgram } from "./fixtures";

/**
 * The policy pack as `pulumi preview --policy-pack policy/pack` runs it: the Pulumi SDK's
 * run-policy-pack loads policy/pack (TypeScript, type-checked), @pulumi/policy serves it over gRPC,
 * and we speak the analyzer protocol the Pulumi CLI speaks.
 */
const ROOT = path.resolve(__dirname, "../..");
const PACK = path.join(ROOT, "policy/pack");
const grpc = require("@grpc/grpc-js");
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzer = require("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

let pack: ChildProcess;
let client: any;

beforeAll(async () => {
  pack = spawn(process.execPath, [path.join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:0", "."], { cwd: PACK, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  pack.stderr!.on("data", (chunk) => (stderr += chunk));
  const port = await new Promise<string>((resolve, reject) => {
    pack.stdout!.on("data", (chunk) => {
      const match = /^(\d+)\s*$/m.exec(String(chunk));
      if (match) resolve(match[1]);
    });
    pack.on("exit", (code) => reject(new Error(`the policy pack exited with ${code}: ${stderr}`)));
  });
  client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 180_000);

afterAll(() => {
  client?.close();
  pack?.kill();
});

const call = <T>(method: string, request: unknown): Promise<T> => new Promise((resolve, reject) => client[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))));

test("serves every rule with its severity, and the advisory cannot-evaluate policy", async () => {
  const info: any = await call("getAnalyzerInfo", new Empty());
  expect(info.getName()).toBe("dealership-events");
  const levels = Object.fromEntries(info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]));
  const expected = Object.fromEntries(RULES.map((r) => [r.name, r.severity === "mandatory" ? analyzer.EnforcementLevel.MANDATORY : analyzer.EnforcementLevel.ADVISORY]));
  expect(levels).toEqual({ ...expected, "cannot-evaluate": analyzer.EnforcementLevel.ADVISORY });
});

/** The resources of fixtures as the engine sends them; `unknown` replaces those properties by the engine's unknown. */
async function stackRequest(fixtures: typeof FIXTURES, bent: boolean, unknown: Record<string, string[]> = {}) {
  const run = await runIsolated({ project: "fixtures", stack: "pack", program: fixturesProgram(bent, fixtures) });
  const request = new analyzer.AnalyzeStackRequest();
  for (const r of run.mocks.resources.filter((x) => x.type.startsWith("aws:"))) {
    const props = JSON.parse(JSON.stringify(r.state));
    for (const key of unknown[r.name] ?? []) props[key] = require("@pulumi/pulumi/runtime/rpc").unknownValue;
    const resource = new analyzer.AnalyzerResource();
    resource.setType(r.type);
    resource.setName(r.name);
    resource.setUrn(`urn:pulumi:pack::fixtures::${r.type}::${r.name}`);
    resource.setProperties(Struct.fromJavaScript(props));
    resource.setOptions(new analyzer.AnalyzerResourceOptions());
    request.addResources(resource);
  }
  return request;
}

const diagnosticsOf = (response: any) => response.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), urn: d.getUrn(), message: d.getMessage() }));

test("during preview, a target whose ARN is unknown is reported by the advisory cannot-evaluate policy, not passed and not blocked", async () => {
  const fixture = FIXTURES.find((f) => f.what === "a queue policy conditioned on another rule")!;
  const response: any = await call("analyzeStack", await stackRequest([fixture], true, { "f0-target": ["arn"] }));
  const diagnostics = diagnosticsOf(response);
  expect(diagnostics.filter((d: any) => d.level === analyzer.EnforcementLevel.MANDATORY)).toEqual([]);
  expect(diagnostics).toEqual(
    expect.arrayContaining([expect.objectContaining({ policy: "cannot-evaluate", level: analyzer.EnforcementLevel.ADVISORY, urn: expect.stringContaining("f0-target"), message: expect.stringContaining("[eventbridge-target-permission]") })]),
  );
}, 120_000);

test("blocks a stack with a mandatory violation and names the resource's URN; aws:SourceArn alone is advisory only", async () => {
  const picked = [FIXTURES.find((f) => f.what === "a timeout of 901 s")!, FIXTURES.find((f) => f.rule === "eventbridge-grant-source-conditions")!];
  const diagnostics = diagnosticsOf(await call("analyzeStack", await stackRequest(picked, true)));
  expect(diagnostics).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ policy: "lambda-function-settings", level: analyzer.EnforcementLevel.MANDATORY, urn: "urn:pulumi:pack::fixtures::aws:lambda/function:Function::f0-fn", message: expect.stringContaining("timeout (seconds) is 901") }),
      expect.objectContaining({ policy: "eventbridge-grant-source-conditions", level: analyzer.EnforcementLevel.ADVISORY, urn: expect.stringContaining("f1-queue-policy-events") }),
    ]),
  );
  expect(diagnostics.filter((d: any) => d.level === analyzer.EnforcementLevel.MANDATORY).map((d: any) => d.policy)).toEqual(["lambda-function-settings"]);
}, 120_000);
