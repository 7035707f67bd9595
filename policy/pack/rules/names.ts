/** Physical names that two resources of the program would both claim. */
import { busNameOf } from "./eventbridge";
import { Rule, T } from "./model";

const NAMED = [T.bus, T.rule, T.queue, T.topic, T.fn, T.role, T.stateMachine, T.stream, T.table, T.logGroup, T.archive, T.alias, T.policy, T.alarm];

export const nameRules: Rule[] = [
  {
    name: "unique-physical-names",
    severity: "mandatory",
    description: "No two resources of one type claim the same AWS name (per bus, for rules): the second create fails with an already-exists error, or one silently takes over the other",
    docs: "https://www.pulumi.com/docs/iac/concepts/resources/names/",
    subjects: NAMED,
    check(resource, context) {
      const name = resource.props.name;
      if (typeof name !== "string") return;
      const scope = (r: typeof resource) => (r.type === T.rule ? busNameOf(r.props.eventBusName) : "");
      const twins = context.graph.of(resource.type).filter((r) => r.props.name === name && scope(r) === scope(resource));
      if (twins.length > 1 && twins[0] !== resource) context.report(`${resource.type.split(":").pop()} name "${name}" is also claimed by ${twins[0].name}: AWS refuses the second (already exists) or one overwrites the other. Give each its own name.`, resource, twins[0]);
    },
  },
];
