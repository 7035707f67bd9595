import { DynamoDBClient, UpdateItemCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { runOperation } from "../../local/cloud";
import { LocalCloud } from "../../local/cloud";
import { startEndpoint } from "../../local/endpoint";
import type { Principal } from "../../local/iam";
import { RecordingMocks } from "../../local/resource-graph";
import { ConditionalCheckFailedError, DynamoDbService } from "../../local/services/dynamodb/service";
import { InMemoryTable } from "../../local/services/dynamodb/table";

const ACCOUNT = "123456789012";
const tableArn = (name: string) => `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/${name}`;
const operator: Principal = { kind: "operator" };
const S = (value: string) => ({ S: value });
const N = (value: string | number) => ({ N: String(value) });

async function deploy(tables: Record<string, Record<string, unknown>>) {
  const cloud = new LocalCloud();
  const dynamodb = new DynamoDbService(cloud);
  cloud.register(dynamodb);
  const mocks = new RecordingMocks();
  for (const [name, inputs] of Object.entries(tables)) mocks.newResource({ type: "aws:dynamodb/table:Table", name, inputs: { name, billingMode: "PAY_PER_REQUEST", ...inputs } } as any);
  await cloud.deploy(mocks.resources);
  const call = (op: string, body: Record<string, unknown>, caller: Principal = operator): any => runOperation(dynamodb.operations[`DynamoDB_20120810.${op}`], body, caller);
  return { cloud, dynamodb, call };
}

const STATE = { hashKey: "id", attributes: [{ name: "id", type: "S" }], ttl: { attributeName: "expiration", enabled: true } };
const HISTORY = {
  hashKey: "orderId",
  rangeKey: "at",
  attributes: [
    { name: "orderId", type: "S" },
    { name: "at", type: "N" },
  ],
};

function thrown(run: () => unknown): any {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("DynamoDB conditional writes", () => {
  it("puts only when the condition holds, returning the old item with ALL_OLD", async () => {
    const { call } = await deploy({ state: STATE });
    const put = (status: string) =>
      call("PutItem", {
        TableName: "state",
        Item: { id: S("payment#o-1"), status: S(status) },
        ConditionExpression: "attribute_not_exists(id)",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      });
    expect(put("charged")).toEqual({});
    const error = thrown(() => put("again"));
    expect(error).toBeInstanceOf(ConditionalCheckFailedError);
    expect(error.code).toBe("com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException");
    expect(error.message).toBe("The conditional request failed");
    expect(error.fields).toEqual({ Item: { id: S("payment#o-1"), status: S("charged") } });
    expect(call("GetItem", { TableName: "state", Key: { id: S("payment#o-1") } })).toEqual({ Item: { id: S("payment#o-1"), status: S("charged") } });
    // without ALL_OLD the error carries no item
    const bare = thrown(() => call("PutItem", { TableName: "state", Item: { id: S("payment#o-1") }, ConditionExpression: "attribute_not_exists(id)" }));
    expect(bare.fields).toEqual({});
  });

  it("updates with SET, if_not_exists, arithmetic, ADD and REMOVE under a condition", async () => {
    const { call } = await deploy({ state: STATE });
    const update = (body: Record<string, unknown>) => call("UpdateItem", { TableName: "state", Key: { id: S("handover#o-1") }, ...body });
    expect(
      update({
        UpdateExpression: "SET #p = :summary, #count = if_not_exists(#count, :zero) + :one, #tags = :tags",
        ConditionExpression: "attribute_not_exists(#p)",
        ExpressionAttributeNames: { "#p": "paperwork", "#count": "deliveries", "#tags": "tags" },
        ExpressionAttributeValues: { ":summary": S("done"), ":zero": N(0), ":one": N(1), ":tags": { SS: ["a"] } },
        ReturnValues: "ALL_NEW",
      }),
    ).toEqual({ Attributes: { id: S("handover#o-1"), paperwork: S("done"), deliveries: N(1), tags: { SS: ["a"] } } });
    expect(
      update({
        UpdateExpression: "ADD deliveries :inc, tags :more REMOVE paperwork",
        ConditionExpression: "deliveries < :max AND contains(tags, :a)",
        ExpressionAttributeValues: { ":inc": N("0.1"), ":more": { SS: ["b", "a"] }, ":max": N(5), ":a": S("a") },
        ReturnValues: "UPDATED_NEW",
      }),
    ).toEqual({ Attributes: { deliveries: N("1.1"), tags: { SS: ["a", "b"] } } });
    const failed = thrown(() =>
      update({
        UpdateExpression: "SET paperwork = :x",
        ConditionExpression: "deliveries > :n",
        ExpressionAttributeValues: { ":x": S("x"), ":n": N(10) },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    expect(failed.fields.Item).toEqual({ id: S("handover#o-1"), deliveries: N("1.1"), tags: { SS: ["a", "b"] } });
    // numbers are exact decimals
    update({ UpdateExpression: "SET deliveries = deliveries + :d", ExpressionAttributeValues: { ":d": N("0.2") } });
    expect(call("GetItem", { TableName: "state", Key: { id: S("handover#o-1") }, ProjectionExpression: "deliveries" })).toEqual({ Item: { deliveries: N("1.3") } });
  });

  it("refuses what DynamoDB refuses, with its messages", async () => {
    const { call } = await deploy({ state: STATE });
    const error = (op: string, body: Record<string, unknown>) => thrown(() => call(op, { TableName: "state", ...body }));
    expect(error("GetItem", { Key: { id: N(1) } })).toMatchObject({ code: "com.amazon.coral.validate#ValidationException", message: "The provided key element does not match the schema" });
    expect(error("GetItem", { Key: { id: S("a"), other: S("b") } }).message).toBe("The provided key element does not match the schema");
    expect(error("PutItem", { Item: { name: S("x") } }).message).toBe("One or more parameter values were invalid: Missing the key id in the item");
    expect(error("PutItem", { Item: { id: N(1) } }).message).toBe("One or more parameter values were invalid: Type mismatch for key id expected: S actual: N");
    expect(error("PutItem", { Item: { id: S("a") }, ConditionExpression: "attribute_not_exists(id)", ExpressionAttributeValues: { ":unused": S("x") } }).message).toBe(
      "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}",
    );
    expect(error("PutItem", { Item: { id: S("a") }, ConditionExpression: "#s = :v", ExpressionAttributeValues: { ":v": S("x") } }).message).toBe(
      "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #s",
    );
    expect(error("UpdateItem", { Key: { id: S("a") }, UpdateExpression: "SET id = :v", ExpressionAttributeValues: { ":v": S("b") } }).message).toBe(
      "One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key",
    );
    expect(error("UpdateItem", { Key: { id: S("a") }, UpdateExpression: "SET a = :v, a = :v", ExpressionAttributeValues: { ":v": S("b") } }).message).toMatch(/Two document paths overlap/);
    expect(error("PutItem", { Item: { id: S("a") }, ConditionExpression: "a = = b" }).message).toMatch(/^Invalid ConditionExpression: Syntax error; token: "="/);
    expect(error("GetItem", { TableName: "missing", Key: { id: S("a") } })).toMatchObject({ code: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", message: "Requested resource not found" });
    expect(error("PutItem", { Item: { id: S("a") }, Expected: { id: { Exists: false } } }).message).toMatch(/use ConditionExpression instead of the legacy Expected/);
  });
});

describe("DynamoDB request shapes", () => {
  const SERIALIZATION = "com.amazon.coral.service#SerializationException";
  const VALIDATION = "com.amazon.coral.validate#ValidationException";

  it("answers a member of the wrong JSON type with SerializationException, a missing one with DynamoDB's ValidationException", async () => {
    const { call } = await deploy({ state: STATE });
    const error = (op: string, body: Record<string, unknown>) => thrown(() => call(op, body));
    expect(error("UpdateItem", { TableName: "state", Key: "id-1", UpdateExpression: "SET a = :v", ExpressionAttributeValues: { ":v": S("x") } })).toMatchObject({ code: SERIALIZATION, message: expect.stringMatching(/^Key: /) });
    expect(error("PutItem", { TableName: "state", Item: { id: S("a"), count: { N: 5 } } })).toMatchObject({ code: SERIALIZATION, message: expect.stringMatching(/^Item\.count\.N: /) });
    expect(error("Query", { TableName: "state", KeyConditionExpression: "id = :i", ExpressionAttributeValues: { ":i": S("a") }, Limit: "10" }).code).toBe(SERIALIZATION);
    expect(error("ListTables", { Limit: "1" }).code).toBe(SERIALIZATION);
    expect(error("GetItem", { Key: { id: S("a") } })).toMatchObject({ code: VALIDATION, message: "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null" });
    expect(error("DeleteItem", { TableName: "state" })).toMatchObject({ code: VALIDATION, message: "1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null" });
    expect(error("PutItem", { TableName: "state" }).message).toBe("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null");
    // the shape is checked before anything runs: nothing was written
    expect(call("Scan", { TableName: "state" })).toEqual({ Items: [], Count: 0, ScannedCount: 0 });
  });

  it("answers an SDK client and a raw request through the endpoint with DynamoDB's error types", async () => {
    const { cloud } = await deploy({ state: STATE });
    const endpoint = await startEndpoint(cloud, 0);
    const client = new DynamoDBClient({ endpoint: endpoint.url, region: "eu-west-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    try {
      // A Key that is no map: the SDK sends what it is given.
      const notAKey = "a" as unknown as Record<string, AttributeValue>;
      await expect(client.send(new UpdateItemCommand({ TableName: "state", Key: notAKey, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": N(1) } }))).rejects.toMatchObject({
        name: "SerializationException",
        $metadata: { httpStatusCode: 400 },
      });
      // A number where DynamoDB wants the number's text (the SDK would send "" for it).
      const raw = await fetch(endpoint.url, {
        method: "POST",
        headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.UpdateItem" },
        body: JSON.stringify({ TableName: "state", Key: { id: S("a") }, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": { N: 1 } } }),
      });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toMatchObject({ __type: SERIALIZATION });
    } finally {
      client.destroy();
      await endpoint.close();
    }
  });
});

describe("DynamoDB Query and Scan", () => {
  async function history() {
    const setup = await deploy({ history: HISTORY });
    const put = (orderId: string, at: number, step: string) => setup.call("PutItem", { TableName: "history", Item: { orderId: S(orderId), at: N(at), step: S(step) } });
    put("o-1", 30, "shipped");
    put("o-1", 10, "ordered");
    put("o-1", 200, "delivered");
    put("o-1", 20, "built");
    put("o-2", 15, "ordered");
    return setup;
  }
  const steps = (result: any) => result.Items.map((item: any) => item.step.S);

  it("reads a partition in range-key order, with range conditions", async () => {
    const { call } = await history();
    const query = (body: Record<string, unknown>) => call("Query", { TableName: "history", ...body });
    const byOrder = { KeyConditionExpression: "orderId = :o", ExpressionAttributeValues: { ":o": S("o-1") } };
    expect(steps(query(byOrder))).toEqual(["ordered", "built", "shipped", "delivered"]);
    expect(steps(query({ ...byOrder, ScanIndexForward: false }))).toEqual(["delivered", "shipped", "built", "ordered"]);
    expect(steps(query({ KeyConditionExpression: "#t BETWEEN :a AND :b AND orderId = :o", ExpressionAttributeNames: { "#t": "at" }, ExpressionAttributeValues: { ":o": S("o-1"), ":a": N(15), ":b": N(30) } }))).toEqual([
      "built",
      "shipped",
    ]);
    expect(steps(query({ KeyConditionExpression: "orderId = :o AND at > :a", ExpressionAttributeValues: { ":o": S("o-1"), ":a": N(20) } }))).toEqual(["shipped", "delivered"]);
    const filtered = query({ ...byOrder, FilterExpression: "step <> :s", ProjectionExpression: "step", ExpressionAttributeValues: { ":o": S("o-1"), ":s": S("built") } });
    expect(filtered).toEqual({ Items: [{ step: S("ordered") }, { step: S("shipped") }, { step: S("delivered") }], Count: 3, ScannedCount: 4 });
    expect(query({ ...byOrder, Select: "COUNT" })).toEqual({ Count: 4, ScannedCount: 4 });
  });

  it("pages with Limit and ExclusiveStartKey", async () => {
    const { call } = await history();
    const page = (start?: unknown) => call("Query", { TableName: "history", KeyConditionExpression: "orderId = :o", ExpressionAttributeValues: { ":o": S("o-1") }, Limit: 3, ExclusiveStartKey: start });
    const first = page();
    expect(steps(first)).toEqual(["ordered", "built", "shipped"]);
    expect(first.LastEvaluatedKey).toEqual({ orderId: S("o-1"), at: N(30) });
    const second = page(first.LastEvaluatedKey);
    expect(steps(second)).toEqual(["delivered"]);
    expect(second.LastEvaluatedKey).toBeUndefined();
  });

  it("begins_with on a string range key; refuses key conditions DynamoDB refuses", async () => {
    const { call } = await deploy({
      events: {
        hashKey: "pk",
        rangeKey: "sk",
        attributes: [
          { name: "pk", type: "S" },
          { name: "sk", type: "S" },
        ],
      },
    });
    for (const sk of ["order#2", "order#1", "invoice#1", "order#10"]) call("PutItem", { TableName: "events", Item: { pk: S("o-1"), sk: S(sk) } });
    const query = (expression: string, values: Record<string, unknown>) => call("Query", { TableName: "events", KeyConditionExpression: expression, ExpressionAttributeValues: values });
    expect(query("pk = :p AND begins_with(sk, :s)", { ":p": S("o-1"), ":s": S("order#") }).Items.map((i: any) => i.sk.S)).toEqual(["order#1", "order#10", "order#2"]);
    expect(thrown(() => query("sk = :s", { ":s": S("x") })).message).toBe("Query condition missed key schema element: pk");
    expect(thrown(() => query("pk = :p OR sk = :s", { ":p": S("o-1"), ":s": S("x") })).message).toBe("Query key condition not supported");
  });

  it("scans the whole table with a filter", async () => {
    const { call } = await history();
    const result = call("Scan", { TableName: "history", FilterExpression: "at >= :a", ExpressionAttributeValues: { ":a": N(20) } });
    expect(result.ScannedCount).toBe(5);
    expect(steps(result).sort()).toEqual(["built", "delivered", "shipped"]);
  });
});

describe("DynamoDB authorization", () => {
  const role: Principal = { kind: "role", arn: `arn:aws:iam::${ACCOUNT}:role/payment` };

  it("needs dynamodb:<Action> on the table for a role", async () => {
    const { cloud, call } = await deploy({ state: STATE });
    const get = () => call("GetItem", { TableName: "state", Key: { id: S("x") } }, role);
    expect(thrown(get)).toMatchObject({ code: "com.amazon.coral.service#AccessDeniedException", message: expect.stringContaining("dynamodb:GetItem") });
    cloud.iam.putRolePolicy(role.arn, "state", [{ Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: tableArn("state") }]);
    expect(get()).toEqual({});
    expect(call("PutItem", { TableName: "state", Item: { id: S("x") } }, role)).toEqual({});
    expect(thrown(() => call("Query", { TableName: "state", KeyConditionExpression: "id = :i", ExpressionAttributeValues: { ":i": S("x") } }, role)).message).toContain("dynamodb:Query");
    expect(thrown(() => call("ListTables", {}, role)).code).toBe("com.amazon.coral.service#AccessDeniedException");
  });
});

describe("DynamoDB tables", () => {
  it("describes and lists tables", async () => {
    const { call } = await deploy({ state: STATE, history: HISTORY });
    call("PutItem", { TableName: "state", Item: { id: S("a") } });
    const { Table } = call("DescribeTable", { TableName: "history" });
    expect(Table).toMatchObject({
      TableName: "history",
      TableArn: tableArn("history"),
      TableStatus: "ACTIVE",
      KeySchema: [
        { AttributeName: "orderId", KeyType: "HASH" },
        { AttributeName: "at", KeyType: "RANGE" },
      ],
      BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
      ItemCount: 0,
    });
    expect(call("DescribeTable", { TableName: tableArn("state") }).Table.ItemCount).toBe(1);
    expect(call("ListTables", {})).toEqual({ TableNames: ["history", "state"] });
    expect(call("ListTables", { Limit: 1 })).toEqual({ TableNames: ["history"], LastEvaluatedTableName: "history" });
  });

  it("treats items whose TTL has passed as deleted", async () => {
    const { cloud, dynamodb, call } = await deploy({ state: STATE });
    const nowSeconds = Math.floor(cloud.clock.now() / 1000);
    call("PutItem", { TableName: "state", Item: { id: S("lease"), expiration: N(nowSeconds + 60) } });
    call("PutItem", { TableName: "state", Item: { id: S("ancient"), expiration: N(1000) } }); // more than five years ago: AWS never expires it
    expect(call("GetItem", { TableName: "state", Key: { id: S("lease") } }).Item).toBeDefined();
    cloud.clock.schedule(61_000, () => undefined);
    await cloud.clock.settle();
    expect(call("GetItem", { TableName: "state", Key: { id: S("lease") } })).toEqual({});
    expect(call("PutItem", { TableName: "state", Item: { id: S("lease") }, ConditionExpression: "attribute_not_exists(id)" })).toEqual({});
    expect(dynamodb.table("state").ids().sort()).toEqual(["ancient", "lease"]);
  });

  it("fails the deploy for a key without an attribute definition", async () => {
    await expect(deploy({ bad: { hashKey: "id", attributes: [{ name: "other", type: "S" }] } })).rejects.toThrow(/Some index key attributes are not defined in AttributeDefinitions/);
  });
});

describe("InMemoryTable", () => {
  it("defaults to an `id` hash key for direct use", () => {
    const table = new InMemoryTable();
    table.putItem({ Item: { id: S("a"), n: N(1) } });
    table.patch("a", { n: N(2) });
    table.patch("b", { n: N(3) });
    expect(table.get("a")).toEqual({ id: S("a"), n: N(2) });
    expect(table.ids()).toEqual(["a", "b"]);
    table.delete("a");
    expect(table.get("a")).toBeUndefined();
  });
});
