import { createHash, randomUUID } from "crypto";
import type { LocalCloud, Message, Service } from "../../cloud";
import type { Principal } from "../../iam";
import type { EventBridgeApi, FunctionError, LambdaApi, PutEventsEntry, SnsApi } from "../contracts";

type SnsMessageAttributes = Parameters<SnsApi["publish"]>[1]["MessageAttributes"];
import { EVENTBRIDGE_ERRORS, LAMBDA_ERRORS, runtimeError, serviceError, SNS_ERRORS, SQS_ERRORS, StateError } from "./errors";

/**
 * The service integrations of Task states, called as the state machine's role: the called
 * service authorizes the role as AWS would (the Lambda service checks lambda:InvokeFunction, SNS
 * sns:Publish, EventBridge events:PutEvents per entry, SQS sqs:SendMessage). Results have the
 * shapes Step Functions passes on; failures the error names it reports.
 */

export type IntegrationKind = "lambda:invoke" | "lambda:function" | "sns:publish" | "events:putEvents" | "sqs:sendMessage" | "unsupported";

export interface TaskResource {
  arn: string;
  kind: IntegrationKind;
  pattern: "request" | "waitForTaskToken" | "sync";
  /** As history events name it: resourceType `lambda`, resource `invoke.waitForTaskToken`. */
  resourceType: string;
  resource: string;
}

const OPTIMIZED = new Set<IntegrationKind>(["lambda:invoke", "sns:publish", "events:putEvents", "sqs:sendMessage"]);

export function parseTaskResource(arn: string): TaskResource {
  const parts = String(arn).split(":");
  if (parts[2] === "states" && parts[3] === "" && parts[4] === "" && parts.length >= 7) {
    const resource = parts.slice(6).join(":");
    const [action, suffix] = resource.split(".");
    const pattern = suffix === "waitForTaskToken" ? "waitForTaskToken" : suffix?.startsWith("sync") ? "sync" : "request";
    const kind = `${parts[5]}:${action}` as IntegrationKind;
    return { arn, kind: OPTIMIZED.has(kind) && pattern !== "sync" ? kind : "unsupported", pattern, resourceType: parts[5], resource };
  }
  if (parts[2] === "lambda" && parts[5] === "function") return { arn, kind: "lambda:function", pattern: "request", resourceType: "lambda", resource: arn };
  return { arn, kind: "unsupported", pattern: "request", resourceType: parts[2] ?? "unknown", resource: arn };
}

/**
 * A Task state's effective parameters: a JSON object the definition wrote. The fields each
 * integration reads are checked where they are read; the rest is passed to the called service,
 * which checks them as its API does.
 */
type TaskParameters = Record<string, unknown>;

export interface IntegrationCall {
  cloud: LocalCloud;
  /** The state machine's role. */
  principal: Principal;
  stateName: string;
  executionArn: string;
  stateMachineArn: string;
}

/**
 * Calls the integration with the state's effective parameters. Resolves to the state's result or,
 * for `.waitForTaskToken`, to the response of the call that handed out the token.
 */
export function callIntegration(resource: TaskResource, parameters: unknown, call: IntegrationCall): Promise<unknown> {
  switch (resource.kind) {
    case "lambda:invoke":
      return lambdaInvoke(objectParameters(parameters, call), call);
    case "lambda:function":
      return legacyLambda(resource.arn, parameters, call);
    case "sns:publish":
      return snsPublish(objectParameters(parameters, call), call);
    case "events:putEvents":
      return putEvents(objectParameters(parameters, call), call);
    case "sqs:sendMessage":
      return sqsSendMessage(objectParameters(parameters, call), call);
    case "unsupported": {
      const what = resource.pattern === "sync" ? `the .sync integration pattern (${resource.arn})` : `the Task resource ${resource.arn}`;
      return Promise.reject(new StateError("States.TaskFailed", `The local cloud does not emulate ${what} (state '${call.stateName}')`));
    }
  }
}

async function lambdaInvoke(parameters: TaskParameters, call: IntegrationCall): Promise<unknown> {
  const functionName = requiredString(parameters, "FunctionName", call);
  const reference = parameters.Qualifier ? `${functionName}:${parameters.Qualifier}` : functionName;
  const payload = "Payload" in parameters ? parameters.Payload : {};
  const invocationType = parameters.InvocationType ?? "RequestResponse";
  if (invocationType === "Event") {
    const { requestId } = await lambdaCall((lambda) => lambda.invokeAsync(reference, payload, call.principal), call);
    return { Payload: "", ...sdkMetadata(call.cloud, requestId, 202, "application/json"), StatusCode: 202 };
  }
  if (invocationType !== "RequestResponse") throw parameterError(call, `InvocationType ${invocationType} is not supported locally (RequestResponse, Event)`);
  const result = await lambdaCall((lambda) => lambda.invoke(reference, payload, call.principal), call);
  if (result.functionError) throw functionFailed(result.functionError);
  const version = /^\d+$/.test(String(parameters.Qualifier ?? "")) ? String(parameters.Qualifier) : "$LATEST";
  return {
    ExecutedVersion: version,
    Payload: result.payload ?? null,
    ...sdkMetadata(call.cloud, result.requestId, 200, "application/json", { "X-Amz-Executed-Version": version }),
    StatusCode: 200,
  };
}

/** A function ARN as the Resource: the payload is the state's input, the result the function's. */
async function legacyLambda(functionArn: string, input: unknown, call: IntegrationCall): Promise<unknown> {
  const result = await lambdaCall((lambda) => lambda.invoke(functionArn, input, call.principal), call);
  if (result.functionError) throw functionFailed(result.functionError);
  return result.payload ?? null;
}

