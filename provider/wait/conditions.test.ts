import { liveVm, liveVmi } from "../../tests/support/planner-fixtures";
import type { LiveVm, LiveVmi } from "../model/kubevirt";
import { evaluate, reached } from "./conditions";

function vmWith(status: LiveVm["status"]): LiveVm {
  return { ...liveVm("Always"), status };
}

function vmiWith(phase: string, extra: Partial<NonNullable<LiveVmi["status"]>> = {}, uid = "vmi-1"): LiveVmi {
  const vmi = liveVmi("Running", uid)!;
  return { ...vmi, status: { ...vmi.status, phase, ...extra } };
}

describe("evaluate", () => {
  it("should be done with Ready only when the instance runs and is Ready", () => {
    const target = { state: "running", level: "Ready" } as const;
    expect(evaluate(target, vmWith({ printableStatus: "Starting" }), vmiWith("Scheduling")).kind).toBe(
      "pending",
    );
    expect(evaluate(target, vmWith({ printableStatus: "Running" }), vmiWith("Running")).kind).toBe("pending");
    const ready = vmiWith("Running", { conditions: [{ type: "Ready", status: "True" }] });
    expect(evaluate(target, vmWith({ printableStatus: "Running" }), ready)).toEqual({ kind: "done" });
  });

  it("should wait for a new instance after a restart, ignoring the old one", () => {
    const target = { state: "running", level: "Running", newerThanUid: "vmi-1" } as const;
    expect(evaluate(target, vmWith({}), vmiWith("Running", {}, "vmi-1")).kind).toBe("pending");
    expect(evaluate(target, vmWith({}), vmiWith("Running", {}, "vmi-2"))).toEqual({ kind: "done" });
  });

  it("should accept a finished instance only where asked (Once)", () => {
    expect(evaluate({ state: "running", level: "Ready" }, vmWith({}), vmiWith("Succeeded")).kind).toBe(
      "pending",
    );
    expect(
      evaluate({ state: "running", level: "Ready", acceptFinal: true }, vmWith({}), vmiWith("Succeeded")),
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
      evaluate({ state: "running", level: "Ready" }, vmWith({ printableStatus: "ErrorUnschedulable" }), vmi),
    ).toEqual({
      kind: "failed",
      reason: "ErrorUnschedulable: 0/1 nodes are available: 1 Insufficient memory.",
    });
  });

  it("should give up on a crash loop and on a Failure condition", () => {
    const crash = vmWith({ printableStatus: "CrashLoopBackOff", startFailure: { consecutiveFailCount: 3 } });
    expect(evaluate({ state: "running", level: "Ready" }, crash, undefined)).toEqual({
      kind: "failed",
      reason: "CrashLoopBackOff: the instance failed 3 time(s) before reaching Running",
    });
    const failure = vmWith({
      conditions: [{ type: "Failure", status: "True", reason: "FailedCreate", message: "quota exceeded" }],
    });
    expect(evaluate({ state: "running", level: "Ready" }, failure, undefined)).toEqual({
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
