import { randomUUID } from "crypto";
import { RANGES } from "@event-routes/aws-model";
import type { Clock, Timer } from "../../clock";
import { TimerHeap } from "../../common/timers";
import type { QueueConfig } from "./config";
import { DeduplicationWindow } from "./deduplication";
import { sqsErrors } from "./errors";
import { decodeReceipt, encodeReceipt, type NewMessage, type StoredMessage, storedMessage } from "./message";
import { FifoOrder, type ReceiveOrder, StandardOrder } from "./receive-order";

export type { QueueConfig, RedriveAllowPolicy, RedrivePolicy } from "./config";
export { systemAttributesOf, type StoredMessage } from "./message";

export interface EnqueueResult {
  messageId: string;
  sequenceNumber?: string;
  /** True when a FIFO queue dropped the message as a duplicate within the deduplication window. */
  duplicate: boolean;
  message?: StoredMessage;
}

export interface QueueDepth {
  /** ApproximateNumberOfMessages: available for retrieval. */
  visible: number;
  /** ApproximateNumberOfMessagesNotVisible: received, neither deleted nor visible again. */
  inFlight: number;
  /** ApproximateNumberOfMessagesDelayed. */
  delayed: number;
}

export interface QueueHooks {
  /** Called when a receive moves a message past maxReceiveCount to the dead-letter queue. */
  deadLettered(source: Queue, message: StoredMessage, target: Queue): void;
  /** Called when a receipt handle deletes a message. */
  deleted(queue: Queue, message: StoredMessage): void;
}

/** A message becomes visible at `at`, unless its state changed since (another generation). */
interface PendingVisibility {
  at: number;
  message: StoredMessage;
  generation: number;
}

/**
 * One SQS queue: standard or FIFO, with visibility timeouts, delays, retention, receive counts,
 * redrive to a dead-letter queue and, for FIFO, message groups (./receive-order.ts) and
 * deduplication (./deduplication.ts).
 *
 * Costs do not grow with the queue: messages ready to receive sit in deques (./receive-order.ts);
 * pending visibility changes sit in one timer heap (../../common/timers.ts, the clock's own
 * structure) behind a single clock timer per queue. Retention and the deduplication window are
 * checked lazily from the oldest entry (Maps keep insertion order), so they never schedule timers
 * that would make a settling virtual clock jump days ahead.
 */
export class Queue {
  /** Every message not deleted, in the order it entered the queue. */
  private readonly messages = new Map<string, StoredMessage>();
  private readonly order: ReceiveOrder;
  private readonly deduplication: DeduplicationWindow;
  private readonly pending = new TimerHeap<PendingVisibility>((entry) => entry.generation === entry.message.generation);
  private timer: Timer | undefined;
  private timerDue = Infinity;
  private readonly listeners = new Set<() => void>();
  private readonly counts: QueueDepth = { visible: 0, inFlight: 0, delayed: 0 };
  readonly stats = { sent: 0, received: 0, deleted: 0, deadLettered: 0, duplicates: 0, expired: 0 };
  /** Resolved from the redrive policy when the cloud starts. */
  deadLetterQueue: Queue | undefined;
  lastPurgeAt = -Infinity;
  lastModifiedAt: number;

  constructor(
    readonly config: QueueConfig,
    private readonly clock: Clock,
    private readonly hooks: QueueHooks,
  ) {
    this.lastModifiedAt = config.createdAt;
    this.order = config.fifo ? new FifoOrder() : new StandardOrder();
    this.deduplication = new DeduplicationWindow(config);
  }

  get name(): string {
    return this.config.name;
  }

  get arn(): string {
    return this.config.arn;
  }

  get url(): string {
    return this.config.url;
  }

  get fifo(): boolean {
    return this.config.fifo;
  }

  /** Calls `listener` whenever a message becomes available to receive; returns the unsubscribe. */
  onAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  depth(): QueueDepth {
    this.catchUp();
    return { ...this.counts };
  }

  /**
   * Adds a sent message. The caller has validated it (FIFO ids, sizes, attributes).
   * `deduplicate: false` skips the FIFO deduplication window (messages a move task redrives).
   */
  enqueue(input: NewMessage, deduplicate = true): EnqueueResult {
    const now = this.clock.now();
    this.dropExpired(now);
    if (!this.fifo) return this.insert(storedMessage(randomUUID(), input, now), input.delaySeconds, now);
    const deduplicationId = this.deduplication.deduplicationIdOf(input.body, input.deduplicationId);
    this.deduplication.prune(now);
    const earlier = deduplicate ? this.deduplication.earlier(input.groupId, deduplicationId) : undefined;
    if (earlier) {
      this.stats.duplicates++;
      return { messageId: earlier.messageId, sequenceNumber: earlier.sequenceNumber, duplicate: true };
    }
    const message = storedMessage(randomUUID(), input, now, deduplicationId, this.deduplication.nextSequenceNumber());
    if (deduplicate) this.deduplication.remember(input.groupId, deduplicationId, now, message.id, message.sequenceNumber!);
    return this.insert(message, input.delaySeconds, now);
  }

