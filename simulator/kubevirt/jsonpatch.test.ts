import { applyJsonPatch } from "./jsonpatch";

describe("applyJsonPatch", () => {
  it("should test then replace", () => {
    expect(
      applyJsonPatch({ spec: { runStrategy: "Halted" } }, [
        { op: "test", path: "/spec/runStrategy", value: "Halted" },
        { op: "replace", path: "/spec/runStrategy", value: "Always" },
      ]),
    ).toEqual({ spec: { runStrategy: "Always" } });
  });
  it("should fail a test on a different value with a jsonpatch test message", () => {
    expect(() => applyJsonPatch({ a: [1] }, [{ op: "test", path: "/a", value: [2] }])).toThrow(
      "jsonpatch test operation does not apply",
    );
  });
  it("should treat a missing value as null in a test", () => {
    expect(applyJsonPatch({ s: {} }, [{ op: "test", path: "/s/x", value: null }])).toEqual({ s: {} });
  });
  it("should refuse to replace a missing key", () => {
    expect(() =>
      applyJsonPatch({ spec: {} }, [{ op: "replace", path: "/spec/running", value: true }]),
    ).toThrow(/replace operation does not apply/);
  });
  it("should add, append and remove", () => {
    expect(
      applyJsonPatch({ l: [1], m: { x: 1 } }, [
        { op: "add", path: "/l/-", value: 2 },
        { op: "add", path: "/n", value: "v" },
        { op: "remove", path: "/m/x" },
      ]),
    ).toEqual({ l: [1, 2], m: {}, n: "v" });
  });
  it("should not mutate its input", () => {
    const doc = { a: 1 };
    applyJsonPatch(doc, [{ op: "replace", path: "/a", value: 2 }]);
    expect(doc).toEqual({ a: 1 });
  });
});
