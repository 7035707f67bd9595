import { NamedKind, NAMES } from "@event-routes/aws-model";
import { createHash } from "crypto";

/**
 * AWS name limits of the resources this library names (aws-model's, each with its AWS page). Names
 * we derive must fit them: AWS rejects an over-long name at deploy time, long after `pulumi preview`
 * looked fine.
 */
export { NAME_LIMITS } from "@event-routes/aws-model";

const ALLOWED = /[^A-Za-z0-9_.-]/g;

/**
 * A deterministic physical name from logical parts, within `maxLength` characters (`suffix` such
 * as `.fifo` included). Characters AWS forbids become `-`. When the joined name is too long it is
 * cut and ends in a short hash of the whole, so two long names never collide after truncation.
 */
export function physicalName(parts: string[], maxLength: number, suffix = ""): string {
  const joined = parts.filter((p) => p.length > 0).join("-").replace(ALLOWED, "-");
  const budget = maxLength - suffix.length;
  if (budget < 9) throw new Error(`physicalName: a limit of ${maxLength} leaves no room for a name`);
  if (joined.length <= budget) return joined + suffix;
  const hash = createHash("sha256").update(joined).digest("hex").slice(0, 8);
  return `${joined.slice(0, budget - hash.length - 1)}-${hash}${suffix}`;
}

/** Fails with a message naming the resource when a name the user chose breaks an AWS limit. */
export function assertNameWithin(kind: NamedKind, name: string): void {
  const { max, pattern } = NAMES[kind];
  if (name.length === 0 || name.length > max) {
    throw new Error(`${kind} name "${name}" is ${name.length} characters; AWS allows 1 to ${max}`);
  }
  if (!pattern.test(name)) {
    throw new Error(`${kind} name "${name}" has characters AWS does not allow (allowed: ${pattern.source})`);
  }
}