  /**
   * Receives up to `max` messages: they go in flight for `visibilityTimeoutSeconds` (the queue's
   * by default) with a new receipt handle each. A message already received maxReceiveCount times
   * moves to the dead-letter queue instead. FIFO: messages of a group come in order, and a group
   * with a message in flight gives nothing until that message is deleted or visible again.
   */
  receive(max: number, visibilityTimeoutSeconds = this.config.visibilityTimeoutSeconds): StoredMessage[] {
    const now = this.clock.now();
    this.catchUp(now);
    const visibleUntil = now + visibilityTimeoutSeconds * 1000;
    const received = this.order.extract(max, (message) => this.redriveIfExhausted(message), (message) => this.startFlight(message, now, visibleUntil));
    if (received.length > 0) this.arm();
    return received;
  }

  /** Removes up to `max` visible messages without receiving them (a message move task). */
  take(max: number): StoredMessage[] {
    this.catchUp();
    return this.order.extract(max, () => false, (message) => this.discard(message));
  }

  /**
   * Deletes the message a receipt handle names. A handle of an earlier receive of a message that
   * was received again, or of a message already gone, changes nothing: AWS answers with success.
   */
  delete(receiptHandle: string): boolean {
    const message = this.byReceipt(receiptHandle);
    if (!message || message.receiptHandle !== receiptHandle) return false;
    this.discard(message);
    this.stats.deleted++;
    if (this.order.removed(message)) this.notify();
    this.disarmIfIdle();
    this.hooks.deleted(this, message);
    return true;
  }

  /** ChangeMessageVisibility: the message becomes visible `seconds` from now (0: at once). */
  changeVisibility(receiptHandle: string, seconds: number): void {
    const message = this.byReceipt(receiptHandle);
    if (!message || message.receiptHandle !== receiptHandle) {
      throw sqsErrors.invalidParameter("ReceiptHandle", receiptHandle, "Message does not exist or is not available for visibility timeout change.");
    }
    if (message.state !== "inflight") throw sqsErrors.messageNotInflight();
    const now = this.clock.now();
    // A message stays in flight at most 12 hours (the visibility timeout's maximum) from the receive that took it.
    if (now - (message.lastReceivedAt ?? now) + seconds * 1000 > RANGES.sqs.visibilityTimeoutSeconds.max * 1000) {
      throw sqsErrors.invalidParameter("VisibilityTimeout", seconds, "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]");
    }
    message.generation++;
    if (seconds === 0) {
      this.becomeVisible(message);
      this.notify();
      this.disarmIfIdle();
      return;
    }
    this.schedule(message, now + seconds * 1000);
  }

  /** Deletes every message (PurgeQueue). */
  purge(): void {
    for (const message of this.messages.values()) {
      message.state = "deleted";
      message.generation++;
    }
    this.messages.clear();
    this.order.clear();
    this.pending.clear();
    this.counts.visible = this.counts.inFlight = this.counts.delayed = 0;
    this.disarmIfIdle();
  }

  /** Accepts a message the redrive of `source` moves here: same ID, body and receive count. */
  adoptDeadLetter(message: StoredMessage, source: Queue): StoredMessage {
    const now = this.clock.now();
    const moved: StoredMessage = {
      ...message,
      state: "visible",
      generation: 0,
      receiptHandle: undefined,
      deadLetterSourceArn: source.arn,
      // Standard queues keep the original enqueue time for retention; FIFO queues reset it.
      enqueuedAt: this.fifo ? now : message.enqueuedAt,
    };
    this.messages.set(moved.id, moved);
    this.counts.visible++;
    this.order.add(moved);
    this.notify();
    return moved;
  }

  /** A message by ID (for tests and tools), whatever its state. */
  peek(messageId: string): StoredMessage | undefined {
    return this.messages.get(messageId);
  }

  /** The messages not deleted, oldest first (for tools; O(n)). */
  list(): StoredMessage[] {
    return [...this.messages.values()];
  }

