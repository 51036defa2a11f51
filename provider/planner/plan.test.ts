import { join } from "node:path";
import {
  declared,
  desired,
  liveVm,
  liveVmi,
  summarize,
  type VmiState,
} from "../../tests/support/planner-fixtures";
import { readGolden } from "../../tests/support/golden";
import type { PowerState } from "../../sdk/enums";
import { describeAction, powerActions, type Plan } from "./actions";
import { ADOPTED_ANNOTATION, plan } from "./plan";

const STRATEGIES = ["Always", "RerunOnFailure", "Once", "Manual", "Halted"] as const;

/** The instance a VM of that strategy normally has: Halted has none, the others run. */
const NATURAL_VMI: Record<string, VmiState> = {
  Always: "Running",
  RerunOnFailure: "Running",
  Once: "Running",
  Manual: "Running",
  Halted: "none",
};

describe("plan: strategy moves (KubeVirt's start/stop/restart table, docs/kubevirt-behaviour.md §1.7)", () => {
  // Each row: live strategy (its VM in its natural state: running, or stopped for Halted), declared
  // strategy → the plan. Halted → Always is a start, Always → Halted is a stop (both rewrite the strategy
  // as KubeVirt's table says); every other move patches spec.runStrategy, and KubeVirt's controller then
  // starts or stops the VM, which the plan waits for.
  const rows: [string, string, string][] = [
    ["Always", "Always", "-"],
    ["Always", "RerunOnFailure", "patch(runStrategy Always → RerunOnFailure) → wait(Ready)"],
    ["Always", "Once", "patch(runStrategy Always → Once)"],
    ["Always", "Manual", "patch(runStrategy Always → Manual)"],
    ["Always", "Halted", "stop → wait(Stopped)"],
    ["RerunOnFailure", "Always", "patch(runStrategy RerunOnFailure → Always) → wait(Ready)"],
    ["RerunOnFailure", "RerunOnFailure", "-"],
    ["RerunOnFailure", "Once", "patch(runStrategy RerunOnFailure → Once)"],
    ["RerunOnFailure", "Manual", "patch(runStrategy RerunOnFailure → Manual)"],
    ["RerunOnFailure", "Halted", "patch(runStrategy RerunOnFailure → Halted) → wait(Stopped)"],
    ["Once", "Always", "patch(runStrategy Once → Always) → wait(Ready)"],
    ["Once", "RerunOnFailure", "patch(runStrategy Once → RerunOnFailure) → wait(Ready)"],
    ["Once", "Once", "-"],
    ["Once", "Manual", "patch(runStrategy Once → Manual)"],
    ["Once", "Halted", "patch(runStrategy Once → Halted) → wait(Stopped)"],
    ["Manual", "Always", "patch(runStrategy Manual → Always) → wait(Ready)"],
    ["Manual", "RerunOnFailure", "patch(runStrategy Manual → RerunOnFailure) → wait(Ready)"],
    ["Manual", "Once", "patch(runStrategy Manual → Once)"],
    ["Manual", "Manual", "-"],
    ["Manual", "Halted", "patch(runStrategy Manual → Halted) → wait(Stopped)"],
    ["Halted", "Always", "start → wait(Ready)"],
    ["Halted", "RerunOnFailure", "patch(runStrategy Halted → RerunOnFailure) → wait(Ready)"],
    ["Halted", "Once", "patch(runStrategy Halted → Once) → wait(Ready or finished)"],
    ["Halted", "Manual", "patch(runStrategy Halted → Manual)"],
    ["Halted", "Halted", "-"],
  ];

  it.each(rows)("should plan %s → %s as: %s", (from, to, expected) => {
    const p = plan({
      desired: desired(to),
      previous: declared(from),
      observed: { vm: liveVm(from), vmi: liveVmi(NATURAL_VMI[from]) },
    });
    expect(summarize(p)).toBe(expected);
  });
});

