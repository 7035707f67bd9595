import type { OrderReport, ScenarioReport } from "./scenario";
import type { TraceRecord } from "@event-routes/local-cloud";

/** Renders the scenario's report for a terminal: one timeline per order, then the summary. */

const KIND_LABELS: Partial<Record<TraceRecord["kind"], string>> = {
  "event.accepted": "event",
  "event.rejected": "REJECTED",
  "target.delivered": "delivered",
  "target.retry": "retry",
  "target.dead-lettered": "DEAD-LETTER",
  "target.dropped": "DROPPED",
  "message.sent": "queued",
  "message.dead-lettered": "DEAD-LETTER",
  "mapping.failed": "FAILED",
  "function.invoked": "function",
  "function.failed": "FAILED",
  "function.async-failed": "FAILED",
  "execution.started": "workflow",
  "execution.succeeded": "workflow",
  "execution.failed": "workflow",
  "notification.published": "notify",
  "notification.delivered": "notify",
  "record.put": "stream",
};

/** Kinds that make a timeline longer without telling a reader more. */
const QUIET = new Set<TraceRecord["kind"]>(["message.deleted", "record.put", "target.delivered", "message.sent"]);

export function formatTimeline(report: OrderReport, verbose = false): string {
  const start = report.timeline[0]?.at ?? 0;
  const lines = report.timeline
    .filter((record) => verbose || !QUIET.has(record.kind))
    .map((record) => `    ${formatOffset(record.at - start).padStart(9)}  ${(KIND_LABELS[record.kind] ?? record.kind).padEnd(11)} ${record.summary}${batchNote(record, report.order.orderId)}`);
  const mark = report.outcome === report.order.expected ? "ok " : "!! ";
  return [`${mark} ${report.order.orderId}: ${report.order.story} -> ${report.outcome}${report.notified ? ", customer notified" : ""}`, ...lines].join("\n");
}

export function formatSummary(report: ScenarioReport): string {
  const count = (outcome: string) => report.orders.filter((o) => o.outcome === outcome).length;
  const lines = [
    "Summary",
    `  orders:              ${report.orders.length}`,
    `  delivered:           ${count("delivered")}`,
    `  customers notified:  ${report.orders.filter((o) => o.notified).length}`,
    `  failed:              ${count("payment-declined")} payment declined, ${count("registration-rejected")} registration rejected, ${count("parked")} parked in a dead-letter queue`,
    `  unaccounted:         ${count("unaccounted")}`,
    `  events:              ${report.counts["event.accepted"] ?? 0} accepted, ${report.counts["event.rejected"] ?? 0} rejected, ${report.counts["target.retry"] ?? 0} delivery retries, ${report.counts["target.dead-lettered"] ?? 0} dead-lettered, ${report.counts["target.dropped"] ?? 0} dropped`,
    `  functions:           ${report.counts["function.invoked"] ?? 0} invocations succeeded, ${report.counts["function.failed"] ?? 0} failed`,
    `  workflows:           ${report.counts["execution.succeeded"] ?? 0} succeeded, ${report.counts["execution.failed"] ?? 0} failed`,
    "  messages in queues:  " + (report.queues.length === 0 ? "none" : ""),
    ...report.queues.map((queue) => `    ${queue.name}${queue.deadLetter ? " (dead-letter)" : queue.consumed ? "" : " (no consumer: kept for operators)"}: ${queue.messages}`),
    `  time:                ${(report.wallMs / 1000).toFixed(2)} s on this machine, ${formatOffset(report.cloudMs)} of cloud time`,
  ];
  if (report.problems.length > 0) lines.push("", "NOT ACCOUNTED FOR:", ...report.problems.map((problem) => `  - ${problem}`));
  else lines.push("", "Every event is accounted for.");
  return lines.join("\n");
}

function formatOffset(ms: number): string {
  if (ms < 60_000) return `+${(ms / 1000).toFixed(3)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `+${minutes}m${((ms % 60_000) / 1000).toFixed(1).padStart(4, "0")}s`;
}

/** For a batch with failures: whether this order's own record was among them. */
function batchNote(record: TraceRecord, orderId: string): string {
  const records = (record.payload as { Records?: { messageId: string; body: string }[] } | undefined)?.Records;
  const failures = (record.result as { batchItemFailures?: { itemIdentifier: string }[] } | undefined)?.batchItemFailures;
  if (record.kind !== "function.invoked" || !Array.isArray(records) || !failures?.length) return "";
  const own = records.filter((r) => r.body.includes(`"${orderId}"`)).map((r) => r.messageId);
  if (own.length === 0) return "";
  return own.some((id) => failures.some((failure) => failure.itemIdentifier === id)) ? " (this order's record)" : " (another order's; this one succeeded)";
}
