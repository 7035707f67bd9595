import { createHash, randomUUID } from "crypto";
import type { Clock, Timer } from "../../clock";
import type { MessageAttribute } from "../../cloud";
import { Deque, TimeHeap } from "./collections";
import { sqsErrors } from "./errors";
import { md5OfBody, md5OfMessageAttributes } from "./md5";

/** FIFO queues drop a message whose deduplication ID was accepted in the last 5 minutes. */
export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface RedriveAllowPolicy {
  redrivePermission: "allowAll" | "denyAll" | "byQueue";
  sourceQueueArns?: string[];
}

/** A queue's attributes, as CreateQueue / SetQueueAttributes set them. */
export interface QueueConfig {
  name: string;
  arn: string;
  url: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  deduplicationScope: "queue" | "messageGroup";
  fifoThroughputLimit: "perQueue" | "perMessageGroupId";
  visibilityTimeoutSeconds: number;
  delaySeconds: number;
  messageRetentionSeconds: number;
  maximumMessageSize: number;
  receiveWaitTimeSeconds: number;
  redrivePolicy?: RedrivePolicy;
  redriveAllowPolicy?: RedriveAllowPolicy;
  /** The queue policy document, as GetQueueAttributes returns it. */
  policy?: string;
  sqsManagedSseEnabled: boolean;
  kmsMasterKeyId?: string;
  kmsDataKeyReusePeriodSeconds?: number;
  tags: Record<string, string>;
  createdAt: number;
}

export type MessageState = "delayed" | "visible" | "inflight" | "deleted";

/** One message in a queue, with the system attributes SQS keeps for it. */
export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes?: Record<string, MessageAttribute>;
  readonly md5OfAttributes?: string;
  readonly traceHeader?: string;
  readonly senderId: string;
  /** SentTimestamp (ms). */
  readonly sentAt: number;
  /** When the message entered this queue: retention counts from it. */
  enqueuedAt: number;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly sequenceNumber?: string;
  receiveCount: number;
  firstReceivedAt?: number;
  lastReceivedAt?: number;
  deadLetterSourceArn?: string;
  state: MessageState;
  receiptHandle?: string;
  /** Bumped on each state change: a timer armed for an older generation no longer applies. */
  generation: number;
}

export interface NewMessage {
  body: string;
  attributes?: Record<string, MessageAttribute>;
  traceHeader?: string;
  groupId?: string;
  deduplicationId?: string;
  /** Per-message delay (standard queues); the queue's DelaySeconds otherwise. */
  delaySeconds?: number;
  senderId: string;
}

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

interface PendingVisibility {
  at: number;
  message: StoredMessage;
  generation: number;
}

/** The messages of one FIFO message group, in send order; deleted ones are skipped lazily. */
interface MessageGroup {
  readonly id: string;
  readonly messages: Deque<StoredMessage>;
  /** Messages of the group in flight: while any is, the group is locked. */
  inFlight: number;
  /** Whether the group is in the ready list. */
  queued: boolean;
}

/**
 * One SQS queue: standard or FIFO, with visibility timeouts, delays, retention, receive counts,
 * redrive to a dead-letter queue and, for FIFO, message groups and deduplication.
 *
 * Costs do not grow with the queue: messages ready to receive sit in a deque (standard) or in
 * per-group deques with a list of unlocked groups (FIFO); pending visibility changes sit in one
 * time heap behind a single clock timer per queue. Retention and the deduplication window are
 * checked lazily from the oldest entry (Maps keep insertion order), so they never schedule timers
 * that would make a settling virtual clock jump days ahead.
 */