describe("plan: power under Manual and RerunOnFailure (status-only power state)", () => {
  const rows: [string, PowerState | undefined, VmiState, string][] = [
    ["Manual", "Running", "none", "start → wait(Ready)"],
    ["Manual", "Running", "Succeeded", "start → wait(Ready)"],
    ["Manual", "Running", "Failed", "start → wait(Ready)"],
    ["Manual", "Running", "Running", "-"],
    ["Manual", "Stopped", "Running", "stop → wait(Stopped)"],
    ["Manual", "Stopped", "Scheduling", "stop → wait(Stopped)"],
    ["Manual", "Stopped", "none", "-"],
    ["Manual", undefined, "none", "-"],
    ["Manual", undefined, "Running", "-"],
    ["RerunOnFailure", "Running", "none", "start → wait(Ready)"],
    ["RerunOnFailure", "Running", "Succeeded", "start → wait(Ready)"],
    ["RerunOnFailure", "Running", "Failed", "wait(Ready)"],
    ["RerunOnFailure", "Stopped", "Running", "stop → wait(Stopped)"],
    ["RerunOnFailure", undefined, "Succeeded", "-"],
    ["Always", "Running", "Succeeded", "wait(Ready)"],
    ["Always", "Running", "none", "wait(Ready)"],
    ["Halted", "Stopped", "Running", "wait(Stopped)"],
    ["Once", undefined, "Succeeded", "-"],
  ];

  it.each(rows)(
    "should plan %s with powerState %s and instance %s as: %s",
    (strategy, power, vmi, expected) => {
      const p = plan({
        desired: desired(strategy, power),
        previous: declared(strategy, power),
        observed: { vm: liveVm(strategy), vmi: liveVmi(vmi) },
      });
      expect(summarize(p)).toBe(expected);
    },
  );
});

describe("plan: creation", () => {
  const rows: [string, PowerState | undefined, string][] = [
    ["Always", "Running", "create → wait(Ready)"],
    ["RerunOnFailure", undefined, "create → wait(Ready)"],
    ["RerunOnFailure", "Stopped", "create → wait(instance) → stop → wait(Stopped)"],
    ["Once", undefined, "create → wait(Ready or finished)"],
    ["Manual", "Running", "create → start → wait(Ready)"],
    ["Manual", "Stopped", "create"],
    ["Manual", undefined, "create"],
    ["Halted", "Stopped", "create"],
  ];

  it.each(rows)("should create %s (powerState %s) as: %s", (strategy, power, expected) => {
    expect(summarize(plan({ desired: desired(strategy, power), observed: {} }))).toBe(expected);
  });

  it("should wait for the disks of a VM with DataVolume templates that does not start (§11.1)", () => {
    const withDisks = (strategy: string, power?: PowerState) => {
      const d = desired(strategy, power);
      d.manifest.spec.dataVolumeTemplates = [{ metadata: { name: "root" }, spec: {} }];
      return summarize(plan({ desired: d, observed: {} }));
    };
    expect(withDisks("Halted", "Stopped")).toBe("create → wait(disks)");
    expect(withDisks("Manual", "Stopped")).toBe("create → wait(disks)");
    // A VM that starts waits for its instance, which KubeVirt creates only once the disks are ready.
    expect(withDisks("Always", "Running")).toBe("create → wait(Ready)");
  });
});

describe("plan: the strategy a wait knows", () => {
  it.each(["Always", "RerunOnFailure", "Once", "Manual"])(
    "should wait for a new %s VM under that strategy",
    (strategy) => {
      const p = plan({ desired: desired(strategy, "Running"), observed: {} });
      expect(p.actions.at(-1)).toMatchObject({ kind: "wait", target: { state: "running", strategy } });
    },
  );

  it("should wait for a restart under the live strategy when its drift is left alone", () => {
    const p = plan({
      desired: desired("Always", "Running", { powerDrift: "Ignore", restartTrigger: "2" }),
      previous: declared("Always", "Running", { restartTrigger: "1" }),
      observed: { vm: liveVm("Manual"), vmi: liveVmi("Running") },
    });
    expect(summarize(p)).toBe("restart → wait(Ready, new instance)");
    expect(p.actions[1]).toMatchObject({ target: { strategy: "Manual", newerThanUid: "vmi-1" } });
  });
});

