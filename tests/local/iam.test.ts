import { PolicyStore, Principal, Statement } from "../../local/iam";

const ACCOUNT = "123456789012";
const QUEUE = `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/worker`;
const role: Principal = { kind: "role", arn: ROLE_ARN };
const allow = (extra: Partial<Statement>): Statement => ({ Effect: "Allow", Action: "sqs:SendMessage", Resource: QUEUE, ...extra });

describe("IAM evaluation", () => {
  it("lets a resource policy that names the role grant on its own", () => {
    const iam = new PolicyStore(ACCOUNT);
    iam.putResourcePolicy(QUEUE, "policy", [allow({ Principal: { AWS: ROLE_ARN } })]);
    expect(iam.authorize(role, "sqs:SendMessage", QUEUE).allowed).toBe(true);
  });

  it.each([ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`])("treats a resource policy naming the account (%s) as delegation: the role still needs its own grant", (account) => {
    const iam = new PolicyStore(ACCOUNT);
    iam.putResourcePolicy(QUEUE, "policy", [allow({ Principal: { AWS: account } })]);
    expect(iam.authorize(role, "sqs:SendMessage", QUEUE)).toMatchObject({ allowed: false, reason: expect.stringContaining("no identity-based policy allows") });
    iam.putRolePolicy(ROLE_ARN, "send", [allow({})]);
    expect(iam.authorize(role, "sqs:SendMessage", QUEUE).allowed).toBe(true);
  });

  describe("a KMS key policy", () => {
    const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k`;
    const use = (extra: Partial<Statement>): Statement => ({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*", ...extra });

    it("is required: without it the role's own allow grants nothing", () => {
      const iam = new PolicyStore(ACCOUNT);
      iam.putRolePolicy(ROLE_ARN, "kms", [use({ Resource: KEY })]);
      expect(iam.authorize(role, "kms:Decrypt", KEY, {}, { keyPolicy: true })).toMatchObject({ allowed: false, reason: expect.stringContaining("no resource-based policy allows") });
      expect(iam.authorize(role, "kms:Decrypt", KEY).allowed).toBe(true);
    });

    it("hands the decision to IAM for the actions its root statement allows, and only those", () => {
      const iam = new PolicyStore(ACCOUNT);
      iam.putResourcePolicy(KEY, "key-policy", [use({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })]);
      iam.putRolePolicy(ROLE_ARN, "kms", [use({ Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: KEY })]);
      expect(iam.authorize(role, "kms:Decrypt", KEY, {}, { keyPolicy: true }).allowed).toBe(true);
      expect(iam.authorize(role, "kms:GenerateDataKey", KEY, {}, { keyPolicy: true }).allowed).toBe(false);
    });

    it("lets the role's explicit deny win over a statement that names the role", () => {
      const iam = new PolicyStore(ACCOUNT);
      iam.putResourcePolicy(KEY, "key-policy", [use({ Principal: { AWS: ROLE_ARN } })]);
      expect(iam.authorize(role, "kms:Decrypt", KEY, {}, { keyPolicy: true }).allowed).toBe(true);
      iam.putRolePolicy(ROLE_ARN, "deny", [{ Effect: "Deny", Action: "kms:*", Resource: "*" }]);
      expect(iam.authorize(role, "kms:Decrypt", KEY, {}, { keyPolicy: true })).toMatchObject({ allowed: false, reason: expect.stringContaining("explicit deny") });
    });
  });

  it("lets an explicit deny that names the account win over the role's allow", () => {
    const iam = new PolicyStore(ACCOUNT);
    iam.putRolePolicy(ROLE_ARN, "send", [allow({})]);
    iam.putResourcePolicy(QUEUE, "policy", [{ Effect: "Deny", Principal: { AWS: ACCOUNT }, Action: "sqs:*", Resource: QUEUE }]);
    expect(iam.authorize(role, "sqs:SendMessage", QUEUE)).toMatchObject({ allowed: false, reason: expect.stringContaining("explicit deny") });
  });

  it("confines a service principal by aws:SourceArn and aws:SourceAccount", () => {
    const iam = new PolicyStore(ACCOUNT);
    iam.putResourcePolicy(QUEUE, "policy", [
      allow({ Principal: { Service: "events.amazonaws.com" }, Condition: { ArnLike: { "aws:SourceArn": `arn:aws:events:eu-west-1:${ACCOUNT}:rule/shop/*` }, StringEquals: { "aws:SourceAccount": ACCOUNT } } }),
    ]);
    const events = (sourceArn: string, sourceAccount = ACCOUNT): Principal => ({ kind: "service", service: "events.amazonaws.com", sourceArn, sourceAccount });
    expect(iam.authorize(events(`arn:aws:events:eu-west-1:${ACCOUNT}:rule/shop/orders`), "sqs:SendMessage", QUEUE).allowed).toBe(true);
    expect(iam.authorize(events(`arn:aws:events:eu-west-1:${ACCOUNT}:rule/other/orders`), "sqs:SendMessage", QUEUE).allowed).toBe(false);
    expect(iam.authorize(events(`arn:aws:events:eu-west-1:${ACCOUNT}:rule/shop/orders`, "210987654321"), "sqs:SendMessage", QUEUE).allowed).toBe(false);
  });

  it("reads trust policies: only the services a role trusts may assume it", () => {
    const iam = new PolicyStore(ACCOUNT);
    const arn = `arn:aws:iam::${ACCOUNT}:role/fn`;
    iam.putTrustPolicy(arn, [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);
    expect(iam.canAssume(arn, "lambda.amazonaws.com")).toBe(true);
    expect(iam.canAssume(arn, "events.amazonaws.com")).toBe(false);
  });
});
