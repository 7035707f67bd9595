import { randomUUID } from "crypto";
import type {
  GetFunctionConcurrencyRequest,
  GetFunctionConfigurationRequest,
  GetFunctionEventInvokeConfigRequest,
  GetFunctionRequest,
  GetPolicyRequest,
  InvocationRequest,
  ListFunctionsRequest,
  ListTagsRequest,
} from "@aws-sdk/client-lambda";
import { z } from "zod";
import { type Override, type TextNumbersWire, tiedTo, type Wire } from "../../common/sdk-shape";
import { AwsError } from "../../aws-error";
import { authorizeOrThrow, type LocalCloud } from "../../cloud";
import type { Principal } from "../../iam";
import { operation, type Operation } from "../../common/operation";
import type { InvokeResult } from "../contracts";
import { configurationOf, type LocalFunction } from "./function";
import { lambdaPage, LambdaPageQuery } from "./paging";

/** What Lambda's operations need of the service. */
export interface LambdaOperationsHost {
  invoke(functionRef: string, payload: unknown, from: Principal): Promise<InvokeResult>;
  invokeAsync(functionRef: string, payload: unknown, from: Principal): Promise<{ requestId: string }>;
  /** The function a name or ARN refers to; ResourceNotFoundException if none. */
  functionRecord(ref: string): LocalFunction;
  functionRecords(): LocalFunction[];
}

/**
 * Invoke as the endpoint passes it: the path's function, the X-Amz-Invocation-Type header (checked
 * here, to answer Lambda's own error) and the body, which is the payload itself (JSON), not the
 * SDK's Uint8Array.
 */
const InvokeInput = tiedTo<Override<Wire<InvocationRequest>, { Payload?: unknown }>>()(z.object({ FunctionName: z.string(), InvocationType: z.string(), Payload: z.unknown() }));
const ListFunctionsInput = tiedTo<Wire<ListFunctionsRequest, TextNumbersWire>>()(z.object(LambdaPageQuery));
const FunctionNameInput = tiedTo<Wire<GetFunctionRequest & GetFunctionConfigurationRequest & GetPolicyRequest & GetFunctionEventInvokeConfigRequest & GetFunctionConcurrencyRequest>>()(z.object({ FunctionName: z.string() }));
const ListTagsInput = tiedTo<Wire<ListTagsRequest>>()(z.object({ Resource: z.string() }));

/**
 * Lambda's REST Invoke and read API, as the endpoint routes them (rest.ts). Each read is authorized
 * as lambda:<Action> on the function, or "*" where the action has no resource type
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html).
 */
export function lambdaOperations(cloud: LocalCloud, host: LambdaOperationsHost): Record<string, Operation> {
  /** The function a read names, once `caller` may read it with `action`. */
  const readable = (ref: string, caller: Principal, action: string): LocalFunction => {
    const fn = host.functionRecord(ref);
    authorizeOrThrow(cloud, caller, action, fn.arn);
    return fn;
  };
  return {
    "Lambda.Invoke": operation(InvokeInput, async ({ FunctionName, InvocationType, Payload }, caller) => {
      if (InvocationType === "Event") return { status: 202, ...(await host.invokeAsync(FunctionName, Payload, caller)) };
      if (InvocationType === "DryRun") {
        authorizeOrThrow(cloud, caller, "lambda:InvokeFunction", host.functionRecord(FunctionName).arn);
        return { status: 204, requestId: randomUUID() };
      }
      if (InvocationType !== "RequestResponse") throw new AwsError("InvalidParameterValueException", `InvocationType ${InvocationType} is not valid`);
      const result = await host.invoke(FunctionName, Payload, caller);
      return { status: 200, requestId: result.requestId, payload: result.functionError ?? result.payload, functionError: result.functionError ? "Unhandled" : undefined };
      // The payload is the function's event as sent: a null in it is a value.
    }, { keepNulls: true }),
    "Lambda.ListFunctions": operation(ListFunctionsInput, (query, caller) => {
      authorizeOrThrow(cloud, caller, "lambda:ListFunctions", "*");
      const { page, next } = lambdaPage(
        host.functionRecords().sort((a, b) => a.name.localeCompare(b.name)),
        query,
      );
      return { Functions: page.map(configurationOf), ...(next ? { NextMarker: next } : {}) };
    }),
    "Lambda.GetFunction": operation(FunctionNameInput, ({ FunctionName }, caller) => {
      const fn = readable(FunctionName, caller, "lambda:GetFunction");
      return {
        Configuration: configurationOf(fn),
        // AWS answers a presigned S3 URL of the zip; locally the code is the task root on disk.
        Code: { RepositoryType: "S3", Location: `file://${fn.taskRoot}` },
        ...(Object.keys(fn.tags).length > 0 ? { Tags: fn.tags } : {}),
        ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
      };
    }),
    "Lambda.GetFunctionConfiguration": operation(FunctionNameInput, ({ FunctionName }, caller) => configurationOf(readable(FunctionName, caller, "lambda:GetFunctionConfiguration"))),
    "Lambda.GetPolicy": operation(FunctionNameInput, ({ FunctionName }, caller) => {
      const fn = readable(FunctionName, caller, "lambda:GetPolicy");
      const statements = cloud.iam.resourcePolicies(fn.arn);
      if (statements.length === 0) throw new AwsError("ResourceNotFoundException", "The resource you requested does not exist.", 404);
      return { Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: statements }), RevisionId: fn.codeSha256 };
    }),
    "Lambda.GetFunctionEventInvokeConfig": operation(FunctionNameInput, ({ FunctionName }, caller) => {
      const fn = readable(FunctionName, caller, "lambda:GetFunctionEventInvokeConfig");
      if (!fn.eventInvokeConfigured) throw new AwsError("ResourceNotFoundException", `The function ${fn.arn} doesn't have an EventInvokeConfig`, 404);
      const destination = (arn: string | undefined) => (arn ? { Destination: arn } : {});
      return {
        FunctionArn: `${fn.arn}:$LATEST`,
        MaximumRetryAttempts: fn.async.maximumRetryAttempts,
        MaximumEventAgeInSeconds: fn.async.maximumEventAgeInSeconds,
        DestinationConfig: { OnSuccess: destination(fn.async.onSuccess), OnFailure: destination(fn.async.onFailure) },
        LastModified: Date.parse(fn.lastModified) / 1000,
      };
    }),
    "Lambda.GetFunctionConcurrency": operation(FunctionNameInput, ({ FunctionName }, caller) => {
      const fn = readable(FunctionName, caller, "lambda:GetFunctionConcurrency");
      return fn.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: fn.reservedConcurrency } : {};
    }),
    "Lambda.ListTags": operation(ListTagsInput, ({ Resource }, caller) => ({ Tags: readable(Resource, caller, "lambda:ListTags").tags })),
  };
}
