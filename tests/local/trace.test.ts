import { Trace } from "../../local/trace";

describe("the trace", () => {
  it("keeps the newest records within its limit and counts every record", () => {
    const trace = new Trace();
    trace.limit = 100;
    for (let i = 0; i < 1_000; i++) trace.record({ at: i, kind: "event.accepted", resource: "bus", summary: String(i) });
    expect(trace.records.length).toBeLessThanOrEqual(100);
    expect(trace.records.length).toBeGreaterThanOrEqual(90);
    expect(trace.records[trace.records.length - 1].summary).toBe("999");
    expect(trace.count("event.accepted")).toBe(1_000);
  });

  it("tells its listeners of each record as it happens", () => {
    const trace = new Trace();
    const seen: string[] = [];
    const stop = trace.listen((record) => seen.push(record.summary));
    trace.record({ at: 1, kind: "function.invoked", resource: "fn", summary: "first" });
    stop();
    trace.record({ at: 2, kind: "function.invoked", resource: "fn", summary: "second" });
    expect(seen).toEqual(["first"]);
  });
});
