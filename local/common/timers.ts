/**
 * The one ordered-timer structure of the local cloud. The clock keeps every timer of the cloud in
 * one; an SQS queue keeps its pending visibility changes in one behind a single clock timer (a
 * queue with 10,000 messages in flight then costs the clock one timer, not 10,000).
 *
 * Entries are ordered by `at`, ties in the order they were added. An entry that no longer applies
 * (a cancelled timer, a visibility change a later receive replaced) is not searched for and
 * removed: `live` says so and it is dropped when it reaches the front.
 */
export interface Due {
  /** When the entry is due (ms of cloud time). */
  readonly at: number;
}

export class TimerHeap<T extends Due> {
  private readonly entries: { item: T; order: number }[] = [];
  private order = 0;

  /** @param live whether an entry still applies; a dead one is skipped and dropped. */
  constructor(private readonly live: (item: T) => boolean = () => true) {}

  push(item: T): void {
    const entries = this.entries;
    entries.push({ item, order: this.order++ });
    let index = entries.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) break;
      [entries[index], entries[parent]] = [entries[parent], entries[index]];
      index = parent;
    }
  }

  /** The earliest live entry (dead ones in front of it are dropped). */
  peek(): T | undefined {
    while (this.entries.length > 0 && !this.live(this.entries[0].item)) this.removeTop();
    return this.entries[0]?.item;
  }

  /** Removes and returns the earliest live entry when it is due at or before `now`. */
  takeDue(now: number): T | undefined {
    const next = this.peek();
    if (!next || next.at > now) return undefined;
    this.removeTop();
    return next;
  }

  /** How many entries are live (O(n): for tests and tools). */
  countLive(): number {
    return this.entries.filter((entry) => this.live(entry.item)).length;
  }

  clear(): void {
    this.entries.length = 0;
  }

  private removeTop(): void {
    const entries = this.entries;
    const last = entries.pop()!;
    if (entries.length === 0) return;
    entries[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < entries.length && this.before(left, smallest)) smallest = left;
      if (right < entries.length && this.before(right, smallest)) smallest = right;
      if (smallest === index) break;
      [entries[index], entries[smallest]] = [entries[smallest], entries[index]];
      index = smallest;
    }
  }

  private before(a: number, b: number): boolean {
    const x = this.entries[a];
    const y = this.entries[b];
    return x.item.at < y.item.at || (x.item.at === y.item.at && x.order < y.order);
  }
}
