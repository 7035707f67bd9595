/** Step Functions state machines: valid definitions, logging AWS accepts, roles able to call what the definition calls. */
import { NAMES, nameFits } from "@event-routes/aws-model";
import { assumable } from "./grants";
import { str } from "./graph";
import { CannotTell, Props, Rule, RuleContext, StackResource, T } from "./model";

// asl-validator ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: (definition: object) => { isValid: boolean; errors: { Message: string }[] } = require("asl-validator");

function definitionOf(machine: StackResource): Props {
  const text = str(machine.props.definition, "definition");
  try {
    return JSON.parse(text);
  } catch {
    throw new CannotTell("definition is not JSON");
  }
}

/** Every Task state of a definition, nested ones (Parallel branches, Map processors) included. */
function tasks(definition: Props): [string, Props][] {
  const out: [string, Props][] = [];
  const walk = (states: Record<string, Props> | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === "Task") out.push([name, state]);
      for (const branch of state.Branches ?? []) walk(branch.States);
      walk((state.ItemProcessor ?? state.Iterator)?.States);
    }
  };
  walk(definition.States);
  return out;
}

export const stepFunctionsRules: Rule[] = [
  {
    name: "stepfunctions-definition",
    severity: "mandatory",
    description: "A state machine's name is 1-80 characters without whitespace, brackets, wildcards or punctuation AWS reserves, its definition is valid Amazon States Language, and an EXPRESS one uses no .sync or .waitForTaskToken integration",
    docs: "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html",
    subjects: [T.stateMachine],
    check(machine, context) {
      const name = machine.props.name;
      if (typeof name === "string" && !nameFits(NAMES.stateMachine, name)) {
        context.report(`state machine name "${name}" is refused: 1-80 characters, none of them whitespace, brackets, wildcards, control characters or "#%\\^|~\`$&,;:/. Rename it.`);
      }
      let definition: Props;
      try {
        definition = definitionOf(machine);
      } catch {
        return context.report("the definition is not JSON: CreateStateMachine refuses it (InvalidDefinition). Pass JSON.stringify(definition).");
      }
      const result = aslValidator(definition);
      if (!result.isValid) context.report(`the definition is not valid Amazon States Language, so CreateStateMachine refuses it (InvalidDefinition): ${result.errors.map((e) => e.Message).join("; ")}.`);
      // Express workflows run neither .sync nor .waitForTaskToken integrations
      // (https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html).
      if (machine.props.type === "EXPRESS") {
        for (const [state, task] of tasks(definition)) {
          if (typeof task.Resource === "string" && /\.(sync(:2)?|waitForTaskToken)$/.test(task.Resource)) context.report(`state ${state} uses ${task.Resource}, an integration pattern EXPRESS workflows do not support: CreateStateMachine refuses it. Use a STANDARD workflow or the request-response pattern.`);
        }
      }
    },
  },
  {
    name: "stepfunctions-role",
    severity: "mandatory",
    description: "A state machine's role trusts states.amazonaws.com and may call every service its Task states call",
    docs: "https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html",
    subjects: [T.stateMachine],
    check(machine, context) {
      const role = context.graph.role(machine.props.roleArn);
      if (!role) return context.cannotTell(`role ${machine.props.roleArn} is not a role of this program`);
      if (assumable(role, "states.amazonaws.com") === false) context.report(`role ${role.props.name} does not let states.amazonaws.com sts:AssumeRole: CreateStateMachine fails. Fix its trust policy.`, machine, role);
      for (const [state, task] of tasks(definitionOf(machine))) {
        for (const call of callsOf(task, machine, context)) {
          if (typeof call === "string") {
            context.cannotTell(`state ${state}: ${call}`);
            continue;
          }
          const allowed = call.resource === undefined ? context.graph.roleAllowsAnywhere(role, call.action) : context.graph.roleAllows(role, call.action, call.resource);
          const on = call.resource ?? "any resource";
          if (allowed === false) context.report(`state ${state} calls ${call.action} on ${on}, which role ${role.props.name} does not allow: the execution fails there with AccessDenied. Grant ${call.action}${call.resource ? " on it" : ""}.`, machine, role);
          if (allowed === "unknown") context.cannotTell(`state ${state}: role ${role.props.name} may rely on policies that cannot be read offline`);
        }
      }
    },
  },
  {
    name: "stepfunctions-logging",
    severity: "mandatory",
    description: "A logging level other than OFF has a log group destination ending in :*, and the role may create log deliveries",
    docs: "https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html",
    subjects: [T.stateMachine],
    check(machine, context) {
      const logging = machine.props.loggingConfiguration;
      if (!logging || !logging.level || logging.level === "OFF") return;
      const destination = logging.logDestination;
      if (!destination) return context.report(`logging level ${logging.level} without a logDestination: CreateStateMachine refuses it. Give it a log group ARN ending in :*.`);
      if (!str(destination, "logDestination").endsWith(":*")) context.report(`logDestination ${destination} does not end in ":*": CreateStateMachine refuses log group ARNs without it. Append ":*".`);
      const role = context.graph.role(machine.props.roleArn);
      if (role && context.graph.roleAllows(role, "logs:CreateLogDelivery", "*") === false) context.report(`role ${role.props.name} may not logs:CreateLogDelivery (and the other log delivery actions) on "*": CreateStateMachine fails with logging on. Grant them.`, machine, role);
    },
  },
];

