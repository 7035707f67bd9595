/** Lambda functions, permissions, event source mappings and asynchronous invoke configs. */
import { NAMES, RANGES } from "@event-routes/aws-model";
import { InvalidEventPatternError, validateEventPattern } from "@event-routes/event-pattern";
import { inRange, nameFormat } from "./formats";
import { assumable } from "./grants";
import { str } from "./graph";
import { CannotTell, list, Rule, RuleContext, serviceOf, StackResource, T } from "./model";

const RUNTIMES = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html";

/** Runtimes Lambda offers, without a deprecation date reached (RUNTIMES page). */
const SUPPORTED = new Set(["nodejs24.x", "python3.10", "python3.11", "python3.12", "python3.13", "python3.14", "java8.al2", "java11", "java17", "java21", "java25", "dotnet8", "dotnet10", "ruby3.3", "ruby3.4", "provided.al2", "provided.al2023"]);
/**
 * Deprecation and "block function create" dates of the RUNTIMES page's tables (AWS has moved some
 * later before; where we know no block date, only the deprecation is reported).
 */
const SCHEDULE: Record<string, { deprecated: string; blockCreate?: string }> = {
  "nodejs22.x": { deprecated: "2027-04-30", blockCreate: "2027-06-01" },
  "nodejs20.x": { deprecated: "2026-04-30", blockCreate: "2026-06-01" },
  "nodejs18.x": { deprecated: "2025-09-01", blockCreate: "2026-02-03" },
  "nodejs16.x": { deprecated: "2024-06-12", blockCreate: "2026-02-28" },
  "python3.9": { deprecated: "2025-12-15" },
  "python3.8": { deprecated: "2024-10-14", blockCreate: "2026-02-28" },
  "ruby3.2": { deprecated: "2026-03-31" },
  "dotnet6": { deprecated: "2024-12-20" },
  "dotnet7": { deprecated: "2024-05-14" },
  "java8": { deprecated: "2024-01-08" },
  "go1.x": { deprecated: "2024-01-08" },
  provided: { deprecated: "2024-01-08" },
};
/** Retired long ago: CreateFunction refuses them. */
const RETIRED = /^(nodejs(4\.3|6\.10|8\.10|10\.x|12\.x|14\.x)?|python(2\.7|3\.6|3\.7)|ruby2\.[57]|dotnetcore\d\.\d|dotnet5\.0)$/;

const reached = (date: string | undefined) => date !== undefined && Date.now() >= Date.parse(`${date}T00:00:00Z`);

