import { LocalCloud } from "../../local/cloud";
import { type Endpoint, startEndpoint } from "../../local/endpoint";
import { RecordingMocks } from "../../local/resource-graph";
import { IamService } from "../../local/services/iam/service";
import { SqsService } from "../../local/services/sqs/service";
import { jsonInput } from "../../local/services/sqs/query";

/**
 * SQS's query protocol, as SDKs and AWS CLIs older than SQS's JSON protocol send it (Debian 12's
 * awscli 2.9.19 does): form-encoded actions in, XML out, errors named by their query codes.
 */
let cloud: LocalCloud;
let endpoint: Endpoint;
let queueUrl: string;

beforeAll(async () => {
  cloud = new LocalCloud({ clock: "real" });
  cloud.register(new IamService(cloud)).register(new SqsService(cloud));
  const mocks = new RecordingMocks();
  mocks.newResource({ type: "aws:sqs/queue:Queue", name: "inbox", inputs: { name: "inbox" } } as never);
  await cloud.deploy(mocks.resources);
  endpoint = await startEndpoint(cloud, 0);
  queueUrl = `${endpoint.url}/123456789012/inbox`;
});

afterAll(async () => {
  await cloud.stop();
  await endpoint.close();
});

/** One query-protocol request, signed (in name) for SQS as the SDKs do. */
async function query(params: Record<string, string>): Promise<{ status: number; xml: string }> {
  const response = await fetch(endpoint.url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      authorization: "AWS4-HMAC-SHA256 Credential=local/20261201/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
  });
  return { status: response.status, xml: await response.text() };
}

describe("the SQS query protocol", () => {
  it("reads the form's flattened lists, maps and batch entries as the JSON operation's input", () => {
    expect(
      jsonInput({
        Action: "SendMessageBatch",
        Version: "2012-11-05",
        QueueUrl: "q",
        "SendMessageBatchRequestEntry.1.Id": "a",
        "SendMessageBatchRequestEntry.1.MessageBody": "x",
        "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name": "k",
        "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType": "String",
        "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue": "v",
        "SendMessageBatchRequestEntry.2.Id": "b",
        "SendMessageBatchRequestEntry.2.MessageBody": "y",
        "AttributeName.1": "All",
        "AttributeName.2": "SentTimestamp",
      }),
    ).toEqual({
      QueueUrl: "q",
      Entries: [
        { Id: "a", MessageBody: "x", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
        { Id: "b", MessageBody: "y" },
      ],
      AttributeNames: ["All", "SentTimestamp"],
    });
  });

  it("sends, receives with attributes and deletes a message, answering in XML", async () => {
    const sent = await query({ Action: "SendMessage", QueueUrl: queueUrl, MessageBody: "hello <world>", "MessageAttribute.1.Name": "kind", "MessageAttribute.1.Value.DataType": "String", "MessageAttribute.1.Value.StringValue": "order" });
    expect(sent.status).toBe(200);
    expect(sent.xml).toMatch(/^<\?xml version="1.0"\?>\n<SendMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><SendMessageResult><MessageId>[0-9a-f-]{36}<\/MessageId>/);
    expect(sent.xml).toContain("<MD5OfMessageBody>");
    const received = await query({ Action: "ReceiveMessage", QueueUrl: queueUrl, "AttributeName.1": "All", "MessageAttributeName.1": "All" });
    expect(received.xml).toContain("<Body>hello &#60;world&#62;</Body>");
    expect(received.xml).toContain("<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>");
    expect(received.xml).toContain("<MessageAttribute><Name>kind</Name><Value><DataType>String</DataType><StringValue>order</StringValue></Value></MessageAttribute>");
    const handle = /<ReceiptHandle>([^<]+)<\/ReceiptHandle>/.exec(received.xml)![1];
    const deleted = await query({ Action: "DeleteMessage", QueueUrl: queueUrl, ReceiptHandle: handle });
    expect(deleted.xml).toContain("<DeleteMessageResponse");
  });

  it("lists queues and batch results as repeated elements", async () => {
    expect((await query({ Action: "ListQueues" })).xml).toContain(`<ListQueuesResult><QueueUrl>${queueUrl}</QueueUrl></ListQueuesResult>`);
    const batch = await query({ Action: "SendMessageBatch", QueueUrl: queueUrl, "SendMessageBatchRequestEntry.1.Id": "a", "SendMessageBatchRequestEntry.1.MessageBody": "x", "SendMessageBatchRequestEntry.2.Id": "b", "SendMessageBatchRequestEntry.2.MessageBody": "y" });
    expect(batch.xml.match(/<SendMessageBatchResultEntry><Id>[ab]<\/Id>/g)).toHaveLength(2);
    await query({ Action: "PurgeQueue", QueueUrl: queueUrl });
  });

  it("names errors by their query code", async () => {
    const missing = await query({ Action: "GetQueueUrl", QueueName: "nothing" });
    expect(missing.status).toBe(400);
    expect(missing.xml).toContain("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>");
  });
});
