import aslValidator = require("asl-validator");
import { paperworkDefinition } from "../dealership/paperwork-workflow";
import { WorkflowErrors } from "../handlers/contracts";

const arn = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:dealership-events-dev-${name}`;
const definition = paperworkDefinition({
  invoice: arn("invoice"),
  payment: arn("payment"),
  insurance: arn("insurance"),
  registration: arn("registration"),
  compensation: arn("compensation"),
  busName: "dealership-events-dev-dealership",
  customerTopicArn: "arn:aws:sns:eu-west-1:123456789012:dealership-events-dev-customer-notifications",
});

describe("the paperwork workflow definition", () => {
  test("is valid Amazon States Language (asl-validator)", () => {
    const result = aslValidator(definition as never);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  test("runs invoice, payment, insurance and registration in parallel", () => {
    const paperwork = (definition.States as any).Paperwork;
    expect(paperwork.Type).toBe("Parallel");
    expect(paperwork.Branches.map((b: any) => b.StartAt)).toEqual(["Invoice", "ChargeBalance", "Insure", "Register"]);
  });

  test("catches exactly the error names the task functions throw, and retries the retryable ones", () => {
    const states = definition.States as any;
    expect(states.Paperwork.Catch.map((c: any) => c.ErrorEquals[0])).toEqual([WorkflowErrors.PaymentDeclined, WorkflowErrors.RegistrationRejected, "States.ALL"]);
    const paymentRetries = states.Paperwork.Branches[1].States.ChargeBalance.Retry.flatMap((r: any) => r.ErrorEquals);
    expect(paymentRetries).toEqual(expect.arrayContaining([WorkflowErrors.PaymentGatewayUnavailable, WorkflowErrors.IdempotencyAlreadyInProgress]));
  });

  test("every failure path compensates before it publishes or fails", () => {
    const states = definition.States as any;
    const path = (start: string): string[] => {
      const out: string[] = [];
      for (let name: string | undefined = start; name; name = states[name].Next) out.push(name);
      return out;
    };
    expect(path("ReadDeclinedPayment")).toEqual(["ReadDeclinedPayment", "CompensateDeclinedPayment", "PublishPaymentDeclined", "TellCustomerPaymentDeclined"]);
    expect(path("ReadRejectedRegistration")).toEqual(["ReadRejectedRegistration", "CompensateRejectedRegistration", "PublishRegistrationRejected"]);
    expect(path("CompensateUnexpectedFailure")).toEqual(["CompensateUnexpectedFailure", "PaperworkFailed"]);
  });
});

test("the validator does reject a broken definition (a Next to no state)", () => {
  const broken = JSON.parse(JSON.stringify(definition));
  broken.States.PublishPaymentDeclined.Next = "NoSuchState";
  expect(aslValidator(broken).isValid).toBe(false);
});
