import * as pulumi from "@pulumi/pulumi";

/**
 * What targets, queues and topics need to know of an event bus to let its rules deliver: the
 * wildcard ARN of its rules and its account, for `aws:SourceArn` / `aws:SourceAccount`.
 */
export interface EventSourceBus {
  readonly logicalName: string;
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** `arn:<partition>:events:<region>:<account>:rule/<bus>/*`: every rule of this bus and no other. */
  readonly ruleArnPattern: pulumi.Output<string>;
  readonly account: pulumi.Output<string>;
}

/** The ARN that matches the rules of the bus with ARN `busArn` (rules of the default bus have no bus segment). */
export function ruleArnPatternOf(busArn: string): string {
  const match = /^arn:([^:]+):events:([^:]*):([^:]*):event-bus\/(.+)$/.exec(busArn);
  if (!match) throw new Error(`"${busArn}" is not an event bus ARN`);
  const [, partition, region, account, busName] = match;
  const rules = busName === "default" ? "rule/*" : `rule/${busName}/*`;
  return `arn:${partition}:events:${region}:${account}:${rules}`;
}

/** The logical name that identifies a resource of ours or of @pulumi/aws in generated child names. */
export function logicalNameOf(resource: pulumi.Resource | { logicalName: string }): string {
  if ("logicalName" in resource && typeof resource.logicalName === "string") return resource.logicalName;
  // Every Pulumi resource keeps the name it was constructed with; it is not part of the typed API.
  const name = (resource as unknown as { __name?: string }).__name;
  if (typeof name !== "string") throw new Error("cannot tell the logical name of a resource passed as a target");
  return name;
}
