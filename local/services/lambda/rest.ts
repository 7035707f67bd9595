import { AwsError } from "../../aws-error";

/**
 * Lambda's REST protocol: the method and path name the operation, path segments and the query
 * string carry its input (https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html).
 * Invoke is answered by the endpoint itself (its payload and headers are not JSON fields); the
 * read-only operations below become `Lambda.<Operation>` calls with one input object.
 */
interface Route {
  readonly method: string;
  readonly path: RegExp;
  readonly operation: string;
  /** Names of the path's captured segments, in order. */
  readonly segments: readonly string[];
}

const ROUTES: readonly Route[] = [
  { method: "GET", path: /^\/2015-03-31\/functions\/?$/, operation: "ListFunctions", segments: [] },
  { method: "GET", path: /^\/2015-03-31\/functions\/([^/]+)\/?$/, operation: "GetFunction", segments: ["FunctionName"] },
  { method: "GET", path: /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/, operation: "GetFunctionConfiguration", segments: ["FunctionName"] },
  { method: "GET", path: /^\/2015-03-31\/functions\/([^/]+)\/policy\/?$/, operation: "GetPolicy", segments: ["FunctionName"] },
  { method: "GET", path: /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/, operation: "GetFunctionEventInvokeConfig", segments: ["FunctionName"] },
  { method: "GET", path: /^\/2019-09-30\/functions\/([^/]+)\/concurrency\/?$/, operation: "GetFunctionConcurrency", segments: ["FunctionName"] },
  { method: "GET", path: /^\/2017-03-31\/tags\/([^/]+)\/?$/, operation: "ListTags", segments: ["Resource"] },
  { method: "GET", path: /^\/2015-03-31\/event-source-mappings\/?$/, operation: "ListEventSourceMappings", segments: [] },
  { method: "GET", path: /^\/2015-03-31\/event-source-mappings\/([^/]+)\/?$/, operation: "GetEventSourceMapping", segments: ["UUID"] },
];

export const LAMBDA_INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** The read operation a Lambda REST request names, with its input; undefined if it names none. */
export function lambdaReadRequest(method: string | undefined, url: string | undefined): { operation: string; input: Record<string, string> } | undefined {
  const [pathname, query = ""] = (url ?? "").split("?", 2);
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.path.exec(pathname);
    if (!match) continue;
    const input: Record<string, string> = Object.fromEntries(new URLSearchParams(query));
    route.segments.forEach((name, index) => (input[name] = decodePathSegment(match[index + 1])));
    return { operation: `Lambda.${route.operation}`, input };
  }
  return undefined;
}

export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AwsError("ValidationException", `a path segment is not valid percent-encoding: ${segment}`);
  }
}
