import {
  chainIntact,
  engineChain,
  exitWithEngine,
  isDynamicProviderHost,
  type ProcessTable,
} from "./lifetime";

/** A process table: pid → [ppid, name]; `ppid` is this process's parent. */
function table(procs: Record<number, [number, string]>, ppid: () => number): ProcessTable {
  return { ppid, info: (pid) => (procs[pid] ? { ppid: procs[pid]![0], name: procs[pid]![1] } : undefined) };
}

describe("the provider's lifetime", () => {
  it("should recognise Pulumi's dynamic provider host", () => {
    expect(
      isDynamicProviderHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"]),
    ).toBe(true);
    expect(isDynamicProviderHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider"])).toBe(true);
    expect(isDynamicProviderHost(["node", "/p/node_modules/jest/bin/jest.js"])).toBe(false);
  });

  it("should find the engine behind the shell launcher", () => {
    const procs: Record<number, [number, string]> = { 30: [20, "sh"], 20: [10, "pulumi"], 10: [1, "bash"] };
    expect(engineChain(table(procs, () => 30))).toEqual([30, 20]);
    expect(engineChain(table({ 20: [10, "pulumi"] }, () => 20))).toEqual([20]);
  });

  it("should notice the engine gone behind a launcher that lives on", () => {
    const procs: Record<number, [number, string]> = { 30: [20, "sh"], 20: [10, "pulumi"] };
    const t = table(procs, () => 30);
    const chain = engineChain(t);
    expect(chainIntact(chain, t)).toBe(true);
    procs[30] = [1, "sh"]; // the engine was killed; the launcher is re-parented
    delete procs[20];
    expect(chainIntact(chain, t)).toBe(false);
  });

  it("should stop the watches and exit once the engine is gone", () => {
    jest.useFakeTimers();
    try {
      let parent = 20;
      const t = table({ 20: [10, "pulumi"] }, () => parent);
      const events: string[] = [];
      exitWithEngine(
        () => events.push("stop"),
        t,
        (code) => events.push(`exit ${code}`),
      );
      jest.advanceTimersByTime(3_000);
      expect(events).toEqual([]);
      parent = 1;
      jest.advanceTimersByTime(1_000);
      expect(events).toEqual(["stop", "exit 0"]);
    } finally {
      jest.useRealTimers();
    }
  });
});
