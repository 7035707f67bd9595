/**
 * Whether a service may do what delivery needs: assume a role, send to a queue, publish to a
 * topic, invoke a function, evaluated over the program's resource policies and permissions.
 */
import { str } from "./graph";
import { decide, parseDocument, Statement } from "./iam-documents";
import { RuleContext, StackResource, T } from "./model";

export function parseStatements(doc: unknown): Statement[] {
  return parseDocument(doc, "the policy").Statement;
}

/** Can `service` assume the role with the request context it supplies? */
export function assumable(role: StackResource, service: string, requestContext?: Record<string, string>): boolean | "unknown" {
  const trust = parseStatements(role.props.assumeRolePolicy);
  return decide(trust, { principal: { Service: service }, action: "sts:AssumeRole", resource: str(role.props.arn, "the role's ARN"), context: requestContext, contextUnknown: !requestContext });
}

/** The queue policy lets EventBridge send for this rule (the conditions EventBridge supplies count). */
export function deliveryToQueue(context: RuleContext, queue: StackResource, ruleArn: string, what: string): void {
  const queueArn = str(queue.props.arn, "the queue's ARN");
  const policies = context.graph.of(T.queuePolicy).filter((p) => p.props.queueUrl === queue.props.url || p.props.queueUrl === queue.props.id);
  const statements = [...policies.flatMap((p) => parseStatements(p.props.policy)), ...(queue.props.policy ? parseStatements(queue.props.policy) : [])];
  const request = { principal: { Service: "events.amazonaws.com" }, action: "sqs:SendMessage", resource: queueArn, context: eventBridgeContext(ruleArn) };
  const decision = decide(statements, request);
  if (decision === false) {
    context.report(`${what}: no queue policy statement lets events.amazonaws.com sqs:SendMessage for rule ${ruleArn}, so SQS denies every delivery and the events are lost. Add a statement for events.amazonaws.com with aws:SourceArn of the rule (or the bus's rules).`, context.subject, ...(policies.length > 0 ? policies : [queue]));
  } else if (decision === "unknown") {
    context.cannotTell(`${what}: its policy has conditions this check does not know`);
  }
}

function eventBridgeContext(ruleArn: string): Record<string, string> {
  return { "aws:sourcearn": ruleArn, "aws:sourceaccount": ruleArn.split(":")[4], "aws:securetransport": "true" };
}

export function deliveryToTopic(context: RuleContext, topicArn: string, ruleArn: string): void {
  const topic = context.graph.arn(topicArn, T.topic);
  if (!topic) return context.cannotTell(`topic ${topicArn} is not a topic of this program`);
  const policies = context.graph.of(T.topicPolicy).filter((p) => p.props.arn === topicArn);
  const statements = [...policies.flatMap((p) => parseStatements(p.props.policy)), ...(topic.props.policy ? parseStatements(topic.props.policy) : [])];
  const decision = decide(statements, { principal: { Service: "events.amazonaws.com" }, action: "sns:Publish", resource: topicArn, context: eventBridgeContext(ruleArn) });
  if (decision === false) {
    context.report(`topic ${topic.name}: no topic policy statement lets events.amazonaws.com sns:Publish for rule ${ruleArn} (SNS's default policy admits only the owner account), so the events are lost. Add a topic policy statement for events.amazonaws.com.`, context.subject, ...(policies.length > 0 ? policies : [topic]));
  } else if (decision === "unknown") {
    context.cannotTell(`topic ${topic.name}: its policy has conditions this check does not know`);
  }
}

export function deliveryToFunction(context: RuleContext, target: StackResource, functionArn: string, ruleArn: string): void {
  const fn = context.graph.fn(functionArn);
  if (!fn) return context.cannotTell(`function ${functionArn} is not a function of this program`);
  const qualifier = functionArn.split(":")[7] || undefined;
  const grants = context.graph.of(T.permission).filter((p) => context.graph.fn(p.props.function) === fn && (p.props.qualifier || undefined) === qualifier);
  const statements: Statement[] = grants.map((p) => ({
    Effect: "Allow",
    Principal: p.props.principal === "*" ? "*" : { Service: p.props.principal },
    Action: p.props.action,
    Resource: "*",
    Condition: {
      ...(p.props.sourceArn ? { ArnLike: { "aws:SourceArn": p.props.sourceArn } } : {}),
      ...(p.props.sourceAccount ? { StringEquals: { "aws:SourceAccount": p.props.sourceAccount } } : {}),
    },
  }));
  const decision = decide(statements, { principal: { Service: "events.amazonaws.com" }, action: "lambda:InvokeFunction", resource: functionArn, context: eventBridgeContext(ruleArn) });
  if (decision === false) {
    context.report(`function ${fn.props.name}: no permission lets events.amazonaws.com invoke it for rule ${ruleArn}, so Lambda denies every delivery. Add an aws.lambda.Permission with principal events.amazonaws.com and sourceArn of the rule.`, target, ...(grants.length > 0 ? grants : [fn]));
  }
}

