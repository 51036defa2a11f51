import { liveVm, liveVmi } from "../../tests/support/planner-fixtures";
import type { LiveVm, LiveVmi } from "../model/kubevirt";
import { evaluate, priorOf, reached } from "./conditions";

function vmWith(status: LiveVm["status"]): LiveVm {
  return { ...liveVm("Always"), status };
}

function vmiWith(phase: string, extra: Partial<NonNullable<LiveVmi["status"]>> = {}, uid = "vmi-1"): LiveVmi {
  const vmi = liveVmi("Running", uid)!;
  return { ...vmi, status: { ...vmi.status, phase, ...extra } };
}

describe("evaluate", () => {
  it("should be done with Ready only when the instance runs and is Ready", () => {
    const target = { state: "running", level: "Ready", strategy: "Always" } as const;
    expect(evaluate(target, vmWith({ printableStatus: "Starting" }), vmiWith("Scheduling")).kind).toBe(
      "pending",
    );
    expect(evaluate(target, vmWith({ printableStatus: "Running" }), vmiWith("Running")).kind).toBe("pending");
    const ready = vmiWith("Running", { conditions: [{ type: "Ready", status: "True" }] });
    expect(evaluate(target, vmWith({ printableStatus: "Running" }), ready)).toEqual({ kind: "done" });
  });

  it("should wait for a new instance after a restart, ignoring the old one", () => {
    const target = { state: "running", level: "Running", strategy: "Always", newerThanUid: "vmi-1" } as const;
    expect(evaluate(target, vmWith({}), vmiWith("Running", {}, "vmi-1")).kind).toBe("pending");
    expect(evaluate(target, vmWith({}), vmiWith("Running", {}, "vmi-2"))).toEqual({ kind: "done" });
  });

  it("should accept a finished instance only where asked (Once)", () => {
    expect(
      evaluate({ state: "running", level: "Ready", strategy: "Always" }, vmWith({}), vmiWith("Succeeded"))
        .kind,
    ).toBe("pending");
    expect(
      evaluate(
        { state: "running", level: "Ready", strategy: "Once", acceptFinal: true },
        vmWith({}),
        vmiWith("Succeeded"),
      ),
    ).toEqual({
      kind: "done",
    });
  });

  it("should give up with KubeVirt's message when the VM cannot be scheduled", () => {
    const vmi = vmiWith("Scheduling", {
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: "0/1 nodes are available: 1 Insufficient memory.",
        },
      ],
    });
    expect(
      evaluate(
        { state: "running", level: "Ready", strategy: "Always" },
        vmWith({ printableStatus: "ErrorUnschedulable" }),
        vmi,
      ),
    ).toEqual({
      kind: "failed",
      reason: "ErrorUnschedulable: 0/1 nodes are available: 1 Insufficient memory.",
    });
  });

  it("should give up on a crash loop and on a Failure condition", () => {
    const crash = vmWith({ printableStatus: "CrashLoopBackOff", startFailure: { consecutiveFailCount: 3 } });
    expect(evaluate({ state: "running", level: "Ready", strategy: "Always" }, crash, undefined)).toEqual({
      kind: "failed",
      reason: "CrashLoopBackOff: the instance failed 3 time(s) before reaching Running",
    });
    const failure = vmWith({
      conditions: [{ type: "Failure", status: "True", reason: "FailedCreate", message: "quota exceeded" }],
    });
    expect(evaluate({ state: "running", level: "Ready", strategy: "Always" }, failure, undefined)).toEqual({
      kind: "failed",
      reason: "Failure: FailedCreate: quota exceeded",
    });
  });

  it("should count a stopped VM as no instance or a finished one, and gone as neither VM nor instance", () => {
    expect(evaluate({ state: "stopped" }, vmWith({}), vmiWith("Running")).kind).toBe("pending");
    expect(evaluate({ state: "stopped" }, vmWith({}), vmiWith("Failed"))).toEqual({ kind: "done" });
    expect(evaluate({ state: "stopped" }, vmWith({}), undefined)).toEqual({ kind: "done" });
    expect(evaluate({ state: "gone" }, undefined, vmiWith("Succeeded")).kind).toBe("pending");
    expect(evaluate({ state: "gone" }, undefined, undefined)).toEqual({ kind: "done" });
  });

  it("should not count a finished instance as the one KubeVirt started by itself", () => {
    expect(evaluate({ state: "instance" }, vmWith({}), vmiWith("Failed")).kind).toBe("pending");
    expect(evaluate({ state: "instance" }, vmWith({}), vmiWith("Pending"))).toEqual({ kind: "done" });
  });
});