describe("plan: out-of-band power changes", () => {
  // Each row: the declaration now (strategy, powerState, powerDrift) and at the last update, the live
  // strategy and instance, then the plan and its notes.
  type Row = [
    string,
    [string, PowerState, "Correct" | "Ignore"],
    [string, PowerState],
    [string, VmiState],
    string,
    string[],
  ];
  const rows: Row[] = [
    [
      "should start an Always VM that virtctl stopped (spec rewritten to Halted)",
      ["Always", "Running", "Correct"],
      ["Always", "Running"],
      ["Halted", "none"],
      "start → wait(Ready)",
      [],
    ],
    [
      "should leave it stopped and say so with powerDrift Ignore",
      ["Always", "Running", "Ignore"],
      ["Always", "Running"],
      ["Halted", "none"],
      "-",
      ["runStrategy is Halted on the cluster, Always in the program; left alone (powerDrift Ignore)"],
    ],
    [
      "should still act on a declared change with powerDrift Ignore",
      ["Halted", "Stopped", "Ignore"],
      ["Always", "Running"],
      ["Always", "Running"],
      "stop → wait(Stopped)",
      [],
    ],
    [
      "should not start a Manual VM stopped out of band when powerDrift is Ignore",
      ["Manual", "Running", "Ignore"],
      ["Manual", "Running"],
      ["Manual", "none"],
      "-",
      ["vm1 is stopped, powerState says Running; left alone (powerDrift Ignore)"],
    ],
  ];

  it.each(rows)("%s", (_title, [strategy, power, powerDrift], before, [live, vmi], expected, notes) => {
    const p = plan({
      desired: desired(strategy, power, { powerDrift }),
      previous: declared(...before),
      observed: { vm: liveVm(live), vmi: liveVmi(vmi) },
    });
    expect(summarize(p)).toBe(expected);
    expect(p.notes).toEqual(notes);
  });
});

