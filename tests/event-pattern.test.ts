import * as fs from "fs";
import * as path from "path";
import {
  compileEventPattern,
  InvalidEventPatternError,
  isValidEventPattern,
  matchesEventPattern,
  validateEventPattern,
} from "@event-routes/event-pattern";

/** Conformance data recorded from AWS and aws/event-ruler (provenance in its README.md). */
const DATA_DIR = path.join(__dirname, "fixtures", "eventbridge-patterns");

interface MatchCase {
  name: string;
  pattern: unknown;
  event: unknown;
  match: boolean;
  source: string;
  note?: string;
  vs_reason?: string;
}

interface InvalidCase {
  pattern: unknown;
  raw?: boolean;
  reason: string;
  source: string;
  confidence: "aws-validated" | "event-ruler" | "aws-docs";
  error_code?: string;
  note?: string;
}

function load<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(DATA_DIR, file), "utf8")) as T;
}

const cases = load<MatchCase[]>("cases.json");
const invalid = load<InvalidCase[]>("invalid.json");
const versionSensitive = load<MatchCase[]>("version_sensitive.json");
/** Cases this project added (README.md: `local-cases.json`); each names where its answer comes from. */
const localCases = load<MatchCase[]>("local-cases.json");

function rejection(pattern: unknown): InvalidEventPatternError {
  try {
    validateEventPattern(pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error;
    throw error;
  }
  throw new Error(`accepted: ${typeof pattern === "string" ? pattern : JSON.stringify(pattern)}`);
}

describe("conformance data set", () => {
  test("is complete", () => {
    expect(cases).toHaveLength(814);
    expect(invalid).toHaveLength(117);
  });
});

describe("cases.json: match results agree with AWS / event-ruler", () => {
  test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(matchesEventPattern(c.pattern, c.event)).toBe(c.match);
  });
});

describe("cases.json: every pattern is accepted", () => {
  const patterns = [...new Set(cases.map((c) => JSON.stringify(c.pattern)))];
  test.each(patterns)("%s", (text) => {
    expect(() => validateEventPattern(JSON.parse(text))).not.toThrow();
    expect(() => validateEventPattern(text)).not.toThrow();
  });
});

describe("version_sensitive.json", () => {
  // Both hold numbers outside the documented ±5e9 / 6-decimals range (a non-matched coordinate in
  // the event, and an account number in the pattern). The event-ruler version EventBridge uses
  // compares numbers as doubles over the full range, as this engine does, so these match; older
  // event-ruler versions (range-limited) could differ.
  test.each(versionSensitive.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(() => validateEventPattern(c.pattern)).not.toThrow();
    expect(matchesEventPattern(c.pattern, c.event)).toBe(c.match);
  });
});

describe("local-cases.json: a field constrained twice in one pattern", () => {
  test("every case names its source", () => {
    expect(localCases.length).toBeGreaterThanOrEqual(16);
    for (const c of localCases) expect(c.source).toMatch(/event-ruler|docs\.aws\.amazon\.com/);
    // Both answers occur, so an engine that always (or never) matches fails.
    expect(new Set(localCases.map((c) => c.match))).toEqual(new Set([true, false]));
  });

  test.each(localCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(() => validateEventPattern(c.pattern)).not.toThrow();
    expect(matchesEventPattern(c.pattern, c.event)).toBe(c.match);
  });
});

/**
 * Where this engine's wording differs from event-ruler's for a recorded case, and why. Only the
 * stable part of the message is compared for these.
 */
const KNOWN_WORDING_DIFFERENCES: Record<string, string> = {
  // JSON.parse reads the pattern's 1E309 as Infinity, so the literal text is gone; given as JSON
  // text, the message names 1E309 exactly (see the unit test below).
  "event-ruler: Cannot compare number : 1E309": "Cannot compare number : ",
};

describe("invalid.json: every pattern is rejected", () => {
  test.each(invalid.map((c) => [`${c.confidence}: ${c.reason.slice(0, 120)}`, c] as const))("%s", (_title, c) => {
    const error = rejection(c.pattern);
    expect(error.code).toBe("InvalidEventPatternException");
    if (c.confidence === "aws-validated") {
      expect(error.message).toBe(c.reason);
    } else if (c.confidence === "event-ruler") {
      const stable = KNOWN_WORDING_DIFFERENCES[c.reason];
      const expected = c.reason.replace(/^event-ruler: /, "");
      if (stable === undefined) expect(error.reason).toBe(expected);
      else expect(error.reason.startsWith(stable)).toBe(true);
    }
    // aws-docs cases (size and $or limits): AWS's wording is not recorded; rejection is what counts.
  });

  const asText = invalid.filter((c) => !c.raw && !KNOWN_WORDING_DIFFERENCES[c.reason]);
  test.each(asText.map((c) => [c.reason.slice(0, 120), c] as const))("as JSON text: %s", (_title, c) => {
    const error = rejection(JSON.stringify(c.pattern));
    const fromObject = rejection(c.pattern);
    expect(error.message).toBe(fromObject.message);
  });
});