/** A final VMI that ran (or not) before it ended, with KubeVirt's phase transitions and `status.reason`. */
function ended(phase: "Succeeded" | "Failed", ran: boolean, extra: { reason?: string; uid?: string } = {}) {
  const transitions = [
    { phase: "Pending" },
    { phase: "Scheduling" },
    { phase: "Scheduled" },
    ...(ran ? [{ phase: "Running" }] : []),
    { phase },
  ];
  const status = extra.reason ? { reason: extra.reason } : {};
  return vmiWith(phase, { phaseTransitionTimestamps: transitions, ...status }, extra.uid ?? "vmi-2");
}

describe("evaluate: pause and unpause (§1.8)", () => {
  const paused = (uid = "vmi-1") =>
    vmiWith("Running", { conditions: [{ type: "Paused", status: "True", reason: "PausedByUser" }] }, uid);
  const prior = priorOf({ vmi: vmiWith("Running") });

  it("should be done with Paused once the instance that was paused has the condition Paused=True", () => {
    expect(evaluate({ state: "paused" }, vmWith({}), vmiWith("Running"), prior).kind).toBe("pending");
    // A paused guest is not Ready (KubeVirt marks its pod unready); that does not matter here.
    expect(evaluate({ state: "paused" }, vmWith({ ready: false }), paused(), prior)).toEqual({
      kind: "done",
    });
  });

  it("should fail a wait for Paused when the instance ends or is replaced before it is paused", () => {
    expect(evaluate({ state: "paused" }, vmWith({}), vmiWith("Succeeded"), prior)).toMatchObject({
      kind: "failed",
      reason: expect.stringMatching(/^the instance ended before it was paused/),
    });
    expect(evaluate({ state: "paused" }, vmWith({}), vmiWith("Running", {}, "vmi-2"), prior).kind).toBe(
      "failed",
    );
    expect(evaluate({ state: "paused" }, undefined, undefined, prior)).toEqual({
      kind: "failed",
      reason: "the VirtualMachine was deleted",
    });
  });

  it("should be done with unpaused once the condition Paused is gone", () => {
    expect(evaluate({ state: "unpaused" }, vmWith({}), paused()).kind).toBe("pending");
    expect(evaluate({ state: "unpaused" }, vmWith({}), vmiWith("Running"))).toEqual({ kind: "done" });
  });

  it("should count a paused instance as Running, never as Ready", () => {
    const pausedUnready = vmiWith("Running", {
      conditions: [
        { type: "Paused", status: "True" },
        { type: "Ready", status: "False" },
      ],
    });
    const vm = vmWith({ ready: false });
    expect(reached("Running", vm, pausedUnready)).toBe(true);
    expect(reached("Ready", vm, pausedUnready)).toBe(false);
  });
});

