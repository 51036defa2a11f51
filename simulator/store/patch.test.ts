import { applyJsonPatch, applyMergePatch, JsonPatchError, mergePatchDiff } from "./patch";

describe("applyJsonPatch tests and errors", () => {
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
      new JsonPatchError("testing value /a failed: jsonpatch test operation does not apply"),
    );
  });
  it("should compare objects in a test whatever their key order", () => {
    const doc = { a: { x: 1, y: [1, { z: 2 }] } };
    expect(applyJsonPatch(doc, [{ op: "test", path: "/a", value: { y: [1, { z: 2 }], x: 1 } }])).toEqual(doc);
  });
  it("should treat a missing value as null in a test, as evanphx/json-patch does", () => {
    expect(applyJsonPatch({ s: {} }, [{ op: "test", path: "/s/x", value: null }])).toEqual({ s: {} });
    expect(applyJsonPatch({ s: { x: null } }, [{ op: "test", path: "/s/x" }])).toEqual({ s: { x: null } });
    expect(applyJsonPatch({ l: [] }, [{ op: "test", path: "/l/0", value: null }])).toEqual({ l: [] });
    expect(() => applyJsonPatch({ s: { x: 1 } }, [{ op: "test", path: "/s/x" }])).toThrow(
      "jsonpatch test operation does not apply",
    );
  });
  it("should fail a test on a missing member or a missing parent", () => {
    expect(() => applyJsonPatch({ s: {} }, [{ op: "test", path: "/s/x", value: 1 }])).toThrow(
      "jsonpatch test operation does not apply",
    );
    expect(() => applyJsonPatch({}, [{ op: "test", path: "/s/x", value: null }])).toThrow(
      new JsonPatchError("test operation does not apply: doc is missing path: /s/x"),
    );
  });
  it("should refuse to replace or remove a missing member", () => {
    expect(() =>
      applyJsonPatch({ spec: {} }, [{ op: "replace", path: "/spec/running", value: true }]),
    ).toThrow(new JsonPatchError("replace operation does not apply: doc is missing path: /spec/running"));
    expect(() => applyJsonPatch({ l: [1] }, [{ op: "remove", path: "/l/1" }])).toThrow(
      new JsonPatchError("remove operation does not apply: doc is missing path: /l/1"),
    );
  });
});

describe("applyJsonPatch operations", () => {
  it("should add, append and remove", () => {
    expect(
      applyJsonPatch({ l: [1], m: { x: 1 } }, [
        { op: "add", path: "/l/-", value: 2 },
        { op: "add", path: "/l/0", value: 0 },
        { op: "add", path: "/n", value: "v" },
        { op: "remove", path: "/m/x" },
      ]),
    ).toEqual({ l: [0, 1, 2], m: {}, n: "v" });
  });
  it("should refuse an array index past the end or that is not a number", () => {
    expect(() => applyJsonPatch({ l: [1] }, [{ op: "add", path: "/l/3", value: 2 }])).toThrow(JsonPatchError);
    expect(() => applyJsonPatch({ l: [1] }, [{ op: "replace", path: "/l/x", value: 2 }])).toThrow(
      JsonPatchError,
    );
  });
  it("should unescape ~1 and ~0 in paths, and move and copy", () => {
    expect(
      applyJsonPatch({ "a/b": 1, "c~d": 2 }, [
        { op: "replace", path: "/a~1b", value: 3 },
        { op: "copy", from: "/c~0d", path: "/e" },
        { op: "move", from: "/e", path: "/f~1g" },
      ]),
    ).toEqual({ "a/b": 3, "c~d": 2, "f/g": 2 });
  });
  it("should drop undefined members of values, as they are on the wire", () => {
    expect(applyJsonPatch({}, [{ op: "add", path: "/a", value: { b: undefined, c: 1 } }])).toEqual({
      a: { c: 1 },
    });
  });
  it("should not mutate its inputs", () => {
    const doc = { a: 1 };
    const value = { v: 1 };
    const out = applyJsonPatch(doc, [{ op: "replace", path: "/a", value }]);
    value.v = 2;
    expect(doc).toEqual({ a: 1 });
    expect(out).toEqual({ a: { v: 1 } });
  });
});

describe("applyMergePatch", () => {
  it("should merge objects, replace lists and delete nulls (RFC 7386)", () => {
    expect(
      applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2], k: 1 }, { a: { b: null, d: 3 }, l: [3], k: null }),
    ).toEqual({ a: { c: 2, d: 3 }, l: [3] });
  });
});

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
    const patch = mergePatchDiff(before, after);
    expect(patch).toEqual({
      metadata: { labels: { y: null }, finalizers: ["a", "b"] },
      spec: { runStrategy: "Halted" },
    });
    expect(applyMergePatch(before, patch)).toEqual(after);
  });
  it("should replace a scalar with an object and remove a member that became undefined", () => {
    expect(mergePatchDiff({ a: 1, b: 2 }, { a: { c: 3 }, b: undefined })).toEqual({ a: { c: 3 }, b: null });
  });
});
