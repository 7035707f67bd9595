import { conditionHolds, conditionsHold, decide, evaluate, parsePolicyDocument, PolicyGrammarError, principalMatch, readPolicyDocument, Request, Statement, statementApplies, wildcard } from "@event-routes/aws-model";

/**
 * The one IAM evaluator the offline checks and the local cloud share: grammar, wildcards, each
 * operator family, principals, and the three-valued evaluation.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
const ROLE = "arn:aws:iam::111122223333:role/worker";
const QUEUE = "arn:aws:sqs:eu-west-1:111122223333:orders";
const RULE = "arn:aws:events:eu-west-1:111122223333:rule/orders";
const allow = (extra: Partial<Statement> = {}): Statement => ({ Effect: "Allow", Action: "sqs:SendMessage", Resource: QUEUE, ...extra });
const deny = (extra: Partial<Statement> = {}): Statement => ({ Effect: "Deny", Action: "sqs:SendMessage", Resource: QUEUE, ...extra });
const request = (extra: Partial<Request> = {}): Request => ({ action: "sqs:SendMessage", resource: QUEUE, ...extra });

describe("policy grammar", () => {
  test("parses JSON text or an object, a single statement as a list", () => {
    expect(parsePolicyDocument(JSON.stringify({ Version: "2012-10-17", Statement: allow() }), "p").Statement).toEqual([allow()]);
    expect(parsePolicyDocument({ Statement: [allow(), deny()] }, "p").Statement).toHaveLength(2);
  });

  test("errors name where the document came from and which statement is wrong", () => {
    expect(() => parsePolicyDocument("{", "queue orders's policy")).toThrow(/^queue orders's policy is not JSON/);
    expect(() => parsePolicyDocument("[]", "p")).toThrow("p is not a policy document");
    expect(() => parsePolicyDocument({}, "p")).toThrow("p: the policy has no Statement");
    expect(() => parsePolicyDocument({ Statement: [allow(), { ...allow(), Effect: "allow" }] }, "p")).toThrow("p: Statement[1] needs Effect Allow or Deny");
    expect(() => parsePolicyDocument({ Statement: [{ Effect: "Allow", Resource: "*" }] }, "p")).toThrow("p: Statement[0] has no Action");
    expect(() => parsePolicyDocument("{", "p")).toThrow(PolicyGrammarError);
  });

  test("reading without judging keeps statements a check reports on itself", () => {
    expect(readPolicyDocument({ Statement: [{ Effect: "Maybe" }] }, "p").Statement).toEqual([{ Effect: "Maybe" }]);
    expect(readPolicyDocument({}, "p").Statement).toEqual([]);
    expect(() => readPolicyDocument("nope", "p")).toThrow(PolicyGrammarError);
  });
});

describe("wildcards", () => {
  test("* is any run of characters (colons and slashes included), ? one character", () => {
    expect(wildcard("arn:aws:sqs:*:111122223333:*", QUEUE)).toBe(true);
    expect(wildcard("arn:aws:sqs:*", QUEUE)).toBe(true);
    expect(wildcard("arn:aws:sqs:eu-west-?:111122223333:orders", QUEUE)).toBe(true);
    expect(wildcard("arn:aws:sqs:eu-west-?:111122223333:order", QUEUE)).toBe(false);
    expect(wildcard("a.b", "axb")).toBe(false);
  });

  test("actions ignore case, resources do not", () => {
    expect(statementApplies(allow({ Action: "SQS:send*" }), request())).toBe(true);
    expect(statementApplies(allow({ Resource: QUEUE.toUpperCase() }), request())).toBe(false);
  });

  test("NotAction and NotResource match everything they do not name; no Resource means the attached resource", () => {
    expect(statementApplies(allow({ Action: undefined, NotAction: "sqs:Delete*" }), request())).toBe(true);
    expect(statementApplies(allow({ Action: undefined, NotAction: "sqs:Send*" }), request())).toBe(false);
    expect(statementApplies(allow({ Resource: undefined, NotResource: "arn:aws:sqs:*:*:other" }), request())).toBe(true);
    expect(statementApplies(allow({ Resource: undefined, NotResource: "arn:aws:sqs:*" }), request())).toBe(false);
    expect(statementApplies(allow({ Resource: undefined }), request())).toBe(true);
  });
});

describe("condition operators", () => {
  test("String and Arn families, and their Not forms", () => {
    expect(conditionHolds("StringEquals", "a", ["a", "b"])).toBe(true);
    expect(conditionHolds("StringEquals", "A", "a")).toBe(false);
    expect(conditionHolds("StringEqualsIgnoreCase", "A", "a")).toBe(true);
    expect(conditionHolds("StringNotEquals", "a", "b")).toBe(true);
    expect(conditionHolds("StringNotEquals", "a", "a")).toBe(false);
    expect(conditionHolds("StringLike", "orders-eu", "orders-*")).toBe(true);
    expect(conditionHolds("StringNotLike", "orders-eu", "orders-*")).toBe(false);
    expect(conditionHolds("ArnLike", RULE, "arn:aws:events:*:111122223333:rule/*")).toBe(true);
    expect(conditionHolds("ArnEquals", RULE, RULE)).toBe(true);
    expect(conditionHolds("ArnNotLike", RULE, "arn:aws:events:*:*:rule/other")).toBe(true);
  });

  test("Numeric family", () => {
    expect(conditionHolds("NumericEquals", "10", "10")).toBe(true);
    expect(conditionHolds("NumericNotEquals", "10", "10")).toBe(false);
    expect(conditionHolds("NumericLessThan", "9", "10")).toBe(true);
    expect(conditionHolds("NumericLessThan", "10", "10")).toBe(false);
    expect(conditionHolds("NumericLessThanEquals", "10", "10")).toBe(true);
    expect(conditionHolds("NumericGreaterThan", "11", "10")).toBe(true);
    expect(conditionHolds("NumericGreaterThanEquals", "9", "10")).toBe(false);
  });

  test("Bool ignores case", () => {
    expect(conditionHolds("Bool", "True", "true")).toBe(true);
    expect(conditionHolds("Bool", "false", ["true"])).toBe(false);
  });

  test("a key absent from a complete context: Null asks it, IfExists and Not forms hold, others fail", () => {
    expect(conditionHolds("Null", undefined, "true")).toBe(true);
    expect(conditionHolds("Null", undefined, "false")).toBe(false);
    expect(conditionHolds("Null", "x", "false")).toBe(true);
    expect(conditionHolds("Null", "x", "true")).toBe(false);
    expect(conditionHolds("StringEqualsIfExists", undefined, "a")).toBe(true);
    expect(conditionHolds("StringEqualsIfExists", "b", "a")).toBe(false);
    expect(conditionHolds("StringNotEquals", undefined, "a")).toBe(true);
    expect(conditionHolds("StringEquals", undefined, "a")).toBe(false);
    expect(conditionHolds("ArnLike", undefined, RULE)).toBe(false);
  });

  test("ForAnyValue and ForAllValues over a multivalued key", () => {
    expect(conditionHolds("ForAnyValue:StringEquals", ["a", "z"], ["a", "b"])).toBe(true);
    expect(conditionHolds("ForAnyValue:StringEquals", ["y", "z"], ["a", "b"])).toBe(false);
    expect(conditionHolds("ForAllValues:StringEquals", ["a", "b"], ["a", "b", "c"])).toBe(true);
    expect(conditionHolds("ForAllValues:StringEquals", ["a", "z"], ["a", "b"])).toBe(false);
    expect(conditionHolds("ForAllValues:StringLike", ["orders-1", "orders-2"], "orders-*")).toBe(true);
    // An absent key: ForAllValues holds vacuously, ForAnyValue does not.
    expect(conditionHolds("ForAllValues:StringEquals", undefined, "a")).toBe(true);
    expect(conditionHolds("ForAnyValue:StringEquals", undefined, "a")).toBe(false);
  });

  test("an operator not modelled is unknown, never a yes", () => {
    expect(conditionHolds("DateGreaterThan", "2020-01-01T00:00:00Z", "2019-01-01T00:00:00Z")).toBe("unknown");
    expect(conditionHolds("IpAddress", "10.0.0.1", "10.0.0.0/8")).toBe("unknown");
  });

  test("keys compare ignoring case; every key of every operator must hold", () => {
    const block = { ArnLike: { "aws:SourceArn": RULE }, StringEquals: { "AWS:SourceAccount": "111122223333" } };
    expect(conditionsHold(block, { "aws:sourcearn": RULE, "aws:SourceAccount": "111122223333" })).toBe(true);
    expect(conditionsHold(block, { "aws:sourcearn": RULE, "aws:SourceAccount": "999999999999" })).toBe(false);
    expect(conditionsHold(block, { "aws:sourcearn": RULE })).toBe(false);
  });
});

describe("three-valued outcomes (offline: keys whose presence cannot be known)", () => {
  const unknownKeys = () => true;
  test("a key the context lacks but the request may carry is unknown, not a failure", () => {
    expect(conditionsHold({ StringEquals: { "aws:SourceAccount": "1" } }, {}, unknownKeys)).toBe("unknown");
    expect(conditionsHold({ StringEquals: { "aws:SourceAccount": "1" } }, {})).toBe(false);
  });

  test("Null true and IfExists are taken to hold for such a key; Null false stays unknown", () => {
    expect(conditionHolds("Null", undefined, "true", true)).toBe(true);
    expect(conditionHolds("Null", undefined, "false", true)).toBe("unknown");
    expect(conditionHolds("StringLikeIfExists", undefined, "x", true)).toBe(true);
  });

  test("a known false beats an unknown in the same statement", () => {
    expect(conditionsHold({ StringEquals: { "aws:SourceAccount": "1", "aws:SourceArn": RULE } }, { "aws:sourcearn": "other" }, unknownKeys)).toBe(false);
  });

  test("an Allow that might apply is unknown; one that does apply allows", () => {
    const maybe = allow({ Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } });
    expect(decide([maybe], request({ unknownKeys }))).toBe("unknown");
    expect(decide([maybe, allow()], request({ unknownKeys }))).toBe(true);
    expect(decide([allow(), maybe], request({ unknownKeys }))).toBe(true);
    // The local cloud knows its whole context: the same statement does not apply.
    expect(decide([maybe], request())).toBe(false);
  });

  test("a Deny that might apply leaves an Allow undecided; a Deny that applies wins", () => {
    const maybeDeny = deny({ Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } } });
    expect(evaluate([allow(), maybeDeny], request({ unknownKeys }))).toBe("unknown");
    expect(evaluate([allow(), maybeDeny], request())).toBe("allow");
    expect(evaluate([allow(), deny()], request({ unknownKeys }))).toBe("explicit-deny");
  });
});

describe("evaluation", () => {
  test("explicit deny wins, else an allow, else implicit deny", () => {
    expect(evaluate([allow(), deny()], request())).toBe("explicit-deny");
    expect(evaluate([deny(), allow()], request())).toBe("explicit-deny");
    expect(evaluate([allow()], request())).toBe("allow");
    expect(evaluate([], request())).toBe("implicit-deny");
    expect(evaluate([allow({ Action: "sqs:ReceiveMessage" })], request())).toBe("implicit-deny");
    expect(decide([deny()], request())).toBe(false);
  });

  test("conditions decide whether a statement applies", () => {
    const forRule = allow({ Principal: { Service: "events.amazonaws.com" }, Condition: { ArnEquals: { "aws:SourceArn": RULE } } });
    const events = { kind: "service", service: "events.amazonaws.com" } as const;
    expect(decide([forRule], request({ principal: events, context: { "aws:SourceArn": RULE } }))).toBe(true);
    expect(decide([forRule], request({ principal: events, context: { "aws:SourceArn": `${RULE}-2` } }))).toBe(false);
    expect(decide([forRule], request({ principal: { kind: "service", service: "sns.amazonaws.com" }, context: { "aws:SourceArn": RULE } }))).toBe(false);
  });
});

describe("principals", () => {
  const role = { kind: "role", arn: ROLE } as const;
  const events = { kind: "service", service: "events.amazonaws.com" } as const;
  test("a role named directly, by wildcard, or through its account (id or root ARN)", () => {
    expect(principalMatch(allow({ Principal: { AWS: ROLE } }), role)).toBe("direct");
    expect(principalMatch(allow({ Principal: { AWS: [ "arn:aws:iam::111122223333:role/work*" ] } }), role)).toBe("direct");
    expect(principalMatch(allow({ Principal: { AWS: "111122223333" } }), role)).toBe("account");
    expect(principalMatch(allow({ Principal: { AWS: "arn:aws:iam::111122223333:root" } }), role)).toBe("account");
    expect(principalMatch(allow({ Principal: { AWS: "arn:aws:iam::999999999999:root" } }), role)).toBeUndefined();
    expect(principalMatch(allow({ Principal: { Service: "events.amazonaws.com" } }), role)).toBeUndefined();
  });

  test('services by name; "*" and {"AWS": "*"} name everyone', () => {
    expect(principalMatch(allow({ Principal: { Service: ["sns.amazonaws.com", "events.amazonaws.com"] } }), events)).toBe("direct");
    expect(principalMatch(allow({ Principal: { Service: "sns.amazonaws.com" } }), events)).toBeUndefined();
    expect(principalMatch(allow({ Principal: "*" }), events)).toBe("direct");
    expect(principalMatch(allow({ Principal: { AWS: "*" } }), events)).toBe("direct");
    expect(principalMatch(allow({ Principal: { AWS: "*" } }), role)).toBe("direct");
  });

  test("NotPrincipal names everyone it does not list; no principal element names nobody", () => {
    expect(principalMatch(deny({ NotPrincipal: { AWS: ROLE } }), role)).toBeUndefined();
    expect(principalMatch(deny({ NotPrincipal: { AWS: ROLE } }), events)).toBe("direct");
    expect(principalMatch(allow(), role)).toBeUndefined();
  });

  test("with a principal in the request, a statement that does not name it does not apply", () => {
    expect(decide([allow({ Principal: { AWS: "arn:aws:iam::111122223333:role/other" } })], request({ principal: role }))).toBe(false);
    expect(decide([allow({ Principal: { AWS: ROLE } })], request({ principal: role }))).toBe(true);
    // Identity policies: no principal in the request, none checked.
    expect(decide([allow()], request())).toBe(true);
  });
});
