import { TimerHeap } from "../../../local/common/timers";

interface Entry {
  at: number;
  name: string;
  cancelled?: boolean;
}

describe("the ordered-timer structure shared by the clock and SQS", () => {
  it("gives entries earliest first, ties in the order they were added", () => {
    const heap = new TimerHeap<Entry>();
    for (const [at, name] of [[30, "c"], [10, "a1"], [20, "b"], [10, "a2"], [10, "a3"]] as const) heap.push({ at, name });
    const taken: string[] = [];
    for (let next = heap.takeDue(100); next; next = heap.takeDue(100)) taken.push(next.name);
    expect(taken).toEqual(["a1", "a2", "a3", "b", "c"]);
  });

  it("takes only what is due, and leaves the rest", () => {
    const heap = new TimerHeap<Entry>();
    heap.push({ at: 5, name: "soon" });
    heap.push({ at: 50, name: "later" });
    expect(heap.takeDue(10)?.name).toBe("soon");
    expect(heap.takeDue(10)).toBeUndefined();
    expect(heap.peek()?.name).toBe("later");
  });

  it("skips entries that no longer apply and does not count them", () => {
    const heap = new TimerHeap<Entry>((entry) => !entry.cancelled);
    const first = { at: 1, name: "first" };
    heap.push(first);
    heap.push({ at: 2, name: "second" });
    expect(heap.countLive()).toBe(2);
    (first as Entry).cancelled = true;
    expect(heap.countLive()).toBe(1);
    expect(heap.peek()?.name).toBe("second");
    heap.clear();
    expect(heap.peek()).toBeUndefined();
  });
});
