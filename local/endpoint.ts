import { randomUUID } from "crypto";
import { createServer, IncomingMessage, ServerResponse } from "http";
import { createServer as createHttp2Server, Http2ServerRequest, Http2ServerResponse } from "http2";
import { AddressInfo, createServer as createNetServer, Socket } from "net";
import { Duplex } from "stream";
import { AwsError, LostAnswerError } from "./aws-error";
import { runOperation, type LocalCloud, type Operation } from "./cloud";
import type { Principal } from "./iam";
import { escapeXml } from "./common/xml";
import { decodePathSegment, LAMBDA_INVOKE, lambdaReadRequest } from "./services/lambda/rest";

/**
 * The local cloud's AWS-compatible endpoint: unmodified AWS SDK v3 clients and the AWS CLI reach
 * the services through it (`AWS_ENDPOINT_URL=http://127.0.0.1:4566`). It speaks the JSON protocols
 * (the `X-Amz-Target` header names the operation: EventBridge, SQS, Step Functions, Kinesis,
 * DynamoDB), the query protocol (SNS: form-encoded `Action=...`, XML answers) and Lambda's REST
 * Invoke. The signature's access key says who is calling: a function's key is its role, any other
 * key is the operator. Every failure is answered as AWS would, never by a crash; it listens on
 * loopback only.
 */
export interface Endpoint {
  readonly url: string;
  readonly port: number;
  /** Requests answered so far (the `serve` status line). */
  readonly requests: { total: number };
  close(): Promise<void>;
}

/** A query-protocol answer: XML text (SNS). */
export interface XmlAnswer {
  readonly xml: string;
}

const HTTP2_PREFACE = "PRI * HTTP/2.0";

export async function startEndpoint(cloud: LocalCloud, port = 4566, host = "127.0.0.1"): Promise<Endpoint> {
  if (!/^127\.|^::1$|^localhost$/.test(host)) throw new Error(`the local endpoint listens on loopback only, not ${host}`);
  const operations = cloud.operations();
  const requests = { total: 0 };
  const listener = (request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse) => {
    requests.total++;
    // Not tracked as activity: a function's calls happen inside its tracked invocation, and an
    // outside client waits for its own answer. So a long poll can let the virtual clock jump.
    void handle(cloud, operations, request as IncomingMessage, response as ServerResponse).catch(() => undefined);
  };
  // One port, two protocols: most SDK clients speak HTTP/1.1, the Kinesis client HTTP/2 without
  // TLS (prior knowledge). The first bytes of a connection tell them apart.
  const http1 = createServer(listener);
  http1.keepAliveTimeout = 60_000;
  const http2 = createHttp2Server(listener);
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A client may reset a connection before it says anything: that ends the connection, not us.
    socket.on("error", () => socket.destroy());
    let start = Buffer.alloc(0);
    const sniff = (chunk: Buffer) => {
      start = Buffer.concat([start, chunk]);
      const head = start.toString("latin1", 0, HTTP2_PREFACE.length);
      if (head.length < HTTP2_PREFACE.length && HTTP2_PREFACE.startsWith(head)) return; // wait for more
      socket.off("data", sniff);
      if (head === HTTP2_PREFACE) {
        http2.emit("connection", streamOver(socket, start));
        return;
      }
      socket.pause();
      socket.unshift(start);
      http1.emit("connection", socket);
      socket.resume();
    };
    socket.on("data", sniff);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`port ${port} on ${host} is in use: pass another port (--port) or stop what holds it`) : error),
    );
    server.listen(port, host, resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  const url = `http://${host}:${actual}`;
  cloud.endpointUrl = url;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return { url, port: actual, requests, close };
}

