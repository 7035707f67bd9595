/**
 * What AWS itself decides, written once for the component library, the offline checks and the
 * local cloud: IAM policies (grammar, conditions, principals, evaluation) and AWS's limits.
 */
export * from "./iam/grammar";
export * from "./iam/wildcard";
export * from "./iam/conditions";
export * from "./iam/principals";
export * from "./iam/evaluate";
export * from "./limits";