describe("validation details", () => {
  test("a JSON text keeps number literals, so AWS's number messages name them", () => {
    expect(rejection('{"x":[{"numeric":["=",1E309]}]}').reason).toBe("Cannot compare number : 1E309");
    expect(rejection('{"x":[{"numeric":[">",0.30000000000000000001]}]}').reason).toBe(
      "Cannot compare number : 0.30000000000000000001",
    );
    expect(rejection('{"x":[{"anything-but":[1,2E400]}]}').reason).toBe("Cannot compare number : 2E400");
    // An exact value is allowed to be out of range (it is also matched as text by AWS).
    expect(() => validateEventPattern('{"account":[123456789012345678901234567890]}')).not.toThrow();
  });

  test("numbers JSON cannot hold are refused in pattern objects", () => {
    expect(rejection({ a: [Number.NaN] }).reason).toBe("Cannot compare number : NaN");
    expect(rejection({ a: [{ numeric: [">", Number.NEGATIVE_INFINITY] }] }).reason).toBe("Cannot compare number : -Infinity");
  });

  test("malformed JSON text gets Jackson's messages, as AWS returns them", () => {
    expect(rejection('{"a":["b"],}').reason).toBe(
      "Unexpected character ('}' (code 125)): was expecting double-quote to start field name",
    );
    expect(rejection('{"a" ["b"]}').reason).toBe(
      "Unexpected character ('[' (code 91)): was expecting a colon to separate field name and value",
    );
    expect(rejection('{"a":["b" "c"]}').reason).toBe(
      "Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries",
    );
    expect(rejection('{"a":[tru]}').reason).toBe(
      "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    );
    expect(rejection('{"a":[01]}').reason).toBe("Invalid numeric value: Leading zeroes not allowed");
    expect(rejection('{"a":["b"]').reason).toBe("Unexpected end-of-input: expected close marker for Object");
    expect(rejection("").reason).toBe("Filter is not an object");
    expect(rejection('"just a string"').reason).toBe("Filter is not an object");
  });

  test("the first problem in document order is the one reported", () => {
    expect(rejection('{"a":[], "b":1}').reason).toBe("Empty arrays are not allowed");
    expect(rejection('{"b":1, "a":[]}').reason).toBe('"b" must be an object or an array');
  });

  test("the 2,048-character quota is configurable", () => {
    const long = { detail: { key: ["x".repeat(2100)] } };
    expect(rejection(long).reason).toMatch(/maximum is 2048/);
    expect(isValidEventPattern(long, { maxLength: 10240 })).toBe(true);
  });

  test("$or may not expand to more than 1000 combinations", () => {
    const or = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ [`${prefix}${i}`]: ["v"] }));
    expect(isValidEventPattern({ $or: or("a", 10), detail: { $or: or("b", 10), x: { $or: or("c", 10) } } })).toBe(true);
    expect(isValidEventPattern({ $or: or("a", 10), detail: { $or: or("b", 10), x: { $or: or("c", 11) } } })).toBe(false);
  });

  test("wildcard complexity: AWS accepts 7 and 9, refuses 11", () => {
    expect(isValidEventPattern({ f: [{ wildcard: "/Users/*/dir/dir/dir/dir/dir/doc.txt" }] })).toBe(true);
    expect(isValidEventPattern({ f: [{ wildcard: "*:*:*:*:event-bus/*" }] })).toBe(true);
    expect(rejection({ f: [{ wildcard: "*:*:*:*:*:event-bus/*" }] }).reason).toMatch(/^Rule is too complex/);
    // Complexity adds up over one field's wildcard values (a case reported by an AWS user).
    const keys = ["*/datasync/*.bif", "*/datasync/*.tif", "*/datasync/*.tiff", "*/datasync/*.svs"];
    expect(isValidEventPattern({ key: keys.slice(0, 2).map((wildcard) => ({ wildcard })) })).toBe(true);
    expect(isValidEventPattern({ key: keys.map((wildcard) => ({ wildcard })) })).toBe(false);
  });

  test("$or needs objects, at least two, and no operator names as fields", () => {
    expect(rejection({ $or: [{ a: ["x"] }] }).reason).toBe("There must have at least 2 Objects in $or relationship.");
    expect(rejection({ $or: [{ prefix: ["x"] }, { b: ["y"] }] }).reason).toBe(
      "prefix is Ruler reserved fieldName which cannot be used inside $or.",
    );
    expect(rejection({ $or: { a: ["x"] } }).reason).toBe("It must be an Array followed with $or.");
  });

  test("CIDR syntax", () => {
    expect(rejection({ ip: [{ cidr: "10.0.0.0/-1" }] }).reason).toBe("Malformed CIDR, mask bits must not be negative");
    expect(rejection({ ip: [{ cidr: "300.0.0.0/8" }] }).reason).toBe("Invalid IP address: 300.0.0.0");
    expect(rejection({ ip: [{ cidr: "1:2:3/64" }] }).reason).toBe("Invalid IP address: 1:2:3");
    expect(isValidEventPattern({ ip: [{ cidr: "2001:db8::/32" }] })).toBe(true);
  });

  test("event-ruler's own `exactly` operator is not part of EventBridge", () => {
    expect(rejection({ a: [{ exactly: "x" }] }).reason).toBe("Unrecognized match type exactly");
  });
});

