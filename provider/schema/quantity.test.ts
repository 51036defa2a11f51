import { canonicalQuantity } from "./quantity";

describe("canonicalQuantity", () => {
  it.each([
    [0, "0"],
    [1, "1"],
    [1500, "1500"],
    [1000, "1k"],
    [1073741824, "1073741824"],
    [2e9, "2G"],
    [0.5, "500m"],
    [0.3, "300m"],
    [123.456, "123456m"],
    [1e-7, "100n"],
    [1e-9, "1n"],
    [1.5e-10, "1n"],
    [1e18, "1E"],
    [1e21, "1000E"],
    [-0.5, "-500m"],
  ])("should write %d as %s, as Kubernetes does", (value, text) => {
    expect(canonicalQuantity(value)).toBe(text);
  });
});
