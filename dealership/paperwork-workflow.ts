import * as pulumi from "@pulumi/pulumi";

/** The functions and destinations the paperwork workflow calls. */
export interface PaperworkWorkflowTargets {
  invoice: pulumi.Input<string>;
  payment: pulumi.Input<string>;
  insurance: pulumi.Input<string>;
  registration: pulumi.Input<string>;
  compensation: pulumi.Input<string>;
  busName: pulumi.Input<string>;
  customerTopicArn: pulumi.Input<string>;
}

export const PAPERWORK_SOURCE = "dealership.paperwork";

/** Errors of the Lambda service itself, worth retrying whatever the task. */
const LAMBDA_TRANSIENT = ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"];
const retryTransient = { ErrorEquals: LAMBDA_TRANSIENT, IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "FULL" };

/** The input every paperwork task gets: the order, from the VehicleShipped event that started the run. */
const taskPayload = { "orderId.$": "$.detail.orderId", "order.$": "$.detail.order", "vin.$": "$.detail.vin" };

function task(functionArn: pulumi.Input<string>, resultSelector: Record<string, string>, extraRetry: object[] = []) {
  return {
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: { FunctionName: functionArn, Payload: taskPayload },
    ResultSelector: resultSelector,
    Retry: [...extraRetry, retryTransient],
    End: true,
  };
}

function branch(name: string, state: object) {
  return { StartAt: name, States: { [name]: state } };
}

function putEvent(busName: pulumi.Input<string>, detailType: string, detail: Record<string, unknown>, next: { Next: string } | { End: true }) {
  return {
    Type: "Task",
    Resource: "arn:aws:states:::events:putEvents",
    Parameters: { Entries: [{ EventBusName: busName, Source: PAPERWORK_SOURCE, DetailType: detailType, Detail: detail }] },
    Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: "FULL" }],
    ResultPath: null,
    ...next,
  };
}

/**
 * Amazon States Language of the dealership's paperwork, started by a VehicleShipped event:
 * invoice, balance payment, insurance and registration run in parallel. Success publishes
 * PaperworkCompleted. A declined payment or rejected registration is a business outcome: the
 * compensation task voids what was done, a failure event is published (and the customer told of a
 * declined payment), and the execution succeeds. Anything else is compensated too, then fails, so
 * the failed-executions alarm fires.
 */
export function paperworkDefinition(t: PaperworkWorkflowTargets): Record<string, unknown> {
  const order = { version: "1", "orderId.$": "$.detail.orderId", "order.$": "$.detail.order", "vin.$": "$.detail.vin" };
  // A task's Cause is the Lambda error as JSON text; its errorMessage is the readable reason.
  const readFailure = (next: string) => ({
    Type: "Pass",
    Parameters: { "error.$": "$.failure.Error", "detail.$": "States.StringToJson($.failure.Cause)" },
    ResultPath: "$.failure",
    Next: next,
  });
  const compensate = (reasonPath: string, next: string) => ({
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: { FunctionName: t.compensation, Payload: { ...taskPayload, "reason.$": reasonPath } },
    ResultPath: "$.compensation",
    ResultSelector: { "actions.$": "$.Payload.actions" },
    Retry: [retryTransient, { ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 }],
    Next: next,
  });
  return {
    Comment: "Dealership paperwork for a shipped vehicle, with compensation",
    StartAt: "Paperwork",
    States: {
      Paperwork: {
        Type: "Parallel",
        Branches: [
          branch("Invoice", task(t.invoice, { "invoiceId.$": "$.Payload.invoiceId" })),
          branch(
            "ChargeBalance",
            task(t.payment, { "paymentId.$": "$.Payload.paymentId", "amountCents.$": "$.Payload.amountCents" }, [
              { ErrorEquals: ["PaymentGatewayUnavailable"], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, JitterStrategy: "FULL" },
              // A duplicate invocation for the same order is still running: wait for its result.
              { ErrorEquals: ["IdempotencyAlreadyInProgressError"], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 },
            ]),
          ),
          branch("Insure", task(t.insurance, { "insurancePolicyId.$": "$.Payload.insurancePolicyId" })),
          branch("Register", task(t.registration, { "registrationId.$": "$.Payload.registrationId", "plate.$": "$.Payload.plate" })),
        ],
        ResultPath: "$.paperwork",
        Catch: [
          { ErrorEquals: ["PaymentDeclined"], ResultPath: "$.failure", Next: "ReadDeclinedPayment" },
          { ErrorEquals: ["RegistrationRejected"], ResultPath: "$.failure", Next: "ReadRejectedRegistration" },
          { ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "CompensateUnexpectedFailure" },
        ],
        Next: "PublishPaperworkCompleted",
      },
      PublishPaperworkCompleted: putEvent(
        t.busName,
        "PaperworkCompleted",
        {
          ...order,
          "invoiceId.$": "$.paperwork[0].invoiceId",
          "paymentId.$": "$.paperwork[1].paymentId",
          "insurancePolicyId.$": "$.paperwork[2].insurancePolicyId",
          "registrationId.$": "$.paperwork[3].registrationId",
          "plate.$": "$.paperwork[3].plate",
        },
        { End: true },
      ),
      ReadDeclinedPayment: readFailure("CompensateDeclinedPayment"),
      CompensateDeclinedPayment: compensate("$.failure.detail.errorMessage", "PublishPaymentDeclined"),
      PublishPaymentDeclined: putEvent(t.busName, "PaymentDeclined", { ...order, "reason.$": "$.failure.detail.errorMessage" }, { Next: "TellCustomerPaymentDeclined" }),
      TellCustomerPaymentDeclined: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Parameters: {
          TopicArn: t.customerTopicArn,
          Subject: "Your vehicle payment was declined",
          "Message.$": "States.Format('The balance payment for order {} was declined. Please contact your dealer to arrange payment.', $.detail.orderId)",
        },
        ResultPath: null,
        End: true,
      },
      ReadRejectedRegistration: readFailure("CompensateRejectedRegistration"),
      CompensateRejectedRegistration: compensate("$.failure.detail.errorMessage", "PublishRegistrationRejected"),
      PublishRegistrationRejected: putEvent(t.busName, "RegistrationRejected", { ...order, "reason.$": "$.failure.detail.errorMessage" }, { End: true }),
      CompensateUnexpectedFailure: compensate("$.failure.Error", "PaperworkFailed"),
      PaperworkFailed: { Type: "Fail", Error: "PaperworkFailed", Cause: "A paperwork task failed unexpectedly; the order was compensated" },
    },
  };
}
