import { StatusError, type KubeObject } from "../store/types";
import { applyJsonPatch } from "../store/patch";
import {
  planRestart,
  planStart,
  planStop,
  planPause,
  planUnpause,
  executePlan,
  storeApplier,
  type Plan,
} from "./subresources";
import { TestHost } from "./test-host";
import { VM_KEY, VMI_KEY, type StateChangeRequest } from "./api";

type Spec = { runStrategy?: string; running?: boolean };

function vm(spec: Spec, status: Record<string, unknown> = { printableStatus: "Stopped" }): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: "vm1", namespace: "default", uid: "vm-uid", generation: 1 },
    spec: { ...spec, template: { spec: {} } },
    status,
  };
}
function vmi(phase: string | undefined, tgps?: number): KubeObject | undefined {
  if (phase === undefined) return undefined;
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { name: "vm1", namespace: "default", uid: "vmi-uid" },
    spec: tgps === undefined ? {} : { terminationGracePeriodSeconds: tgps },
    status: phase === "" ? {} : { phase },
  };
}

/** A one-line summary of what a handler does: "409 <msg>" or "202 <changes>". */
function outcome(run: () => Plan, theVm: KubeObject, theVmi?: KubeObject): string {
  let plan: Plan;
  try {
    plan = run();
  } catch (e) {
    if (e instanceof StatusError)
      return `${e.code} ${e.message.replace(/^Operation cannot be fulfilled on virtualmachine.kubevirt.io "vm1": /, "")}`;
    throw e;
  }
  const parts: string[] = [];
  for (const step of plan.steps) {
    if (step.target === "vmi") {
      const out = applyJsonPatch(theVmi!, step.ops);
      parts.push(`vmi.tgps=${String(out.spec?.terminationGracePeriodSeconds)}`);
    } else if (step.target === "vmSpec") {
      const out = applyJsonPatch(theVm, step.ops);
      parts.push(
        out.spec?.runStrategy !== undefined
          ? `runStrategy=${String(out.spec.runStrategy)}`
          : `running=${String(out.spec?.running)}`,
      );
    } else {
      const out = applyJsonPatch(theVm, step.ops);
      const scr = (out.status?.stateChangeRequests as StateChangeRequest[]).map(
        (r) => `${r.action}${r.uid ? "{uid}" : ""}${r.data?.paused ? "{paused}" : ""}`,
      );
      parts.push(`SCR=[${scr.join(",")}]`);
    }
  }
  if (plan.error)
    return `${plan.error.code} ${plan.error.message.replace(/^Operation cannot be fulfilled on virtualmachine.kubevirt.io "vm1": /, "")}${parts.length ? ` after ${parts.join(" ")}` : ""}`;
  return `202${parts.length ? ` ${parts.join(" ")}` : ""}`;
}

const STRATEGIES: [string, Spec][] = [
  ["Always", { runStrategy: "Always" }],
  ["running:true", { running: true }],
  ["Once", { runStrategy: "Once" }],
  ["Halted", { runStrategy: "Halted" }],
  ["running:false", { running: false }],
  ["Manual", { runStrategy: "Manual" }],
  ["RerunOnFailure", { runStrategy: "RerunOnFailure" }],
  ["WaitAsReceiver", { runStrategy: "WaitAsReceiver" }],
];
// VMI states of the §1.7 matrix: none, active, Succeeded, Failed, Unknown/unset.
const VMI_STATES: [string, string | undefined][] = [
  ["no VMI", undefined],
  ["Running VMI", "Running"],
  ["Succeeded VMI", "Succeeded"],
  ["Failed VMI", "Failed"],
  ["unset VMI", ""],
];

