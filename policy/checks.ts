/**
 * The policy pack's rules (policy/pack/rules) over the resources a program registered under the
 * recording mocks (local/resource-graph): the offline form of `pulumi preview --policy-pack`.
 */
import type { RegisteredResource } from "@event-routes/local-cloud";
import { checkStack, Finding, RULES } from "./pack/rules";

export type { Finding } from "./pack/rules";
export { RULES } from "./pack/rules";

/** An AWS limit tests compare against (resource-policy-size cites its page). */
export const LIMITS = { sqsPolicyBytes: 8_192 } as const;

/** Every finding of every rule (mandatory and advisory) over one program's registered resources. */
export function checkProgram(resources: RegisteredResource[], rules = RULES): Finding[] {
  return checkStack(
    resources.map((r) => ({ type: r.type, name: r.name, props: r.state })),
    rules,
  );
}
