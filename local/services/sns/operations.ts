import type { Principal } from "../../iam";
import { operation, type Operation } from "../../common/operation";
import { paginate } from "../../common/pagination";
import type { XmlResponse } from "../../common/xml";
import { invalidParameter, type Subscription } from "./model";
import type { SnsService } from "./service";
import {
  attributesResponse,
  GetSubscriptionAttributesRequest,
  GetTopicAttributesRequest,
  listSubscriptionsResponse,
  ListSubscriptionsByTopicRequest,
  ListSubscriptionsRequest,
  ListTopicsRequest,
  listTopicsResponse,
  publishResponse,
  PublishRequest,
  snsShapeError,
  type SubscriptionSummary,
} from "./wire";

/**
 * The SNS actions the endpoint serves (`sns.<Action>`, query protocol). Every action authorizes its
 * caller as `sns:<Action>`; SNS answers a refusal with AuthorizationError (403).
 */
export function snsOperations(sns: SnsService): Record<string, Operation> {
  const invalid = snsShapeError;
  return {
    "sns.Publish": operation(PublishRequest, (input, caller) => publish(sns, input, caller), { invalid }),
    "sns.ListTopics": operation(
      ListTopicsRequest,
      (input, caller) => {
        sns.authorizeCaller(caller, "ListTopics", sns.cloud.arn("sns", "*"));
        const { page, next } = paginate(sns.topicArns().sort(), input.NextToken, PAGE_SIZE, badToken);
        return listTopicsResponse(page, next);
      },
      { invalid },
    ),
    "sns.ListSubscriptions": operation(
      ListSubscriptionsRequest,
      (input, caller) => {
        sns.authorizeCaller(caller, "ListSubscriptions", sns.cloud.arn("sns", "*"));
        const { page, next } = paginate(sns.allSubscriptions(), input.NextToken, PAGE_SIZE, badToken);
        return listSubscriptionsResponse("ListSubscriptions", page.map(summary(sns)), next);
      },
      { invalid },
    ),
    "sns.ListSubscriptionsByTopic": operation(
      ListSubscriptionsByTopicRequest,
      (input, caller) => {
        const topic = topicFromForm(sns, input.TopicArn, "TopicArn");
        sns.authorizeCaller(caller, "ListSubscriptionsByTopic", topic.arn);
        const { page, next } = paginate(topic.subscriptions, input.NextToken, PAGE_SIZE, badToken);
        return listSubscriptionsResponse("ListSubscriptionsByTopic", page.map(summary(sns)), next);
      },
      { invalid },
    ),
    "sns.GetTopicAttributes": operation(
      GetTopicAttributesRequest,
      (input, caller) => {
        const topic = topicFromForm(sns, input.TopicArn, "TopicArn");
        sns.authorizeCaller(caller, "GetTopicAttributes", topic.arn);
        return attributesResponse("GetTopicAttributes", sns.topicAttributes(topic));
      },
      { invalid },
    ),
    // `aws sns get-subscription-attributes`: the subscription's settings, its filter policy among them.
    "sns.GetSubscriptionAttributes": operation(
      GetSubscriptionAttributesRequest,
      (input, caller) => {
        const arn = input.SubscriptionArn;
        if (!arn) throw invalidParameter("SubscriptionArn Reason: no value for required parameter");
        // Authorized as sns:GetSubscriptionAttributes on the subscription's topic, as ListSubscriptionsByTopic
        // is; which resource AWS checks for this action is not recorded here.
        const subscription = sns.allSubscriptions().find((candidate) => candidate.arn === arn);
        sns.authorizeCaller(caller, "GetSubscriptionAttributes", subscription?.topic.arn ?? arn.split(":").slice(0, 6).join(":"));
        return attributesResponse("GetSubscriptionAttributes", sns.subscriptionAttributes(subscription));
      },
      { invalid },
    ),
  };
}

/** ListTopics and both ListSubscriptions answer up to 100 at a time. https://docs.aws.amazon.com/sns/latest/api/API_ListTopics.html */
const PAGE_SIZE = 100;
const badToken = () => invalidParameter("NextToken");

function publish(sns: SnsService, input: PublishRequest, caller: Principal): XmlResponse {
  if (input.PhoneNumber) {
    const phone = input.PhoneNumber;
    if (!/^\+?[1-9]\d{1,14}$/.test(phone)) throw invalidParameter("PhoneNumber Reason: input incorrectly formatted");
    sns.authorizeCaller(caller, "Publish", "*");
    return publishResponse(sns.sendSms(phone, input.Message));
  }
  const parameter = input.TopicArn ? "TopicArn" : "TargetArn";
  if (!input[parameter]) throw invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
  const topic = topicFromForm(sns, input[parameter], parameter);
  const { messageId, sequenceNumber } = sns.accept(topic.arn, input, caller);
  return publishResponse(messageId, sequenceNumber);
}

function topicFromForm(sns: SnsService, arn: string | undefined, parameter: string) {
  if (!arn) throw invalidParameter(`${parameter} Reason: no value for required parameter`);
  if (!/^arn:[^:]+:sns:[^:]+:\d{12}:[A-Za-z0-9_.-]+$/.test(arn)) throw invalidParameter(`${parameter} Reason: An ARN must have at least 6 elements, not ${arn.split(":").length}`);
  return sns.topic(arn);
}

const summary =
  (sns: SnsService) =>
  (subscription: Subscription): SubscriptionSummary => ({ topicArn: subscription.topic.arn, protocol: subscription.protocol, arn: subscription.arn, owner: sns.cloud.identity.account, endpoint: subscription.endpoint });
