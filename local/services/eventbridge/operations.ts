import { authorizeOrThrow } from "../../cloud";
import { operation, type Operation } from "../../common/operation";
import { AwsError } from "../../aws-error";
import { paginate } from "../../common/pagination";
import { archiveDescription, archiveSummary } from "./archives";
import type { EventBridgeService } from "./service";
import {
  DescribeArchiveInput,
  DescribeEventBusInput,
  DescribeReplayInput,
  DescribeRuleInput,
  ListArchivesInput,
  ListEventBusesInput,
  ListRuleNamesByTargetInput,
  ListRulesInput,
  ListTargetsByRuleInput,
  PutEventsRequest,
  StartReplayInput,
  TestEventPatternInput,
} from "./wire";

/**
 * The EventBridge operations the endpoint serves (`AWSEvents.<Operation>`). Every call is
 * authorized as `events:<Action>` on the resource AWS names for it, or `*` where the action has no
 * resource type (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html).
 * PutEvents authorizes per entry, on the entry's bus (in EventBridgeService.putEvents).
 */
export function eventBridgeOperations(events: EventBridgeService): Record<string, Operation> {
  const { cloud } = events;
  /** One page of a listing under `member`, with the shared token scheme (100 a page unless Limit says less). */
  const page = <T>(items: readonly T[], input: { NextToken?: string; Limit?: number }, member: string) => {
    const { page, next } = paginate(items, input.NextToken, input.Limit ?? 100, () => new AwsError("ValidationException", `Invalid NextToken: ${input.NextToken}`));
    return { [member]: page, ...(next ? { NextToken: next } : {}) };
  };
  return {
    "AWSEvents.PutEvents": operation(PutEventsRequest, (input, caller) => events.putEvents(input.Entries, caller)),
    "AWSEvents.TestEventPattern": operation(TestEventPatternInput, (input, caller) => {
      authorizeOrThrow(cloud, caller, "events:TestEventPattern", "*");
      return { Result: events.testEventPattern(input.EventPattern, input.Event) };
    }),
    "AWSEvents.ListRules": operation(ListRulesInput, (input, caller) => {
      authorizeOrThrow(cloud, caller, "events:ListRules", "*");
      return page(events.bus(input.EventBusName).rules.filter((rule) => rule.name.startsWith(input.NamePrefix ?? "")).map((rule) => events.describeRule(rule)), input, "Rules");
    }),
    "AWSEvents.DescribeRule": operation(DescribeRuleInput, (input, caller) => {
      const rule = events.rule(input.Name, input.EventBusName);
      authorizeOrThrow(cloud, caller, "events:DescribeRule", rule.arn);
      return { ...events.describeRule(rule), CreatedBy: cloud.identity.account };
    }),
    "AWSEvents.ListTargetsByRule": operation(ListTargetsByRuleInput, (input, caller) => {
      const rule = events.rule(input.Rule, input.EventBusName);
      authorizeOrThrow(cloud, caller, "events:ListTargetsByRule", rule.arn);
      return page(rule.targets.map((target) => ({ Id: target.id, Arn: target.arn, ...(target.roleArn ? { RoleArn: target.roleArn } : {}), ...target.settings })), input, "Targets");
    }),
    "AWSEvents.ListEventBuses": operation(ListEventBusesInput, (input, caller) => {
      authorizeOrThrow(cloud, caller, "events:ListEventBuses", "*");
      return page(events.busList().filter((bus) => bus.name.startsWith(input.NamePrefix ?? "")).map((bus) => ({ Name: bus.name, Arn: bus.arn })), input, "EventBuses");
    }),
    "AWSEvents.DescribeEventBus": operation(DescribeEventBusInput, (input, caller) => {
      const bus = events.bus(input.Name);
      authorizeOrThrow(cloud, caller, "events:DescribeEventBus", bus.arn);
      return { Name: bus.name, Arn: bus.arn };
    }),
    "AWSEvents.ListArchives": operation(ListArchivesInput, (input, caller) => {
      authorizeOrThrow(cloud, caller, "events:ListArchives", "*");
      return page(events.archives().map(archiveSummary), input, "Archives");
    }),
    "AWSEvents.DescribeArchive": operation(DescribeArchiveInput, (input, caller) => {
      authorizeOrThrow(cloud, caller, "events:DescribeArchive", cloud.arn("events", `archive/${input.ArchiveName}`));
      const archive = events.archives().find((candidate) => candidate.name === input.ArchiveName);
      if (!archive) throw new AwsError("ResourceNotFoundException", `Archive ${input.ArchiveName} does not exist.`);
      return archiveDescription(archive);
    }),
    "AWSEvents.ListRuleNamesByTarget": operation(ListRuleNamesByTargetInput, (input, caller) => {
      authorizeOrThrow(cloud, caller, "events:ListRuleNamesByTarget", "*");
      return page(events.bus(input.EventBusName).rules.filter((rule) => rule.targets.some((target) => target.arn === input.TargetArn)).map((rule) => rule.name), input, "RuleNames");
    }),
    "AWSEvents.StartReplay": operation(StartReplayInput, (input, caller) => {
      authorizeOrThrow(cloud, caller, "events:StartReplay", input.EventSourceArn);
      return events.startReplay(input);
    }),
    "AWSEvents.DescribeReplay": operation(DescribeReplayInput, (input, caller) => {
      authorizeOrThrow(cloud, caller, "events:DescribeReplay", cloud.arn("events", `replay/${input.ReplayName}`));
      return events.describeReplay(input.ReplayName);
    }),
  };
}
