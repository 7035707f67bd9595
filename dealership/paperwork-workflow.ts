import * as pulumi from "@pulumi/pulumi";
import { WorkflowErrors } from "../handlers/contracts";

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

/**
 * Transient errors, retried with backoff for about five minutes before any Catch compensates
 * (MaxDelaySeconds caps each wait: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html):
 * - the Lambda service's own errors, which AWS recommends retrying, and its throttling
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html);
 * - a function that timed out: AWS reports it as Lambda.Unknown (the same page), the runtime's
 *   errorType is Sandbox.Timedout. Every task is idempotent, so running it again is safe;
 * - TransientServiceError, the name the task functions give a throttled or failing call to a
 *   service, their idempotency store included (handlers/lib/errors.ts).
 */
const TRANSIENT = [
  "Lambda.ClientExecutionTimeoutException",
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
  "Lambda.Unknown",
  "Sandbox.Timedout",
  WorkflowErrors.TransientServiceError,
];
const retryTransient = { ErrorEquals: TRANSIENT, IntervalSeconds: 1, MaxAttempts: 10, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: "FULL" };
/**
 * A duplicate invocation for the same order is still running, or died holding the idempotency
 * record: wait for its result, or for the record to expire with its function's timeout.
 */
const retryInProgress = { ErrorEquals: [WorkflowErrors.IdempotencyAlreadyInProgress], IntervalSeconds: 2, MaxAttempts: 8, BackoffRate: 2, MaxDelaySeconds: 60 };

/** The input every paperwork task gets: the order, from the VehicleShipped event that started the run. */
const taskPayload = { "orderId.$": "$.detail.orderId", "order.$": "$.detail.order", "vin.$": "$.detail.vin" };

function task(functionArn: pulumi.Input<string>, resultSelector: Record<string, string>, extraRetry: object[] = []) {
  return {
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: { FunctionName: functionArn, Payload: taskPayload },
    ResultSelector: resultSelector,
    Retry: [...extraRetry, retryTransient, retryInProgress],
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
 * PaperworkCompleted. Transient errors are retried with backoff first. A declined payment or
 * rejected registration is a business outcome: the compensation task voids what was done, a failure
 * event is published (to operations) and the customer is told, and the execution succeeds. Anything
 * else is compensated too, announced the same way (PaperworkFailed), then fails, so the
 * failed-executions alarm fires. A duplicate execution of the same order compensates idempotently
 * and stays quiet: the order is announced once.
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
  // The compensation task tells whether this execution announces the failure: only the first
  // execution that compensates an order does. If compensation itself fails, announce anyway:
  // a failure told twice beats one never told.
  const compensate = (reasonPath: string, next: string) => ({
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: { FunctionName: t.compensation, Payload: { ...taskPayload, "reason.$": reasonPath, "executionId.$": "$$.Execution.Id" } },
    ResultPath: "$.compensation",
    ResultSelector: { "actions.$": "$.Payload.actions", "announce.$": "$.Payload.announce" },
    Retry: [retryTransient, retryInProgress, { ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 2, MaxAttempts: 5, BackoffRate: 2 }],
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.compensation", Next: next }],
    Next: next,
  });
  const announceOnce = (publish: string, quiet: string) => ({
    Type: "Choice",
    Choices: [{ And: [{ Variable: "$.compensation.announce", IsPresent: true }, { Variable: "$.compensation.announce", BooleanEquals: false }], Next: quiet }],
    Default: publish,
  });
  const tellCustomer = (subject: string, message: string, next: { Next: string } | { End: true }) => ({
    Type: "Task",
    Resource: "arn:aws:states:::sns:publish",
    Parameters: { TopicArn: t.customerTopicArn, Subject: subject, "Message.$": message },
    ResultPath: null,
    Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 1, MaxAttempts: 5, BackoffRate: 2, JitterStrategy: "FULL" }],
    ...next,
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
              { ErrorEquals: [WorkflowErrors.PaymentGatewayUnavailable], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2, JitterStrategy: "FULL" },
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
      CompensateDeclinedPayment: compensate("$.failure.detail.errorMessage", "AnnounceDeclinedPayment"),
      AnnounceDeclinedPayment: announceOnce("PublishPaymentDeclined", "DeclinedPaymentAlreadyAnnounced"),
      PublishPaymentDeclined: putEvent(t.busName, "PaymentDeclined", { ...order, "reason.$": "$.failure.detail.errorMessage" }, { Next: "TellCustomerPaymentDeclined" }),
      TellCustomerPaymentDeclined: tellCustomer(
        "Your vehicle payment was declined",
        "States.Format('The balance payment for order {} was declined. Please contact your dealer to arrange payment.', $.detail.orderId)",
        { End: true },
      ),
      DeclinedPaymentAlreadyAnnounced: { Type: "Succeed" },
      ReadRejectedRegistration: readFailure("CompensateRejectedRegistration"),
      CompensateRejectedRegistration: compensate("$.failure.detail.errorMessage", "AnnounceRejectedRegistration"),
      AnnounceRejectedRegistration: announceOnce("PublishRegistrationRejected", "RejectedRegistrationAlreadyAnnounced"),
      PublishRegistrationRejected: putEvent(t.busName, "RegistrationRejected", { ...order, "reason.$": "$.failure.detail.errorMessage" }, { Next: "TellCustomerRegistrationRejected" }),
      TellCustomerRegistrationRejected: tellCustomer(
        "Your vehicle could not be registered",
        "States.Format('The registration of the vehicle of order {} was refused; your order was cancelled and your payments refunded. Your dealer will contact you.', $.detail.orderId)",
        { End: true },
      ),
      RejectedRegistrationAlreadyAnnounced: { Type: "Succeed" },
      CompensateUnexpectedFailure: compensate("$.failure.Error", "AnnounceUnexpectedFailure"),
      AnnounceUnexpectedFailure: announceOnce("PublishPaperworkFailed", "PaperworkFailed"),
      PublishPaperworkFailed: putEvent(t.busName, "PaperworkFailed", { ...order, "reason.$": "$.failure.Error" }, { Next: "TellCustomerPaperworkFailed" }),
      TellCustomerPaperworkFailed: tellCustomer(
        "Your vehicle order could not be completed",
        "States.Format('The paperwork of order {} could not be completed; your order was cancelled and your payments refunded. Your dealer will contact you.', $.detail.orderId)",
        { Next: "PaperworkFailed" },
      ),
      PaperworkFailed: { Type: "Fail", Error: "PaperworkFailed", Cause: "A paperwork task failed unexpectedly; the order was compensated and the failure announced" },
    },
  };
}
