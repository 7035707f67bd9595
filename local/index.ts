/**
 * @event-routes/local-cloud: runs a Pulumi AWS program on this machine. The program runs under
 * recording mocks, its resources are deployed into emulated services (EventBridge, SQS, SNS,
 * Lambda, Step Functions, Kinesis, DynamoDB, KMS, IAM), and an endpoint serves them to AWS SDKs
 * and the AWS CLI. Knows nothing of any particular program: scenarios are their owners' code.
 */
export * from "./aws-error";
export * from "./chaos-faults";
export { Clock, type ClockMode } from "./clock";
export { LocalCloud, type LocalCloudOptions } from "./cloud";
export * from "./command-line";
export * from "./deploy";
export type { Endpoint } from "./endpoint";
export * from "./operator";
export * from "./queue-counts";
export * from "./resource-graph";
export * from "./run-program";
export * from "./trace";
export { DEFAULT_CONTAINERS_PER_FUNCTION, LambdaService } from "./services/lambda/service";
export { lambdaNodePath } from "./services/lambda/runtime-sdk";
export { SqsService } from "./services/sqs/service";