export const lambdaRules: Rule[] = [
  {
    name: "lambda-function-settings",
    severity: "mandatory",
    description: "A function's name is 1-64 characters of [A-Za-z0-9_-], timeout 1-900 s, memory 128-10240 MB, ephemeral storage 512-10240 MB, and it has a role",
    docs: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
    subjects: [T.fn],
    check(fn, context) {
      nameFormat(context, fn.props.name, NAMES.function, "function name");
      inRange(context, fn.props.timeout, RANGES.lambda.timeoutSeconds, "timeout (seconds)");
      inRange(context, fn.props.memorySize, RANGES.lambda.memoryMb, "memorySize (MB)");
      inRange(context, fn.props.ephemeralStorage?.size, RANGES.lambda.ephemeralStorageMb, "ephemeralStorage.size (MB)");
      if (!fn.props.role) context.report("the function has no execution role: CreateFunction requires one. Give it a role that lambda.amazonaws.com can assume.");
      // Up to five layers (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
      if (list(fn.props.layers).length > RANGES.lambda.layers.max) context.report(`the function uses ${list(fn.props.layers).length} layers; Lambda allows 5 and refuses the function. Merge layers.`);
      if (fn.props.packageType !== "Image" && !fn.props.handler) context.report("a zip function without a handler: CreateFunction refuses it. Set handler (e.g. index.handler).");
      const variables = fn.props.environment?.variables;
      // Environment variables: 4 KB in all (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
      if (variables && typeof variables === "object") {
        const size = Object.entries(variables).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
        if (size > 4096) context.report(`the environment variables take ${size} bytes; Lambda allows 4 KB in all and refuses the function. Move large values to SSM Parameter Store or the code.`);
      }
    },
  },
  {
    name: "lambda-runtime",
    severity: "mandatory",
    description: "A zip function's runtime is one Lambda offers; retired runtimes are refused at create time",
    docs: RUNTIMES,
    subjects: [T.fn],
    check(fn, context) {
      const runtime = fn.props.runtime;
      if (fn.props.packageType === "Image") return;
      if (runtime === undefined || runtime === null) return context.report("a zip function without a runtime: CreateFunction refuses it. Set runtime (nodejs22.x or newer for Node.js).");
      const id = str(runtime, "runtime");
      if (RETIRED.test(id) || reached(SCHEDULE[id]?.blockCreate)) context.report(`runtime ${id} is retired: Lambda refuses to create functions on it${SCHEDULE[id]?.blockCreate ? ` since ${SCHEDULE[id].blockCreate}` : ""}. Move to a supported runtime (nodejs22.x or newer for Node.js).`);
      else if (!SUPPORTED.has(id) && !SCHEDULE[id]) context.report(`"${id}" is not a Lambda runtime identifier: CreateFunction refuses it. Use one from the runtimes page, e.g. nodejs22.x.`);
    },
  },
  {
    name: "lambda-runtime-deprecated",
    severity: "advisory",
    description: "Functions do not use deprecated runtimes (no security patches; creation blocked soon after deprecation)",
    docs: RUNTIMES,
    subjects: [T.fn],
    check(fn, context) {
      const schedule = typeof fn.props.runtime === "string" ? SCHEDULE[fn.props.runtime] : undefined;
      if (schedule && reached(schedule.deprecated) && !reached(schedule.blockCreate)) context.report(`runtime ${fn.props.runtime} is deprecated since ${schedule.deprecated}: Lambda no longer patches it and will block creating, then updating, functions on it. Move to a supported runtime.`);
    },
  },
  {
    name: "lambda-execution-role",
    severity: "mandatory",
    description: "A function's role trusts lambda.amazonaws.com, and may send to the function's dead-letter queue or topic (CreateFunction fails otherwise)",
    docs: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
    subjects: [T.fn],
    check(fn, context) {
      const role = context.graph.role(fn.props.role);
      if (!role) return fn.props.role ? context.cannotTell(`role ${fn.props.role} is not a role of this program`) : undefined;
      if (assumable(role, "lambda.amazonaws.com") === false) context.report(`role ${role.props.name} does not let lambda.amazonaws.com sts:AssumeRole: CreateFunction fails ("The role defined for the function cannot be assumed by Lambda"). Fix its trust policy.`, fn, role);
      const deadLetter = fn.props.deadLetterConfig?.targetArn;
      if (typeof deadLetter === "string" && deadLetter !== "") {
        const action = serviceOf(deadLetter) === "sns" ? "sns:Publish" : "sqs:SendMessage";
        // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq
        if (context.graph.roleAllows(role, action, deadLetter) === false) context.report(`role ${role.props.name} may not ${action} on the function's dead-letter target ${deadLetter}: CreateFunction refuses the function. Grant ${action}.`, fn, role);
      }
    },
  },
  {
    name: "lambda-permission",
    severity: "mandatory",
    description: "A permission names a function of the program, a lambda: action, and a statement id unique per function",
    docs: "https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html",
    subjects: [T.permission],
    check(permission, context) {
      const action = str(permission.props.action, "action");
      const account = permission.props.sourceAccount;
      if (typeof account === "string" && account !== "" && !/^\d{12}$/.test(account)) context.report(`sourceAccount "${account}" is not a 12-digit account id: AddPermission refuses it.`);
      if (!/^(lambda:[A-Za-z*]+|\*)$/.test(action)) context.report(`action "${action}" is not a Lambda action: AddPermission refuses it. Use lambda:InvokeFunction.`);
      const fn = context.graph.fn(permission.props.function);
      if (!fn) return;
      const sid = permission.props.statementId;
      if (sid) {
        const twins = context.graph.of(T.permission).filter((p) => p !== permission && p.props.statementId === sid && context.graph.fn(p.props.function) === fn && p.props.qualifier === permission.props.qualifier);
        if (twins.length > 0) context.report(`statement id "${sid}" is also used by ${twins.map((t) => t.name).join(", ")} on function ${fn.props.name}: AddPermission fails with ResourceConflictException. Use distinct statement ids.`);
      }
    },
  },
  {
    name: "lambda-event-source-mapping",
    severity: "mandatory",
    description: "Event source mappings: valid filter patterns, maximumConcurrency 2-1000, batch sizes, windows, retries and record ages within the source's limits, the queue's visibility timeout not below the function timeout, and a role that may read the source",
    docs: "https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html",
    subjects: [T.esm],
    check(mapping, context) {
      const p = mapping.props;
      inRange(context, p.scalingConfig?.maximumConcurrency, RANGES.lambda.maximumConcurrency, "scalingConfig.maximumConcurrency");
      inRange(context, p.maximumBatchingWindowInSeconds, RANGES.lambda.maximumBatchingWindowSeconds, "maximumBatchingWindowInSeconds");
      // Filter patterns use the event pattern language (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
      for (const filter of list(p.filterCriteria?.filters as { pattern?: string }[])) {
        if (!filter?.pattern) continue;
        try {
          validateEventPattern(filter.pattern);
        } catch (error) {
          if (!(error instanceof InvalidEventPatternError)) throw error;
          context.report(`filter pattern ${filter.pattern} is invalid: CreateEventSourceMapping refuses it (${error.message}). Fix the pattern.`);
        }
      }
      const source = str(p.eventSourceArn, "eventSourceArn");
      const service = serviceOf(source);
      const fn = context.graph.fn(p.functionName);
      if (service === "sqs") {
        const queue = context.graph.queue(source);
        if (!queue) return context.cannotTell(`queue ${source} is not a queue of this program`);
        const fifo = Boolean(queue.props.fifoQueue);
        inRange(context, p.batchSize, fifo ? RANGES.lambda.fifoQueueBatchSize : RANGES.lambda.batchSize, `batchSize (${fifo ? "FIFO" : "standard"} queue)`);
        if (!fifo && (p.batchSize ?? 10) > 10 && !(p.maximumBatchingWindowInSeconds >= 1)) context.report(`batchSize ${p.batchSize} above 10 needs maximumBatchingWindowInSeconds of at least 1: CreateEventSourceMapping refuses it. Set a batching window.`);
        if (p.startingPosition) context.report("startingPosition is for streams: an SQS mapping refuses it. Remove it.");
        // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html
        if (fifo && p.maximumBatchingWindowInSeconds > 0) context.report(`queue ${queue.name} is FIFO: Lambda supports no batching window for FIFO queues and refuses maximumBatchingWindowInSeconds. Remove it.`);
        if (fn) {
          const visibility = queue.props.visibilityTimeoutSeconds ?? 30;
          const timeout = fn.props.timeout ?? 3;
          if (visibility < timeout) context.report(`queue ${queue.name} has a visibility timeout of ${visibility} s, below function ${fn.props.name}'s timeout of ${timeout} s: CreateEventSourceMapping refuses it. Set the visibility timeout to at least the timeout (AWS recommends six times).`, mapping, queue);
          readsSource(context, fn, ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], str(queue.props.arn, "the queue's ARN"));
          decryptsQueue(context, fn, queue);
        }
      } else if (service === "kinesis" || service === "dynamodb") {
        inRange(context, p.batchSize, RANGES.lambda.batchSize, "batchSize");
        inRange(context, p.parallelizationFactor, RANGES.lambda.parallelizationFactor, "parallelizationFactor");
        inRange(context, p.maximumRetryAttempts, RANGES.lambda.streamMaximumRetryAttempts, "maximumRetryAttempts");
        inRange(context, p.tumblingWindowInSeconds, RANGES.lambda.tumblingWindowSeconds, "tumblingWindowInSeconds");
        const age = p.maximumRecordAgeInSeconds;
        if (typeof age === "number" && age !== -1 && (age < 60 || age > 604800)) context.report(`maximumRecordAgeInSeconds is ${age}; Lambda accepts -1 (forever) or 60 to 604800 and refuses the mapping.`);
        if (p.startingPosition === "AT_TIMESTAMP" && !p.startingPositionTimestamp) context.report("startingPosition AT_TIMESTAMP without startingPositionTimestamp: CreateEventSourceMapping refuses it. Give the timestamp.");
        if (!p.startingPosition) context.report(`a ${service} stream mapping needs startingPosition (LATEST, TRIM_HORIZON or AT_TIMESTAMP): CreateEventSourceMapping refuses it without. Set it.`);
        if (fn) readsSource(context, fn, service === "kinesis" ? ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"] : ["dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"], source);
      }
      if (!fn && p.functionName) context.cannotTell(`function ${p.functionName} is not a function of this program`);
    },
  },
  {
    name: "lambda-event-source-mapping-baseline",
    severity: "advisory",
    description: "Queue mappings report partial batch failures, and the queue's visibility timeout is at least six times the function timeout (docs/design.md 3.2)",
    docs: "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html",
    subjects: [T.esm],
    check(mapping, context) {
      if (serviceOf(mapping.props.eventSourceArn) !== "sqs") return;
      if (!list(mapping.props.functionResponseTypes).includes("ReportBatchItemFailures")) context.report("no ReportBatchItemFailures: one failing message makes its whole batch return to the queue. Report partial batch failures.");
      const queue = context.graph.queue(mapping.props.eventSourceArn);
      const fn = context.graph.fn(mapping.props.functionName);
      if (queue && fn) {
        const visibility = queue.props.visibilityTimeoutSeconds ?? 30;
        const timeout = fn.props.timeout ?? 3;
        if (visibility >= timeout && visibility < 6 * timeout) context.report(`queue ${queue.name}'s visibility timeout (${visibility} s) is below six times the function timeout (${timeout} s), as AWS recommends for retries of throttled batches.`);
      }
    },
  },
  {
    name: "lambda-async-invoke-config",
    severity: "mandatory",
    description: "Asynchronous invoke configs keep maximumEventAgeInSeconds within 60-21600 and maximumRetryAttempts within 0-2; destinations are SQS, SNS, Lambda or EventBridge and the function's role may send to them",
    docs: "https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionEventInvokeConfig.html",
    subjects: [T.invokeConfig],
    check(config, context) {
      inRange(context, config.props.maximumEventAgeInSeconds, RANGES.lambda.asyncMaximumEventAgeSeconds, "maximumEventAgeInSeconds");
      inRange(context, config.props.maximumRetryAttempts, RANGES.lambda.asyncMaximumRetryAttempts, "maximumRetryAttempts");
      const fn = context.graph.fn(config.props.functionName);
      for (const kind of ["onSuccess", "onFailure"] as const) {
        const destination = config.props.destinationConfig?.[kind]?.destination;
        if (destination === undefined || destination === null) continue;
        const arn = str(destination, `destinationConfig.${kind}.destination`);
        const action = DESTINATION_ACTIONS[serviceOf(arn) ?? ""];
        if (!action) {
          context.report(`${kind} destination ${arn} is not an SQS queue, SNS topic, Lambda function or event bus: PutFunctionEventInvokeConfig refuses it.`);
          continue;
        }
        if (!fn) continue;
        const role = context.graph.role(fn.props.role);
        if (!role) continue;
        const allowed = context.graph.roleAllows(role, action, arn);
        if (allowed === false) context.report(`function ${fn.props.name}'s role may not ${action} on its ${kind} destination ${arn}: Lambda checks it and PutFunctionEventInvokeConfig fails (or records are lost). Grant ${action}.`, config, role);
        if (allowed === "unknown") context.cannotTell(`the role of ${fn.props.name} may rely on policies that cannot be read offline for ${action}`);
      }
    },
  },
];

