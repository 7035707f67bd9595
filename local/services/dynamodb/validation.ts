import { AwsError } from "../../aws-error";

/** DynamoDB's answer to a request it refuses: a 400 ValidationException with AWS's wording. */
export const validation = (message: string) => new AwsError("ValidationException", message);
