import type { LocalDeployment } from "./deploy";

/** The operator's settings for any AWS SDK v3 client of the local endpoint (any key but a function's is the operator). */
export function operatorClientConfig(deployment: LocalDeployment) {
  return {
    endpoint: deployment.endpoint.url,
    region: deployment.cloud.identity.region,
    credentials: { accessKeyId: "LOCALOPERATOR", secretAccessKey: "local" },
  };
}
