import { AwsError } from "../../aws-error";
import type { LocalCloud, Message } from "../../cloud";
import type { Principal } from "../../iam";
import { SqsError } from "../sqs/errors";
import { select } from "./input-transformer";
import { EMULATED_TARGETS, shortName, type BusStats, type EventBridgeEvent, type Rule, type Target } from "./model";

/**
 * Delivery of a matched event to one rule target, as AWS does it: as `events.amazonaws.com` for
 * the rule (resource policies decide) or as the target's role; failures retried with backoff
 * within the target's retry policy, then sent to its dead-letter queue with AWS's error attributes.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */

/** EventBridge's defaults for a rule target: 185 retries within 24 hours. */
export const DEFAULT_RETRY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 };
/** Backoff between retries: exponential from 1 s, at most 5 min (AWS publishes no exact curve). */
const retryDelayMs = (attempt: number) => Math.min(1000 * 2 ** (attempt - 1), 300_000);

interface Failure {
  code: string;
  message: string;
  retryable: boolean;
}

export class TargetDelivery {
  constructor(
    private readonly cloud: LocalCloud,
    private readonly stats: BusStats,
  ) {}

  async deliver(rule: Rule, target: Target, event: EventBridgeEvent, ingestedAt: number, retries: number): Promise<void> {
    const service = target.arn.split(":")[2];
    if (!EMULATED_TARGETS.has(service)) {
      this.stats.dropped++;
      this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "target.dropped", resource: rule.name, summary: `${event["detail-type"]} -> ${shortName(target.arn)}: ${service} targets are not emulated locally`, payload: event });
      return;
    }
    const body = target.render(event, { ruleArn: rule.arn, ruleName: rule.name }, ingestedAt);
    // SNS gets the rendered template as it is: a template that is one JSON string literal reaches
    // subscribers with its quotes (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-input-transformer-tutorial.html).
    const message: Message = { body: ["sqs", "kinesis"].includes(service) ? unwrapJsonString(body) : body };
    if (target.messageGroupId) message.groupId = target.messageGroupId;
    if (service === "kinesis") message.partitionKey = String((target.partitionKeyPath ? select(event, target.partitionKeyPath) : undefined) ?? event.id);
    const from: Principal = target.roleArn
      ? { kind: "role", arn: target.roleArn }
      : { kind: "service", service: "events.amazonaws.com", sourceArn: rule.arn, sourceAccount: this.cloud.identity.account };
    try {
      // EventBridge assumes the target's role: a role that does not trust it fails the delivery.
      if (target.roleArn && !this.cloud.iam.canAssume(target.roleArn, "events.amazonaws.com", { "aws:SourceArn": rule.arn })) {
        throw new AwsError("AccessDeniedException", `EventBridge cannot assume the role ${target.roleArn}: its trust policy does not allow events.amazonaws.com`);
      }
      await this.cloud.deliver(target.arn, message, from);
      this.stats.deliveries++;
      this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "target.delivered", resource: rule.name, summary: `${event["detail-type"]} -> ${shortName(target.arn)}`, payload: event });
    } catch (error) {
      const failure = classify(error);
      const age = this.cloud.clock.now() - ingestedAt;
      const delay = retryDelayMs(retries + 1);
      const exhausted = retries >= target.retry.maximumRetryAttempts ? "MaximumRetryAttempts" : age + delay > target.retry.maximumEventAgeInSeconds * 1000 ? "MaximumEventAgeInSeconds" : undefined;
      if (failure.retryable && !exhausted) {
        this.stats.retries++;
        this.cloud.trace.record({ at: this.cloud.clock.now(), kind: "target.retry", resource: rule.name, summary: `${event["detail-type"]} -> ${shortName(target.arn)} failed (${failure.code}), retry ${retries + 1} in ${delay / 1000} s`, payload: event });
        this.cloud.clock.schedule(delay, () => this.cloud.clock.spawn(() => this.deliver(rule, target, event, ingestedAt, retries + 1)));
        return;
      }
      await this.deadLetter(rule, target, event, failure, retries, failure.retryable ? exhausted : undefined);
    }
  }

  private async deadLetter(rule: Rule, target: Target, event: EventBridgeEvent, failure: Failure, retries: number, exhausted: string | undefined): Promise<void> {
    const at = this.cloud.clock.now();
    const why = `${event["detail-type"]} -> ${shortName(target.arn)}: ${failure.code}: ${failure.message}`;
    if (!target.deadLetterArn) {
      this.stats.dropped++;
      this.cloud.trace.record({ at, kind: "target.dropped", resource: rule.name, summary: `dropped (no DLQ) ${why}`, payload: event });
      return;
    }
    const attribute = (value: string) => ({ DataType: "String" as const, StringValue: value });
    const attributes = {
      RULE_ARN: attribute(rule.arn),
      TARGET_ARN: attribute(target.arn),
      ERROR_CODE: attribute(failure.code),
      ERROR_MESSAGE: attribute(failure.message.slice(0, 1000)),
      RETRY_ATTEMPTS: { DataType: "Number" as const, StringValue: String(retries) },
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attribute(exhausted) } : {}),
    };
    try {
      // EventBridge writes the DLQ as the service for the rule: the queue's policy must allow it.
      await this.cloud.deliver(target.deadLetterArn, { body: JSON.stringify(event), attributes }, { kind: "service", service: "events.amazonaws.com", sourceArn: rule.arn, sourceAccount: this.cloud.identity.account });
      this.stats.deadLettered++;
      this.cloud.trace.record({ at, kind: "target.dead-lettered", resource: rule.name, summary: `to DLQ ${shortName(target.deadLetterArn)}: ${why}`, payload: event });
    } catch (error) {
      this.stats.dropped++;
      this.cloud.trace.record({ at, kind: "target.dropped", resource: rule.name, summary: `dropped: ${why}; the DLQ refused it too (${(error as Error).message})`, payload: event });
    }
  }
}