describe("planStart (§1.4, §1.7 START)", () => {
  const expected: Record<string, string[]> = {
    Always: Array(5).fill("409 Always does not support manual start requests"),
    "running:true": Array(5).fill("409 Always does not support manual start requests"),
    Once: Array(5).fill("409 Once does not support manual start requests"),
    Halted: Array(5).fill("202 runStrategy=Always"),
    "running:false": Array(5).fill("202 running=true"),
    Manual: [
      "202 SCR=[Start]",
      "",
      "202 SCR=[Stop{uid},Start]",
      "202 SCR=[Stop{uid},Start]",
      "202 SCR=[Start]",
    ],
    RerunOnFailure: [
      "202 SCR=[Start]",
      "",
      "202 SCR=[Stop{uid},Start]",
      "409 RerunOnFailure does not support starting VM from failed state",
      "202 SCR=[Start]",
    ],
    WaitAsReceiver: Array(5).fill("202"),
  };
  for (const [sname, spec] of STRATEGIES) {
    VMI_STATES.forEach(([vname, phase], i) => {
      const want = i === 1 ? "409 VM is already running" : expected[sname][i];
      it(`should answer ${want} for start on ${sname} with ${vname}`, () => {
        const v = vm(spec);
        const i2 = vmi(phase);
        expect(outcome(() => planStart("vm1", v, i2, ""), v, i2)).toBe(want);
      });
    });
  }

  it("should queue a paused Start request instead of touching spec on Halted", () => {
    const v = vm({ runStrategy: "Halted" });
    expect(outcome(() => planStart("vm1", v, undefined, '{"paused":true}'), v)).toBe(
      "202 SCR=[Start{paused}]",
    );
  });
  it("should answer 500 when a Start meets pending requests", () => {
    const v = vm({ runStrategy: "Manual" }, { stateChangeRequests: [{ action: "Start" }] });
    expect(outcome(() => planStart("vm1", v, undefined, ""), v)).toBe(
      "500 Internal error occurred: unable to complete request: stop/start already underway",
    );
  });
  it("should answer 404 for an unknown VM", () => {
    expect(() => planStart("nope", undefined, undefined, "")).toThrow(
      'virtualmachine.kubevirt.io "nope" not found',
    );
  });
  it("should answer 400 for a malformed body", () => {
    const v = vm({ runStrategy: "Manual" });
    expect(outcome(() => planStart("vm1", v, undefined, "{nope"), v)).toMatch(
      /^400 Can not unmarshal Request body to struct, error: /,
    );
  });
  it("should check an active VMI before the body", () => {
    const v = vm({ runStrategy: "Manual" });
    expect(outcome(() => planStart("vm1", v, vmi("Pending"), "{nope"), v)).toBe("409 VM is already running");
  });
  it("should remove status.startFailure with the request", () => {
    const v = vm({ runStrategy: "Manual" }, { startFailure: { consecutiveFailCount: 2 } });
    const plan = planStart("vm1", v, undefined, "");
    expect(applyJsonPatch(v, plan.steps[0].ops).status?.startFailure).toBeUndefined();
  });
  it("should answer 500 when both running and runStrategy are set", () => {
    const v = vm({ runStrategy: "Manual", running: true });
    expect(outcome(() => planStart("vm1", v, undefined, ""), v)).toBe(
      "500 Internal error occurred: running and runstrategy are mutually exclusive",
    );
  });
});

describe("planStop (§1.5, §1.7 STOP)", () => {
  const table: [string, Spec, string | undefined, string, string][] = [
    ["Always", { runStrategy: "Always" }, "Running", "", "202 runStrategy=Halted"],
    ["Always", { runStrategy: "Always" }, undefined, "", "202 runStrategy=Halted"],
    ["running:true", { running: true }, "Running", "", "202 running=false"],
    ["Once", { runStrategy: "Once" }, "Succeeded", "", "202 runStrategy=Halted"],
    ["Halted", { runStrategy: "Halted" }, undefined, "", "409 VM is not running"],
    ["Halted", { runStrategy: "Halted" }, "Failed", "", "409 VM is not running"],
    [
      "Halted",
      { runStrategy: "Halted" },
      "Running",
      "",
      "409 Halted only supports manual stop requests with a shorter graceperiod",
    ],
    ["Manual", { runStrategy: "Manual" }, undefined, "", "409 VM is not running"],
    ["Manual", { runStrategy: "Manual" }, "Succeeded", "", "409 VM is not running"],
    ["Manual", { runStrategy: "Manual" }, "Running", "", "202 SCR=[Stop{uid}]"],
    ["RerunOnFailure", { runStrategy: "RerunOnFailure" }, "Scheduling", "", "202 SCR=[Stop{uid}]"],
    ["RerunOnFailure", { runStrategy: "RerunOnFailure" }, undefined, "", "409 VM is not running"],
    ["WaitAsReceiver", { runStrategy: "WaitAsReceiver" }, undefined, "", "202"],
    [
      "Always",
      { runStrategy: "Always" },
      "Running",
      '{"gracePeriod":0}',
      "202 vmi.tgps=0 runStrategy=Halted",
    ],
  ];
  for (const [sname, spec, phase, body, want] of table) {
    it(`should answer ${want} for stop ${body} on ${sname} with ${phase ?? "no"} VMI`, () => {
      const v = vm(spec);
      const i = vmi(phase);
      expect(outcome(() => planStop("vm1", v, i, body), v, i)).toBe(want);
    });
  }
  it("should accept a shorter grace period on Halted with a live VMI (force stop)", () => {
    const v = vm({ runStrategy: "Halted" });
    const i = vmi("Running", 1800);
    expect(outcome(() => planStop("vm1", v, i, '{"gracePeriod":800}'), v, i)).toBe(
      "202 vmi.tgps=800 SCR=[Stop{uid}]",
    );
  });
  it("should patch the VMI grace period even when Halted rejects a longer one", () => {
    const v = vm({ runStrategy: "Halted" });
    const i = vmi("Running", 10);
    expect(outcome(() => planStop("vm1", v, i, '{"gracePeriod":20}'), v, i)).toBe(
      "409 Halted only supports manual stop requests with a shorter graceperiod after vmi.tgps=20",
    );
  });
  it("should decode the body before looking up the VM", () => {
    expect(() => planStop("nope", undefined, undefined, "[")).toThrow(/Can not unmarshal/);
  });
  it("should replace pending requests with a lone Stop", () => {
    const v = vm({ runStrategy: "Manual" }, { stateChangeRequests: [{ action: "Start" }] });
    const i = vmi("Running");
    expect(outcome(() => planStop("vm1", v, i, ""), v, i)).toBe("202 SCR=[Stop{uid}]");
  });
});