describe("evaluate: an instance that ends while up waits for it to run", () => {
  const running = (strategy: string) => ({ state: "running", level: "AgentConnected", strategy }) as const;
  const stopped = vmWith({ printableStatus: "Stopped" });

  it.each([
    [
      "RerunOnFailure",
      "the guest shuts down",
      ended("Succeeded", true),
      "the guest shut down (VMI Succeeded); KubeVirt does not restart a RerunOnFailure VM after a guest shutdown",
    ],
    [
      "Manual",
      "the guest shuts down",
      ended("Succeeded", true),
      "the guest shut down (VMI Succeeded); KubeVirt does not restart a Manual VM",
    ],
    [
      "Manual",
      "the guest crashes",
      ended("Failed", true),
      "the guest crashed (VMI Failed); KubeVirt does not restart a Manual VM",
    ],
    [
      "Once",
      "the guest crashes",
      ended("Failed", true),
      "the guest crashed (VMI Failed); KubeVirt does not restart a Once VM",
    ],
    [
      "Manual",
      "its node fails",
      ended("Failed", true, { reason: "NodeUnresponsive" }),
      "the instance failed (VMI Failed: NodeUnresponsive); KubeVirt does not restart a Manual VM",
    ],
    [
      "Manual",
      "it crashes before Running",
      ended("Failed", false),
      "the instance crashed before reaching Running (VMI Failed); KubeVirt does not restart a Manual VM, so there is no CrashLoopBackOff retry",
    ],
  ])("should stop at once under %s when %s", (strategy, _event, vmi, reason) => {
    expect(evaluate(running(strategy), stopped, vmi)).toEqual({ kind: "stopped", reason });
  });

  it("should name a shutdown seen only while KubeVirt deletes the instance without blaming the guest", () => {
    const deleting = ended("Succeeded", true);
    deleting.metadata.deletionTimestamp = "2026-11-25T00:00:00Z";
    expect(evaluate(running("RerunOnFailure"), stopped, deleting)).toEqual({
      kind: "stopped",
      reason:
        "the instance was shut down (VMI Succeeded); KubeVirt does not restart a RerunOnFailure VM after a guest shutdown",
    });
  });

  it.each([
    ["Always", "a guest shutdown", "KubeVirt re-creates every instance", ended("Succeeded", true)],
    ["Always", "a guest crash", "KubeVirt re-creates every instance", ended("Failed", true)],
    ["RerunOnFailure", "a guest crash", "KubeVirt re-runs a failed instance", ended("Failed", true)],
    ["RerunOnFailure", "a crash before Running", "KubeVirt reports its crash loop", ended("Failed", false)],
    ["Once", "a crash before Running", "KubeVirt reports its crash loop", ended("Failed", false)],
  ])("should keep waiting under %s after %s (%s)", (strategy, _event, _why, vmi) => {
    expect(evaluate(running(strategy), stopped, vmi).kind).toBe("pending");
  });

  it("should ignore the finished instance observed before the wait (a Manual start replaces it)", () => {
    const old = ended("Succeeded", true, { uid: "vmi-1" });
    expect(evaluate(running("Manual"), stopped, old, { vmiUid: "vmi-1" })).toEqual({
      kind: "pending",
      status: "Stopped (VMI Succeeded)",
    });
    expect(evaluate(running("Manual"), stopped, ended("Failed", true), { vmiUid: "vmi-1" }).kind).toBe(
      "stopped",
    );
  });

  it("should count a finished Once instance as done, but not a failed one", () => {
    const once = { ...running("Once"), acceptFinal: true };
    expect(evaluate(once, stopped, ended("Succeeded", true))).toEqual({ kind: "done" });
    expect(evaluate(once, stopped, ended("Failed", true))).toEqual({
      kind: "stopped",
      reason: "the guest crashed (VMI Failed); KubeVirt does not restart a Once VM",
    });
  });

  it("should name CrashLoopBackOff where KubeVirt reports it, under Once as under Always", () => {
    const crashLoop = vmWith({
      printableStatus: "CrashLoopBackOff",
      startFailure: { consecutiveFailCount: 1 },
    });
    expect(evaluate({ ...running("Once"), acceptFinal: true }, crashLoop, ended("Failed", false))).toEqual({
      kind: "failed",
      reason: "CrashLoopBackOff: the instance failed 1 time(s) before reaching Running",
    });
  });
});

describe("evaluate: crash-loop records from before the wait", () => {
  // A RerunOnFailure VM whose first instance was stopped before it ran: KubeVirt counts that as a failed start
  // (printableStatus CrashLoopBackOff), and a start request clears the record before the controller
  // recomputes printableStatus (docs/kubevirt-behaviour.md §2.5).
  const target = { state: "running", level: "Ready", strategy: "RerunOnFailure" } as const;
  const record = (lastFailedVMIUID: string) =>
    vmWith({
      printableStatus: "CrashLoopBackOff",
      startFailure: { consecutiveFailCount: 1, lastFailedVMIUID },
    });

  it("should keep waiting while the record names the instance that had failed before the wait", () => {
    expect(evaluate(target, record("vmi-old"), undefined, { failedVmiUid: "vmi-old" }).kind).toBe("pending");
  });

  it("should keep waiting when the start request cleared the record but printableStatus is not recomputed yet", () => {
    const cleared = vmWith({ printableStatus: "CrashLoopBackOff" });
    expect(evaluate(target, cleared, undefined, { failedVmiUid: "vmi-old" }).kind).toBe("pending");
  });

  it("should fail when an instance started in the wait failed before reaching Running", () => {
    expect(evaluate(target, record("vmi-new"), ended("Failed", false), { failedVmiUid: "vmi-old" })).toEqual({
      kind: "failed",
      reason: "CrashLoopBackOff: the instance failed 1 time(s) before reaching Running",
    });
  });

  it("should take the prior record from what was observed before the wait", () => {
    expect(priorOf({ vm: record("vmi-old"), vmi: vmiWith("Running", {}, "vmi-7") })).toEqual({
      vmiUid: "vmi-7",
      failedVmiUid: "vmi-old",
    });
  });
});

