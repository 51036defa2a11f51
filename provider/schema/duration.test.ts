import {
  formatDuration,
  MAX_TIMEOUT_SECONDS,
  parseDuration,
  tryParseDuration,
  tooLongDurationMessage,
} from "./duration";

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

describe("the longest timeout", () => {
  it("should be what a JavaScript timer can hold, 2^31 - 1 milliseconds", () => {
    expect(MAX_TIMEOUT_SECONDS * 1000).toBe(2 ** 31 - 1);
  });

  it.each([
    [MAX_TIMEOUT_SECONDS, "596h31m23s"],
    [5400, "1h30m"],
    [90, "1m30s"],
    [1.5, "1s"],
    [0, "0s"],
  ])("should format %d seconds as %j", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("should say in the message how long the longest timeout is", () => {
    expect(tooLongDurationMessage("720h")).toBe(
      '"720h" is longer than the longest supported timeout (596h31m23s)',
    );
  });
});