describe("planRestart (§1.6, §1.7 RESTART)", () => {
  const table: [string, Spec, string | undefined, string, string][] = [
    ["Always", { runStrategy: "Always" }, "Running", "", "202 SCR=[Stop{uid},Start]"],
    ["Always", { runStrategy: "Always" }, undefined, "", "409 VM is not running: Halted"],
    ["Always", { runStrategy: "Always" }, "Succeeded", "", "202 SCR=[Stop{uid},Start]"],
    ["Manual", { runStrategy: "Manual" }, "Running", "", "202 SCR=[Stop{uid},Start]"],
    ["Manual", { runStrategy: "Manual" }, undefined, "", "409 VM is not running: Halted"],
    ["RerunOnFailure", { runStrategy: "RerunOnFailure" }, "Running", "", "202 SCR=[Stop{uid},Start]"],
    ["RerunOnFailure", { runStrategy: "RerunOnFailure" }, undefined, "", "409 VM is not running: Halted"],
    ["WaitAsReceiver", { runStrategy: "WaitAsReceiver" }, "Running", "", "202 SCR=[Stop{uid},Start]"],
    [
      "Halted",
      { runStrategy: "Halted" },
      undefined,
      "",
      "409 RunStategy Halted does not support manual restart requests",
    ],
    [
      "Halted",
      { runStrategy: "Halted" },
      "Running",
      "",
      "409 RunStategy Halted does not support manual restart requests",
    ],
    [
      "Once",
      { runStrategy: "Once" },
      "Running",
      "",
      "409 RunStategy Once does not support manual restart requests",
    ],
    [
      "Once",
      { runStrategy: "Once" },
      undefined,
      "",
      "409 RunStategy Once does not support manual restart requests",
    ],
    [
      "Always",
      { runStrategy: "Always" },
      "Running",
      '{"gracePeriodSeconds":0}',
      "202 vmi.tgps=1 SCR=[Stop{uid},Start]",
    ],
    [
      "Always",
      { runStrategy: "Always" },
      "Running",
      '{"gracePeriodSeconds":5}',
      "400 For force restart, only gracePeriod=0 is supported for now",
    ],
    [
      "Always",
      { runStrategy: "Always" },
      "Running",
      '{"gracePeriodSeconds":-1}',
      "400 gracePeriod has to be greater or equal to 0",
    ],
  ];
  for (const [sname, spec, phase, body, want] of table) {
    it(`should answer ${want} for restart ${body} on ${sname} with ${phase ?? "no"} VMI`, () => {
      const v = vm(spec);
      const i = vmi(phase);
      expect(outcome(() => planRestart("vm1", v, i, body), v, i)).toBe(want);
    });
  }
  it("should validate the grace period before looking up the VM", () => {
    expect(() => planRestart("nope", undefined, undefined, '{"gracePeriodSeconds":3}')).toThrow(
      /only gracePeriod=0/,
    );
  });
});

