import { liveVm } from "../../tests/support/planner-fixtures";
import type { LiveDataVolume } from "../model/datavolume";
import type { LiveVm } from "../model/kubevirt";
import { evaluate, statusLine } from "./conditions";

// Waits of a VM whose disks CDI provisions (docs/kubevirt-behaviour.md §11): progress on the row, CDI's reason.

const RUNNING = { state: "running", level: "Ready", strategy: "Always" } as const;

function vm(printableStatus: string, templates = 1): LiveVm {
  const base = liveVm("Always");
  return {
    ...base,
    spec: { ...base.spec, dataVolumeTemplates: Array.from({ length: templates }, () => ({})) },
    status: { printableStatus },
  };
}

function dv(name: string, status: NonNullable<LiveDataVolume["status"]>): LiveDataVolume {
  return {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "DataVolume",
    metadata: { name, namespace: "default", uid: name, resourceVersion: "1" },
    status,
  };
}

describe("waits for DataVolumes", () => {
  it("should show each disk that is not ready with CDI's phase and progress", () => {
    const disks = [
      { name: "root", dv: dv("root", { phase: "ImportInProgress", progress: "45.20%" }) },
      { name: "data", dv: dv("data", { phase: "Succeeded", progress: "100.0%" }) },
      { name: "scratch" },
    ];
    expect(evaluate(RUNNING, vm("Provisioning"), undefined, {}, disks)).toEqual({
      kind: "pending",
      status: "Provisioning (DataVolume root ImportInProgress 45.20%; scratch not created yet)",
    });
    const bound = { type: "Bound", status: "False", reason: "Pending", message: "PVC root Pending" };
    expect(
      statusLine(vm("Provisioning"), undefined, [{ name: "root", dv: dv("root", { conditions: [bound] }) }]),
    ).toBe("Provisioning (DataVolume root Pending (PVC root Pending))");
    expect(statusLine(vm("Starting"), undefined, [disks[1]!])).toBe("Starting");
  });

  it("should fail at once with CDI's reason when the importer stopped on an error", () => {
    const running = {
      type: "Running",
      status: "False",
      reason: "Error",
      message:
        "Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found",
    };
    const failed = dv("root", { phase: "ImportInProgress", restartCount: 2, conditions: [running] });
    expect(evaluate(RUNNING, vm("DataVolumeError"), undefined, {}, [{ name: "root", dv: failed }])).toEqual({
      kind: "failed",
      reason: `DataVolume root: Error: ${running.message} (restarted 2 time(s))`,
    });
    const phaseFailed = dv("root", {
      phase: "Failed",
      conditions: [{ ...running, reason: "Failed", message: "x" }],
    });
    expect(
      evaluate(RUNNING, vm("DataVolumeError"), undefined, {}, [{ name: "root", dv: phaseFailed }]),
    ).toEqual({
      kind: "failed",
      reason: "DataVolume root failed: x",
    });
  });

  it("should fail at once when CDI cannot provision the disk: no clone source, no storage class", () => {
    const cases = [
      ["CloneWithoutSource", "The source pvc golden doesn't exist"],
      ["ErrClaimNotValid", "PVC spec is missing accessMode and no storageClass to choose profile"],
    ];
    for (const [reason, message] of cases) {
      const stuck = dv("root", {
        phase: "",
        conditions: [{ type: "Bound", status: "False", reason, message }],
      });
      expect(evaluate(RUNNING, vm("Provisioning"), undefined, {}, [{ name: "root", dv: stuck }])).toEqual({
        kind: "failed",
        reason: `DataVolume root: ${reason}: ${message}`,
      });
    }
  });

  it("should wait for the disks of a VM that does not start until CDI has provisioned them", () => {
    const target = { state: "disks" } as const;
    const importing = [{ name: "root", dv: dv("root", { phase: "ImportInProgress", progress: "10.00%" }) }];
    expect(evaluate(target, vm("Provisioning"), undefined, {}, importing)).toEqual({
      kind: "pending",
      status: "Provisioning (DataVolume root ImportInProgress 10.00%)",
    });
    const done = [{ name: "root", dv: dv("root", { phase: "Succeeded", progress: "100.0%" }) }];
    expect(evaluate(target, vm("Stopped"), undefined, {}, done)).toEqual({ kind: "done" });
    expect(evaluate(target, vm("Stopped"), undefined, {}, [{ name: "root" }]).kind).toBe("pending");
  });

  it("should fail when the cluster has no CDI for a VM with dataVolumeTemplates, not for one without", () => {
    expect(evaluate(RUNNING, vm("Stopped"), undefined, {}, "unserved")).toEqual({
      kind: "failed",
      reason:
        "the cluster serves no DataVolumes (cdi.kubevirt.io/v1beta1): KubeVirt needs CDI installed to create the VM's dataVolumeTemplates",
    });
    expect(evaluate(RUNNING, vm("Starting", 0), undefined, {}, "unserved").kind).toBe("pending");
  });
});