const DESTINATION_ACTIONS: Record<string, string> = { sqs: "sqs:SendMessage", sns: "sns:Publish", lambda: "lambda:InvokeFunction", events: "events:PutEvents" };

/** A queue under a customer managed key: the poller reads it as the function's role, which needs kms:Decrypt. */
function decryptsQueue(context: RuleContext, fn: StackResource, queue: StackResource): void {
  const reference = queue.props.kmsMasterKeyId;
  if (typeof reference !== "string" || /(^|:)alias\/aws\//.test(reference)) return;
  const key = context.graph.key(reference);
  const role = context.graph.role(fn.props.role);
  if (!key || !role) return;
  const allowed = context.graph.roleAllows(role, "kms:Decrypt", str(key.props.arn, "the key's ARN"));
  if (allowed === false) context.report(`queue ${queue.name} is encrypted with key ${key.name} and function ${fn.props.name}'s role may not kms:Decrypt it: every poll fails and the messages end in the dead-letter queue unread (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). Grant kms:Decrypt on the key.`, context.subject, role);
}

/** The function's role may read the event source (Lambda checks at CreateEventSourceMapping). */
function readsSource(context: RuleContext, fn: StackResource, actions: string[], source: string): void {
  const role = context.graph.role(fn.props.role);
  if (!role) return;
  for (const action of actions) {
    const allowed = context.graph.roleAllows(role, action, source);
    if (allowed === false) {
      context.report(`function ${fn.props.name}'s role may not ${action} on ${source}: CreateEventSourceMapping refuses the mapping. Grant ${actions.join(", ")}.`, context.subject, role);
      return;
    }
    if (allowed === "unknown") throw new CannotTell(`the role of ${fn.props.name} may rely on policies that cannot be read offline for ${action}`);
  }
}
