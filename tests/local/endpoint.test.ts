import * as http2 from "http2";
import { connect } from "net";
import { Duplex } from "stream";
import { LocalCloud } from "../../local/cloud";
import { Endpoint, startEndpoint } from "../../local/endpoint";
import { EventBridgeService } from "../../local/services/eventbridge/service";
import { SnsService } from "../../local/services/sns/service";

/** The endpoint under bad input: it answers as AWS would and keeps serving. */
describe("the endpoint", () => {
  let cloud: LocalCloud;
  let endpoint: Endpoint;
  beforeEach(async () => {
    cloud = new LocalCloud();
    cloud.register(new EventBridgeService(cloud));
    endpoint = await startEndpoint(cloud, 0);
  });
  afterEach(async () => {
    await endpoint.close();
    await cloud.stop();
  });

  const post = (target: string | undefined, body: string, path = "/") =>
    fetch(`${endpoint.url}${path}`, { method: "POST", body, headers: { "content-type": "application/x-amz-json-1.1", ...(target ? { "x-amz-target": target } : {}) } }).then(async (r) => ({ status: r.status, body: (await r.json()) as { __type?: string; message?: string } }));

  it("survives a client that resets its connection before sending anything", async () => {
    await new Promise<void>((resolve) => {
      const socket = connect(endpoint.port, "127.0.0.1", () => {
        socket.resetAndDestroy();
        resolve();
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await post("AWSEvents.ListEventBuses", "{}")).status).toBe(200);
  });

  it.each([
    ["a body that is not JSON", "AWSEvents.PutEvents", "{", "SerializationException"],
    ["a body that is JSON null", "AWSEvents.PutEvents", "null", "SerializationException"],
    ["an entry that is null", "AWSEvents.PutEvents", '{"Entries":[null]}', "ValidationException"],
    ["an operation it does not serve", "AWSEvents.CreateEventBus", "{}", "UnknownOperationException"],
    // The operations' shape checks: a missing member is a ValidationException, a wrong JSON type a SerializationException.
    ["a PutEvents without Entries", "AWSEvents.PutEvents", "{}", "ValidationException"],
    ["a PutEvents whose Entries is not a list", "AWSEvents.PutEvents", '{"Entries":"x"}', "SerializationException"],
    ["an entry whose Detail is not a string", "AWSEvents.PutEvents", '{"Entries":[{"Source":"s","DetailType":"d","Detail":{"orderId":1}}]}', "SerializationException"],
    ["an entry whose Resources are not texts", "AWSEvents.PutEvents", '{"Entries":[{"Source":"s","DetailType":"d","Detail":"{}","Resources":[1]}]}', "SerializationException"],
    ["a TestEventPattern without an Event", "AWSEvents.TestEventPattern", '{"EventPattern":"{}"}', "ValidationException"],
    ["a DescribeRule whose Name is a number", "AWSEvents.DescribeRule", '{"Name":7}', "SerializationException"],
  ])("answers %s with a 400 and AWS's error type", async (_, target, body, type) => {
    const response = await post(target, body);
    expect(response).toMatchObject({ status: 400, body: { __type: type } });
  });

  it("names the member a shape check misses, as AWS's validation does", async () => {
    expect((await post("AWSEvents.PutEvents", '{"Entries":[null]}')).body.message).toBe("1 validation error detected: Value null at 'Entries.0' failed to satisfy constraint: Member must not be null");
    expect((await post("AWSEvents.TestEventPattern", '{"EventPattern":"{}"}')).body.message).toContain("'Event'");
  });

  it("takes PutEvents as the SDK sends it: Time in epoch seconds", async () => {
    const response = await post("AWSEvents.PutEvents", JSON.stringify({ Entries: [{ Source: "shop", DetailType: "OrderPlaced", Detail: "{}", Time: 1_764_000_000 }] }));
    expect(response).toMatchObject({ status: 200, body: { FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] } });
  });

  it("answers a Lambda path with bad percent-encoding with a 400", async () => {
    const response = await fetch(`${endpoint.url}/2015-03-31/functions/%E0%A4%A/invocations`, { method: "POST", body: "{}" });
    expect(response.status).toBe(400);
  });

  it("serves HTTP/2 even when the connection preface arrives in pieces", async () => {
    const socket = connect(endpoint.port, "127.0.0.1");
    socket.setNoDelay(true);
    let first = true;
    // The client's first write (the preface) reaches the server in two reads, 20 ms apart.
    const wire = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _encoding, done) => {
        if (!first) return void socket.write(chunk, done);
        first = false;
        socket.write(chunk.subarray(0, 4));
        setTimeout(() => socket.write(chunk.subarray(4), done), 20);
      },
    });
    socket.on("data", (chunk) => wire.push(chunk));
    socket.on("end", () => wire.push(null));
    socket.on("error", () => wire.destroy());
    const session = http2.connect(endpoint.url, { createConnection: () => wire });
    const request = session.request({ ":method": "POST", ":path": "/", "x-amz-target": "AWSEvents.ListEventBuses", "content-type": "application/x-amz-json-1.1" });
    request.end("{}");
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => (text += chunk));
    await new Promise((resolve) => request.on("end", resolve));
    await new Promise<void>((resolve) => session.close(() => resolve()));
    socket.destroy();
    expect(JSON.parse(text).EventBuses).toEqual([expect.objectContaining({ Name: "default" })]);
  }, 10_000);
});

/** The query protocol (SNS): a form in, XML out, SNS's own error wording for a form without the action's shape. */
describe("the endpoint's query protocol", () => {
  let cloud: LocalCloud;
  let endpoint: Endpoint;
  beforeEach(async () => {
    cloud = new LocalCloud();
    cloud.register(new SnsService(cloud));
    endpoint = await startEndpoint(cloud, 0);
  });
  afterEach(async () => {
    await endpoint.close();
    await cloud.stop();
  });

  const postForm = (form: Record<string, string>) =>
    fetch(endpoint.url, {
      method: "POST",
      body: new URLSearchParams(form).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", authorization: "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261201/eu-west-1/sns/aws4_request, SignedHeaders=host, Signature=0" },
    }).then(async (r) => ({ status: r.status, body: await r.text() }));

  it("answers a Publish without a Message with SNS's ValidationError, escaped as XML", async () => {
    const response = await postForm({ Action: "Publish", TopicArn: "arn:aws:sns:eu-west-1:123456789012:orders" });
    expect(response.status).toBe(400);
    expect(response.body).toContain("<Type>Sender</Type><Code>ValidationError</Code>");
    expect(response.body).toContain("<Message>1 validation error detected: Value null at &#39;message&#39; failed to satisfy constraint: Member must not be null</Message>");
  });

  it("answers a Publish to a topic that does not exist with NotFound", async () => {
    const response = await postForm({ Action: "Publish", TopicArn: "arn:aws:sns:eu-west-1:123456789012:orders", Message: "hello" });
    expect(response).toMatchObject({ status: 404, body: expect.stringContaining("<Code>NotFound</Code>") });
  });
});
