import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { VehicleReadyForHandover } from "../handover-event";

/** Awards loyalty points for each vehicle handed over. Malformed records are reported, not thrown. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
  for (const record of event.Records) {
    try {
      const { orderId } = VehicleReadyForHandover.parseDetail(JSON.parse(record.body).detail);
      console.log(JSON.stringify({ message: "points awarded", orderId, points: 500 }));
    } catch (error) {
      console.error(JSON.stringify({ message: "rejected record", messageId: record.messageId, error: (error as Error).message }));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
