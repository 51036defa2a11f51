import * as pulumi from "@pulumi/pulumi";
import { containsUnknown, isUnknown, UNKNOWN } from "./unknown";

describe("UNKNOWN", () => {
  it("should equal the Pulumi SDK's unknown sentinel", () => {
    expect(UNKNOWN).toBe(pulumi.runtime.unknownValue);
  });
});

describe("containsUnknown", () => {
  it("should find the sentinel at any depth", () => {
    expect(isUnknown(UNKNOWN)).toBe(true);
    expect(containsUnknown({ a: [{ b: UNKNOWN }] })).toBe(true);
    expect(containsUnknown({ a: [{ b: "known" }], c: null })).toBe(false);
  });
});
