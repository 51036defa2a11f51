import { asOperationOf, logTo, outsideOperations, type ProgressSink } from "./sink";

describe("logTo", () => {
  it("should attribute a line to the operation it is logged from, across awaits, and not to others", async () => {
    const seen: Parameters<ProgressSink>[] = [];
    const log = logTo((line, where) => seen.push([line, where]));
    const started: Promise<void>[] = [];
    await Promise.all([
      asOperationOf("urn:a", async () => {
        await new Promise((r) => setTimeout(r, 5));
        log("a: waited", "status");
        // Started inside a's operation but shared: what it logs later is about no resource.
        started.push(outsideOperations(() => new Promise((r) => setTimeout(r, 5)).then(() => log("shared"))));
      }),
      asOperationOf("urn:b", async () => log("b: now")),
    ]);
    await Promise.all(started);
    log("provider-wide", "warning");
    expect(seen).toEqual([
      ["b: now", { urn: "urn:b", kind: "info" }],
      ["a: waited", { urn: "urn:a", kind: "status" }],
      ["shared", { urn: undefined, kind: "info" }],
      ["provider-wide", { urn: undefined, kind: "warning" }],
    ]);
  });
});
