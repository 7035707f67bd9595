import { AwsError } from "../../aws-error";
import type { LocalCloud, Service } from "../../cloud";
import { parsePolicy } from "../../iam";
import type { RegisteredResource } from "../../resource-graph";

/**
 * IAM roles and their policies: inline (`RolePolicy`, `inlinePolicies`) and managed (`Policy` +
 * `RolePolicyAttachment`), stored as identity policies of the role ARN for the other services to
 * authorize with. AWS managed policies (arn:aws:iam::aws:policy/...) cannot be read locally: a
 * role that relies on one is listed in `unknownManagedPolicies` and gets nothing from it.
 */
export class IamService implements Service {
  readonly namespace = "iam";
  readonly resourceTypes = [
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  ] as const;
  private readonly roleArns = new Map<string, string>();
  private readonly managed = new Map<string, string>();
  private readonly attachments: { role: string; policyArn: string; name: string }[] = [];
  readonly unknownManagedPolicies: string[] = [];

  constructor(private readonly cloud: LocalCloud) {}

  materialize(resource: RegisteredResource): void {
    const { inputs, state } = resource;
    const where = `${resource.type} "${resource.name}"`;
    switch (resource.type) {
      case "aws:iam/role:Role": {
        this.cloud.iam.putTrustPolicy(state.arn, parsePolicy(inputs.assumeRolePolicy, `${where} assumeRolePolicy`));
        this.roleArns.set(state.name, state.arn);
        for (const inline of inputs.inlinePolicies ?? []) {
          if (inline?.policy) this.cloud.iam.putRolePolicy(state.arn, `inline:${inline.name}`, parsePolicy(inline.policy, where));
        }
        for (const policyArn of inputs.managedPolicyArns ?? []) this.attachments.push({ role: state.name, policyArn, name: `managed:${policyArn}` });
        return;
      }
      case "aws:iam/rolePolicy:RolePolicy": {
        const statements = parsePolicy(inputs.policy, where);
        const role = this.roleArn(inputs.role);
        if (!role) throw new AwsError("NoSuchEntity", `The role with name ${inputs.role} cannot be found.`, 404);
        this.cloud.iam.putRolePolicy(role, `inline:${resource.state.name ?? resource.name}`, statements);
        return;
      }
      case "aws:iam/policy:Policy":
        parsePolicy(inputs.policy, where);
        this.managed.set(state.arn ?? this.cloud.arn("iam", `policy/${state.name ?? resource.name}`, false), inputs.policy);
        return;
      case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
        this.attachments.push({ role: inputs.role, policyArn: inputs.policyArn, name: `managed:${inputs.policyArn}` });
        return;
    }
  }

  start(): void {
    for (const { role, policyArn, name } of this.attachments) {
      const roleArn = this.roleArn(role);
      const document = this.managed.get(policyArn);
      if (!roleArn) throw new AwsError("NoSuchEntity", `The role with name ${role} cannot be found.`, 404);
      if (!document) {
        this.unknownManagedPolicies.push(`${policyArn} (attached to ${role})`);
        continue;
      }
      this.cloud.iam.putRolePolicy(roleArn, name, parsePolicy(document, policyArn));
    }
  }

  /** A role's ARN from its name or ARN. */
  roleArn(reference: string): string | undefined {
    if (reference?.startsWith("arn:")) return reference;
    return this.roleArns.get(reference);
  }
}