export class Queue {
  /** Every message not deleted, in the order it entered the queue. */
  private readonly messages = new Map<string, StoredMessage>();
  private readonly ready = new Deque<StoredMessage>();
  private readonly groups = new Map<string, MessageGroup>();
  private readonly readyGroups = new Deque<MessageGroup>();
  private readonly pending = new TimeHeap<PendingVisibility>();
  private timer: Timer | undefined;
  private timerDue = Infinity;
  private readonly deduplication = new Map<string, { expiresAt: number; messageId: string; sequenceNumber: string }>();
  private readonly listeners = new Set<() => void>();
  private sequence = 0;
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
    if (!this.fifo) return this.insert(this.newMessage(randomUUID(), input, now), input.delaySeconds, now);
    const deduplicationId = input.deduplicationId ?? createHash("sha256").update(input.body, "utf8").digest("hex");
    const key = this.config.deduplicationScope === "messageGroup" ? `${input.groupId}\u0000${deduplicationId}` : deduplicationId;
    this.pruneDeduplication(now);
    const earlier = deduplicate ? this.deduplication.get(key) : undefined;
    if (earlier) {
      this.stats.duplicates++;
      return { messageId: earlier.messageId, sequenceNumber: earlier.sequenceNumber, duplicate: true };
    }
    const message = this.newMessage(randomUUID(), input, now, deduplicationId, this.nextSequenceNumber());
    if (deduplicate) this.deduplication.set(key, { expiresAt: now + DEDUPLICATION_WINDOW_MS, messageId: message.id, sequenceNumber: message.sequenceNumber! });
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
    const received = this.extract(max, (message) => this.redriveIfExhausted(message), (message) => this.startFlight(message, now, visibleUntil));
    if (received.length > 0) this.arm();
    return received;
  }

  /** Removes up to `max` visible messages without receiving them (a message move task). */
  take(max: number): StoredMessage[] {
    this.catchUp();
    return this.extract(max, () => false, (message) => this.discard(message));
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
    this.afterRemoval(message);
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
    // A message stays in flight at most 12 hours from the receive that took it.
    if (now - (message.lastReceivedAt ?? now) + seconds * 1000 > 43_200_000) {
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
    this.ready.clear();
    this.groups.clear();
    this.readyGroups.clear();
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
    this.placeNew(moved);
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
    this.timer?.cancel();
    this.timer = undefined;
    this.timerDue = Infinity;
    this.listeners.clear();
  }

  // ---- internals ---------------------------------------------------------------------------

  private newMessage(id: string, input: NewMessage, now: number, deduplicationId?: string, sequenceNumber?: string): StoredMessage {
    return {
      id,
      body: input.body,
      md5OfBody: md5OfBody(input.body),
      attributes: input.attributes,
      md5OfAttributes: md5OfMessageAttributes(input.attributes),
      traceHeader: input.traceHeader,
      senderId: input.senderId,
      sentAt: now,
      enqueuedAt: now,
      groupId: input.groupId,
      deduplicationId,
      sequenceNumber,
      receiveCount: 0,
      state: "visible",
      generation: 0,
    };
  }

  private insert(message: StoredMessage, delaySeconds: number | undefined, now: number): EnqueueResult {
    this.messages.set(message.id, message);
    this.stats.sent++;
    const delayMs = (delaySeconds ?? this.config.delaySeconds) * 1000;
    if (delayMs > 0) {
      message.state = "delayed";
      this.counts.delayed++;
      // FIFO order is send order, delayed or not: the message takes its place in its group now.
      if (this.fifo) this.group(message.groupId!).messages.push(message);
      this.schedule(message, now + delayMs);
    } else {
      this.counts.visible++;
      this.placeNew(message);
      this.notify();
    }
    return { messageId: message.id, sequenceNumber: message.sequenceNumber, duplicate: false, message };
  }

  /** Puts a message new to this queue, visible, where receives find it (FIFO: last of its group). */
  private placeNew(message: StoredMessage): void {
    if (!this.fifo) {
      this.ready.push(message);
      return;
    }
    const group = this.group(message.groupId!);
    group.messages.push(message);
    this.queueGroupIfReady(group);
  }

  private group(id: string): MessageGroup {
    let group = this.groups.get(id);
    if (!group) {
      group = { id, messages: new Deque(), inFlight: 0, queued: false };
      this.groups.set(id, group);
    }
    return group;
  }

  /** Lists the group as ready when it is unlocked and its first message is visible; forgets it when empty. */
  private queueGroupIfReady(group: MessageGroup): boolean {
    while (group.messages.length > 0 && group.messages.peek()!.state === "deleted") group.messages.shift();
    if (group.messages.length === 0) {
      if (group.inFlight === 0 && !group.queued) this.groups.delete(group.id);
      return false;
    }
    if (group.queued || group.inFlight > 0 || group.messages.peek()!.state !== "visible") return false;
    group.queued = true;
    this.readyGroups.push(group);
    return true;
  }

  /**
   * Takes up to `max` receivable messages in order. `divert` may remove a message instead (redrive);
   * `accept` takes the message out of the visible state.
   */
  private extract(max: number, divert: (message: StoredMessage) => boolean, accept: (message: StoredMessage) => void): StoredMessage[] {
    const taken: StoredMessage[] = [];
    if (!this.fifo) {
      while (taken.length < max) {
        const message = this.ready.shift();
        if (!message) break;
        if (message.state !== "visible") continue; // deleted while visible
        if (divert(message)) continue;
        accept(message);
        taken.push(message);
      }
      return taken;
    }
    const touched: MessageGroup[] = [];
    while (taken.length < max) {
      const group = this.readyGroups.shift();
      if (!group) break;
      group.queued = false;
      touched.push(group);
      if (group.inFlight > 0) continue;
      for (let index = 0; taken.length < max && index < group.messages.length; index++) {
        const message = group.messages.at(index)!;
        if (message.state === "deleted") continue;
        if (message.state !== "visible") break; // delayed: later messages of the group wait behind it
        if (divert(message)) continue;
        accept(message);
        taken.push(message);
      }
    }
    for (const group of touched) this.queueGroupIfReady(group);
    return taken;
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
    if (this.fifo) this.groups.get(message.groupId!)!.inFlight++;
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
        if (this.fifo) this.groups.get(message.groupId!)!.inFlight--;
        break;
      case "delayed":
        this.counts.delayed--;
        break;
    }
    message.state = "deleted";
    message.generation++;
    this.messages.delete(message.id);
  }

  /** After a delete: an unlocked FIFO group may now give its next message. */
  private afterRemoval(message: StoredMessage): void {
    if (this.fifo) {
      const group = this.groups.get(message.groupId!);
      if (group && this.queueGroupIfReady(group)) this.notify();
    }
    this.disarmIfIdle();
  }

  private becomeVisible(message: StoredMessage): void {
    if (message.state === "inflight") {
      this.counts.inFlight--;
      if (this.fifo) this.groups.get(message.groupId!)!.inFlight--;
    } else if (message.state === "delayed") {
      this.counts.delayed--;
    }
    this.counts.visible++;
    message.state = "visible";
    message.generation++;
    if (this.fifo) this.queueGroupIfReady(this.group(message.groupId!));
    else this.ready.push(message);
  }

  private schedule(message: StoredMessage, at: number): void {
    this.pending.push({ at, message, generation: message.generation });
    if (at < this.timerDue) this.arm();
  }

  /** Keeps one clock timer for the earliest pending visibility change. */
  private arm(): void {
    let next = this.pending.peek();
    while (next && next.generation !== next.message.generation) {
      this.pending.pop();
      next = this.pending.peek();
    }
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
    for (let next = this.pending.peek(); next && next.at <= now; next = this.pending.peek()) {
      this.pending.pop();
      if (next.generation !== next.message.generation) continue;
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
      if (this.fifo) {
        const group = this.groups.get(message.groupId!);
        if (group) this.queueGroupIfReady(group);
      }
    }
  }

  private pruneDeduplication(now: number): void {
    for (const [key, entry] of this.deduplication) {
      if (entry.expiresAt > now) break;
      this.deduplication.delete(key);
    }
  }

  private nextSequenceNumber(): string {
    // 20 digits that only grow, like AWS's large non-consecutive sequence numbers.
    this.sequence++;
    return `18${(this.sequence * 1000 + (this.sequence % 997)).toString().padStart(18, "0")}`;
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

/** Receipt handles name the queue, the message and the receive; each receive gets a new one. */
function encodeReceipt(queueArn: string, messageId: string, receiveCount: number): string {
  return Buffer.from(`${queueArn} ${messageId} ${receiveCount}`, "utf8").toString("base64");
}

function decodeReceipt(receiptHandle: string): { queueArn: string; messageId: string } | undefined {
  if (typeof receiptHandle !== "string" || receiptHandle.length === 0 || !/^[A-Za-z0-9+/=]+$/.test(receiptHandle)) return undefined;
  const parts = Buffer.from(receiptHandle, "base64").toString("utf8").split(" ");
  if (parts.length !== 3 || !parts[0].startsWith("arn:")) return undefined;
  return { queueArn: parts[0], messageId: parts[1] };
}

/** The system attributes of a message as ReceiveMessage and Lambda's SQS events report them. */
export function systemAttributesOf(message: StoredMessage): Record<string, string> {
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount),
    SentTimestamp: String(message.sentAt),
    SenderId: message.senderId,
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
  };
  if (message.sequenceNumber !== undefined) attributes.SequenceNumber = message.sequenceNumber;
  if (message.groupId !== undefined) attributes.MessageGroupId = message.groupId;
  if (message.deduplicationId !== undefined) attributes.MessageDeduplicationId = message.deduplicationId;
  if (message.traceHeader !== undefined) attributes.AWSTraceHeader = message.traceHeader;
  if (message.deadLetterSourceArn !== undefined) attributes.DeadLetterQueueSourceArn = message.deadLetterSourceArn;
  return attributes;
}
