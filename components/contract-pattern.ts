import { EventPattern, PatternFor } from "@event-routes/event-pattern";

/** The part of an event contract a pattern needs: its envelope values and its detail type. */
export interface EventContractLike<TDetail> {
  readonly source: string;
  readonly detailType: string;
  parseDetail(input: unknown): TDetail;
}

/**
 * The pattern matching one event contract, optionally narrowed by its detail. The detail filter is
 * typed by the contract, so a field the event does not have is a compile error, not a rule that
 * silently never matches.
 */
export function patternFor<TDetail>(contract: EventContractLike<TDetail>, detail?: PatternFor<TDetail>): EventPattern {
  return {
    source: [contract.source],
    "detail-type": [contract.detailType],
    ...(detail ? { detail: detail as EventPattern } : {}),
  };
}

/** The pattern matching any of several contracts, each by its own source and detail-type pair. */
export function patternForAny(contracts: EventContractLike<unknown>[]): EventPattern {
  if (contracts.length === 0) throw new Error("patternForAny needs at least one contract");
  const sources = new Set(contracts.map((c) => c.source));
  if (sources.size === 1) {
    return { source: [...sources], "detail-type": [...new Set(contracts.map((c) => c.detailType))] };
  }
  // Different sources: pair each source with its own detail-types, so no cross-combination matches.
  return { $or: contracts.map((c) => ({ source: [c.source], "detail-type": [c.detailType] })) };
}
