import * as pulumi from "@pulumi/pulumi";

/** An IAM policy statement. Kept structural so documents can be built from Outputs. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** A policy document as JSON text, resolving the Outputs nested in its statements. */
export function policyJson(statements: pulumi.Input<PolicyStatement>[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** The parts of an ARN that conditions and derived ARNs need. */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): ArnParts {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") throw new Error(`"${arn}" is not an ARN`);
  return { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(":") };
}

/**
 * `aws:SourceArn`/`aws:SourceAccount` conditions that confine a service principal to the rules of
 * one event bus. The wildcard covers the bus's rules only, so a resource policy keeps one
 * statement per bus however many rules target it (an SQS policy allows 20 statements and 8 KB; a
 * Lambda resource policy 20 KB): per-rule statements would break at the 21st route to one queue.
 */
export function busRulesCondition(bus: { ruleArnPattern: pulumi.Input<string>; account: pulumi.Input<string> }) {
  return {
    ArnLike: { "aws:SourceArn": bus.ruleArnPattern },
    StringEquals: { "aws:SourceAccount": bus.account },
  };
}

/**
 * The resource-policy statement that lets the rules of `bus` deliver to a queue or topic with
 * `action`: one per bus, whatever the number of its rules.
 */
export function eventBridgeDeliveryStatement(
  bus: { logicalName: string; ruleArnPattern: pulumi.Input<string>; account: pulumi.Input<string> },
  action: string,
  resource: pulumi.Input<string>,
): PolicyStatement {
  return {
    Sid: `EventBridgeRulesOf${bus.logicalName.replace(/[^A-Za-z0-9]/g, "")}`,
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: action,
    Resource: resource,
    Condition: busRulesCondition(bus),
  };
}

/** Denies every action on a resource when the request does not use TLS. */
export function tlsOnlyStatement(action: string, resource: pulumi.Input<string>): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** The trust policy of a role that one AWS service assumes, optionally confined by conditions. */
export function serviceTrustPolicy(service: string, condition?: PolicyStatement["Condition"]): pulumi.Output<string> {
  return policyJson([{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) }]);
}
