/** The text formats of EventBridge targets and rules: input, input transformers, schedule expressions. */
import { RANGES } from "@event-routes/aws-model";
import { str } from "./graph";
import { CannotTell, RuleContext } from "./model";

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Variables EventBridge defines itself in input templates. */
const PREDEFINED = new Set(["aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time", "aws.events.event", "aws.events.event.json"]);

export function checkTransformer(transformer: { inputPaths?: Record<string, string>; inputTemplate?: string }, context: RuleContext): void {
  const paths = transformer.inputPaths ?? {};
  if (typeof paths !== "object") throw new CannotTell("inputTransformer.inputPaths is not a known map");
  const names = Object.keys(paths);
  // InputPathsMap: at most 100 entries (API_InputTransformer).
  if (names.length > RANGES.eventbridge.inputPaths.max) context.report(`the input transformer has ${names.length} input paths; AWS allows 100 (InputTransformer.InputPathsMap) and refuses the target. Use fewer variables, or <aws.events.event.json>.`);
  for (const name of names) {
    if (PREDEFINED.has(name)) context.report(`input path name "${name}" is reserved by EventBridge: PutTargets refuses it. Rename the variable.`);
    const path = paths[name];
    if (typeof path === "string" && !/^\$(\.|\[|$)/.test(path)) context.report(`input path ${name}: "${path}" is not a JSONPath starting with $: PutTargets refuses it.`);
  }
  const template = str(transformer.inputTemplate, "inputTransformer.inputTemplate");
  const placeholders = [...template.matchAll(/<([A-Za-z0-9_.-]+)>/g)].map((m) => m[1]);
  for (const p of placeholders) {
    if (!names.includes(p) && !PREDEFINED.has(p)) context.report(`the input template uses <${p}>, which inputPaths does not define: the placeholder is sent as it is or the target is refused. Define it in inputPaths.`);
  }
  const trimmed = template.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    // Placeholders inside strings become text, outside they become JSON values: try both as null/"x".
    let rendered = "";
    let inString = false;
    for (let i = 0; i < trimmed.length; i++) {
      const char = trimmed[i];
      const match = /^<([A-Za-z0-9_.-]+)>/.exec(trimmed.slice(i));
      if (char === "<" && match) {
        rendered += inString ? "x" : "null";
        i += match[0].length - 1;
        continue;
      }
      if (char === "\\" && inString) {
        rendered += char + (trimmed[i + 1] ?? "");
        i++;
        continue;
      }
      if (char === '"') inString = !inString;
      rendered += char;
    }
    if (!isJson(rendered)) context.report(`the input template is not valid JSON once its placeholders are filled in: EventBridge refuses it or the target receives broken JSON. Quote string values ("<name>") and check brackets and commas.`);
  }
}

/** Why a schedule expression is refused, or undefined if it is valid (eb-scheduled-rule-pattern). */
export function scheduleProblem(expression: string): string | undefined {
  if (expression.length > 256) return "longer than 256 characters";
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) return "the rate must be a positive whole number";
    const singular = !rate[2].endsWith("s");
    if (value === 1 && !singular) return `a rate of 1 takes the singular unit (${rate[2].slice(0, -1)})`;
    if (value > 1 && singular) return `a rate above 1 takes the plural unit (${rate[2]}s)`;
    return undefined;
  }
  if (expression.startsWith("rate(")) return "rate takes a whole number and minute(s), hour(s) or day(s), e.g. rate(5 minutes)";
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return "it is neither rate(...) nor cron(...)";
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return `cron takes 6 fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`;
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields;
  const allowed: [string, string, RegExp][] = [
    ["minutes", minutes, /^[0-9,\-*/]+$/],
    ["hours", hours, /^[0-9,\-*/]+$/],
    ["day-of-month", dayOfMonth, /^([0-9,\-*/?LW]+)$/],
    ["month", month, /^([0-9,\-*/]+|[A-Za-z,-]+)$/],
    ["day-of-week", dayOfWeek, /^([0-9,\-*/?L#]+|[A-Za-z,\-#L]+)$/],
    ["year", year, /^[0-9,\-*/]+$/],
  ];
  for (const [field, value, pattern] of allowed) if (!pattern.test(value)) return `the ${field} field "${value}" has characters cron does not accept there`;
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) return "exactly one of day-of-month and day-of-week must be ?";
  return undefined;
}