describe("evaluate: image pull failures", () => {
  const image = "registry.example.com/missing/disk:1.0";
  const pullFailed = (reason: string, message: string) => [
    { type: "PodScheduled", status: "True" },
    { type: "Synchronized", status: "False", reason, message },
  ];

  it("should name the image and the reason from the instance's Synchronized condition, not PodScheduled", () => {
    const message = `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`;
    const vmi = vmiWith("Scheduling", { conditions: pullFailed("ErrImagePull", message) });
    expect(
      evaluate(
        { state: "running", level: "Ready", strategy: "Always" },
        vmWith({ printableStatus: "ErrImagePull" }),
        vmi,
      ),
    ).toEqual({ kind: "failed", reason: `ErrImagePull: ${message}` });
  });

  it("should not take the old instance's pull failure for the new one's after a restart", () => {
    const target = { state: "running", level: "Ready", strategy: "Always", newerThanUid: "vmi-1" } as const;
    const vm = vmWith({
      printableStatus: "ImagePullBackOff",
      conditions: pullFailed("ImagePullBackOff", `Back-off pulling image "${image}"`),
    });
    const old = vmiWith("Scheduling", { conditions: pullFailed("ImagePullBackOff", "x") }, "vmi-1");
    expect(evaluate(target, vm, old).kind).toBe("pending");
    expect(evaluate(target, vm, undefined).kind).toBe("pending");
    // The new instance's own failure counts.
    const fresh = vmiWith("Scheduling", { conditions: pullFailed("ImagePullBackOff", "y") }, "vmi-2");
    expect(evaluate(target, vm, fresh)).toEqual({ kind: "failed", reason: "ImagePullBackOff: y" });
  });

  it("should wait through the backoff KubeVirt gives the instance a restart ended before it ran", () => {
    const target = { state: "running", level: "Ready", strategy: "Always", newerThanUid: "vmi-1" } as const;
    const vm = vmWith({
      printableStatus: "CrashLoopBackOff",
      startFailure: { consecutiveFailCount: 1, lastFailedVMIUID: "vmi-1" },
    });
    expect(evaluate(target, vm, undefined, { vmiUid: "vmi-1" }).kind).toBe("pending");
    // A new instance that fails before it runs is news.
    const again = vmWith({
      printableStatus: "CrashLoopBackOff",
      startFailure: { consecutiveFailCount: 2, lastFailedVMIUID: "vmi-2" },
    });
    expect(evaluate(target, again, undefined, { vmiUid: "vmi-1" }).kind).toBe("failed");
  });

  it("should fall back to the VM's mirrored conditions when the instance is not at hand", () => {
    const vm = vmWith({
      printableStatus: "ImagePullBackOff",
      conditions: pullFailed("ImagePullBackOff", `Back-off pulling image "${image}"`),
    });
    expect(evaluate({ state: "instance" }, vm, undefined)).toEqual({
      kind: "failed",
      reason: `ImagePullBackOff: Back-off pulling image "${image}"`,
    });
  });
});

describe("reached", () => {
  it.each([
    ["Created", "Scheduling", {}, true],
    ["Running", "Scheduled", {}, false],
    ["Running", "Running", {}, true],
    ["AgentConnected", "Running", { conditions: [{ type: "AgentConnected", status: "True" }] }, true],
    ["AgentConnected", "Running", {}, false],
    ["HasIP", "Running", { interfaces: [{ name: "default", ipAddress: "10.0.0.5" }] }, true],
    ["HasIP", "Running", { interfaces: [{ name: "default" }] }, false],
  ] as const)("should judge level %s with phase %s (%j) as %s", (level, phase, extra, expected) => {
    expect(reached(level, vmWith({}), vmiWith(phase, extra as Partial<NonNullable<LiveVmi["status"]>>))).toBe(
      expected,
    );
  });
});
