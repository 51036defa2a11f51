import { StatusError } from "../store/types";
import { applyJsonPatch, parseJsonPatch } from "./patch";

describe("applyJsonPatch", () => {
  const doc = { a: { b: [1, 2] }, c: "x" };

  it("should apply add, remove, replace, move, copy and test", () => {
    const out = applyJsonPatch(doc, [
      { op: "test", path: "/c", value: "x" },
      { op: "add", path: "/a/b/-", value: 3 },
      { op: "add", path: "/a/b/0", value: 0 },
      { op: "remove", path: "/a/b/1" },
      { op: "replace", path: "/c", value: "y" },
      { op: "copy", from: "/c", path: "/d" },
      { op: "move", from: "/d", path: "/e~1f" },
    ]);
    expect(out).toEqual({ a: { b: [0, 2, 3] }, c: "y", "e/f": "y" });
    expect(doc).toEqual({ a: { b: [1, 2] }, c: "x" });
  });

  it("should answer 422 like kube-apiserver when a test fails or a path is missing", () => {
    for (const op of [
      { op: "test" as const, path: "/c", value: "nope" },
      { op: "test" as const, path: "/missing", value: 1 },
      { op: "replace" as const, path: "/missing", value: 1 },
      { op: "remove" as const, path: "/a/b/5" },
    ]) {
      let err: unknown;
      try {
        applyJsonPatch(doc, [op]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StatusError);
      expect(err).toMatchObject({
        code: 422,
        reason: "Invalid",
        message: "the server rejected our request due to an error in our request",
      });
    }
  });

  it("should answer 400 for a body that is not a list of operations", () => {
    expect(() => parseJsonPatch("{}")).toThrow(StatusError);
    expect(() => parseJsonPatch("nope")).toThrow(StatusError);
  });
});
