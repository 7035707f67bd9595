import type { Context, SQSRecord } from "aws-lambda";
import {
  InvalidEventError,
  PaperworkCompleted,
  VehiclePrepared,
  VehicleReadyForHandover,
  type OrderSnapshot,
} from "./contracts";
import { ConcurrentDeliveryError, isTransient } from "./lib/errors";
import {
  claimPublication,
  markPublished,
  recordMilestone,
  releaseClaim,
  type HandoverState,
  type PaperworkSummary,
  type PreparationSummary,
} from "./lib/handover-store";
import { logger } from "./lib/logger";
import { busName, publish } from "./lib/publish";
import { jsonBody, sqsBatchHandler } from "./lib/sqs";

/**
 * Handover: consumes PaperworkCompleted and VehiclePrepared from a standard queue
 * (message body = the EventBridge event). Each milestone is recorded once per order
 * with a conditional UpdateItem on `handover#<orderId>`; once both are there,
 * VehicleReadyForHandover is published exactly once:
 * 1. claim: a conditional UpdateItem sets a lease only if both milestones exist,
 *    nothing was published and no unexpired lease is held (so of two concurrent or
 *    duplicate deliveries only one may publish);
 * 2. publish; on failure give the lease back and fail the record (it is retried);
 * 3. mark `publishedAt`: every later delivery sees it and does nothing. Transient
 *    failures of this write are retried within the lease, and the record succeeds
 *    even if it never lands (its event is out; failing would re-send it).
 * A delivery that finds another one's lease active fails (ConcurrentDeliveryError)
 * and is retried: it then finds the event published, or the lease expired (the
 * holder died) and publishes itself. Nothing is lost, nothing is sent twice except
 * if a holder dies between PutEvents and step 3, or PutEvents' answer is lost after
 * EventBridge accepted the event (the SDK then sends it again): EventBridge has no
 * deduplication, so exactly once cannot be had there (README, "Chaos run").
 */

const MILESTONES = "dealership.paperwork/PaperworkCompleted or dealership.preparation/VehiclePrepared";
const MIN_LEASE_MS = 5_000;
/** Time needed to publish and record the publication, each with the SDK's retries. */
const MIN_TIME_TO_PUBLISH_MS = 2_500;
/** Attempts to record a publication (each one the SDK's own retries), and their backoff. */
const MARK_ATTEMPTS = 8;
const MARK_BACKOFF_MS = 100;
const MAX_MARK_BACKOFF_MS = 2_000;
/** Time kept for the write itself before the function's timeout. */
const MARK_MARGIN_MS = 1_000;

/** A milestone as it arrives: what the state table keeps (summary) and the order snapshot. */
type Arrival = { orderId: string; order: OrderSnapshot } & (
  | { milestone: "paperwork"; summary: PaperworkSummary }
  | { milestone: "preparation"; summary: PreparationSummary }
);

function parseArrival(event: unknown): Arrival {
  if (PaperworkCompleted.matches(event)) {
    const { detail } = PaperworkCompleted.parseEvent(event);
    return {
      milestone: "paperwork",
      orderId: detail.orderId,
      order: detail.order,
      summary: { vin: detail.vin, plate: detail.plate },
    };
  }
  if (VehiclePrepared.matches(event)) {
    const { detail } = VehiclePrepared.parseEvent(event);
    return {
      milestone: "preparation",
      orderId: detail.orderId,
      order: detail.order,
      summary: { vin: detail.vin, preparedAt: detail.preparedAt },
    };
  }
  const { source, "detail-type": detailType } = (event ?? {}) as Record<string, unknown>;
  throw new InvalidEventError(`handover milestone (${MILESTONES})`, [
    { path: "source/detail-type", message: `${String(source)}/${String(detailType)} is not a handover milestone` },
  ]);
}

async function record(arrival: Arrival): Promise<HandoverState> {
  const { state, duplicate } =
    arrival.milestone === "paperwork"
      ? await recordMilestone(arrival.orderId, "paperwork", arrival.summary)
      : await recordMilestone(arrival.orderId, "preparation", arrival.summary);
  logger.info(duplicate ? "Milestone already recorded" : "Milestone recorded", {
    orderId: arrival.orderId,
    milestone: arrival.milestone,
  });
  return state;
}

async function publishReady(arrival: Arrival, paperwork: PaperworkSummary, context: Context): Promise<void> {
  const { orderId, order } = arrival;
  // Publishing and recording it must fit before the timeout, or a redelivery would publish again.
  if (context.getRemainingTimeInMillis() < MIN_TIME_TO_PUBLISH_MS) {
    throw new ConcurrentDeliveryError(`Too little time left to announce the handover of order ${orderId}; retry`);
  }
  const claim = await claimPublication(orderId, Math.max(context.getRemainingTimeInMillis(), MIN_LEASE_MS));
  if (!claim.claimed) {
    if (claim.state.publishedAt) return logger.info("Handover already announced", { orderId });
    throw new ConcurrentDeliveryError(`Another delivery is announcing the handover of order ${orderId}; retry`);
  }
  const entry = VehicleReadyForHandover.entry(
    {
      version: "1",
      orderId,
      order,
      vin: paperwork.vin,
      model: order.model,
      customerEmail: order.customerEmail,
      plate: paperwork.plate,
      readyAt: new Date().toISOString(),
    },
    busName(),
  );
  try {
    await publish(entry);
  } catch (error) {
    await releaseClaim(orderId, claim.leaseUntil).catch((releaseError: unknown) =>
      logger.warn("Could not release the handover lease; it will expire", { orderId, error: releaseError }),
    );
    throw error;
  }
  await recordPublication(orderId, claim.leaseUntil, context);
}

/**
 * Step 3, after PutEvents succeeded. This write failing once (a throttled UpdateItem) is what
 * announced handovers twice: the record failed, its redelivery found the lease expired and no
 * `publishedAt`, and published again. So transient failures are retried here while the lease
 * lasts; if it still cannot be written, the record does not fail either, since its event is out
 * and a redelivery could only repeat it.
 */
async function recordPublication(orderId: string, leaseUntil: number, context: Context): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await markPublished(orderId, leaseUntil, new Date().toISOString()))) {
        logger.warn("Handover lease taken over before it was marked published", { orderId });
      }
      return;
    } catch (error) {
      const delay = Math.min(MARK_BACKOFF_MS * 2 ** (attempt - 1), MAX_MARK_BACKOFF_MS);
      if (!isTransient(error) || attempt >= MARK_ATTEMPTS || context.getRemainingTimeInMillis() < delay + MARK_MARGIN_MS) {
        logger.error("Handover published, but could not be marked published; a redelivery after the lease may announce it again", { orderId, error });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function processMilestone(sqsRecord: SQSRecord, context: Context): Promise<void> {
  const arrival = parseArrival(jsonBody(sqsRecord, `handover milestone (${MILESTONES})`));
  const state = await record(arrival);
  if (state.publishedAt) return logger.info("Handover already announced", { orderId: arrival.orderId });
  if (!state.paperwork || !state.preparation) {
    return logger.info("Waiting for the other milestone", { orderId: arrival.orderId });
  }
  if (state.paperwork.vin !== state.preparation.vin) {
    logger.warn("Milestones disagree on the VIN; using the paperwork's", { orderId: arrival.orderId });
  }
  await publishReady(arrival, state.paperwork, context);
}

export const handler = sqsBatchHandler(processMilestone);
