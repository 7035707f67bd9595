import { z } from "zod";
import { AwsError } from "../../aws-error";
import { type Page, paginate } from "../../common/pagination";

/**
 * Lambda's list paging: `Marker` is where the previous page stopped (the shared opaque token),
 * `MaxItems` at most 50 (https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html).
 * Both travel in the query string, so `MaxItems` arrives as text (TextNumbersWire in the tie).
 */
export const LambdaPageQuery = { Marker: z.string().optional(), MaxItems: z.string().optional() };

export function lambdaPage<T>(items: readonly T[], query: { Marker?: string; MaxItems?: string }): Page<T> {
  const max = query.MaxItems === undefined ? 50 : Number(query.MaxItems);
  if (!Number.isInteger(max) || max < 1 || max > 50) {
    throw new AwsError("ValidationException", `1 validation error detected: Value '${query.MaxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 50`);
  }
  return paginate(items, query.Marker, max, () => new AwsError("InvalidParameterValueException", `Marker ${query.Marker} is not valid`));
}
