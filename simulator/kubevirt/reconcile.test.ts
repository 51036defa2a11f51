import type { KubeObject } from "../store/types";
import {
  VM_CONTROLLER_FINALIZER,
  TEMPLATE_HASH_ANNOTATION,
  VM_GENERATION_ANNOTATION,
  templateHash,
  type StateChangeRequest,
} from "./api";
import {
  computeVMStatus,
  printableStatus,
  reconcileVM,
  startBackoffSeconds,
  vmiFromVM,
  type VmAction,
} from "./reconcile";
import { seededRng } from "./timings";

const NOW = Date.UTC(2026, 0, 1);
const template = { metadata: { labels: { app: "x" } }, spec: { domain: { devices: {} } } };

function vm(
  runStrategy: string,
  opts: {
    scr?: StateChangeRequest[];
    status?: Record<string, unknown>;
    deleting?: boolean;
    finalizers?: string[];
  } = {},
): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: {
      name: "vm1",
      namespace: "default",
      uid: "vm-uid",
      generation: 1,
      finalizers: opts.finalizers ?? [VM_CONTROLLER_FINALIZER],
      ...(opts.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec: { runStrategy, template },
    status: { ...(opts.status ?? {}), ...(opts.scr ? { stateChangeRequests: opts.scr } : {}) },
  };
}
function vmi(
  phase: string,
  opts: { deleting?: boolean; conditions?: unknown[]; ranBefore?: boolean; uid?: string } = {},
): KubeObject {
  const v = vm("Always");
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: {
      name: "vm1",
      namespace: "default",
      uid: opts.uid ?? "vmi-a",
      annotations: { [VM_GENERATION_ANNOTATION]: "1", [TEMPLATE_HASH_ANNOTATION]: templateHash(v) },
      ...(opts.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec: {},
    status: {
      phase,
      conditions: opts.conditions ?? [],
      phaseTransitionTimestamps: opts.ranBefore ? [{ phase: "Running", phaseTransitionTimestamp: "x" }] : [],
    },
  };
}
function summary(actions: VmAction[]): string {
  return actions.map((a) => a.type).join(",") || "-";
}

describe("reconcileVM per strategy (§2.2)", () => {
  const stop: StateChangeRequest[] = [{ action: "Stop", uid: "vmi-a" }];
  const start: StateChangeRequest[] = [{ action: "Start" }];
  const table: [string, KubeObject, KubeObject | undefined, string][] = [
    ["Always creates a missing VMI", vm("Always"), undefined, "createVMI"],
    ["Always leaves a running VMI", vm("Always"), vmi("Running"), "-"],
    ["Always deletes a Succeeded VMI", vm("Always"), vmi("Succeeded"), "deleteVMI"],
    ["Always deletes a Failed VMI", vm("Always"), vmi("Failed"), "deleteVMI"],
    ["Always deletes on Stop{uid} (restart)", vm("Always", { scr: stop }), vmi("Running"), "deleteVMI"],
    [
      "Always ignores a Stop for another uid",
      vm("Always", { scr: [{ action: "Stop", uid: "old" }] }),
      vmi("Running"),
      "-",
    ],
    [
      "Always waits out the crash-loop backoff",
      vm("Always", {
        status: {
          startFailure: { consecutiveFailCount: 1, retryAfterTimestamp: new Date(NOW + 5000).toISOString() },
        },
      }),
      undefined,
      "-",
    ],
    [
      "RerunOnFailure deletes a Failed VMI and asks for a Start",
      vm("RerunOnFailure"),
      vmi("Failed"),
      "deleteVMI,addStartRequest",
    ],
    [
      "RerunOnFailure deletes a Succeeded VMI without a Start",
      vm("RerunOnFailure"),
      vmi("Succeeded"),
      "deleteVMI",
    ],
    [
      "RerunOnFailure starts when never started (status.runStrategy empty)",
      vm("RerunOnFailure"),
      undefined,
      "createVMI",
    ],
    [
      "RerunOnFailure stays down after a clean shutdown",
      vm("RerunOnFailure", { status: { runStrategy: "RerunOnFailure" } }),
      undefined,
      "-",
    ],
    [
      "RerunOnFailure starts on a Start request",
      vm("RerunOnFailure", { scr: start, status: { runStrategy: "RerunOnFailure" } }),
      undefined,
      "createVMI",
    ],
    ["RerunOnFailure does not delete twice", vm("RerunOnFailure"), vmi("Failed", { deleting: true }), "-"],
    ["Manual does nothing without a request", vm("Manual"), undefined, "-"],
    ["Manual starts on a Start request", vm("Manual", { scr: start }), undefined, "createVMI"],
    ["Manual leaves a final VMI in place", vm("Manual"), vmi("Succeeded"), "-"],
    ["Manual deletes on Stop{uid}", vm("Manual", { scr: stop }), vmi("Running"), "deleteVMI"],
    ["Halted deletes any VMI", vm("Halted"), vmi("Scheduling"), "deleteVMI"],
    [
      "Halted flips to Always on a paused Start request",
      vm("Halted", { scr: [{ action: "Start", data: { paused: "true" } }] }),
      undefined,
      "patchVMSpec",
    ],
    ["Halted does nothing without a VMI", vm("Halted"), undefined, "-"],
    ["Once creates a missing VMI", vm("Once"), undefined, "createVMI"],
    ["Once never deletes a final VMI", vm("Once"), vmi("Failed"), "-"],
    ["a new VM gets the controller finalizer", vm("Halted", { finalizers: [] }), undefined, "addVMFinalizer"],
    ["a deleting VM deletes its VMI (§6)", vm("Always", { deleting: true }), vmi("Running"), "deleteVMI"],
    [
      "a deleting VM drops its finalizer when the VMI is gone (§6)",
      vm("Always", { deleting: true }),
      undefined,
      "removeVMFinalizer",
    ],
    [
      "an orphan-deleted VM drops its finalizer at once (§6)",
      vm("Always", { deleting: true, finalizers: ["orphan", VM_CONTROLLER_FINALIZER] }),
      vmi("Running"),
      "removeVMFinalizer",
    ],
  ];
  for (const [what, v, i, want] of table) {
    it(`should act ${want}: ${what}`, () => {
      expect(summary(reconcileVM(v, i, NOW).actions)).toBe(want);
    });
  }
  it("should requeue for the backoff time left", () => {
    const v = vm("Always", {
      status: {
        startFailure: { consecutiveFailCount: 1, retryAfterTimestamp: new Date(NOW + 5000).toISOString() },
      },
    });
    expect(reconcileVM(v, undefined, NOW).requeueAfterMs).toBe(5000);
  });
  it("should report WaitAsReceiver as unsupported", () => {
    expect(reconcileVM(vm("WaitAsReceiver"), undefined, NOW).syncError?.message).toMatch(
      /not supported by the simulator/,
    );
  });
  it("should bump the VMI generation when only the strategy changed", () => {
    const v = { ...vm("Always"), metadata: { ...vm("Always").metadata, generation: 2 } };
    expect(reconcileVM(v, vmi("Running"), NOW).actions).toEqual([
      { type: "bumpVMIGeneration", generation: 2 },
    ]);
  });
});

describe("vmiFromVM (§2.3)", () => {
  it("should name, own, label and annotate the VMI", () => {
    const out = vmiFromVM(vm("Always"));
    expect(out.metadata).toMatchObject({
      name: "vm1",
      namespace: "default",
      labels: { app: "x" },
      annotations: { "kubevirt.io/vm-generation": "1" },
      finalizers: [
        "kubevirt.io/virtualMachineControllerFinalize",
        "kubevirt.io/foregroundDeleteVirtualMachine",
      ],
      ownerReferences: [
        {
          apiVersion: "kubevirt.io/v1",
          kind: "VirtualMachine",
          name: "vm1",
          uid: "vm-uid",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
  });
  it("should start paused on a paused Start request", () => {
    expect(
      vmiFromVM(vm("Always", { scr: [{ action: "Start", data: { paused: "true" } }] })).spec!.startStrategy,
    ).toBe("Paused");
  });
});

describe("printableStatus precedence (§2.5)", () => {
  const cond = (type: string, status: string, reason?: string) => ({ type, status, reason });
  const table: [string, KubeObject, KubeObject | undefined, string][] = [
    ["Terminating beats everything", vm("Always", { deleting: true }), vmi("Running"), "Terminating"],
    ["Stopping: a live VMI being deleted", vm("Halted"), vmi("Running", { deleting: true }), "Stopping"],
    [
      "Paused: Running with Paused=True",
      vm("Always"),
      vmi("Running", { conditions: [cond("Paused", "True")] }),
      "Paused",
    ],
    ["Running", vm("Always"), vmi("Running"), "Running"],
    [
      "ErrorPvcNotFound",
      vm("Always"),
      vmi("Pending", { conditions: [cond("Synchronized", "False", "FailedPvcNotFound")] }),
      "ErrorPvcNotFound",
    ],
    [
      "ErrorUnschedulable beats image errors",
      vm("Always"),
      vmi("Scheduling", {
        conditions: [
          cond("PodScheduled", "False", "Unschedulable"),
          cond("Synchronized", "False", "ErrImagePull"),
        ],
      }),
      "ErrorUnschedulable",
    ],
    [
      "ErrImagePull",
      vm("Always"),
      vmi("Scheduling", { conditions: [cond("Synchronized", "False", "ErrImagePull")] }),
      "ErrImagePull",
    ],
    [
      "ImagePullBackOff",
      vm("Always"),
      vmi("Scheduling", { conditions: [cond("Synchronized", "False", "ImagePullBackOff")] }),
      "ImagePullBackOff",
    ],
    ["Starting: Scheduled", vm("Always"), vmi("Scheduled"), "Starting"],
    ["Starting: unset phase", vm("Always"), vmi(""), "Starting"],
    [
      "CrashLoopBackOff: no VMI and failures",
      vm("Always", { status: { startFailure: { consecutiveFailCount: 1 } } }),
      undefined,
      "CrashLoopBackOff",
    ],
    [
      "not CrashLoopBackOff under Manual",
      vm("Manual", { status: { startFailure: { consecutiveFailCount: 1 } } }),
      undefined,
      "Stopped",
    ],
    ["Stopped: a final VMI", vm("Once"), vmi("Succeeded"), "Stopped"],
    ["Stopped: no VMI", vm("Halted"), undefined, "Stopped"],
    ["Unknown: VMI phase Unknown", vm("Manual"), vmi("Unknown"), "Unknown"],
  ];
  for (const [what, v, i, want] of table) {
    it(`should print ${want}: ${what}`, () => {
      expect(printableStatus(v, i, String(v.spec!.runStrategy))).toBe(want);
    });
  }
});

describe("computeVMStatus (§2.4, §2.5)", () => {
  const ctx = { now: NOW, rng: seededRng(7), secondsScale: 1 };
  it("should say Ready=False VMINotExists without a VMI", () => {
    const s = computeVMStatus(vm("Halted"), undefined, ctx);
    expect(s).toMatchObject({ created: false, ready: false, printableStatus: "Stopped" });
    expect(s.runStrategy).toBeUndefined();
    expect(s.conditions).toEqual([
      expect.objectContaining({
        type: "Ready",
        status: "False",
        reason: "VMINotExists",
        message: "VMI does not exist",
      }),
    ]);
  });
  it("should copy Ready and mirror other VMI conditions", () => {
    const i = vmi("Running", {
      conditions: [
        { type: "Ready", status: "True" },
        { type: "AgentConnected", status: "True" },
      ],
    });
    const s = computeVMStatus(vm("Always"), i, ctx);
    expect(s).toMatchObject({
      created: true,
      ready: true,
      runStrategy: "Always",
      observedGeneration: 1,
      desiredGeneration: 1,
      printableStatus: "Running",
    });
    expect((s.conditions as { type: string }[]).map((c) => c.type)).toEqual(["Ready", "AgentConnected"]);
  });
  it("should say VMIConditionMissing for a VMI without Ready", () => {
    const s = computeVMStatus(vm("Always"), vmi("Pending"), ctx);
    expect(s.conditions).toEqual([expect.objectContaining({ type: "Ready", reason: "VMIConditionMissing" })]);
  });
  it("should pop a Stop once its VMI is gone, and only the head", () => {
    const s = computeVMStatus(
      vm("Manual", { scr: [{ action: "Stop", uid: "vmi-a" }, { action: "Start" }] }),
      undefined,
      ctx,
    );
    expect(s.stateChangeRequests).toEqual([{ action: "Start" }]);
  });
  it("should keep a Stop while its VMI exists", () => {
    const s = computeVMStatus(
      vm("Manual", { scr: [{ action: "Stop", uid: "vmi-a" }] }),
      vmi("Running", { deleting: true }),
      ctx,
    );
    expect(s.stateChangeRequests).toEqual([{ action: "Stop", uid: "vmi-a" }]);
  });
  it("should pop a Start once a live VMI exists", () => {
    const s = computeVMStatus(vm("Manual", { scr: [{ action: "Start" }] }), vmi("Pending"), ctx);
    expect(s.stateChangeRequests).toBeUndefined();
  });
  it("should count an early failure once with KubeVirt's backoff", () => {
    const failed = vmi("Failed");
    const s1 = computeVMStatus(vm("Always"), failed, ctx);
    expect(s1.startFailure).toMatchObject({ consecutiveFailCount: 1, lastFailedVMIUID: "vmi-a" });
    const retry = Date.parse((s1.startFailure as { retryAfterTimestamp: string }).retryAfterTimestamp) - NOW;
    expect(retry).toBeGreaterThanOrEqual(10_000);
    expect(retry).toBeLessThanOrEqual(15_000);
    const again = computeVMStatus({ ...vm("Always"), status: s1 }, failed, ctx);
    expect(again.startFailure).toEqual(s1.startFailure);
  });
  it("should clear startFailure once a VMI ran", () => {
    const s = computeVMStatus(
      vm("Always", { status: { startFailure: { consecutiveFailCount: 2 } } }),
      vmi("Running", { ranBefore: true }),
      ctx,
    );
    expect(s.startFailure).toBeUndefined();
  });
  it("should set RestartRequired when the template changed under a live VMI", () => {
    const v = vm("Always");
    v.spec!.template = { ...template, spec: { domain: { cpu: { cores: 4 } } } };
    const s = computeVMStatus(v, vmi("Running"), ctx);
    expect(s.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: "RestartRequired", status: "True" })]),
    );
  });
  it("should add a Failure condition for a sync error and drop it afterwards", () => {
    const s = computeVMStatus(vm("Always"), undefined, {
      ...ctx,
      syncError: { reason: "FailedCreate", message: "boom" },
    });
    expect(s.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "Failure", reason: "FailedCreate", message: "boom" }),
      ]),
    );
    const s2 = computeVMStatus({ ...vm("Always"), status: s }, undefined, ctx);
    expect((s2.conditions as { type: string }[]).map((c) => c.type)).toEqual(["Ready"]);
  });
});

describe("startBackoffSeconds (§2.5)", () => {
  it.each([
    [1, 10, 15],
    [2, 40, 60],
    [3, 90, 135],
    [4, 160, 240],
    [5, 250, 300],
    [9, 300, 300],
  ])("should give failure %i a delay in [%i, %i] s", (n, lo, hi) => {
    const rng = seededRng(n);
    for (let k = 0; k < 20; k++) {
      const d = startBackoffSeconds(n, rng);
      expect(d).toBeGreaterThanOrEqual(lo);
      expect(d).toBeLessThanOrEqual(hi);
    }
  });
  it("should be replayable from a seed", () => {
    const a = seededRng(42);
    const b = seededRng(42);
    expect([1, 2, 3].map((n) => startBackoffSeconds(n, a))).toEqual(
      [1, 2, 3].map((n) => startBackoffSeconds(n, b)),
    );
  });
});
