import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LocalCloud } from "../../local/cloud";
import { type Endpoint, startEndpoint } from "../../local/endpoint";
import { RecordingMocks } from "../../local/resource-graph";
import { IamService } from "../../local/services/iam/service";
import { SqsService } from "../../local/services/sqs/service";

/**
 * SQS requests are checked against their shapes (local/services/sqs/shapes.ts) before they run,
 * and a request of the wrong shape gets SQS's own codes: MissingParameter for an absent member,
 * InvalidParameterValue for a value of the wrong type, named in the x-amzn-query-error header too.
 */
let cloud: LocalCloud;
let endpoint: Endpoint;
let queueUrl: string;

beforeAll(async () => {
  cloud = new LocalCloud({ clock: "real" });
  cloud.register(new IamService(cloud)).register(new SqsService(cloud));
  const mocks = new RecordingMocks();
  for (const name of ["inbox", "outbox", "spare"]) mocks.newResource({ type: "aws:sqs/queue:Queue", name, inputs: { name } } as never);
  await cloud.deploy(mocks.resources);
  endpoint = await startEndpoint(cloud, 0);
  queueUrl = `${endpoint.url}/123456789012/inbox`;
});

afterAll(async () => {
  await cloud.stop();
  await endpoint.close();
});

async function json(operation: string, body: unknown): Promise<{ status: number; body: { __type?: string; message?: string }; queryError: string | null }> {
  const response = await fetch(endpoint.url, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${operation}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { __type?: string; message?: string }, queryError: response.headers.get("x-amzn-query-error") };
}

describe("SQS request shapes", () => {
  it("answers a numeric MessageBody with InvalidParameterValue, as SQS does, and sends nothing", async () => {
    const answer = await json("SendMessage", { QueueUrl: queueUrl, MessageBody: 42 });
    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe("com.amazon.coral.service#InvalidParameterValueException");
    expect(answer.body.message).toContain("MessageBody");
    expect(answer.queryError).toBe("InvalidParameterValue;Sender");
    expect(cloud.service<SqsService>("sqs").depth("inbox")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("answers an absent required member with MissingParameter naming it", async () => {
    const answer = await json("SendMessage", { MessageBody: "hello" });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ __type: "com.amazon.coral.service#MissingRequiredParameterException", message: "The request must contain the parameter QueueUrl." });
    expect(answer.queryError).toBe("MissingParameter;Sender");
  });

  it("answers an absent member whose type is a union (number or numeric text) with MissingParameter too", async () => {
    const answer = await json("ChangeMessageVisibility", { QueueUrl: queueUrl, ReceiptHandle: "h" });
    expect(answer.body).toEqual({ __type: "com.amazon.coral.service#MissingRequiredParameterException", message: "The request must contain the parameter VisibilityTimeout." });
  });

  it("reads a member sent as null as absent, as the JSON protocols do: an optional one takes its default", async () => {
    const answer = await json("ListQueues", { QueueNamePrefix: null, MaxResults: null });
    expect(answer).toMatchObject({ status: 200, body: { QueueUrls: expect.arrayContaining([queueUrl]) } });
    expect(answer.body).not.toHaveProperty("NextToken");
    expect((await json("SendMessage", { QueueUrl: queueUrl, MessageBody: null })).body.message).toBe("The request must contain the parameter MessageBody.");
  });

  it.each([
    ["a list of names given as one name", "ReceiveMessage", { AttributeNames: "All" }],
    ["a message attribute that is not a map entry", "SendMessage", { MessageBody: "x", MessageAttributes: { kind: "order" } }],
    ["a batch entry body that is a number", "SendMessageBatch", { Entries: [{ Id: "a", MessageBody: 1 }] }],
    ["a visibility timeout that is a list", "ChangeMessageVisibility", { ReceiptHandle: "h", VisibilityTimeout: [30] }],
  ])("answers %s with InvalidParameterValue", async (_what, operation, body) => {
    const answer = await json(operation, { QueueUrl: queueUrl, ...body });
    expect(answer.status).toBe(400);
    expect(answer.queryError).toBe("InvalidParameterValue;Sender");
  });

  it("keeps SQS's own checks the shape leaves to the operation: an empty batch, a bad entry ID", async () => {
    expect((await json("SendMessageBatch", { QueueUrl: queueUrl })).body.__type).toBe("com.amazonaws.sqs#EmptyBatchRequest");
    expect((await json("SendMessageBatch", { QueueUrl: queueUrl, Entries: [{ Id: "no spaces", MessageBody: "x" }] })).body.__type).toBe("com.amazonaws.sqs#InvalidBatchEntryId");
    // An entry without a body fails alone; the others are sent.
    const batch = await json("SendMessageBatch", { QueueUrl: queueUrl, Entries: [{ Id: "ok", MessageBody: "x" }, { Id: "empty" }] });
    expect(batch.status).toBe(200);
    expect(batch.body).toMatchObject({ Successful: [{ Id: "ok" }], Failed: [{ Id: "empty", Code: "MissingParameter" }] });
  });

  it("pages ListQueues with the shared paging scheme, and refuses a token it did not issue", async () => {
    const sqs = new SQSClient({ endpoint: endpoint.url, region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    const first = await sqs.send(new ListQueuesCommand({ MaxResults: 2 }));
    expect(first.QueueUrls).toHaveLength(2);
    const second = await sqs.send(new ListQueuesCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect(second.QueueUrls).toEqual([`${endpoint.url}/123456789012/spare`]);
    expect(second.NextToken).toBeUndefined();
    const bad = await json("ListQueues", { MaxResults: 2, NextToken: "not-a-token" });
    expect(bad.body.message).toBe("Value not-a-token for parameter NextToken is invalid. Reason: Invalid NextToken value.");
    expect(bad.queryError).toBe("InvalidParameterValue;Sender");
    sqs.destroy();
  });

  it("checks the query protocol's requests against the same shapes", async () => {
    const response = await fetch(endpoint.url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        authorization: "AWS4-HMAC-SHA256 Credential=local/20261201/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: new URLSearchParams({ Version: "2012-11-05", Action: "SendMessage", QueueUrl: queueUrl }).toString(),
    });
    expect(response.status).toBe(400);
    const xml = await response.text();
    expect(xml).toContain("<Code>MissingParameter</Code>");
    expect(xml).toContain("The request must contain the parameter MessageBody.");
  });
});
