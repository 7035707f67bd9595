/**
 * AWS's limits on the names and settings this project creates, each with the AWS page that states
 * it: the component library derives names within them, the offline checks report values outside
 * them, and the local cloud refuses what AWS refuses.
 */

/** A name AWS accepts: `min` to `max` characters, all of them matching `pattern`. */
export interface NameRule {
  min: number;
  max: number;
  /** The whole name (anchored). */
  pattern: RegExp;
  docs: string;
}

const EVENTBRIDGE = "https://docs.aws.amazon.com/eventbridge/latest/APIReference";
const LAMBDA = "https://docs.aws.amazon.com/lambda/latest/api";
const SQS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html";

/** A state machine's or an execution's name: none of whitespace, brackets, wildcards, control characters or "#%\^|~`$&,;:/. */
const STEP_FUNCTIONS_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]+$/u;

export const NAMES = {
  eventBus: { min: 1, max: 256, pattern: /^[/.\-_A-Za-z0-9]+$/, docs: `${EVENTBRIDGE}/API_CreateEventBus.html` },
  rule: { min: 1, max: 64, pattern: /^[.\-_A-Za-z0-9]+$/, docs: `${EVENTBRIDGE}/API_PutRule.html` },
  targetId: { min: 1, max: 64, pattern: /^[.\-_A-Za-z0-9]+$/, docs: `${EVENTBRIDGE}/API_Target.html` },
  archive: { min: 1, max: 48, pattern: /^[.\-_A-Za-z0-9]+$/, docs: `${EVENTBRIDGE}/API_CreateArchive.html` },
  /** A FIFO queue's name ends in `.fifo`, counted in the 80. */
  queue: { min: 1, max: 80, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, docs: SQS },
  /** A FIFO topic's name ends in `.fifo`, counted in the 256. */
  topic: { min: 1, max: 256, pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/, docs: "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html" },
  function: { min: 1, max: 64, pattern: /^[A-Za-z0-9_-]+$/, docs: `${LAMBDA}/API_CreateFunction.html` },
  role: { min: 1, max: 64, pattern: /^[\w+=,.@-]+$/, docs: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html" },
  /** No whitespace, brackets, wildcards, control characters or "#%\^|~`$&,;:/. */
  stateMachine: {
    min: 1,
    max: 80,
    pattern: STEP_FUNCTIONS_NAME,
    docs: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html",
  },
  /** A Step Functions execution: the same rule as a state machine's name. */
  execution: { min: 1, max: 80, pattern: STEP_FUNCTIONS_NAME, docs: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html" },
  stream: { min: 1, max: 128, pattern: /^[a-zA-Z0-9_.-]+$/, docs: "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_CreateStream.html" },
  logGroup: { min: 1, max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/, docs: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html" },
  alarm: { min: 1, max: 255, pattern: /^.+$/, docs: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html" },
  dashboard: { min: 1, max: 255, pattern: /^[A-Za-z0-9_-]+$/, docs: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html" },
  table: { min: 3, max: 255, pattern: /^[a-zA-Z0-9_.-]+$/, docs: "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html" },
  logDelivery: { min: 1, max: 60, pattern: /^[\w-]+$/, docs: "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliverySource.html" },
  kmsAlias: { min: 1, max: 256, pattern: /^alias\/[a-zA-Z0-9/_-]+$/, docs: "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html" },
  /** The Id of an entry of an SQS batch request (SendMessageBatch, DeleteMessageBatch, ...). */
  sqsBatchEntryId: { min: 1, max: 80, pattern: /^[A-Za-z0-9_-]+$/, docs: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatchRequestEntry.html" },
  /** A FIFO message's group id: alphanumeric and punctuation characters (the printable ASCII range). */
  sqsMessageGroupId: { min: 1, max: 128, pattern: /^[\x21-\x7e]+$/, docs: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#SQS-SendMessage-request-MessageGroupId" },
  /** A FIFO message's deduplication id: the same characters as a group id. */
  sqsDeduplicationId: { min: 1, max: 128, pattern: /^[\x21-\x7e]+$/, docs: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#SQS-SendMessage-request-MessageDeduplicationId" },
  /** A message attribute's name (AWS also refuses the aws./amazon. prefixes and dots at either end or doubled: checked by SQS). */
  sqsMessageAttributeName: { min: 1, max: 256, pattern: /^[A-Za-z0-9_\-.]+$/, docs: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-message-attributes" },
} as const satisfies Record<string, NameRule>;

export type NamedKind = keyof typeof NAMES;

/** The longest name AWS accepts, by kind: what derived names are cut to. */
export const NAME_LIMITS = Object.fromEntries(Object.entries(NAMES).map(([kind, rule]) => [kind, rule.max])) as { readonly [K in NamedKind]: (typeof NAMES)[K]["max"] };

/** Whether AWS accepts `name` under `rule`: its length and its characters. */
export function nameFits(rule: NameRule, name: string): boolean {
  return name.length >= rule.min && name.length <= rule.max && rule.pattern.test(name);
}

/** A whole-number setting AWS accepts from `min` to `max`. */
export interface Range {
  min: number;
  max: number;
  docs: string;
}

const range = (min: number, max: number, docs: string): Range => ({ min, max, docs });

const ESM = `${LAMBDA}/API_CreateEventSourceMapping.html`;
const INVOKE_CONFIG = `${LAMBDA}/API_PutFunctionEventInvokeConfig.html`;
const RETRY = `${EVENTBRIDGE}/API_RetryPolicy.html`;

/** Numeric settings, by service. Counts ("at most N") are ranges from 0 or 1. */
export const RANGES = {
  lambda: {
    timeoutSeconds: range(1, 900, `${LAMBDA}/API_CreateFunction.html`),
    memoryMb: range(128, 10240, `${LAMBDA}/API_CreateFunction.html`),
    ephemeralStorageMb: range(512, 10240, `${LAMBDA}/API_EphemeralStorage.html`),
    layers: range(0, 5, "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"),
    maximumConcurrency: range(2, 1000, `${LAMBDA}/API_ScalingConfig.html`),
    maximumBatchingWindowSeconds: range(0, 300, ESM),
    /** SQS standard queues and streams; FIFO queues take `fifoQueueBatchSize`. */
    batchSize: range(1, 10000, ESM),
    fifoQueueBatchSize: range(1, 10, ESM),
    parallelizationFactor: range(1, 10, ESM),
    streamMaximumRetryAttempts: range(-1, 10000, ESM),
    tumblingWindowSeconds: range(0, 900, ESM),
    filters: range(0, 5, "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html"),
    asyncMaximumEventAgeSeconds: range(60, 21600, INVOKE_CONFIG),
    asyncMaximumRetryAttempts: range(0, 2, INVOKE_CONFIG),
    resourcePolicyBytes: range(0, 20480, "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"),
  },
  sqs: {
    visibilityTimeoutSeconds: range(0, 43200, SQS),
    messageRetentionSeconds: range(60, 1209600, SQS),
    delaySeconds: range(0, 900, SQS),
    // 1 MiB since August 2025 (https://aws.amazon.com/about-aws/whats-new/2025/08/amazon-sqs-max-payload-size-1mib/).
    maxMessageSizeBytes: range(1024, 1048576, SQS),
    receiveWaitTimeSeconds: range(0, 20, SQS),
    kmsDataKeyReusePeriodSeconds: range(60, 86400, SQS),
    maxReceiveCount: range(1, 1000, "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html"),
    policyStatements: range(0, 20, "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html"),
    batchEntries: range(1, 10, "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html"),
  },
  eventbridge: {
    targetsPerRule: range(0, 5, "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html"),
    maximumRetryAttempts: range(0, 185, RETRY),
    maximumEventAgeSeconds: range(60, 86400, RETRY),
    inputPaths: range(0, 100, `${EVENTBRIDGE}/API_InputTransformer.html`),
    archiveRetentionDays: range(0, Number.MAX_SAFE_INTEGER, `${EVENTBRIDGE}/API_CreateArchive.html`),
  },
  kinesis: {
    retentionHours: range(24, 8760, "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_IncreaseStreamRetentionPeriod.html"),
  },
  dynamodb: {
    globalSecondaryIndexes: range(0, 20, "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"),
    localSecondaryIndexes: range(0, 5, "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"),
  },
  sns: {
    /** Publish's Subject: printable ASCII, no line breaks or control characters, under 100 characters. */
    subjectCharacters: range(1, 100, "https://docs.aws.amazon.com/sns/latest/api/API_Publish.html"),
  },
  kms: {
    deletionWindowDays: range(7, 30, "https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html"),
  },
  iam: {
    maxSessionDurationSeconds: range(3600, 43200, "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"),
    trustPolicyCharacters: range(0, 2048, "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"),
    /** 10 by default, 20 by quota increase. */
    managedPoliciesPerRole: range(0, 20, "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"),
  },
  cloudwatch: {
    evaluationPeriods: range(1, 100000, "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"),
    actionsPerState: range(0, 5, "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"),
  },
} as const satisfies Record<string, Record<string, Range>>;

/** Whether `value` is a whole number within `range`. */
export function inRange(range: Range, value: number): boolean {
  return Number.isInteger(value) && value >= range.min && value <= range.max;
}
