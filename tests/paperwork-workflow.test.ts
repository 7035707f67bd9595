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
    expect(paymentRetries).toEqual(expect.arrayContaining([WorkflowErrors.PaymentGatewayUnavailable, WorkflowErrors.IdempotencyAlreadyInProgress, WorkflowErrors.TransientServiceError]));
    // Terminal errors are never retried.
    expect(paymentRetries).not.toEqual(expect.arrayContaining([WorkflowErrors.PaymentDeclined]));
  });

  test("every failure path compensates, then tells operations and the customer once, before it ends", () => {
    const states = definition.States as any;
    const path = (start: string, announce = true): string[] => {
      const out: string[] = [];
      for (let name: string | undefined = start; name; ) {
        out.push(name);
        const state: any = states[name];
        name = state.Type === "Choice" ? (announce ? state.Default : state.Choices[0].Next) : state.Next;
      }
      return out;
    };
    expect(path("ReadDeclinedPayment")).toEqual(["ReadDeclinedPayment", "CompensateDeclinedPayment", "AnnounceDeclinedPayment", "PublishPaymentDeclined", "TellCustomerPaymentDeclined"]);
    expect(path("ReadRejectedRegistration")).toEqual(["ReadRejectedRegistration", "CompensateRejectedRegistration", "AnnounceRejectedRegistration", "PublishRegistrationRejected", "TellCustomerRegistrationRejected"]);
    expect(path("CompensateUnexpectedFailure")).toEqual(["CompensateUnexpectedFailure", "AnnounceUnexpectedFailure", "PublishPaperworkFailed", "TellCustomerPaperworkFailed", "PaperworkFailed"]);
    // A duplicate execution of an order already announced compensates and stays quiet.
    expect(path("ReadDeclinedPayment", false)).toEqual(["ReadDeclinedPayment", "CompensateDeclinedPayment", "AnnounceDeclinedPayment", "DeclinedPaymentAlreadyAnnounced"]);
    expect(path("CompensateUnexpectedFailure", false)).toEqual(["CompensateUnexpectedFailure", "AnnounceUnexpectedFailure", "PaperworkFailed"]);
    // A compensation that fails for good still announces: its Catch goes on to the announcement.
    for (const name of ["CompensateDeclinedPayment", "CompensateRejectedRegistration", "CompensateUnexpectedFailure"]) {
      expect(states[name].Catch).toEqual([{ ErrorEquals: ["States.ALL"], ResultPath: "$.compensation", Next: states[name].Next }]);
    }
    const published = ["PublishPaymentDeclined", "PublishRegistrationRejected", "PublishPaperworkFailed"].map((name) => states[name].Parameters.Entries[0].DetailType);
    expect(published).toEqual(["PaymentDeclined", "RegistrationRejected", "PaperworkFailed"]);
  });

  test("every task retries the transient errors of Lambda and of the services its function calls, with backoff, before any Catch", () => {
    const states = definition.States as any;
    const tasks = [...states.Paperwork.Branches.map((b: any) => b.States[b.StartAt]), states.CompensateDeclinedPayment, states.CompensateRejectedRegistration, states.CompensateUnexpectedFailure];
    expect(tasks).toHaveLength(7);
    for (const task of tasks) {
      const transient = task.Retry.find((r: any) => r.ErrorEquals.includes(WorkflowErrors.TransientServiceError));
      expect(transient?.ErrorEquals).toEqual(expect.arrayContaining(["Lambda.ServiceException", "Lambda.TooManyRequestsException", "Sandbox.Timedout"]));
      expect(transient).toMatchObject({ BackoffRate: 2, MaxAttempts: expect.any(Number) });
      // About five minutes of backoff: the waits, capped, add up.
      const waits = Array.from({ length: transient.MaxAttempts }, (_, i) => Math.min(transient.IntervalSeconds * 2 ** i, transient.MaxDelaySeconds));
      expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(300);
      expect(task.Retry.flatMap((r: any) => r.ErrorEquals)).toContain(WorkflowErrors.IdempotencyAlreadyInProgress);
    }
  });
});

test("the validator does reject a broken definition (a Next to no state)", () => {
  const broken = JSON.parse(JSON.stringify(definition));
  broken.States.PublishPaymentDeclined.Next = "NoSuchState";
  expect(aslValidator(broken).isValid).toBe(false);
});
