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
