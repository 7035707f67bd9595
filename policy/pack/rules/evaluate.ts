/**
 * Runs rules over a stack. Each rule looks at one subject resource at a time; whatever the rule
 * cannot evaluate (an unknown value during preview, a shape it does not know, an error) becomes
 * an advisory finding on that resource: never a silent pass, never a crashed run.
 */
import { StackGraph } from "./graph";
import { Finding, Rule, StackResource } from "./model";

export function evaluate(resources: StackResource[], rules: readonly Rule[]): Finding[] {
  const graph = new StackGraph(resources);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const push = (finding: Finding) => {
    const key = `${finding.rule}|${finding.urn ?? finding.type}|${finding.resource}|${finding.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push(finding);
  };
  for (const rule of rules) {
    for (const type of rule.subjects) {
      for (const subject of graph.of(type)) {
        const at = (resource: StackResource | undefined) => resource ?? subject;
        const context = {
          graph,
          subject,
          report: (message: string, ...resources: StackResource[]) => {
            for (const resource of resources.length > 0 ? resources : [subject]) push(finding(rule, rule.severity, resource, message));
          },
          cannotTell: (message: string, resource?: StackResource) => push(finding(rule, "advisory", at(resource), `cannot evaluate: ${message}`)),
        };
        try {
          rule.check(subject, context);
        } catch (error) {
          context.cannotTell((error as Error).message);
        }
      }
    }
  }
  return findings;
}

function finding(rule: Rule, severity: Finding["severity"], resource: StackResource, message: string): Finding {
  return { rule: rule.name, severity, resource: resource.name, type: resource.type, message, ...(resource.urn ? { urn: resource.urn } : {}) };
}
