import { batchesOf, planFleet, resolveMaxUnavailable, rollSummary } from "./fleet-plan";
import type { MaxUnavailable } from "./fleet";

describe("resolveMaxUnavailable", () => {
  // Kubernetes' Deployment: a percentage of the replicas rounded down; with maxSurge 0, at least 1.
  it.each<[MaxUnavailable, number, number]>([
    ["25%", 20, 5],
    ["25%", 10, 2], // 2.5 → 2
    ["25%", 3, 1], // 0.75 → 0 → 1
    ["25%", 0, 1],
    ["30%", 7, 2], // 2.1 → 2
    ["99%", 100, 99],
    ["100%", 20, 20],
    ["1%", 20, 1], // 0.2 → 0 → 1
    [5, 20, 5],
    [5, 3, 5], // larger than the fleet: one batch (see batchesOf)
    [1, 0, 1],
  ])("should resolve %j of %i VMs to %i", (given, size, expected) => {
    expect(resolveMaxUnavailable(given, size)).toBe(expected);
  });
});

describe("batchesOf", () => {
  it("should cut in order into batches of at most the size, the last one shorter", () => {
    expect(batchesOf(["a", "b", "c", "d", "e"], 2)).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(batchesOf(["a", "b"], 5)).toEqual([["a", "b"]]);
    expect(batchesOf([], 3)).toEqual([]);
  });
});

describe("planFleet", () => {
  it("should name count members <fleet>-<index> and cut them by maxUnavailable", () => {
    const plan = planFleet("web", { count: 20, maxUnavailable: 5 });
    expect(plan.members).toEqual(Array.from({ length: 20 }, (_, i) => `web-${i}`));
    expect(plan.batches.map((b) => b.length)).toEqual([5, 5, 5, 5]);
    expect(plan.batches[1]).toEqual(["web-5", "web-6", "web-7", "web-8", "web-9"]);
    expect(rollSummary(plan)).toBe("rolls 20 VMs in 4 batches of at most 5 (maxUnavailable 5)");
  });

  it("should default maxUnavailable to 25% and keep given names in their order", () => {
    const plan = planFleet("db", { names: ["db-c", "db-a", "db-b", "db-d", "db-e"] });
    expect(plan).toEqual({
      members: ["db-c", "db-a", "db-b", "db-d", "db-e"],
      requested: "25%",
      maxUnavailable: 1,
      batches: [["db-c"], ["db-a"], ["db-b"], ["db-d"], ["db-e"]],
    });
    expect(rollSummary(plan)).toBe("rolls 5 VMs in 5 batches of at most 1 (maxUnavailable 25%)");
  });

  it("should keep existing members in their batches when count grows (new ones go last)", () => {
    const before = planFleet("web", { count: 10, maxUnavailable: 4 }).batches;
    const after = planFleet("web", { count: 13, maxUnavailable: 4 }).batches;
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(after.slice(2)).toEqual([["web-8", "web-9", "web-10", "web-11"], ["web-12"]]);
  });

  it("should plan an empty fleet as no batches", () => {
    const plan = planFleet("none", { count: 0, maxUnavailable: "50%" });
    expect(plan.batches).toEqual([]);
    expect(rollSummary(plan)).toBe("rolls 0 VMs in 0 batches of at most 1 (maxUnavailable 50%)");
  });

  const ALLOWED =
    'expected a whole number of VMs, at least 1 (e.g. 5), or a percentage of the fleet from "1%" to "100%" (e.g. "25%")';

  it.each<[unknown, string]>([
    [0, "0"],
    [-2, "-2"],
    [2.5, "2.5"],
    [Number.NaN, "NaN"],
    ["30", '"30"'],
    ["0%", '"0%"'],
    ["150%", '"150%"'],
    ["12.5%", '"12.5%"'],
    [" 25%", '" 25%"'],
    [null, "null"],
    [{ percent: 25 }, "an object"],
  ])("should reject maxUnavailable %j, naming the field and what it allows", (given, shown) => {
    expect(() => planFleet("web", { count: 4, maxUnavailable: given })).toThrow(
      `VirtualMachineFleet web: maxUnavailable: ${shown} is not allowed; ${ALLOWED}`,
    );
  });

  it.each<[Record<string, unknown>, string]>([
    [{}, "count: give exactly one of `count` (members named <fleet name>-<index>) and `names`"],
    [{ count: 2, names: ["a"] }, "count: give exactly one of `count`"],
    [{ count: 1.5 }, "count: 1.5 is not allowed; expected a whole number of VMs, at least 0"],
    [{ count: "3" }, 'count: "3" is not allowed; expected a whole number of VMs, at least 0'],
    [{ names: "a,b" }, 'names: "a,b" is not allowed; expected a list of VirtualMachine names'],
    [{ names: ["a", 7] }, "names[1]: 7 is not allowed; expected a VirtualMachine name (a string)"],
    [{ names: ["a", "b", "a"] }, 'names[2]: "a" is listed twice'],
    [{ names: ["a", "Web_1"] }, 'names[1]: "Web_1": a lowercase RFC 1123 subdomain must consist of'],
    [{ count: 2, metadata: { name: "x" } }, "metadata.name: not allowed: the fleet names its members"],
  ])("should reject %j before anything is registered", (options, message) => {
    expect(() => planFleet("web", options)).toThrow(`VirtualMachineFleet web: ${message}`);
  });

  it("should reject a fleet name its members' names cannot be derived from, pointing at `names`", () => {
    expect(() => planFleet("WebFleet", { count: 3 })).toThrow(
      'VirtualMachineFleet WebFleet: count: the members\' names ("WebFleet-0" ... "WebFleet-2", the fleet\'s name and an index) must be VirtualMachine names: a lowercase RFC 1123 subdomain',
    );
    // The longest derived name decides: 251 characters plus "-9" fit in 253, plus "-10" do not.
    const long = "a".repeat(251);
    expect(planFleet(long, { count: 10 }).members).toHaveLength(10);
    expect(() => planFleet(long, { count: 11 })).toThrow(
      /count: the members' names .* must be no more than 253/,
    );
  });

  it("should report every bad field at once: bad values first, then conflicts and names", () => {
    expect(() => planFleet("web", { count: -1, names: ["a"], maxUnavailable: 0 })).toThrow(
      /^VirtualMachineFleet web: count: -1 is not allowed; .*; maxUnavailable: 0 is not allowed; [^;]*$/,
    );
    expect(() => planFleet("web", { names: ["a", "a"], metadata: { name: "x" } })).toThrow(
      'VirtualMachineFleet web: metadata.name: not allowed: the fleet names its members (`count` or `names`); names[1]: "a" is listed twice',
    );
  });
});