  stop(): void {
    this.disarm();
    this.listeners.clear();
  }

  // ---- internals ---------------------------------------------------------------------------

  private insert(message: StoredMessage, delaySeconds: number | undefined, now: number): EnqueueResult {
    this.messages.set(message.id, message);
    this.stats.sent++;
    const delayMs = (delaySeconds ?? this.config.delaySeconds) * 1000;
    if (delayMs > 0) {
      message.state = "delayed";
      this.counts.delayed++;
      this.order.add(message);
      this.schedule(message, now + delayMs);
    } else {
      this.counts.visible++;
      this.order.add(message);
      this.notify();
    }
    return { messageId: message.id, sequenceNumber: message.sequenceNumber, duplicate: false, message };
  }

  private startFlight(message: StoredMessage, now: number, visibleUntil: number): void {
    this.counts.visible--;
    this.counts.inFlight++;
    message.state = "inflight";
    message.generation++;
    message.receiveCount++;
    message.firstReceivedAt ??= now;
    message.lastReceivedAt = now;
    message.receiptHandle = encodeReceipt(this.arn, message.id, message.receiveCount);
    this.order.startedFlight(message);
    this.pending.push({ at: visibleUntil, message, generation: message.generation });
    this.stats.received++;
  }

  /** AWS moves a message at the receive that would exceed maxReceiveCount. */
  private redriveIfExhausted(message: StoredMessage): boolean {
    const policy = this.config.redrivePolicy;
    const target = this.deadLetterQueue;
    if (!policy || !target || message.receiveCount < policy.maxReceiveCount) return false;
    this.discard(message);
    this.stats.deadLettered++;
    const moved = target.adoptDeadLetter(message, this);
    this.hooks.deadLettered(this, moved, target);
    return true;
  }

  /** Takes a message out of every count and structure (its deque entries are skipped lazily). */
  private discard(message: StoredMessage): void {
    switch (message.state) {
      case "deleted":
        return;
      case "visible":
        this.counts.visible--;
        break;
      case "inflight":
        this.counts.inFlight--;
        this.order.leftFlight(message);
        break;
      case "delayed":
        this.counts.delayed--;
        break;
    }
    message.state = "deleted";
    message.generation++;
    this.messages.delete(message.id);
  }

  private becomeVisible(message: StoredMessage): void {
    const wasInFlight = message.state === "inflight";
    if (wasInFlight) this.counts.inFlight--;
    else if (message.state === "delayed") this.counts.delayed--;
    this.counts.visible++;
    message.state = "visible";
    message.generation++;
    this.order.visibleAgain(message, wasInFlight);
  }

  private schedule(message: StoredMessage, at: number): void {
    this.pending.push({ at, message, generation: message.generation });
    if (at < this.timerDue) this.arm();
  }

  /** Keeps one clock timer for the earliest pending visibility change. */
  private arm(): void {
    const next = this.pending.peek();
    if (!next) return this.disarm();
    if (this.timer && this.timerDue <= next.at) return;
    this.timer?.cancel();
    this.timerDue = next.at;
    this.timer = this.clock.schedule(next.at - this.clock.now(), () => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.catchUp();
    });
  }

  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  /** With nothing in flight or delayed no timer is needed: a settling clock must not wait on one. */
  private disarmIfIdle(): void {
    if (this.counts.inFlight + this.counts.delayed > 0) return;
    this.pending.clear();
    this.disarm();
  }

  /** Applies visibility changes that are due and drops messages past their retention period. */
  private catchUp(now = this.clock.now()): void {
    let woke = false;
    for (let next = this.pending.takeDue(now); next; next = this.pending.takeDue(now)) {
      this.becomeVisible(next.message);
      woke = true;
    }
    this.dropExpired(now);
    this.arm();
    if (woke) this.notify();
  }

  private dropExpired(now: number): void {
    const retentionMs = this.config.messageRetentionSeconds * 1000;
    let expired: StoredMessage[] | undefined;
    for (const message of this.messages.values()) {
      if (message.enqueuedAt + retentionMs > now) break;
      (expired ??= []).push(message);
    }
    if (!expired) return;
    for (const message of expired) {
      this.discard(message);
      this.stats.expired++;
      this.order.removed(message);
    }
  }

  private byReceipt(receiptHandle: string): StoredMessage | undefined {
    const decoded = decodeReceipt(receiptHandle);
    if (!decoded || decoded.queueArn !== this.arn) throw sqsErrors.receiptHandleIsInvalid(receiptHandle);
    return this.messages.get(decoded.messageId);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