describe("plan: powerState Paused (docs/kubevirt-behaviour.md §1.8)", () => {
  it.each<[string, PowerState, string]>([
    ["Always", "Paused", "create → wait(Running) → pause → wait(Paused)"],
    ["RerunOnFailure", "Paused", "create → wait(Running) → pause → wait(Paused)"],
    ["Once", "Paused", "create → wait(Running or finished) → pause → wait(Paused)"],
    ["Manual", "Paused", "create → start → wait(Running) → pause → wait(Paused)"],
  ])("should create %s with powerState %s as: %s", (strategy, power, expected) => {
    expect(summarize(plan({ desired: desired(strategy, power), observed: {} }))).toBe(expected);
  });

  // Each row: strategy, powerState before and now, the instance → the plan.
  it.each<[string, PowerState, PowerState, VmiState, string]>([
    ["Manual", "Running", "Paused", "Running", "pause → wait(Paused)"],
    ["Manual", "Paused", "Running", "Paused", "unpause → wait(unpaused) → wait(Ready)"],
    ["Manual", "Stopped", "Paused", "none", "start → wait(Running) → pause → wait(Paused)"],
    ["Manual", "Paused", "Stopped", "Paused", "stop → wait(Stopped)"],
    // KubeVirt pauses only a VMI in phase Running: one that is still starting is waited for first.
    ["Manual", "Stopped", "Paused", "Scheduling", "wait(Running) → pause → wait(Paused)"],
    ["Manual", "Paused", "Paused", "Paused", "-"],
    ["Always", "Running", "Paused", "Running", "pause → wait(Paused)"],
    ["Always", "Paused", "Running", "Paused", "unpause → wait(unpaused) → wait(Ready)"],
    ["RerunOnFailure", "Paused", "Paused", "Succeeded", "start → wait(Running) → pause → wait(Paused)"],
    ["Once", "Running", "Paused", "Running", "pause → wait(Paused)"],
    ["Once", "Paused", "Paused", "Succeeded", "-"],
  ])(
    "should plan %s with powerState %s → %s and instance %s as: %s",
    (strategy, before, now, vmi, expected) => {
      const p = plan({
        desired: desired(strategy, now),
        previous: declared(strategy, before),
        observed: { vm: liveVm(strategy), vmi: liveVmi(vmi) },
      });
      expect(summarize(p)).toBe(expected);
    },
  );

  it("should say what it pauses and unpauses in preview words", () => {
    const pause = plan({
      desired: desired("Manual", "Paused"),
      previous: declared("Manual", "Running"),
      observed: { vm: liveVm("Manual"), vmi: liveVmi("Running") },
    });
    expect(powerActions(pause).map((a) => describeAction(a, "vm1"))).toEqual([
      "will pause vm1 (powerState Paused)",
    ]);
    const unpause = plan({
      desired: desired("Always", "Running"),
      previous: declared("Manual", "Paused"),
      observed: { vm: liveVm("Manual"), vmi: liveVmi("Paused") },
    });
    expect(powerActions(unpause).map((a) => describeAction(a, "vm1"))).toEqual([
      "will unpause vm1 (runStrategy Manual → Always, powerState Running)",
    ]);
  });

  it.each<[string, PowerState, VmiState, "Correct" | "Ignore", string, string[]]>([
    // Unpaused behind Pulumi's back: paused again, as a stopped VM is started again.
    ["Manual", "Paused", "Running", "Correct", "pause → wait(Paused)", []],
    ["Always", "Paused", "Running", "Correct", "pause → wait(Paused)", []],
    [
      "Manual",
      "Paused",
      "Running",
      "Ignore",
      "-",
      ["vm1 is running, powerState says Paused; left alone (powerDrift Ignore)"],
    ],
    // Paused behind Pulumi's back.
    ["Always", "Running", "Paused", "Correct", "unpause → wait(unpaused) → wait(Ready)", []],
    [
      "Always",
      "Running",
      "Paused",
      "Ignore",
      "-",
      ["vm1 is paused, powerState says Running; left alone (powerDrift Ignore)"],
    ],
  ])(
    "should handle a %s VM with powerState %s found %s out of band, powerDrift %s, as: %s",
    (strategy, power, vmi, powerDrift, expected, notes) => {
      const p = plan({
        desired: desired(strategy, power, { powerDrift }),
        previous: declared(strategy, power),
        observed: { vm: liveVm(strategy), vmi: liveVmi(vmi) },
      });
      expect(summarize(p)).toBe(expected);
      expect(p.notes).toEqual(notes);
    },
  );

  it("should pause the new instance after a restart, even when drift is left alone", () => {
    const p = plan({
      desired: desired("Manual", "Paused", { restartTrigger: "2", powerDrift: "Ignore" }),
      previous: declared("Manual", "Paused", { restartTrigger: "1" }),
      observed: { vm: liveVm("Manual"), vmi: liveVmi("Paused") },
    });
    expect(summarize(p)).toBe("restart → wait(Running, new instance) → pause → wait(Paused)");
  });

  it("should wait for an instance that stays paused until phase Running only (a paused guest is never Ready)", () => {
    const p = plan({
      desired: desired("RerunOnFailure"),
      previous: declared("Always"),
      observed: { vm: liveVm("Always"), vmi: liveVmi("Paused") },
    });
    expect(summarize(p)).toBe("patch(runStrategy Always → RerunOnFailure) → wait(Running)");
  });
});

