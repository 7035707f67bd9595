import { z } from "zod";
import { AwsError } from "../../aws-error";
import { runOperation, type Operation } from "../../cloud";
import { operation } from "../../common/operation";
import { escapeXml, queryResponse } from "../../common/xml";
import { SqsError } from "./errors";
import { sqsShapeError } from "./shapes";

/**
 * SQS's query protocol (form-encoded `Action=...`, XML answers), which SDKs and AWS CLIs released
 * before SQS's JSON protocol still speak (Debian 12's awscli 2.9.19 does). Each query action is the
 * JSON operation of the same name (./wire.ts), so its request shape is checked too: the form's flattened lists and maps
 * (`AttributeName.1`, `MessageAttribute.1.Value.StringValue`, `SendMessageBatchRequestEntry.1.Id`)
 * become the JSON input, and the JSON answer is written as the query XML
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-xml-api-responses.html).
 */
const NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";
const PREFIX = "AmazonSQS.";

/** Query members whose JSON name differs: flattened lists are named in the singular. */
const LIST_NAMES: Record<string, string> = {
  AttributeName: "AttributeNames",
  MessageAttributeName: "MessageAttributeNames",
  MessageSystemAttributeName: "MessageSystemAttributeNames",
  StringListValue: "StringListValues",
  BinaryListValue: "BinaryListValues",
};
/** Query maps (lists of name/value entries) and their JSON names. */
const MAP_NAMES: Record<string, { json: string; key: string; value: string }> = {
  Attribute: { json: "Attributes", key: "Name", value: "Value" },
  MessageAttribute: { json: "MessageAttributes", key: "Name", value: "Value" },
  MessageSystemAttribute: { json: "MessageSystemAttributes", key: "Name", value: "Value" },
  Tag: { json: "Tags", key: "Key", value: "Value" },
};
/** JSON lists of the answers and the element each member is written as. */
const XML_LIST_MEMBERS: Record<string, (action: string) => string> = {
  QueueUrls: () => "QueueUrl",
  queueUrls: () => "QueueUrl",
  Messages: () => "Message",
  Successful: (action) => `${action}ResultEntry`,
  Failed: () => "BatchResultErrorEntry",
  Results: (action) => `${action}ResultEntry`,
};

/** A query request: the form's fields, every value text. */
const QueryForm = z.record(z.string(), z.string());

/** The query actions for `json`, the JSON operations (`AmazonSQS.<Action>`) of the SQS service. */
export function sqsQueryOperations(json: Record<string, Operation>): Record<string, Operation> {
  const operations: Record<string, Operation> = {};
  for (const [target, jsonOperation] of Object.entries(json)) {
    if (!target.startsWith(PREFIX)) continue;
    const action = target.slice(PREFIX.length);
    operations[`sqs.${action}`] = operation(
      QueryForm,
      async (form, caller) => {
        try {
          const result = await runOperation(jsonOperation, jsonInput(form), caller);
          return queryResponse(action, NAMESPACE, xmlOf((result ?? {}) as Record<string, unknown>, action));
        } catch (error) {
          throw queryError(error);
        }
      },
      { invalid: (problem) => queryErrorOf(sqsShapeError(problem)) },
    );
  }
  return operations;
}

/** The query protocol names errors by their query code (`AWS.SimpleQueueService.NonExistentQueue`). */
function queryError(error: unknown): unknown {
  if (error instanceof SqsError) return queryErrorOf(error);
  if (error instanceof AwsError && error.code === "AccessDeniedException") return new AwsError("AccessDenied", error.message, 403);
  return error;
}

function queryErrorOf(error: SqsError): AwsError {
  return new AwsError(error.queryCode, error.message, error.status);
}

type Tree = { [key: string]: Tree | string };

/** `{ "AttributeName.1": "All", "QueueUrl": "..." }` -> `{ AttributeNames: ["All"], QueueUrl: "..." }`. */
export function jsonInput(form: Record<string, string>): Record<string, unknown> {
  const root: Tree = {};
  for (const [key, value] of Object.entries(form)) {
    if (key === "Action" || key === "Version") continue;
    const segments = key.split(".");
    let node = root;
    segments.forEach((segment, index) => {
      if (index === segments.length - 1) node[segment] = value;
      else node = (node[segment] = typeof node[segment] === "object" ? node[segment] : {}) as Tree;
    });
  }
  return convert(root) as Record<string, unknown>;
}

function convert(node: Tree | string): unknown {
  if (typeof node === "string") return node;
  const keys = Object.keys(node);
  // `{ "1": ..., "2": ... }`: a flattened list, in member order.
  if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key))) return keys.sort((a, b) => Number(a) - Number(b)).map((key) => convert(node[key]));
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = convert(node[key]);
    const map = MAP_NAMES[key];
    if (map && Array.isArray(value)) {
      out[map.json] = Object.fromEntries(value.map((entry) => [(entry as Record<string, unknown>)[map.key], (entry as Record<string, unknown>)[map.value]]));
    } else if (key.endsWith("BatchRequestEntry")) out.Entries = value;
    else out[LIST_NAMES[key] ?? key] = value;
  }
  return out;
}

/** A JSON answer written as the query protocol's XML result. */
function xmlOf(value: Record<string, unknown>, action: string): string {
  let xml = "";
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || member === null) continue;
    const listMember = XML_LIST_MEMBERS[key];
    if (Array.isArray(member)) {
      const name = listMember ? listMember(action) : key;
      xml += member.map((item) => element(name, item, action)).join("");
    } else if (key === "Attributes" || key === "MessageAttributes" || key === "Tags") {
      const { key: keyName, value: valueName } = key === "Tags" ? MAP_NAMES.Tag : MAP_NAMES.Attribute;
      const name = key === "Tags" ? "Tag" : key === "Attributes" ? "Attribute" : "MessageAttribute";
      xml += Object.entries(member as Record<string, unknown>)
        .map(([entryKey, entryValue]) => `<${name}><${keyName}>${escapeXml(entryKey)}</${keyName}>${element(valueName, entryValue, action)}</${name}>`)
        .join("");
    } else xml += element(key, member, action);
  }
  return xml;
}

function element(name: string, value: unknown, action: string): string {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return `<${name}>${xmlOf(value as Record<string, unknown>, action)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}
