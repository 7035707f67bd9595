import { Deque } from "./collections";
import type { StoredMessage } from "./message";

/**
 * The order in which a queue gives its visible messages to receives. A standard queue gives them
 * as they became visible; a FIFO queue gives the messages of a group in send order, and none of a
 * group while one of its messages is in flight.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 *
 * The queue keeps each message's state; these keep only the order, and skip messages that left
 * the visible state (deleted, received) lazily when they come to the front.
 */
export interface ReceiveOrder {
  /** A message new to the queue, visible or (FIFO: it takes its place in its group now) delayed. */
  add(message: StoredMessage): void;
  /** A message that was in flight or delayed is visible again. */
  visibleAgain(message: StoredMessage, wasInFlight: boolean): void;
  startedFlight(message: StoredMessage): void;
  /** A message in flight left the queue (deleted, expired, redriven). */
  leftFlight(message: StoredMessage): void;
  /** After a message left the queue: whether that made another message receivable. */
  removed(message: StoredMessage): boolean;
  /**
   * Takes up to `max` receivable messages in order. `divert` may remove a message instead
   * (redrive); `accept` takes the message out of the visible state.
   */
  extract(max: number, divert: (message: StoredMessage) => boolean, accept: (message: StoredMessage) => void): StoredMessage[];
  clear(): void;
}

export class StandardOrder implements ReceiveOrder {
  private readonly ready = new Deque<StoredMessage>();

  add(message: StoredMessage): void {
    if (message.state === "visible") this.ready.push(message);
  }

  visibleAgain(message: StoredMessage): void {
    this.ready.push(message);
  }

  startedFlight(): void {}

  leftFlight(): void {}

  removed(): boolean {
    return false;
  }

  extract(max: number, divert: (message: StoredMessage) => boolean, accept: (message: StoredMessage) => void): StoredMessage[] {
    const taken: StoredMessage[] = [];
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

  clear(): void {
    this.ready.clear();
  }
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

/** Per-group deques and a list of unlocked groups whose first message is visible. */
export class FifoOrder implements ReceiveOrder {
  private readonly groups = new Map<string, MessageGroup>();
  private readonly readyGroups = new Deque<MessageGroup>();

  add(message: StoredMessage): void {
    const group = this.group(message.groupId!);
    group.messages.push(message);
    // Send order holds, delayed or not: a delayed message blocks its group's later ones.
    if (message.state === "visible") this.queueIfReady(group);
  }

  visibleAgain(message: StoredMessage, wasInFlight: boolean): void {
    if (wasInFlight) this.groups.get(message.groupId!)!.inFlight--;
    this.queueIfReady(this.group(message.groupId!));
  }

  startedFlight(message: StoredMessage): void {
    this.groups.get(message.groupId!)!.inFlight++;
  }

  leftFlight(message: StoredMessage): void {
    this.groups.get(message.groupId!)!.inFlight--;
  }

  removed(message: StoredMessage): boolean {
    const group = this.groups.get(message.groupId!);
    return group !== undefined && this.queueIfReady(group);
  }

  extract(max: number, divert: (message: StoredMessage) => boolean, accept: (message: StoredMessage) => void): StoredMessage[] {
    const taken: StoredMessage[] = [];
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
    for (const group of touched) this.queueIfReady(group);
    return taken;
  }

  clear(): void {
    this.groups.clear();
    this.readyGroups.clear();
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
  private queueIfReady(group: MessageGroup): boolean {
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
}