describe("plan: template changes and restarts", () => {
  const newTemplate = { spec: { domain: { devices: {}, memory: { guest: "2Gi" } } } };

  it.each([
    ["IfRequired", "patch(template) → restart-if-required → wait(Ready, new instance)"],
    ["Always", "patch(template) → restart → wait(Ready, new instance)"],
    ["Never", "patch(template)"],
  ] as const)(
    "should handle a template change of a running VM with restartPolicy %s as: %s",
    (policy, expected) => {
      const p = plan({
        desired: desired("Always", "Running", { template: newTemplate, restartPolicy: policy }),
        previous: declared("Always", "Running"),
        observed: { vm: liveVm("Always"), vmi: liveVmi("Running") },
      });
      expect(summarize(p)).toBe(expected);
      const restart = p.actions.find((a) => a.kind === "wait" && a.target.state === "running");
      if (policy !== "Never") expect(restart).toMatchObject({ target: { newerThanUid: "vmi-1" } });
    },
  );

  it("should restart when restartTrigger changes, keeping the strategy", () => {
    const p = plan({
      desired: desired("Manual", "Running", { restartTrigger: "2" }),
      previous: declared("Manual", "Running", { restartTrigger: "1" }),
      observed: { vm: liveVm("Manual"), vmi: liveVmi("Running") },
    });
    expect(summarize(p)).toBe("restart → wait(Ready, new instance)");
  });

  it("should restart a VM that KubeVirt marks RestartRequired under restartPolicy IfRequired", () => {
    const p = plan({
      desired: desired("Always", "Running"),
      previous: declared("Always", "Running"),
      observed: {
        vm: liveVm("Always", { conditions: [{ type: "RestartRequired", status: "True" }] }),
        vmi: liveVmi("Running"),
      },
    });
    expect(summarize(p)).toBe("restart → wait(Ready, new instance)");
  });

  it("should not restart a stopped VM whose template changed", () => {
    const p = plan({
      desired: desired("Halted", "Stopped", { template: newTemplate, restartPolicy: "Always" }),
      previous: declared("Halted", "Stopped"),
      observed: { vm: liveVm("Halted"), vmi: undefined },
    });
    expect(summarize(p)).toBe("patch(template)");
  });

  it("should explain that a Once VM cannot be restarted", () => {
    const p = plan({
      desired: desired("Once", undefined, { restartTrigger: "b" }),
      previous: declared("Once", undefined, { restartTrigger: "a" }),
      observed: { vm: liveVm("Once"), vmi: liveVmi("Running") },
    });
    expect(summarize(p)).toBe("-");
    expect(p.notes).toEqual(["vm1 cannot be restarted under runStrategy Once (restartTrigger changed)"]);
  });

  it("should keep server-set template fields such as the firmware UUID", () => {
    const live = liveVm("Always", {
      template: { spec: { domain: { devices: {}, firmware: { uuid: "abc" } } } },
    });
    const p = plan({
      desired: desired("Always", "Running", { template: newTemplate, restartPolicy: "Never" }),
      previous: declared("Always", "Running"),
      observed: { vm: live, vmi: liveVmi("Running") },
    });
    const patch = p.actions[0];
    expect(patch).toMatchObject({ kind: "patch" });
    const replace = patch.kind === "patch" ? patch.ops.find((o) => o.op === "replace") : undefined;
    expect(replace?.value).toEqual({
      spec: { domain: { devices: {}, firmware: { uuid: "abc" }, memory: { guest: "2Gi" } } },
    });
  });

  it("should plan nothing when only server defaults differ from the declaration", () => {
    const live = liveVm("Always", {
      template: { spec: { domain: { devices: {}, firmware: { uuid: "abc" } } } },
    });
    const p = plan({
      desired: desired("Always", "Running"),
      previous: declared("Always", "Running"),
      observed: { vm: live, vmi: liveVmi("Running") },
    });
    expect(summarize(p)).toBe("-");
  });
});

describe("plan: JSON patches", () => {
  it("should test the current runStrategy before replacing it", () => {
    const p = plan({
      desired: desired("Manual"),
      previous: declared("Halted", "Stopped"),
      observed: { vm: liveVm("Halted"), vmi: undefined },
    });
    expect(p.actions[0]).toEqual({
      kind: "patch",
      ops: [
        { op: "test", path: "/spec/runStrategy", value: "Halted" },
        { op: "replace", path: "/spec/runStrategy", value: "Manual" },
      ],
      changes: ["runStrategy Halted → Manual"],
    });
  });

  it("should move a VM from the deprecated running field to runStrategy", () => {
    const p = plan({
      desired: desired("Manual", "Running"),
      previous: declared("Always", "Running"),
      observed: { vm: liveVm("Always", { running: true }), vmi: liveVmi("Running") },
    });
    expect(p.actions[0]).toMatchObject({
      ops: [
        { op: "test", path: "/spec/running", value: true },
        { op: "remove", path: "/spec/running" },
        { op: "add", path: "/spec/runStrategy", value: "Manual" },
      ],
    });
  });

  it("should record an adoption on the VM", () => {
    const p = plan({
      desired: desired("Always", "Running"),
      observed: { vm: liveVm("Always"), vmi: liveVmi("Running") },
      adoptedAt: "2026-11-25T00:00:00Z",
    });
    expect(p.actions[0]).toMatchObject({
      kind: "patch",
      ops: [
        { op: "add", path: "/metadata/annotations", value: { [ADOPTED_ANNOTATION]: "2026-11-25T00:00:00Z" } },
      ],
    });
  });
});

