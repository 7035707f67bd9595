import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { readBody } from "../../../local/endpoint";
import { ConditionFailed, InMemoryTable } from "./fake-dynamodb";

/**
 * A loopback endpoint answering the AWS JSON protocol for what the handlers call:
 * EventBridge PutEvents and DynamoDB GetItem/PutItem/UpdateItem/DeleteItem (on an
 * {@link InMemoryTable}). Real bundles reach it through AWS_ENDPOINT_URL, exactly
 * as they reach the local cloud.
 */
export interface LocalAws {
  readonly url: string;
  readonly table: InMemoryTable;
  readonly published: PutEventsRequestEntry[];
  close(): Promise<void>;
}

type Operation = (body: any) => unknown;

export async function startLocalAws(): Promise<LocalAws> {
  const table = new InMemoryTable();
  const published: PutEventsRequestEntry[] = [];
  const operations: Record<string, Operation> = {
    "AWSEvents.PutEvents": (body: { Entries: PutEventsRequestEntry[] }) => {
      published.push(...body.Entries);
      return { FailedEntryCount: 0, Entries: body.Entries.map((_, i) => ({ EventId: `local-${published.length}-${i}` })) };
    },
    "DynamoDB_20120810.GetItem": (body) => table.getItem(body),
    "DynamoDB_20120810.PutItem": (body) => table.putItem(body),
    "DynamoDB_20120810.UpdateItem": (body) => table.updateItem(body),
    "DynamoDB_20120810.DeleteItem": (body) => table.deleteItem(body),
  };

  const server = createServer((req, res) => {
    void readBody(req).then((text) => respond(res, String(req.headers["x-amz-target"]), text));
  });
  const respond = (res: ServerResponse, target: string, text: string) => {
    const contentType = target.startsWith("DynamoDB") ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1";
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": contentType });
      res.end(JSON.stringify(body));
    };
    const operation = operations[target];
    if (!operation) return send(400, { __type: "UnknownOperationException", message: target });
    try {
      send(200, operation(JSON.parse(text)));
    } catch (error) {
      if (error instanceof ConditionFailed) {
        return send(400, {
          __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
          message: error.message,
          ...(error.item ? { Item: error.item } : {}),
        });
      }
      send(500, { __type: "InternalServerError", message: String(error) });
    }
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    table,
    published,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
