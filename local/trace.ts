/**
 * What happened in the local cloud, in order: each event put on a bus, each delivery, invocation,
 * execution, dead letter and notification. The scenario builds its timelines and its accounting
 * from it; listeners (the `serve` status line) follow it live.
 */
export type TraceKind =
  | "event.accepted" // PutEvents accepted an entry
  | "event.rejected" // PutEvents rejected an entry (FailedEntryCount)
  | "event.unmatched" // an event no rule matched
  | "target.delivered"
  | "target.retry"
  | "target.dead-lettered"
  | "target.dropped" // retries exhausted, no DLQ: AWS drops the event
  | "message.sent" // SQS
  | "message.dead-lettered" // SQS redrive
  | "message.deleted"
  | "mapping.failed" // an event source mapping cannot poll its queue (the role may not use its key)
  | "function.invoked"
  | "function.failed"
  | "function.async-failed" // async retries exhausted: to the failure destination or dropped
  | "execution.started"
  | "execution.succeeded"
  | "execution.failed"
  | "notification.published" // SNS
  | "notification.delivered" // SNS to an outbox endpoint (email, SMS, HTTP)
  | "record.put"; // Kinesis

export interface TraceRecord {
  /** Cloud time (ms since the epoch). */
  at: number;
  kind: TraceKind;
  /** The resource's name (queue, function, rule, state machine ...). */
  resource: string;
  /** A one-line human summary. */
  summary: string;
  /** The payload, kept as is (not copied) so tracing stays cheap; read it, do not change it. */
  payload?: unknown;
  /** What came back, where that tells more (a function's answer, e.g. its batch item failures). */
  result?: unknown;
}

export type TraceListener = (record: TraceRecord) => void;

export class Trace {
  readonly records: TraceRecord[] = [];
  private readonly listeners = new Set<TraceListener>();
  /**
   * Keep about this many of the newest records: a long `serve` session would otherwise grow without
   * end. The oldest tenth goes at once when the limit is passed, so trimming stays cheap. Counts
   * keep counting everything.
   */
  limit = 200_000;
  readonly counts = new Map<TraceKind, number>();

  record(record: TraceRecord): void {
    if (this.records.length >= this.limit) this.records.splice(0, Math.max(1, this.records.length - Math.floor(this.limit * 0.9)));
    this.records.push(record);
    this.counts.set(record.kind, (this.counts.get(record.kind) ?? 0) + 1);
    for (const listener of this.listeners) listener(record);
  }

  count(kind: TraceKind): number {
    return this.counts.get(kind) ?? 0;
  }

  listen(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