describe("executePlan", () => {
  function setup(spec: Spec) {
    const host = new TestHost();
    host.store.create(VM_KEY, vm(spec));
    const stored = host.store.get(VM_KEY, "default", "vm1")!;
    host.store.update(VM_KEY, { ...stored, status: { printableStatus: "Stopped" } }, "status");
    return host.store;
  }
  it("should persist nothing for a dry run", async () => {
    const store = setup({ runStrategy: "Halted" });
    const before = store.currentResourceVersion();
    const v = store.get(VM_KEY, "default", "vm1");
    await executePlan(
      storeApplier(store, "default", "vm1"),
      planStart("vm1", v, undefined, '{"dryRun":["All"]}'),
    );
    await executePlan(storeApplier(store, "default", "vm1"), planStart("vm1", v, undefined, "", ["All"]));
    expect(store.currentResourceVersion()).toBe(before);
    expect(store.get(VM_KEY, "default", "vm1")!.spec!.runStrategy).toBe("Halted");
  });
  it("should map a failed test operation to 409 Conflict", async () => {
    const store = setup({ runStrategy: "Halted" });
    const stale = store.get(VM_KEY, "default", "vm1")!;
    const plan = planStart("vm1", stale, undefined, "");
    const fresh = store.get(VM_KEY, "default", "vm1")!;
    store.update(VM_KEY, { ...fresh, spec: { ...fresh.spec, runStrategy: "Manual" } });
    try {
      await executePlan(storeApplier(store, "default", "vm1"), plan);
      throw new Error("expected a conflict");
    } catch (e) {
      expect((e as StatusError).code).toBe(409);
      expect((e as StatusError).message).toMatch(
        /^Operation cannot be fulfilled on virtualmachine.kubevirt.io "vm1": .*jsonpatch test operation does not apply/,
      );
    }
  });
  it("should write stateChangeRequests through the status subresource", async () => {
    const store = setup({ runStrategy: "Manual" });
    const v = store.get(VM_KEY, "default", "vm1");
    await executePlan(storeApplier(store, "default", "vm1"), planStart("vm1", v, undefined, ""));
    expect(store.get(VM_KEY, "default", "vm1")!.status!.stateChangeRequests).toEqual([{ action: "Start" }]);
    expect(store.get(VMI_KEY, "default", "vm1")).toBeUndefined();
  });
});

describe("planPause / planUnpause", () => {
  it("should set Paused=True on a Running VMI", () => {
    const out = planPause("vm1", vmi("Running"), Date.UTC(2026, 0, 1));
    expect(out.status!.conditions).toEqual([
      expect.objectContaining({ type: "Paused", status: "True", reason: "PausedByUser" }),
    ]);
  });
  it("should refuse to pause or unpause a VMI that is not Running, with KubeVirt's two wordings", () => {
    expect(() => planPause("vm1", vmi("Scheduled"), 0)).toThrow(
      'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "vm1": VM is not running',
    );
    const pausedThenDone = { ...planPause("vm1", vmi("Running"), 0), status: { phase: "Succeeded" } };
    expect(() => planUnpause("vm1", pausedThenDone)).toThrow(
      'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "vm1": VMI is not running',
    );
  });
  it("should refuse to pause a VMI with a liveness probe other than a guest-agent ping (403)", () => {
    const probed = (probe: object): KubeObject => ({ ...vmi("Running")!, spec: { livenessProbe: probe } });
    expect(() => planPause("vm1", probed({ httpGet: { port: 80 } }), 0)).toThrow(
      expect.objectContaining({
        code: 403,
        message:
          'virtualmachineinstance.kubevirt.io "vm1" is forbidden: Pausing VMIs with a non-GuestAgentPing LivenessProbe is not supported',
      }),
    );
    expect(planPause("vm1", probed({ guestAgentPing: {} }), 0).status!.conditions).toEqual([
      expect.objectContaining({ type: "Paused", status: "True" }),
    ]);
  });
  it("should refuse to pause twice and to unpause a running VMI", () => {
    const paused = planPause("vm1", vmi("Running"), 0);
    expect(() => planPause("vm1", paused, 0)).toThrow("VMI is already paused");
    expect(planUnpause("vm1", paused).status!.conditions).toEqual([]);
    expect(() => planUnpause("vm1", vmi("Running"))).toThrow("VMI is not paused");
  });
  it("should answer 404 for an unknown VMI", () => {
    expect(() => planPause("x", undefined, 0)).toThrow('virtualmachineinstance.kubevirt.io "x" not found');
  });
});
