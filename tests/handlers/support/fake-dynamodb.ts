import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DeleteItemCommandInput,
  type GetItemCommandInput,
  type PutItemCommandInput,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { ConditionFailed, InMemoryTable } from "../../../local/services/dynamodb/table";

/**
 * The in-memory table of the local cloud (`local/services/dynamodb/table.ts`: DynamoDB's item
 * and expression semantics) behind every DynamoDBClient of this process, through
 * aws-sdk-client-mock. The loopback endpoint of `local-aws.ts` serves the same table over HTTP.
 */
export { ConditionFailed, InMemoryTable };

// ---- behind aws-sdk-client-mock ----------------------------------------------------

/** The in-memory table behind every DynamoDBClient of this process (aws-sdk-client-mock). */
export class FakeDynamoDb extends InMemoryTable {
  readonly mock = mockClient(DynamoDBClient);

  constructor() {
    super();
    this.install();
  }

  /** Empties the table and re-installs the fake behaviour (after `mock.reset()`). */
  reset(): void {
    this.clear();
    this.mock.reset();
    this.install();
  }

  restore(): void {
    this.mock.restore();
  }

  private install(): void {
    const sdkErrors = <I, O>(operation: (input: I) => O) => (input: I): O => {
      try {
        return operation(input);
      } catch (error) {
        if (!(error instanceof ConditionFailed)) throw error;
        throw new ConditionalCheckFailedException({
          message: error.message,
          $metadata: { httpStatusCode: 400 },
          // The table's AttributeValue is the wire shape; the SDK's is the same shape as a union.
          Item: error.item as Record<string, AttributeValue> | undefined,
        });
      }
    };
    this.mock.on(GetItemCommand).callsFake(sdkErrors((input: GetItemCommandInput) => this.getItem(input)));
    this.mock.on(PutItemCommand).callsFake(sdkErrors((input: PutItemCommandInput) => this.putItem(input)));
    this.mock.on(UpdateItemCommand).callsFake(sdkErrors((input: UpdateItemCommandInput) => this.updateItem(input)));
    this.mock.on(DeleteItemCommand).callsFake(sdkErrors((input: DeleteItemCommandInput) => this.deleteItem(input)));
  }
}
