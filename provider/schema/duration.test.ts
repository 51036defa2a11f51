import { parseDuration, tryParseDuration } from "./duration";

describe("parseDuration", () => {
  it.each([
    ["90s", 90],
    ["10m", 600],
    ["1h30m", 5400],
    ["1h30m15s", 5415],
    ["1.5h", 5400],
    ["300ms", 0.3],
    ["1500ms", 1.5],
    ["2us", 0.000002],
    ["2µs", 0.000002],
    ["5ns", 0.000000005],
    [".5m", 30],
    ["0", 0],
    ["0s", 0],
  ])("should parse %j as %d seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["", "10", "1d", "-5s", "+5s", "m", "1h 30m", "1H", "5 s", "1.2.3s", "s10"])(
    "should reject %j with a message naming Go-style durations",
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        `${JSON.stringify(text)} is not a duration (use a Go-style duration such as "90s", "10m" or "1h30m")`,
      );
    },
  );

  it("should return undefined from tryParseDuration instead of throwing", () => {
    expect(tryParseDuration("soon")).toBeUndefined();
    expect(tryParseDuration("2m")).toBe(120);
  });
});
