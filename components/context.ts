import * as pulumi from "@pulumi/pulumi";

/**
 * What every component of the library shares: a naming prefix and the tags applied to every AWS
 * resource it creates. Pass the same context to all components of a program.
 */
export interface DeploymentContext {
  /** Prefix of physical names, usually `<project>-<stack>`. */
  readonly namePrefix: string;
  /** Tags on every taggable resource (stack, owner, cost centre ...). */
  readonly tags: Record<string, string>;
}

/** The context of the running Pulumi stack: prefix `<project>-<stack>`, tags with both. */
export function stackContext(extraTags: Record<string, string> = {}): DeploymentContext {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  return {
    namePrefix: `${project}-${stack}`,
    tags: { "pulumi:project": project, "pulumi:stack": stack, ...extraTags },
  };
}