async function handle(cloud: LocalCloud, operations: Map<string, Operation>, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const text = await readBody(request);
  const caller = cloud.principalFor(accessKeyOf(request.headers.authorization));
  const target = request.headers["x-amz-target"];
  const contentType = String(request.headers["content-type"] ?? "");
  try {
    if (typeof target === "string") return await answerJson(cloud, operations, target, text, caller, contentType, response, requestId);
    const invoke = LAMBDA_INVOKE.exec(request.url?.split("?")[0] ?? "");
    if (invoke && request.method === "POST") return await answerInvoke(operations, decodePathSegment(invoke[1]), request, text, caller, response, requestId);
    const read = lambdaReadRequest(request.method, request.url);
    if (read) return await answerRest(cloud, operations, read.operation, read.input, caller, response, requestId);
    if (contentType.startsWith("application/x-www-form-urlencoded")) return await answerQuery(operations, serviceOf(request.headers.authorization), text, caller, response, requestId);
    throw new AwsError("UnknownOperationException", `the local cloud does not serve ${request.method} ${request.url}`, 404);
  } catch (error) {
    const failure = asAwsError(cloud, describe(request, target, text), error);
    if (typeof target !== "string" && contentType.startsWith("application/x-www-form-urlencoded")) return sendXmlError(response, failure, requestId);
    // SQS's JSON protocol also names the query-protocol error code, which older SDKs read.
    const queryError = (failure as { queryErrorHeader?: string }).queryErrorHeader;
    if (queryError) response.setHeader("x-amzn-query-error", queryError);
    // Some errors carry fields of their own (DynamoDB returns the item a condition failed on).
    const fields = (failure as { fields?: Record<string, unknown> }).fields;
    sendJson(response, failure.status, { __type: failure.code, message: failure.message, ...fields }, jsonContentType(contentType), requestId, failure.code);
  }
}

async function answerJson(cloud: LocalCloud, operations: Map<string, Operation>, target: string, text: string, caller: Principal, contentType: string, response: ServerResponse, requestId: string): Promise<void> {
  const operation = operations.get(target);
  if (!operation) throw new AwsError("UnknownOperationException", `the local cloud does not support ${target}`);
  const fault = cloud.faultFor(target, caller);
  if (fault && !(fault instanceof LostAnswerError)) throw fault;
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    throw new AwsError("SerializationException", "the request body is not valid JSON");
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new AwsError("SerializationException", "the request body must be a JSON object");
  const result = await runOperation(operation, body, caller);
  if (fault) throw fault; // the operation ran, the caller never hears of it
  sendJson(response, 200, result ?? {}, jsonContentType(contentType), requestId);
}

async function answerInvoke(operations: Map<string, Operation>, functionName: string, request: IncomingMessage, text: string, caller: Principal, response: ServerResponse, requestId: string): Promise<void> {
  const operation = operations.get("Lambda.Invoke");
  if (!operation) throw new AwsError("UnknownOperationException", "the local cloud has no Lambda service");
  let payload: unknown = null;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      throw new AwsError("InvalidRequestContentException", "Could not parse request body into json");
    }
  }
  const type = String(request.headers["x-amz-invocation-type"] ?? "RequestResponse");
  const result = (await runOperation(operation, { FunctionName: functionName, InvocationType: type, Payload: payload }, caller)) as { status: number; payload?: unknown; functionError?: string; requestId: string };
  const headers: Record<string, string> = { "content-type": "application/json", "x-amzn-requestid": result.requestId ?? requestId, "x-amz-executed-version": "$LATEST" };
  if (result.functionError) headers["x-amz-function-error"] = result.functionError;
  response.writeHead(result.status, headers);
  response.end(result.payload === undefined ? "" : JSON.stringify(result.payload));
}

/** A Lambda REST read (ListFunctions, GetFunction ...): JSON in the body, errors as Lambda sends them. */
async function answerRest(cloud: LocalCloud, operations: Map<string, Operation>, target: string, input: Record<string, string>, caller: Principal, response: ServerResponse, requestId: string): Promise<void> {
  const operation = operations.get(target);
  if (!operation) throw new AwsError("UnknownOperationException", `the local cloud does not support ${target}`);
  const fault = cloud.faultFor(target, caller);
  if (fault) throw fault;
  const result = await runOperation(operation, input, caller);
  sendJson(response, 200, result ?? {}, "application/json", requestId);
}

