/**
 * The rules as @pulumi/policy stack policies. A mandatory rule's findings block the deployment; what
 * a mandatory rule cannot evaluate (an unknown value during preview, a shape it does not know) is
 * reported by the advisory policy `cannot-evaluate` instead, so it never passes silently.
 */
import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { checkStack, Finding, Rule, RULES, StackResource } from "./rules";

function resourcesOf(resources: PolicyResource[]): StackResource[] {
  return resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.props }));
}

function reportAll(findings: Finding[], rule: Rule | undefined, report: ReportViolation): void {
  for (const f of findings) report(`${f.type} "${f.resource}": ${f.message}${rule ? ` See ${rule.docs}` : ""}`, f.urn);
}

export function policiesOf(rules: readonly Rule[]): StackValidationPolicy[] {
  const byName = new Map(rules.map((r) => [r.name, r]));
  return [
    ...rules.map(
      (rule): StackValidationPolicy => ({
        name: rule.name,
        description: `${rule.description} (${rule.docs})`,
        enforcementLevel: rule.severity,
        validateStack: (args, report) => reportAll(checkStack(resourcesOf(args.resources), [rule]).filter((f) => f.severity === rule.severity), rule, report),
      }),
    ),
    {
      name: "cannot-evaluate",
      description: "What a mandatory rule could not evaluate (unknown values during preview, shapes it does not know): check these by hand",
      enforcementLevel: "advisory",
      validateStack: (args, report) => {
        const mandatory = rules.filter((r) => r.severity === "mandatory");
        const unevaluated = checkStack(resourcesOf(args.resources), mandatory).filter((f) => f.severity === "advisory");
        for (const f of unevaluated) report(`[${f.rule}] ${f.type} "${f.resource}": ${f.message} See ${byName.get(f.rule)?.docs}`, f.urn);
      },
    },
  ];
}

export const policies = policiesOf(RULES);
