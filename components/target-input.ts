/**
 * What a rule sends to a target: the matched event (default), a constant, a part of the event
 * (input path), or a template filled from the event (input transformer).
 *
 * Input transformer templates are easy to get subtly wrong: a text template must itself be a JSON
 * string, a placeholder inside quotes inserts raw text while one outside quotes inserts a JSON
 * value, and names are limited. `EventField` placeholders and `TargetInput.text`/`.json` produce
 * templates that are valid by construction.
 */

const PATH = /^\$(\.[A-Za-z0-9_@-]+|\[\d+\]|\['[^']+'\])*$/;
const MAX_INPUT_PATHS = 100;

/** A value taken from the event at delivery time. */
export class EventField {
  private constructor(
    readonly path: string,
    /** A placeholder name of its own, for the reserved variables EventBridge provides. */
    readonly reserved?: string,
  ) {}

  /** The value at a JSONPath of the event, e.g. `$.detail.orderId`. */
  static fromPath(path: string): EventField {
    if (!PATH.test(path)) throw new Error(`EventField: "${path}" is not a JSONPath EventBridge accepts (like $.detail.orderId)`);
    return new EventField(path);
  }

  static readonly eventId = EventField.fromPath("$.id");
  static readonly detailType = EventField.fromPath("$.detail-type");
  static readonly source = EventField.fromPath("$.source");
  static readonly time = EventField.fromPath("$.time");
  /** The name of the rule that matched (a reserved variable). */
  static readonly ruleName = new EventField("", "aws.events.rule-name");
  /** The whole event as JSON (a reserved variable). */
  static readonly event = new EventField("", "aws.events.event.json");
  /** When EventBridge received the event (a reserved variable). */
  static readonly ingestionTime = new EventField("", "aws.events.event.ingestion-time");
}

/** The resolved form, as `aws.cloudwatch.EventTarget` takes it. */
export interface RenderedInput {
  input?: string;
  inputPath?: string;
  inputTransformer?: { inputPaths: Record<string, string>; inputTemplate: string };
}

type JsonTemplate = EventField | string | number | boolean | null | JsonTemplate[] | { [key: string]: JsonTemplate } | TextTemplate;

/** A string with fields inside: inserted as raw text within a JSON string. */
export class TextTemplate {
  constructor(
    readonly strings: readonly string[],
    readonly fields: readonly EventField[],
  ) {}
}

/** Tagged template for text with fields: text`Order ${EventField.fromPath("$.detail.orderId")} shipped`. */
export function text(strings: TemplateStringsArray, ...fields: EventField[]): TextTemplate {
  return new TextTemplate([...strings], fields);
}

export class TargetInput {
  private constructor(
    readonly rendered: RenderedInput,
    /** The template renders one JSON string literal: a topic's subscribers would get its quotes. */
    readonly quotedText = false,
  ) {}

  /** A constant JSON value, whatever the event. */
  static constant(value: unknown): TargetInput {
    return new TargetInput({ input: JSON.stringify(value) });
  }

  /** The part of the event at `path`, e.g. `$.detail`. */
  static path(path: string): TargetInput {
    return new TargetInput({ inputPath: EventField.fromPath(path).path });
  }

  /** A text message (the target receives a JSON string) with fields of the event inside. */
  static text(strings: TemplateStringsArray, ...fields: EventField[]): TargetInput {
    const names = new PlaceholderNames();
    return new TargetInput(names.transformer(renderText(new TextTemplate([...strings], fields), names)), true);
  }

  /**
   * Text for people (the e-mail and SMS subscribers of a topic), with fields of the event inside.
   * The template is not JSON, so the target gets the text itself and each field as text. A `text`
   * template is a JSON string, which reaches SNS subscribers with its quotes
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-input-transformer-tutorial.html).
   */
  static plainText(strings: TemplateStringsArray, ...fields: EventField[]): TargetInput {
    const names = new PlaceholderNames();
    let template = "";
    strings.forEach((literal, i) => {
      // EventBridge cannot escape < and > in a template.
      if (/[<>]/.test(literal)) throw new Error(`TargetInput.plainText: "${literal}" contains < or >, which an input template cannot hold`);
      template += literal;
      if (i < fields.length) template += `<${names.nameOf(fields[i])}>`;
    });
    if (template.trim() === "") throw new Error("TargetInput.plainText: the text is empty");
    if (/^\s*[{["]/.test(template)) throw new Error(`TargetInput.plainText: text starting with {, [ or " would be read as JSON; reword its start`);
    return new TargetInput(names.transformer(template));
  }

  /** A JSON document whose values may be fields of the event or text templates. */
  static json(template: { [key: string]: JsonTemplate } | JsonTemplate[]): TargetInput {
    const names = new PlaceholderNames();
    return new TargetInput(names.transformer(renderJson(template, names)));
  }
}

/** Gives each distinct path one placeholder name, readable and unique. */
class PlaceholderNames {
  private readonly byPath = new Map<string, string>();
  private readonly used = new Set<string>();

  nameOf(field: EventField): string {
    if (field.reserved) return field.reserved;
    const existing = this.byPath.get(field.path);
    if (existing) return existing;
    const base = field.path.replace(/^\$\.?/, "").split(/[.[\]']+/).filter(Boolean).pop()?.replace(/[^A-Za-z0-9_-]/g, "_") || "event";
    let name = base;
    for (let i = 2; this.used.has(name) || name.startsWith("aws."); i++) name = `${base}_${i}`;
    this.used.add(name);
    this.byPath.set(field.path, name);
    return name;
  }

  transformer(inputTemplate: string): RenderedInput {
    if (this.byPath.size > MAX_INPUT_PATHS) {
      throw new Error(`input transformer uses ${this.byPath.size} event fields; EventBridge allows at most ${MAX_INPUT_PATHS}`);
    }
    return { inputTransformer: { inputPaths: Object.fromEntries([...this.byPath].map(([path, name]) => [name, path])), inputTemplate } };
  }
}

/** Inside a JSON string: literal parts escaped as JSON, placeholders as raw text. */
function renderText(template: TextTemplate, names: PlaceholderNames): string {
  let out = "";
  template.strings.forEach((literal, i) => {
    out += JSON.stringify(literal).slice(1, -1);
    if (i < template.fields.length) out += `<${names.nameOf(template.fields[i])}>`;
  });
  return `"${out}"`;
}

function renderJson(value: JsonTemplate, names: PlaceholderNames): string {
  if (value instanceof EventField) return `<${names.nameOf(value)}>`;
  if (value instanceof TextTemplate) return renderText(value, names);
  if (Array.isArray(value)) return `[${value.map((v) => renderJson(v, names)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${renderJson(v, names)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
