import { closestKey, editDistance } from "./closest";

describe("editDistance", () => {
  it.each([
    ["runStrategy", "runstrategy", 0],
    ["name", "nmae", 1],
    ["waitFor", "waitFr", 1],
    ["timeouts", "timeout", 1],
    ["adopt", "adapt", 1],
    ["kubeconfig", "", 10],
    ["labels", "annotations", 9],
  ])("should put %j and %j %d edits apart", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe("closestKey", () => {
  const keys = ["metadata", "runStrategy", "running", "powerState", "waitFor", "timeouts", "metadata.name"];

  it.each([
    ["runstrategy", "runStrategy"],
    ["runing", "running"],
    ["powerstate", "powerState"],
    ["timeout", "timeouts"],
    ["metdata", "metadata"],
    ["name", "metadata.name"],
    ["nmae", "metadata.name"],
  ])("should suggest for %j the key %j", (key, expected) => {
    expect(closestKey(key, keys)).toBe(expected);
  });

  it.each(["colour", "x", "strategy", "power"])("should suggest nothing for %j", (key) => {
    expect(closestKey(key, keys)).toBeUndefined();
  });

  it("should prefer the closer of two candidates, and the first of equally close ones", () => {
    expect(closestKey("runnin", ["runStrategy", "running"])).toBe("running");
    expect(closestKey("ab", ["aa", "bb"])).toBe("aa");
  });
});
