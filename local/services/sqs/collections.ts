/** A FIFO buffer with O(1) push / shift and indexed reads (an array with a moving head). */
export class Deque<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Compact once the dead prefix dominates, so memory follows the live length.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  peek(): T | undefined {
    return this.at(0);
  }

  at(index: number): T | undefined {
    return this.items[this.head + index];
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}

/** A binary min-heap on `at`, ties broken by insertion order. */
export class TimeHeap<T extends { at: number }> {
  private readonly entries: { item: T; order: number }[] = [];
  private order = 0;

  get size(): number {
    return this.entries.length;
  }

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

  peek(): T | undefined {
    return this.entries[0]?.item;
  }

  pop(): T | undefined {
    const entries = this.entries;
    if (entries.length === 0) return undefined;
    const top = entries[0].item;
    const last = entries.pop()!;
    if (entries.length > 0) {
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
    return top;
  }

  clear(): void {
    this.entries.length = 0;
  }

  private before(a: number, b: number): boolean {
    const x = this.entries[a];
    const y = this.entries[b];
    return x.item.at < y.item.at || (x.item.at === y.item.at && x.order < y.order);
  }
}