async function answerQuery(operations: Map<string, Operation>, service: string, text: string, caller: Principal, response: ServerResponse, requestId: string): Promise<void> {
  const form = Object.fromEntries(new URLSearchParams(text));
  const action = form.Action;
  if (!action) throw new AwsError("MissingAction", "the request has no Action");
  const operation = operations.get(`${service}.${action}`);
  if (!operation) throw new AwsError("InvalidAction", `The action ${action} is not valid for this web service (${service}) in the local cloud.`);
  const result = (await runOperation(operation, form, caller)) as XmlAnswer;
  response.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": requestId });
  response.end(result.xml);
}

function sendJson(response: ServerResponse, status: number, body: unknown, contentType: string, requestId: string, errorType?: string): void {
  const headers: Record<string, string> = { "content-type": contentType, "x-amzn-requestid": requestId };
  if (errorType) headers["x-amzn-errortype"] = errorType;
  response.writeHead(status, headers);
  response.end(JSON.stringify(body));
}

function sendXmlError(response: ServerResponse, error: AwsError, requestId: string): void {
  response.writeHead(error.status, { "content-type": "text/xml", "x-amzn-requestid": requestId });
  response.end(
    `<ErrorResponse><Error><Type>${error.status >= 500 ? "Receiver" : "Sender"}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  );
}

/** The operation a request names, for a fault's record: its target, else its method and path (with the query Action). */
function describe(request: IncomingMessage, target: string | string[] | undefined, text: string): string {
  if (typeof target === "string") return target;
  const action = /(?:^|&)Action=([^&]*)/.exec(text)?.[1];
  return `${request.method} ${request.url?.split("?")[0]}${action ? ` Action=${action}` : ""}`;
}

function jsonContentType(requested: string): string {
  return requested.startsWith("application/x-amz-json-1.0") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20261127/eu-west-1/sns/aws4_request, ...` */
function accessKeyOf(authorization: string | undefined): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(authorization ?? "")?.[1];
}

function serviceOf(authorization: string | undefined): string {
  return /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization ?? "")?.[1] ?? "unknown";
}

/** The whole body of a request, as text. */
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/**
 * The socket as a plain stream that starts with the bytes already read. Node's HTTP/2 server reads
 * a real socket's handle directly, past anything unshifted, so it gets this stream instead.
 */
function streamOver(socket: Socket, first: Buffer): Duplex {
  const stream = new Duplex({
    read: () => socket.resume(),
    write: (chunk, _encoding, done) => void socket.write(chunk, done),
    final: (done) => {
      socket.end();
      done();
    },
    destroy: (error, done) => {
      socket.destroy();
      done(error);
    },
  });
  stream.push(first);
  socket.on("data", (chunk) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on("end", () => stream.push(null));
  socket.on("error", (error) => stream.destroy(error));
  socket.on("close", () => stream.destroy());
  return stream;
}

/**
 * What the client is told when an operation fails. An AwsError is the service's answer. Anything
 * else is a fault of the emulator (a malformed request never reaches an operation: its shape is
 * checked first, ./common/operation.ts): it is recorded in `cloud.errors`, so tests fail on it, and
 * answered 500 InternalFailure, as AWS answers its own failures
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html).
 */
function asAwsError(cloud: LocalCloud, target: string, error: unknown): AwsError {
  if (error instanceof AwsError) return error;
  cloud.recordFault(new EmulatorFault(target, error));
  return new AwsError("InternalFailure", `the local cloud failed on ${target}: ${(error as Error)?.message ?? error}`, 500);
}

/** A fault of the local cloud while it served `target`, with what was thrown as its cause. */
export class EmulatorFault extends Error {
  constructor(
    readonly target: string,
    cause: unknown,
  ) {
    super(`${target}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`, { cause });
    this.name = "EmulatorFault";
  }
}
