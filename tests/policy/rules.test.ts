import * as fs from "fs";
import * as path from "path";
import { checkProgram, Finding, RULES } from "../../policy/checks";
import { runIsolated } from "../support/program";
import { FIXTURES, fixturesProgram } from "./fixtures";

/** Every fixture, bent and done right, each run as one program (fixture i named f<i>-...). */
let bent: Finding[];
let straight: Finding[];
beforeAll(async () => {
  bent = checkProgram((await runIsolated({ project: "fixtures", stack: "bent", program: fixturesProgram(true) })).mocks.resources);
  straight = checkProgram((await runIsolated({ project: "fixtures", stack: "straight", program: fixturesProgram(false) })).mocks.resources);
}, 120_000);

const severity = new Map(RULES.map((r) => [r.name, r.severity]));
const cases = FIXTURES.map((f, i) => [f.rule, f.what, i] as const);

describe("every rule fires on a raw @pulumi/aws program that breaks it", () => {
  test.each(cases)("%s reports %s", (rule, _what, i) => {
    const resource = `f${i}-${FIXTURES[i].resource}`;
    for (const name of [resource, ...(FIXTURES[i].also ?? []).map((n) => `f${i}-${n}`)]) {
      const reported = bent.filter((f) => f.rule === rule && f.resource === name && !f.message.startsWith("cannot evaluate"));
      expect({ resource: name, severities: reported.map((f) => f.severity) }).toEqual({ resource: name, severities: expect.arrayContaining([severity.get(rule)]) });
    }
  });
});

describe("and stays silent on the same program done right", () => {
  test.each(cases)("%s: no finding when not %s", (rule, _what, i) => {
    expect(straight.filter((f) => f.rule === rule && f.resource.startsWith(`f${i}-`))).toEqual([]);
  });

  test("the right programs have no mandatory finding at all", () => {
    expect(straight.filter((f) => f.severity === "mandatory")).toEqual([]);
  });
});

test("every rule has a fixture that makes it fire, and every fixture names a rule", () => {
  const covered = new Set(FIXTURES.map((f) => f.rule));
  expect(RULES.map((r) => r.name).filter((name) => !covered.has(name))).toEqual([]);
  expect([...covered].filter((name) => !severity.has(name))).toEqual([]);
});

test("rules have unique names, a severity, a description and an AWS (or Pulumi) documentation page", () => {
  expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
  for (const rule of RULES) {
    expect(["mandatory", "advisory"]).toContain(rule.severity);
    expect(rule.description.length).toBeGreaterThan(20);
    expect(rule.docs).toMatch(/^https:\/\/(docs\.aws\.amazon\.com|www\.pulumi\.com)\//);
  }
});

test("README's rule table lists every rule with its severity", () => {
  const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
  const missing = RULES.filter((rule) => !readme.includes(`| \`${rule.name}\` | ${rule.severity} |`)).map((r) => r.name);
  expect(missing).toEqual([]);
});