// Every combination (declared before × declared now × power × instance state), against a reviewed golden
// file. Run with UPDATE_GOLDEN=1 to rewrite it after a deliberate change, then review the diff; a missing
// golden file fails.
describe("plan: every transition", () => {
  const golden = join(__dirname, "testdata", "transitions.golden.txt");
  /** The powerState inputs `check` accepts with each strategy, besides none (stated here, not derived). */
  const POWER_STATES: Record<string, PowerState[]> = {
    Always: ["Running", "Paused"],
    RerunOnFailure: ["Running", "Stopped", "Paused"],
    Once: ["Running", "Paused"],
    Manual: ["Running", "Stopped", "Paused"],
    Halted: ["Stopped"],
  };
  const states: VmiState[] = ["none", "Running", "Paused", "Succeeded", "Failed"];

  /** Every combination the checked inputs allow, with its plan. */
  function transitions(): { from: string; to: string; power?: PowerState; state: VmiState; plan: Plan }[] {
    const out: { from: string; to: string; power?: PowerState; state: VmiState; plan: Plan }[] = [];
    for (const from of STRATEGIES)
      for (const to of STRATEGIES)
        for (const power of [undefined, ...POWER_STATES[to]]) {
          for (const state of states) {
            const p = plan({
              desired: desired(to, power),
              previous: declared(from),
              observed: { vm: liveVm(from), vmi: liveVmi(state) },
            });
            out.push({ from, to, power, state, plan: p });
          }
        }
    return out;
  }

  function table(): string {
    const lines = ["# from | to | powerState | instance => plan"];
    for (const t of transitions()) {
      lines.push(`${t.from} | ${t.to} | ${t.power ?? "-"} | ${t.state} => ${summarize(t.plan)}`);
    }
    return lines.join("\n") + "\n";
  }

  // A wait judges an instance that ends by the strategy KubeVirt applies meanwhile: the declared one here.
  it("should tell every wait for a running VM the strategy KubeVirt applies", () => {
    const strategies = transitions().flatMap(({ to, plan: p }) =>
      p.actions.flatMap((a) =>
        a.kind === "wait" && a.target.state === "running" ? [[to, a.target.strategy]] : [],
      ),
    );
    expect(strategies.length).toBeGreaterThan(0);
    expect(strategies.map(([, strategy]) => strategy)).toEqual(strategies.map(([to]) => to));
  });

  it("should match the reviewed table of all transitions", () => {
    const actual = table();
    expect(actual).toBe(readGolden(golden, actual));
  });

  // KubeVirt answers 409 "VM is already running" / "VM is not running" to these; the planner must not rely on it.
  it("should never start a VM that runs, nor stop a stopped VM whose strategy keeps it stopped", () => {
    for (const line of table().split("\n").slice(1, -1)) {
      const [, from, state, result] = /^(\w+) .*\| (\w+) => (.*)$/.exec(line)!;
      const running = state === "Running" || state === "Paused";
      if (running) expect(result).not.toMatch(/(^|→ )start/);
      // A stop of a stopped VM only after waiting for KubeVirt to start it (RerunOnFailure starts by itself).
      // (A stop of an Always VM is allowed: KubeVirt then rewrites its strategy to Halted.)
      if (state === "none" && from !== "Always") {
        expect(result.replace("wait(instance) → stop", "")).not.toMatch(/(^|→ )stop/);
      }
    }
  });
});
