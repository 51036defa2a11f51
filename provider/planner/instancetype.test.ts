import type { RestartPolicy } from "../../sdk/enums";
import { declared, desired, liveVm, liveVmi, summarize } from "../../tests/support/planner-fixtures";
import type { MatcherManifest } from "../model/manifest";
import type { Plan } from "./actions";
import { plan } from "./plan";

/** A running Always VM whose live spec has `live` as its instance type, updated from `before` to `after`. */
function planChange(
  live: Record<string, unknown> | undefined,
  before: MatcherManifest | undefined,
  after: MatcherManifest | undefined,
  restartPolicy: RestartPolicy = "IfRequired",
): Plan {
  const vm = liveVm("Always");
  if (live) vm.spec.instancetype = live;
  const previous = declared("Always");
  if (before) previous.manifest.spec.instancetype = before;
  const want = desired("Always", undefined, { restartPolicy });
  if (after) want.manifest.spec.instancetype = after;
  return plan({ desired: want, previous, observed: { vm, vmi: liveVmi("Running") } });
}

const patchOps = (p: Plan) => p.actions.flatMap((a) => (a.kind === "patch" ? a.ops : []));

describe("plan: instance type changes (docs/kubevirt-behaviour.md §10)", () => {
  const pinned = { name: "u1.small", revisionName: "vm1-u1.small-abc-1" };

  it("should keep the revision KubeVirt pinned while the instance type stays the same", () => {
    const p = planChange(pinned, { name: "u1.small" }, { name: "u1.small" });
    expect(summarize(p)).toBe("-");
  });

  it("should replace a changed instance type whole, dropping the old revision, and restart as for a template", () => {
    const p = planChange(pinned, { name: "u1.small" }, { name: "u1.large" });
    expect(summarize(p)).toBe("patch(instancetype) → restart-if-required → wait(Ready, new instance)");
    expect(patchOps(p)).toEqual([
      { op: "test", path: "/spec/instancetype", value: pinned },
      { op: "replace", path: "/spec/instancetype", value: { name: "u1.large" } },
    ]);
    expect(p.actions.find((a) => a.kind === "restart")).toMatchObject({
      reason: "instancetype changed, restartPolicy IfRequired",
    });
  });

  it("should treat a change of kind as a change of instance type", () => {
    const p = planChange(
      pinned,
      { name: "u1.small" },
      { name: "u1.small", kind: "VirtualMachineInstancetype" },
    );
    expect(patchOps(p).at(-1)).toEqual({
      op: "replace",
      path: "/spec/instancetype",
      value: { name: "u1.small", kind: "VirtualMachineInstancetype" },
    });
  });

  it("should add an instance type and remove one no longer declared", () => {
    expect(patchOps(planChange(undefined, undefined, { name: "u1.small" }))).toEqual([
      { op: "add", path: "/spec/instancetype", value: { name: "u1.small" } },
    ]);
    expect(patchOps(planChange(pinned, { name: "u1.small" }, undefined))).toEqual([
      { op: "test", path: "/spec/instancetype", value: pinned },
      { op: "remove", path: "/spec/instancetype" },
    ]);
  });

  it.each([
    ["Always", "patch(instancetype) → restart → wait(Ready, new instance)", []],
    [
      "Never",
      "patch(instancetype)",
      ["instancetype changed; vm1 keeps running the old settings until restarted (restartPolicy Never)"],
    ],
  ] as const)("should follow restartPolicy %s", (policy, expected, notes) => {
    const p = planChange(pinned, { name: "u1.small" }, { name: "u1.large" }, policy);
    expect(summarize(p)).toBe(expected);
    expect(p.notes).toEqual(notes);
  });
});
