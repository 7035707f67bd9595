import { bytesOf, cloneValue, typeOf, type AttributeValue, type Item, type KeyType } from "./attribute-values";
import { canonicalNumber } from "./decimal";
import { AwsError } from "../../aws-error";

/**
 * A table's primary key: a hash (partition) key and an optional range (sort) key, each a scalar
 * of its declared type (S, N or B), never an empty string or binary. Checks key parameters and
 * items against it, and gives each item the text that identifies it in the table.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html#HowItWorks.CoreComponents.PrimaryKey
 */

export interface TableSchema {
  hashKey: string;
  rangeKey?: string;
  /** Types of the key attributes (AttributeDefinitions); a key without one accepts S, N or B. */
  keyTypes?: Record<string, KeyType>;
  /** The TTL attribute, when TTL is enabled. */
  ttlAttribute?: string;
  /** The cloud's clock (ms since the epoch), for TTL. */
  now?: () => number;
}

export class TableKeys {
  /** The key attributes: the hash key, then the range key if there is one. */
  readonly keyNames: string[];

  constructor(private readonly schema: TableSchema) {
    this.keyNames = schema.rangeKey ? [schema.hashKey, schema.rangeKey] : [schema.hashKey];
  }

  /** A key from key values given as text (direct access by tests and seeding). */
  keyFrom(hash: string, range?: string): Item {
    const typed = (name: string, text: string): AttributeValue => ({ [this.schema.keyTypes?.[name] ?? "S"]: text });
    const key: Item = { [this.schema.hashKey]: typed(this.schema.hashKey, hash) };
    if (this.schema.rangeKey) {
      if (range === undefined) throw AwsError.validation(`The table's range key ${this.schema.rangeKey} needs a value`);
      key[this.schema.rangeKey] = typed(this.schema.rangeKey, range);
    }
    return key;
  }

  keyOf(item: Item): Item {
    const key: Item = {};
    for (const name of this.keyNames) key[name] = cloneValue(item[name]);
    return key;
  }

  /** A Key parameter: exactly the key attributes, of the key's types. */
  checkedKey(key: Item | undefined, parameter = "Key"): Item {
    if (!key) throw AwsError.validation(`1 validation error detected: Value null at '${parameter.charAt(0).toLowerCase()}${parameter.slice(1)}' failed to satisfy constraint: Member must not be null`);
    const names = Object.keys(key);
    if (names.length !== this.keyNames.length || !this.keyNames.every((name) => key[name] !== undefined)) {
      throw AwsError.validation(parameter === "Key" ? "The provided key element does not match the schema" : "The provided starting key is invalid: The provided key element does not match the schema");
    }
    return key;
  }

  /** The text identifying an item's key: unambiguous for any hash and range values. */
  keyString(item: Item, where: "key" | "item"): string {
    const hash = this.keyPart(this.schema.hashKey, item[this.schema.hashKey], where);
    if (!this.schema.rangeKey) return hash;
    const range = this.keyPart(this.schema.rangeKey, item[this.schema.rangeKey], where);
    return `${hash.length}:${hash}${range}`;
  }

  keyPart(name: string, value: AttributeValue | undefined, where: "key" | "item" | "condition"): string {
    const mismatch = () => AwsError.validation(where === "item" ? `One or more parameter values were invalid: Missing the key ${name} in the item` : "The provided key element does not match the schema");
    if (!value) throw mismatch();
    const type = typeOf(value);
    const declared = this.schema.keyTypes?.[name];
    if (type !== "S" && type !== "N" && type !== "B") throw mismatch();
    if (declared && declared !== type) {
      throw AwsError.validation(where === "key" ? "The provided key element does not match the schema" : `One or more parameter values were invalid: Type mismatch for key ${name} expected: ${declared} actual: ${type}`);
    }
    if (type === "N") return canonicalNumber(value.N!);
    const text = type === "S" ? value.S! : bytesOf(value.B!).toString("base64");
    if (text === "") {
      throw AwsError.validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${type === "S" ? "string" : "binary"} value. Key: ${name}`);
    }
    return text;
  }
}
