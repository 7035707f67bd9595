import type { GetSubscriptionAttributesInput, GetTopicAttributesInput, ListSubscriptionsByTopicInput, ListSubscriptionsInput, ListTopicsInput, PublishInput as SdkPublishInput } from "@aws-sdk/client-sns";
import { z } from "zod";
import { type TextNumbersWire, tiedTo, type Wire } from "../../common/sdk-shape";
import { AwsError } from "../../aws-error";
import { lowerCamelPath, missingMemberMessage, type ShapeProblem } from "../../common/operation";
import { queryResponse, xmlElement, type XmlResponse } from "../../common/xml";
import { invalidParameter, type PublishInput, type SnsMessageAttribute } from "./model";

/**
 * SNS's wire: the query protocol. A request is a form (`Action=Publish&TopicArn=...`), every value
 * text, lists and maps flattened into numbered members (`MessageAttributes.entry.1.Name`); an answer
 * is `<{Action}Response>` XML. @aws-sdk/client-sns speaks awsQuery, so no JSON protocol is served.
 * (the sample requests of https://docs.aws.amazon.com/sns/latest/api/API_Publish.html)
 */

export const SNS_XML_NAMESPACE = "http://sns.amazonaws.com/doc/2010-03-31/";

/** The form of every SNS request names its Action. */
const action = { Action: z.string() };

/** An SDK request as SNS's form carries it: every value text (numbers too), and the Action named. */
type SnsForm<Request> = Wire<Request, TextNumbersWire> & { Action: string };

/**
 * Publish's input as the SDK types it, but with the message attributes as the form carries them:
 * BinaryValue base64 text (a Uint8Array in the SDK's `MessageAttributeValue`).
 */
export type PublishRequest = Omit<SdkPublishInput, "Message" | "MessageAttributes"> & PublishInput;

/** Publish's form; the members not named here are the numbered `MessageAttributes.entry.N.*`. */
export const PublishRequest = tiedTo<SnsForm<SdkPublishInput>>()(
  z.object({
    ...action,
    TopicArn: z.string().optional(),
    TargetArn: z.string().optional(),
    PhoneNumber: z.string().optional(),
    Message: z.string(),
    Subject: z.string().optional(),
    MessageStructure: z.string().optional(),
    MessageGroupId: z.string().optional(),
    MessageDeduplicationId: z.string().optional(),
  }),
)
  .catchall(z.string())
  .transform(
    (form): PublishRequest => ({
      TopicArn: form.TopicArn,
      TargetArn: form.TargetArn,
      PhoneNumber: form.PhoneNumber,
      Message: form.Message,
      Subject: form.Subject,
      MessageStructure: form.MessageStructure,
      MessageAttributes: formAttributes(form),
      MessageGroupId: form.MessageGroupId,
      MessageDeduplicationId: form.MessageDeduplicationId,
    }),
  );

export const ListTopicsRequest = tiedTo<SnsForm<ListTopicsInput>>()(z.object({ ...action, NextToken: z.string().optional() }));
export const ListSubscriptionsRequest = tiedTo<SnsForm<ListSubscriptionsInput>>()(z.object({ ...action, NextToken: z.string().optional() }));
export const ListSubscriptionsByTopicRequest = tiedTo<SnsForm<ListSubscriptionsByTopicInput>>()(z.object({ ...action, TopicArn: z.string(), NextToken: z.string().optional() }));
export const GetTopicAttributesRequest = tiedTo<SnsForm<GetTopicAttributesInput>>()(z.object({ ...action, TopicArn: z.string() }));
export const GetSubscriptionAttributesRequest = tiedTo<SnsForm<GetSubscriptionAttributesInput>>()(z.object({ ...action, SubscriptionArn: z.string() }));

/**
 * How SNS words a form without the shape an action takes: a required member that is absent is a
 * `ValidationError` naming it as AWS's validation does (`message`, `topicArn`); anything else an
 * `InvalidParameter`. https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
 */
export function snsShapeError(problem: ShapeProblem): AwsError {
  if (problem.missing) return new AwsError("ValidationError", missingMemberMessage(lowerCamelPath(problem.path)), 400);
  return invalidParameter(problem.path || "the request");
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue`. */
function formAttributes(form: Record<string, string | undefined>): Record<string, SnsMessageAttribute> {
  const attributes: Record<string, SnsMessageAttribute> = {};
  for (let n = 1; form[`MessageAttributes.entry.${n}.Name`] !== undefined; n++) {
    const prefix = `MessageAttributes.entry.${n}`;
    const stringValue = form[`${prefix}.Value.StringValue`];
    const binaryValue = form[`${prefix}.Value.BinaryValue`];
    attributes[form[`${prefix}.Name`]!] = {
      // An attribute without a type is Publish's to refuse (InvalidParameterValue), not the form's.
      DataType: form[`${prefix}.Value.DataType`] ?? "",
      ...(stringValue !== undefined ? { StringValue: stringValue } : {}),
      ...(binaryValue !== undefined ? { BinaryValue: binaryValue } : {}),
    };
  }
  return attributes;
}

// ---- answers ----------------------------------------------------------------------------------------

export function publishResponse(messageId: string, sequenceNumber?: string): XmlResponse {
  return queryResponse("Publish", SNS_XML_NAMESPACE, xmlElement("MessageId", messageId) + xmlElement("SequenceNumber", sequenceNumber));
}

export function listTopicsResponse(topicArns: readonly string[], next: string | undefined): XmlResponse {
  const members = topicArns.map((arn) => `<member>${xmlElement("TopicArn", arn)}</member>`).join("");
  return queryResponse("ListTopics", SNS_XML_NAMESPACE, `<Topics>${members}</Topics>${xmlElement("NextToken", next)}`);
}

export interface SubscriptionSummary {
  topicArn: string;
  protocol: string;
  arn: string;
  owner: string;
  endpoint: string;
}

export function listSubscriptionsResponse(action: "ListSubscriptions" | "ListSubscriptionsByTopic", subscriptions: readonly SubscriptionSummary[], next: string | undefined): XmlResponse {
  const members = subscriptions
    .map((s) => `<member>${xmlElement("TopicArn", s.topicArn)}${xmlElement("Protocol", s.protocol)}${xmlElement("SubscriptionArn", s.arn)}${xmlElement("Owner", s.owner)}${xmlElement("Endpoint", s.endpoint)}</member>`)
    .join("");
  return queryResponse(action, SNS_XML_NAMESPACE, `<Subscriptions>${members}</Subscriptions>${xmlElement("NextToken", next)}`);
}

/** `<Attributes><entry><key>..</key><value>..</value></entry>...`; attributes without a value are left out. */
export function attributesResponse(action: "GetTopicAttributes" | "GetSubscriptionAttributes", attributes: Record<string, string | undefined>): XmlResponse {
  const entries = Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `<entry>${xmlElement("key", key)}${xmlElement("value", value)}</entry>`)
    .join("");
  return queryResponse(action, SNS_XML_NAMESPACE, `<Attributes>${entries}</Attributes>`);
}
