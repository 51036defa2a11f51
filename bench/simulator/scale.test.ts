import { runScaleBench } from "./scale";

// Behaviour only: the latencies it measures are reported by the benchmark (`npm run bench`), not bounded here.
describe("scale", () => {
  it("should serve 1000 objects to 20 concurrent watchers without errors", async () => {
    const r = await runScaleBench(1000, 20, 100);
    expect(r.errors).toEqual([]);
    expect(r.eventsPerWatcher).toEqual(Array(20).fill(1100));
    const { p50, p99, max } = r.fanoutMs;
    expect([p50, p99, max].every(Number.isFinite)).toBe(true);
    expect(p50).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max);
  });
});
