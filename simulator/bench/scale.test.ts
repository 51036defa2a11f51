import { runScaleBench } from "./scale";

describe("scale", () => {
  it("should serve 1000 objects to 20 concurrent watchers without errors", async () => {
    const r = await runScaleBench(1000, 20, 100);
    expect(r.errors).toEqual([]);
    expect(r.eventsPerWatcher).toEqual(Array(20).fill(1100));
    expect(r.fanoutMs.p99).toBeLessThan(1000);
  });
});