interface Call {
  action: string;
  /** The resource called, or undefined when it is chosen at run time (then any grant of the action counts). */
  resource?: string;
}

/** IAM service prefixes where an SDK integration's service name differs. */
const IAM_PREFIX: Record<string, string> = { sfn: "states", eventbridge: "events", cloudwatchlogs: "logs", cloudwatchevents: "events" };

/** What a Task state calls, as IAM actions on resources; strings explain what cannot be known. */
function callsOf(task: Props, machine: StackResource, context: RuleContext): (Call | string)[] {
  const resource: string = task.Resource;
  const parameters: Props = task.Parameters ?? task.Arguments ?? {};
  const machineArn = str(machine.props.arn, "the state machine's ARN").split(":");
  const [partition, region, account] = [machineArn[1], machineArn[3], machineArn[4]];
  // A value chosen at run time: a JSONPath ("Key.$") or a JSONata expression ("{% ... %}").
  const named = (key: string): string | undefined => {
    const value = parameters[key];
    return typeof value === "string" && !value.trim().startsWith("{%") && !(`${key}.$` in parameters) ? value : undefined;
  };
  if (/^arn:[^:]+:lambda:/.test(resource)) return [{ action: "lambda:InvokeFunction", resource }];
  const sdk = /^arn:[^:]+:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)(\.waitForTaskToken)?$/.exec(resource);
  if (sdk) return [{ action: `${IAM_PREFIX[sdk[1]] ?? sdk[1]}:${sdk[2][0].toUpperCase()}${sdk[2].slice(1)}` }];
  const integration = /^arn:[^:]+:states:::([a-z0-9-]+):([A-Za-z]+)(\.[A-Za-z]+(:2)?)?$/.exec(resource);
  if (!integration) return [`resource ${resource} is not an integration this check knows`];
  const [, service, api] = integration;
  switch (`${service}:${api}`) {
    case "lambda:invoke": {
      const name = named("FunctionName");
      if (!name) return [{ action: "lambda:InvokeFunction" }];
      const arn = name.startsWith("arn:") ? name : context.graph.fn(name)?.props.arn;
      return arn ? [{ action: "lambda:InvokeFunction", resource: arn }] : [`function ${name} is not a function of this program`];
    }
    case "sns:publish":
      return [{ action: "sns:Publish", resource: named("TopicArn") }];
    case "sqs:sendMessage": {
      const url = named("QueueUrl");
      if (!url) return [{ action: "sqs:SendMessage" }];
      const queue = context.graph.queue(url);
      const [, , host, queueAccount, queueName] = url.split("/");
      const arn = queue?.props.arn ?? `arn:${partition}:sqs:${host.split(".")[1]}:${queueAccount}:${queueName}`;
      return [{ action: "sqs:SendMessage", resource: arn }];
    }
    case "events:putEvents": {
      const entries: Props[] = Array.isArray(parameters.Entries) ? parameters.Entries : [];
      if (entries.length === 0) return [{ action: "events:PutEvents" }];
      return entries.map((e) => {
        const bus = typeof e.EventBusName === "string" && !e.EventBusName.startsWith("{%") && !("EventBusName.$" in e) ? e.EventBusName : e.EventBusName === undefined ? "default" : undefined;
        return { action: "events:PutEvents", resource: bus === undefined ? undefined : bus.startsWith("arn:") ? bus : `arn:${partition}:events:${region}:${account}:event-bus/${bus}` };
      });
    }
    case "states:startExecution":
      return [{ action: "states:StartExecution", resource: named("StateMachineArn") }];
    case "dynamodb:getItem":
    case "dynamodb:putItem":
    case "dynamodb:updateItem":
    case "dynamodb:deleteItem": {
      const table = named("TableName");
      const arn = table === undefined ? undefined : table.startsWith("arn:") ? table : `arn:${partition}:dynamodb:${region}:${account}:table/${table}`;
      return [{ action: `dynamodb:${api[0].toUpperCase()}${api.slice(1)}`, resource: arn }];
    }
    default:
      return [`integration ${service}:${api} is not one this check knows`];
  }
}