async function lambdaCall<T>(invoke: (lambda: LambdaApi) => Promise<T>, call: IntegrationCall): Promise<T> {
  try {
    return await invoke(call.cloud.service<LambdaApi & Service>("lambda"));
  } catch (error) {
    throw serviceError(LAMBDA_ERRORS, error);
  }
}

/** A failing handler: Error is its errorType, Cause the error as the function returned it. */
function functionFailed({ errorType, errorMessage, trace }: FunctionError): StateError {
  return new StateError(errorType, JSON.stringify({ errorType, errorMessage, trace: trace ?? [] }));
}

async function snsPublish(parameters: TaskParameters, call: IntegrationCall): Promise<unknown> {
  if (!parameters.TopicArn && (parameters.TargetArn || parameters.PhoneNumber)) throw parameterError(call, "only TopicArn is supported locally (not TargetArn or PhoneNumber)");
  const topicArn = requiredString(parameters, "TopicArn", call);
  const message = asText(required(parameters, "Message", call));
  const request = { Message: message, Subject: parameters.Subject as string | undefined, MessageAttributes: parameters.MessageAttributes as SnsMessageAttributes | undefined };
  try {
    const messageId = await call.cloud.service<SnsApi & Service>("sns").publish(topicArn, request, call.principal);
    return { MessageId: messageId, ...sdkMetadata(call.cloud, randomUUID(), 200, "text/xml") };
  } catch (error) {
    throw serviceError(SNS_ERRORS, error);
  }
}

async function putEvents(parameters: TaskParameters, call: IntegrationCall): Promise<unknown> {
  const entries = required(parameters, "Entries", call);
  if (!Array.isArray(entries) || entries.length === 0) throw parameterError(call, "Entries must be a non-empty array");
  // Step Functions appends the execution and the state machine to each entry's Resources.
  const request = entries.map((entry: TaskParameters) => ({
    ...entry,
    Detail: entry.Detail === undefined || typeof entry.Detail === "string" ? entry.Detail : JSON.stringify(entry.Detail),
    Resources: [...((entry.Resources as string[] | undefined) ?? []), call.executionArn, call.stateMachineArn],
  })) as PutEventsEntry[];
  let result;
  try {
    result = await call.cloud.service<EventBridgeApi & Service>("events").putEvents(request, call.principal);
  } catch (error) {
    throw serviceError(EVENTBRIDGE_ERRORS, error);
  }
  const output = { Entries: result.Entries, FailedEntryCount: result.FailedEntryCount };
  if (result.FailedEntryCount > 0) throw new StateError("EventBridge.FailedEntry", JSON.stringify(output));
  return output;
}

async function sqsSendMessage(parameters: TaskParameters, call: IntegrationCall): Promise<unknown> {
  const queueUrl = requiredString(parameters, "QueueUrl", call);
  const body = asText(required(parameters, "MessageBody", call));
  const queueArn = queueArnOf(queueUrl, call.cloud);
  if (!queueArn) throw new StateError("SQS.QueueDoesNotExistException", `The specified queue does not exist: ${queueUrl}`);
  try {
    await call.cloud.deliver(
      queueArn,
      {
        body,
        groupId: parameters.MessageGroupId as string | undefined,
        deduplicationId: parameters.MessageDeduplicationId as string | undefined,
        attributes: parameters.MessageAttributes as Message["attributes"],
      },
      call.principal,
    );
  } catch (error) {
    throw serviceError(SQS_ERRORS, error);
  }
  return { MD5OfMessageBody: createHash("md5").update(body).digest("hex"), MessageId: randomUUID(), ...sdkMetadata(call.cloud, randomUUID(), 200, "text/xml") };
}

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` (or the local endpoint's URL) to the queue ARN. */
function queueArnOf(queueUrl: string, cloud: LocalCloud): string | undefined {
  let url: URL;
  try {
    url = new URL(queueUrl);
  } catch {
    return undefined;
  }
  const [account, name] = url.pathname.split("/").filter(Boolean).slice(-2);
  if (!account || !name) return undefined;
  const region = /^sqs\.([a-z0-9-]+)\./.exec(url.hostname)?.[1] ?? cloud.identity.region;
  return `arn:${cloud.identity.partition}:sqs:${region}:${account}:${name}`;
}

/** The HTTP metadata the AWS SDK for Java adds to the responses Step Functions passes on. */
function sdkMetadata(cloud: LocalCloud, requestId: string, status: number, contentType: string, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { "Content-Type": contentType, Date: cloud.clock.date().toUTCString(), "x-amzn-RequestId": requestId, ...extra };
  const allHeaders = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));
  return { SdkHttpMetadata: { AllHttpHeaders: allHeaders, HttpHeaders: headers, HttpStatusCode: status }, SdkResponseMetadata: { RequestId: requestId } };
}

function objectParameters(parameters: unknown, call: IntegrationCall): TaskParameters {
  if (!parameters || typeof parameters !== "object" || Array.isArray(parameters)) throw parameterError(call, "the Parameters must be a JSON object");
  return parameters as TaskParameters;
}

function required(parameters: TaskParameters, field: string, call: IntegrationCall): unknown {
  if (parameters[field] === undefined || parameters[field] === null) throw parameterError(call, `The field "${field}" is required but was missing`);
  return parameters[field];
}

function requiredString(parameters: TaskParameters, field: string, call: IntegrationCall): string {
  const value = required(parameters, field, call);
  if (typeof value !== "string") throw parameterError(call, `The field "${field}" must be a string`);
  return value;
}

/** A JSON object or array given where AWS expects text (Message, MessageBody) is sent serialized. */
function asText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function parameterError(call: IntegrationCall, problem: string) {
  return runtimeError(`An error occurred while executing the state '${call.stateName}'. The Parameters could not be used to start the Task: [${problem}]`);
}
