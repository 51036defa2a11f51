import { mergePatchDiff } from "./merge-patch";

describe("mergePatchDiff", () => {
  it("should be undefined for equal documents", () => {
    expect(mergePatchDiff({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBeUndefined();
  });
  it("should patch only the changed members, nulling removed ones and replacing arrays whole", () => {
    const before = {
      metadata: { labels: { x: "1", y: "2" }, finalizers: ["a"] },
      spec: { runStrategy: "Always" },
    };
    const after = {
      metadata: { labels: { x: "1" }, finalizers: ["a", "b"] },
      spec: { runStrategy: "Halted" },
    };
    expect(mergePatchDiff(before, after)).toEqual({
      metadata: { labels: { y: null }, finalizers: ["a", "b"] },
      spec: { runStrategy: "Halted" },
    });
  });
  it("should replace a scalar with an object and remove a member that became undefined", () => {
    expect(mergePatchDiff({ a: 1, b: 2 }, { a: { c: 3 }, b: undefined })).toEqual({ a: { c: 3 }, b: null });
  });
});
