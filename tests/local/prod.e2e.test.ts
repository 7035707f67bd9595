import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AwsError } from "../../local/aws-error";
import { deployLocal, LocalDeployment } from "../../local/deploy";
import type { Principal } from "../../local/iam";
import { queueCounts } from "../../local/queue-counts";
import { accountFor, dealershipScenario, operatorClientConfig, operatorEventBridge, order, orderIdsOf, placeOrders, ScenarioOrder } from "../../dealership/scenario";
import type { KmsService } from "../../local/services/kms/service";
import { OrderPlaced } from "../../handlers/contracts";

/**
 * The prod stack in the local cloud with its customer-managed key enforced: every queue, topic,
 * the table and the stream are under the key, so each producer, consumer and delivering service
 * must be allowed to use it, as on AWS.
 */
let deployment: LocalDeployment;
const PREFIX = "dealership-events-prod";
const roleArn = (fn: string) => `arn:aws:iam::123456789012:role/${PREFIX}-${fn}`;
const role = (fn: string): Principal => ({ kind: "role", arn: roleArn(fn) });

beforeAll(async () => {
  deployment = await deployLocal({ stack: "prod", port: 0 });
});

afterAll(async () => {
  await deployment?.stop();
});

async function run(orders: ScenarioOrder[]) {
  const events = operatorEventBridge(deployment);
  const refused = await placeOrders(events, orders);
  events.destroy();
  await deployment.cloud.clock.settle();
  return accountFor(deployment, orders, refused, 0, 0, queueCounts(deployment.cloud));
}

describe("the prod stack in the local cloud, keys enforced", () => {
  it("deploys its key as a real resource, not an inert one", () => {
    expect(deployment.warnings.join("\n")).not.toMatch(/kms/i);
  });

  it("runs the dealership scenario with every order accounted for", async () => {
    const orders = dealershipScenario(String(deployment.outputs.busName));
    const report = await run(orders);
    expect(report.problems).toEqual([]);
    expect(report.orders.map((o) => [o.order.orderId, o.outcome])).toEqual(orders.map((o) => [o.orderId, o.expected]));
  });

  it("tells the customer in plain text, without the quotes of a JSON string", () => {
    const handover = deployment.cloud.trace.records.find((r) => r.kind === "notification.published" && orderIdsOf(r).includes("order-std-1001") && String(r.payload).includes("handover"));
    expect(handover?.payload).toBe("Good news: your City Hatch is ready for handover at the dealership. Vehicle identification number: " + vinOf("order-std-1001") + ". Order reference: order-std-1001.");
  });

  it("lets the roles granted the table use its key, and no other", () => {
    const kms = deployment.cloud.service<KmsService>("kms");
    const key = String(deployment.resources.find((r) => r.type === "aws:kms/key:Key")!.state.arn);
    for (const fn of ["factory", "payment", "compensation", "handover"]) expect(kms.deniedReason(key, ["kms:Decrypt"], role(fn), "dynamodb")).toBeUndefined();
    expect(kms.deniedReason(key, ["kms:Decrypt"], role("invoice"), "dynamodb")).toMatch(/invoice is not authorized to perform kms:Decrypt/);
    // EventBridge and CloudWatch reach the key through SQS and SNS, which pass no source conditions.
    for (const service of ["events.amazonaws.com", "cloudwatch.amazonaws.com"]) expect(kms.deniedReason(key, ["kms:GenerateDataKey", "kms:Decrypt"], { kind: "service", service }, "sqs")).toBeUndefined();
    expect(kms.deniedReason(key, ["kms:GenerateDataKey"], { kind: "service", service: "sns.amazonaws.com" }, "sqs")).toMatch(/no resource-based policy allows/);
  });

  it("sends an asynchronous function's failure to its encrypted failure destination", async () => {
    const placed = order("premium", { orderId: "order-prod-async-failure" });
    const heal = deployment.cloud.injectFault({ operation: "AWSEvents.PutEvents", caller: roleArn("transport-dispatch"), error: new AwsError("AccessDeniedException", "not allowed in this test") });
    await run([{ orderId: placed.orderId, story: "test", expected: "unaccounted", entry: OrderPlaced.entry(placed, String(deployment.outputs.busName)) }]);
    heal();
    const sqs = new SQSClient(operatorClientConfig(deployment));
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${PREFIX}-async-failures` }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    sqs.destroy();
    expect(Messages?.map((m) => JSON.parse(m.Body!).requestPayload?.detail?.orderId)).toContain(placed.orderId);
  });
});

function vinOf(orderId: string): string {
  const produced = deployment.cloud.trace.records.find((r) => r.kind === "event.accepted" && orderIdsOf(r).includes(orderId) && (r.payload as { "detail-type": string })["detail-type"] === "VehicleProduced");
  return (produced!.payload as { detail: { vin: string } }).detail.vin;
}
