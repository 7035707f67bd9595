import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EventSourceBus } from "./bus-ref";
import { DeploymentContext, stackContext } from "./context";
import { policyJson, PolicyStatement, serviceTrustPolicy } from "./iam";
import { NAME_LIMITS, physicalName } from "./naming";
import { Topic } from "./topic";
import { assertLogRetention } from "./validation";

export interface WorkflowArgs {
  /** STANDARD: exactly-once, up to a year, full history. EXPRESS: at-least-once, 5 minutes, cheap at volume. Required. */
  type: "STANDARD" | "EXPRESS";
  /** The Amazon States Language definition; ARNs may be Outputs. Required. */
  definition: pulumi.Input<Record<string, unknown>>;
  /** What the states call: the role is built from this and grants nothing else. Required. `{}` calls nothing. */
  calls: {
    functions?: { logicalName: string; function: aws.lambda.Function }[];
    topics?: Topic[];
    /** Buses the workflow puts events on, with the `source` values it may use. */
    publishes?: { bus: EventSourceBus; sources: string[] };
  };
  /** Execution history to CloudWatch Logs: the level, whether inputs and outputs are included, and the log group's retention. Required. */
  logging: { level: "ALL" | "ERROR" | "FATAL" | "OFF"; includeExecutionData: boolean; retentionDays: number };
  /** X-Ray tracing of executions. Default: false. */
  tracing?: boolean;
  /** Name prefix and tags. Default: the running stack's ({@link stackContext}). */
  context?: DeploymentContext;
}

/** A Step Functions state machine with logging, tracing, and a role built from the tasks it calls. */
export class Workflow extends pulumi.ComponentResource {
  readonly logicalName: string;
  readonly stateMachine: aws.sfn.StateMachine;
  readonly role: aws.iam.Role;
  readonly rolePolicy: aws.iam.RolePolicy;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly arn: pulumi.Output<string>;
  readonly type: "STANDARD" | "EXPRESS";

  constructor(name: string, args: WorkflowArgs, opts?: pulumi.ComponentResourceOptions) {
    super("event-routes:index:Workflow", name, {}, opts);
    this.logicalName = name;
    this.type = args.type;
    const context = args.context ?? stackContext();
    assertLogRetention(`Workflow "${name}"`, "logging.retentionDays", args.logging.retentionDays);
    const machineName = physicalName([context.namePrefix, name], NAME_LIMITS.stateMachine);
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

    this.logGroup = new aws.cloudwatch.LogGroup(
      name,
      { name: `/aws/vendedlogs/states/${machineName}`, retentionInDays: args.logging.retentionDays, tags: context.tags },
      { parent: this },
    );
    this.role = new aws.iam.Role(
      name,
      {
        name: physicalName([context.namePrefix, name], NAME_LIMITS.role),
        assumeRolePolicy: serviceTrustPolicy("states.amazonaws.com", { StringEquals: { "aws:SourceAccount": account } }),
        tags: context.tags,
      },
      { parent: this },
    );
    this.rolePolicy = new aws.iam.RolePolicy(name, { role: this.role.id, policy: policyJson(workflowStatements(args)) }, { parent: this });

    this.stateMachine = new aws.sfn.StateMachine(
      name,
      {
        name: machineName,
        type: args.type,
        roleArn: this.role.arn,
        definition: pulumi.jsonStringify(args.definition),
        loggingConfiguration: {
          level: args.logging.level,
          includeExecutionData: args.logging.includeExecutionData,
          logDestination: pulumi.interpolate`${this.logGroup.arn}:*`,
        },
        tracingConfiguration: { enabled: args.tracing ?? false },
        tags: context.tags,
      },
      // Step Functions validates the role's log delivery permissions when the machine is created.
      { parent: this, dependsOn: [this.rolePolicy] },
    );
    this.arn = this.stateMachine.arn;
    this.registerOutputs({ arn: this.arn });
  }
}

function workflowStatements(args: WorkflowArgs): pulumi.Input<PolicyStatement>[] {
  const statements: pulumi.Input<PolicyStatement>[] = [
    {
      // CloudWatch Logs delivery for Step Functions is configured through these account-level APIs,
      // which take no resource ARN.
      Effect: "Allow",
      Action: [
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
      ],
      Resource: "*",
    },
  ];
  const functions = args.calls.functions ?? [];
  if (functions.length > 0) {
    statements.push({
      Effect: "Allow",
      Action: "lambda:InvokeFunction",
      Resource: functions.flatMap((f) => [f.function.arn, pulumi.interpolate`${f.function.arn}:*`]),
    });
  }
  for (const topic of args.calls.topics ?? []) statements.push(...topic.publishStatements());
  if (args.calls.publishes) {
    statements.push({
      Effect: "Allow",
      Action: "events:PutEvents",
      Resource: args.calls.publishes.bus.arn,
      Condition: { StringEquals: { "events:source": args.calls.publishes.sources } },
    });
  }
  if (args.tracing) {
    statements.push({
      Effect: "Allow",
      Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
      Resource: "*",
    });
  }
  return statements;
}