/** Maps a target's error to the ERROR_CODE EventBridge reports, and whether it retries. */
function classify(error: unknown): Failure {
  const code = error instanceof AwsError ? error.code : "InternalException";
  const message = error instanceof Error ? error.message : String(error);
  // A key the target service may not use for EventBridge (SQS KMS.AccessDeniedException, SNS
  // KMSAccessDenied, Kinesis KMSAccessDeniedException) fails inside the target, after EventBridge's
  // own permission to the target held. AWS documents no ERROR_CODE for it and does not list it among
  // the errors it never retries (missing permission to the target, a target that is gone:
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html): here it is retried,
  // so a key policy fixed within the retry window still delivers, and parked as NO_PERMISSIONS with
  // the target's error code in the message.
  if (/kms/i.test(code)) return { code: "NO_PERMISSIONS", message: `${error instanceof SqsError ? error.queryCode : code}: ${message}`, retryable: true };
  if (/AccessDenied|NotAuthorized|AuthorizationError/i.test(code)) return { code: "NO_PERMISSIONS", message, retryable: false };
  if (/NotFound|NonExistent|DoesNotExist/i.test(code)) return { code: "RESOURCE_NOT_FOUND", message, retryable: false };
  if (/Throttl|TooManyRequests|RequestLimitExceeded/i.test(code)) return { code: "THROTTLING", message, retryable: true };
  if (/InvalidParameter|MissingParameter|Validation|InvalidMessageContents|InvalidAttribute/i.test(code)) return { code: "SDK_CLIENT_ERROR", message: `${code}: ${message}`, retryable: false };
  return { code: "INTERNAL_ERROR", message, retryable: true };
}

/** A template that renders a JSON string literal delivers its text to text targets. */
function unwrapJsonString(body: string): string {
  if (body.length >= 2 && body.startsWith('"') && body.endsWith('"')) {
    try {
      const text = JSON.parse(body);
      if (typeof text === "string") return text;
    } catch {
      // not one string literal: deliver as it is
    }
  }
  return body;
}
