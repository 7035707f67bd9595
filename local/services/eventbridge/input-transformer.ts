import { RANGES } from "@event-routes/aws-model";
import { AwsError } from "../../aws-error";

/**
 * What EventBridge sends a target, from the target's `Input`, `InputPath` or `InputTransformer`
 * (absent: the whole event). Paths are EventBridge's JSONPath subset (`$.detail.a`, `$.a[0]`,
 * `$['a b']`).
 */
export interface TargetInputSettings {
  input?: string;
  inputPath?: string;
  inputTransformer?: { inputPaths?: Record<string, string>; inputTemplate: string };
}

export interface RuleReference {
  ruleArn: string;
  ruleName: string;
}

/** Variables AWS inserts without escaping. */
const RAW = new Set(["aws.events.event", "aws.events.event.json"]);
const PREDEFINED = new Set(["aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time", "aws.events.event", "aws.events.event.json"]);

/** Checks a target's input settings as PutTargets does; returns the compiled transformer. */
export function compileTargetInput(settings: TargetInputSettings, where: string): (event: Record<string, unknown>, rule: RuleReference, ingestedAt: number) => string {
  const given = [settings.input !== undefined, settings.inputPath !== undefined, settings.inputTransformer !== undefined].filter(Boolean).length;
  if (given > 1) throw new AwsError("ValidationException", `${where}: Input, InputPath and InputTransformer are mutually exclusive`);
  if (settings.input !== undefined) {
    try {
      JSON.parse(settings.input);
    } catch {
      throw new AwsError("ValidationException", `${where}: Input is not valid JSON text`);
    }
    const constant = settings.input;
    return () => constant;
  }
  if (settings.inputPath !== undefined) {
    const path = parsePath(settings.inputPath, `${where}: InputPath`);
    return (event) => JSON.stringify(select(event, path) ?? null);
  }
  if (settings.inputTransformer) {
    const { inputPaths = {}, inputTemplate } = settings.inputTransformer;
    if (Object.keys(inputPaths).length > RANGES.eventbridge.inputPaths.max) throw new AwsError("ValidationException", `${where}: InputPathsMap has more than ${RANGES.eventbridge.inputPaths.max} entries`);
    const paths = new Map<string, readonly PathKey[]>();
    for (const [name, path] of Object.entries(inputPaths)) {
      if (PREDEFINED.has(name)) throw new AwsError("ValidationException", `${where}: InputPathsMap key ${name} is reserved`);
      paths.set(name, parsePath(path, `${where}: InputPathsMap "${name}"`));
    }
    // A template that is not JSON (no object, array or string around it) is plain text, whose
    // placeholders take the values as text: "<instance> is in state <status>" in
    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
    const plainText = !/^\s*[{["]/.test(inputTemplate);
    const pieces = parseTemplate(inputTemplate, paths, where).map((piece) => (plainText && typeof piece !== "string" ? { ...piece, quoted: true } : piece));
    const unescaped = plainText ? (text: string) => text : undefined;
    return (event, rule, ingestedAt) => render(pieces, (name) => valueOf(name, event, paths, rule, ingestedAt), unescaped);
  }
  return (event) => JSON.stringify(event);
}

type Piece = string | { name: string; quoted: boolean };

/** Splits the template into text and `<name>` placeholders, noting which sit inside a JSON string. */
function parseTemplate(template: string, paths: Map<string, unknown>, where: string): Piece[] {
  const pieces: Piece[] = [];
  let text = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char === "<") {
      const end = template.indexOf(">", i);
      const name = end > i ? template.slice(i + 1, end) : "";
      if (/^[A-Za-z0-9_.-]+$/.test(name) && (paths.has(name) || PREDEFINED.has(name))) {
        pieces.push(text, { name, quoted: inString });
        text = "";
        i = end;
        continue;
      }
      if (/^[A-Za-z0-9_.-]+$/.test(name)) throw new AwsError("ValidationException", `${where}: InputTemplate uses <${name}>, which InputPathsMap does not define`);
    }
    if (char === "\\" && inString) {
      text += char + (template[i + 1] ?? "");
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    text += char;
  }
  pieces.push(text);
  return pieces;
}

function render(pieces: Piece[], value: (name: string) => unknown, asText?: (text: string) => string): string {
  let out = "";
  for (const piece of pieces) {
    if (typeof piece === "string") {
      out += piece;
      continue;
    }
    const resolved = value(piece.name);
    if (piece.quoted && RAW.has(piece.name)) {
      // AWS inserts these as they are, unescaped, even inside a string.
      out += JSON.stringify(resolved);
    } else if (piece.quoted) {
      // Inside a JSON string the value goes in as text, escaped so the result stays JSON.
      const text = resolved === undefined || resolved === null ? "" : typeof resolved === "string" ? resolved : JSON.stringify(resolved);
      out += asText ? asText(text) : JSON.stringify(text).slice(1, -1);
    } else {
      out += resolved === undefined ? "null" : JSON.stringify(resolved);
    }
  }
  return out;
}

function valueOf(name: string, event: Record<string, unknown>, paths: Map<string, readonly PathKey[]>, rule: RuleReference, ingestedAt: number): unknown {
  switch (name) {
    case "aws.events.rule-arn":
      return rule.ruleArn;
    case "aws.events.rule-name":
      return rule.ruleName;
    case "aws.events.event.ingestion-time":
      return new Date(ingestedAt).toISOString();
    case "aws.events.event": {
      // The original event without its detail (AWS's definition); .json carries the whole event.
      const { detail: _detail, ...rest } = event;
      return rest;
    }
    case "aws.events.event.json":
      return event;
    default:
      return select(event, paths.get(name)!);
  }
}

/** `*` in a path: every member of an array or every value of an object. */
export const ALL = Symbol("all");
export type PathKey = string | number | typeof ALL;

/** Parses `$.a.b[0]['c d']`, `$.items[*].id` or `$.a.*` into keys. */
export function parsePath(path: string, where: string): readonly PathKey[] {
  if (typeof path !== "string" || !path.startsWith("$")) throw new AwsError("ValidationException", `${where}: "${path}" is not a JSONPath starting with $`);
  const keys: PathKey[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+|\*)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let position = 1;
  while (position < path.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(path);
    if (!match) throw new AwsError("ValidationException", `${where}: "${path}" is not a JSONPath EventBridge accepts (at character ${position + 1})`);
    position = pattern.lastIndex;
    if (match[1] === "*" || match[2] === "*") keys.push(ALL);
    else keys.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3] ?? match[4])!);
  }
  return keys;
}

/** The value at `keys`; after a `*` the values of every member, as one array (JSONPath's result list). */
export function select(value: unknown, keys: readonly PathKey[]): unknown {
  let current = value;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (current === null || typeof current !== "object") return undefined;
    if (key === ALL) {
      const members = Array.isArray(current) ? current : Object.values(current);
      const rest = keys.slice(i + 1);
      return members.map((member) => select(member, rest)).filter((member) => member !== undefined);
    }
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