describe("matching details", () => {
  const match = (pattern: unknown, event: unknown) => matchesEventPattern(pattern, event);

  test("numbers compare by value, never with strings", () => {
    const pattern = { detail: { price: [300] } };
    for (const text of ["300", "300.0", "3.0e2", "3E2"]) {
      expect(match(pattern, `{"detail":{"price":${text}}}`)).toBe(true);
    }
    expect(match(pattern, { detail: { price: "300" } })).toBe(false);
    expect(match({ n: [{ numeric: [">=", 0, "<", 5e9] }] }, { n: 4999999999.999999 })).toBe(true);
    expect(match({ n: [{ numeric: ["<", 0] }] }, { n: "-1" })).toBe(false);
  });

  test("anything-but: missing never matches; other types are never excluded", () => {
    expect(match({ a: [{ "anything-but": "x" }] }, {})).toBe(false);
    expect(match({ a: [{ "anything-but": "x" }] }, { a: null })).toBe(true);
    expect(match({ a: [{ "anything-but": 5 }] }, { a: "5" })).toBe(true);
    expect(match({ a: [{ "anything-but": 5 }] }, { a: 5.0 })).toBe(false);
    expect(match({ a: [{ "anything-but": { prefix: "x" } }] }, { a: 12 })).toBe(true);
    expect(match({ a: [{ "anything-but": ["x", "y"] }] }, { a: ["x", "z"] })).toBe(true);
    expect(match({ a: [{ "anything-but": ["x", "y"] }] }, { a: ["x", "y"] })).toBe(false);
    expect(match({ a: [{ "anything-but": "x" }] }, { a: [] })).toBe(false);
    expect(match({ a: [{ "anything-but": "x" }] }, { a: { b: 1 } })).toBe(false);
  });

  test("exists looks at leaf values", () => {
    const exists = { a: [{ exists: true }] };
    const absent = { a: [{ exists: false }] };
    for (const [value, present] of [[null, true], [0, true], ["", true], [[1], true], [{}, false], [[], false], [{ b: 1 }, false]] as const) {
      expect(match(exists, { a: value })).toBe(present);
      expect(match(absent, { a: value })).toBe(!present);
    }
    expect(match(absent, {})).toBe(true);
  });

  test("null matches JSON null only", () => {
    expect(match({ a: [null] }, { a: null })).toBe(true);
    expect(match({ a: [null] }, {})).toBe(false);
    expect(match({ a: [null] }, { a: "null" })).toBe(false);
  });

  test("fields in one array of objects must match within one element", () => {
    const event = { items: [{ sku: "A", qty: 1 }, { sku: "B", qty: 5 }] };
    expect(match({ items: { sku: ["A"], qty: [1] } }, event)).toBe(true);
    expect(match({ items: { sku: ["A"], qty: [5] } }, event)).toBe(false);
    expect(match({ items: { sku: ["B"], qty: [{ numeric: [">", 2] }] } }, event)).toBe(true);
    // exists:false is judged within the elements chosen for the fields whose paths sort before it...
    const items = { items: [{ sku: "A", tag: "t" }, { sku: "B" }] };
    expect(match({ items: { sku: ["B"], tag: [{ exists: false }] } }, items)).toBe(true);
    expect(match({ items: { sku: ["A"], tag: [{ exists: false }] } }, items)).toBe(false);
    // ...so a field sorting after it ("sku" > "a") does not narrow it down: any element's "a" counts.
    const early = { items: [{ sku: "A", a: 1 }, { sku: "B" }] };
    expect(match({ items: { a: [{ exists: false }], sku: ["B"] } }, early)).toBe(false);
  });

  test("dotted keys equal nesting, in patterns and in events", () => {
    expect(match({ "detail.state": ["on"] }, { detail: { state: "on" } })).toBe(true);
    expect(match({ detail: { state: ["on"] } }, { "detail.state": "on" })).toBe(true);
    expect(match({ a: { b: { c: [1] } } }, { "a.b": { c: 1 } })).toBe(true);
  });

  test("keys that exist on Object.prototype are only found as own properties", () => {
    expect(match({ constructor: [{ exists: false }] }, {})).toBe(true);
    expect(match({ toString: [{ exists: true }] }, {})).toBe(false);
    const protoPattern: unknown = JSON.parse('{"__proto__":[{"exists":true}]}');
    expect(match(protoPattern, JSON.parse('{"__proto__":"x"}'))).toBe(true);
    expect(match(protoPattern, {})).toBe(false);
  });

  test("IP address strings compare as addresses", () => {
    expect(match({ ip: ["2001:db8::1"] }, { ip: "2001:0db8:0:0:0:0:0:1" })).toBe(true);
    expect(match({ ip: ["10.0.0.1"] }, { ip: "::ffff:a00:1" })).toBe(true);
    expect(match({ ip: [{ cidr: "2001:db8::/32" }] }, { ip: "2001:db8:ffff::1" })).toBe(true);
    expect(match({ ip: [{ cidr: "2001:db8::/32" }] }, { ip: "2001:db9::1" })).toBe(false);
    expect(match({ ip: [{ cidr: "10.0.0.0/8" }] }, { ip: 10 })).toBe(false);
  });

  test("equals-ignore-case takes each pattern character's lower- or upper-case form", () => {
    expect(match({ s: [{ "equals-ignore-case": "ÄbC" }] }, { s: "äBc" })).toBe(true);
    expect(match({ s: [{ prefix: { "equals-ignore-case": "eventb" } }] }, { s: "EventBridge" })).toBe(true);
    expect(match({ s: [{ suffix: { "equals-ignore-case": ".PNG" } }] }, { s: "a.png" })).toBe(true);
    // The Kelvin sign lower-cases to "k", but is not a case form of "k" itself.
    expect(match({ s: [{ "equals-ignore-case": "k" }] }, { s: "\u212a" })).toBe(false);
  });

  test("wildcard escapes and edge cases", () => {
    expect(match({ f: [{ wildcard: "a\\*b" }] }, { f: "a*b" })).toBe(true);
    expect(match({ f: [{ wildcard: "a\\*b" }] }, { f: "axb" })).toBe(false);
    expect(match({ f: [{ wildcard: "a?c" }] }, { f: "abc" })).toBe(false);
    expect(match({ f: [{ wildcard: "*ab*ab" }] }, { f: "xabyab" })).toBe(true);
    expect(match({ f: [{ wildcard: "ab*ba" }] }, { f: "aba" })).toBe(false);
    expect(match({ f: [{ wildcard: "*" }] }, { f: 1 })).toBe(false);
  });

  test("$or: a branch's field replaces the same field outside it", () => {
    const pattern = { a: ["x"], $or: [{ a: ["y"] }, { b: ["z"] }] };
    expect(match(pattern, { a: "y" })).toBe(true);
    expect(match(pattern, { a: "x", b: "z" })).toBe(true);
    expect(match(pattern, { a: "x" })).toBe(false);
  });

  test("a compiled matcher takes events as objects or JSON text", () => {
    const matcher = compileEventPattern('{"source":[{"prefix":"dealership."}]}');
    expect(matcher.matches({ source: "dealership.sales" })).toBe(true);
    expect(matcher.matches('{"source":"dealership.sales"}')).toBe(true);
    expect(matcher.matches('{"source":"aws.ec2"}')).toBe(false);
    expect(matcher.matches([{ source: "dealership.sales" }])).toBe(false);
  });

  test("compiling an invalid pattern throws the validation error", () => {
    expect(() => compileEventPattern({ a: "x" })).toThrow(InvalidEventPatternError);
  });
});
