/**
 * IAM's wildcards in Action, Resource, principal ARNs and the String/ArnLike condition operators:
 * `*` any run of characters (`:` and `/` included), `?` exactly one character.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
 */
const compiled = new Map<string, RegExp>();

/** Whether `value` matches `pattern`; action names compare ignoring case, everything else exactly. */
export function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  if (!pattern.includes("*") && !pattern.includes("?")) return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  const key = (ignoreCase ? "i" : "s") + pattern;
  let re = compiled.get(key);
  if (!re) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    re = new RegExp(`^${source}$`, ignoreCase ? "si" : "s");
    compiled.set(key, re);
  }
  return re.test(value);
}
