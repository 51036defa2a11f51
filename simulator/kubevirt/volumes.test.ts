/**
 * KubeVirt's DataVolume handling as pure functions (§11.1, §11.4): the DataVolumes made from templates, the VM
 * controller holding the VMI until they are ready, and printableStatus's DataVolume states in KubeVirt's order.
 */
import type { KubeObject } from "../store/types";
import { printableStatus, reconcileVM, isSetToStart } from "./reconcile";
import {
  dataVolumeError,
  dataVolumeFromTemplate,
  templateDataVolumes,
  volumesReadyForPod,
  type VolumeState,
} from "./volumes";

const NOW = Date.UTC(2026, 0, 1);

function vm(runStrategy: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: {
      name: "vm",
      namespace: "ns",
      uid: "vm-uid",
      generation: 1,
      finalizers: ["kubevirt.io/virtualMachineControllerFinalize"],
    },
    spec: {
      runStrategy,
      dataVolumeTemplates: [
        {
          metadata: { name: "root", labels: { a: "b" }, annotations: { c: "d" } },
          spec: { source: { http: { url: "https://x/y" } }, storage: {} },
        },
      ],
      template: {
        spec: {
          priorityClassName: "high",
          domain: { devices: {} },
          volumes: [
            { name: "root", dataVolume: { name: "root" } },
            { name: "data", persistentVolumeClaim: { claimName: "data" } },
          ],
        },
      },
      ...extra,
    },
  };
}

type Cond = { type: string; status: string; reason?: string; message?: string };

function dv(phase: string, conditions: Cond[] = []): KubeObject {
  return {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "DataVolume",
    metadata: { name: "root", namespace: "ns" },
    status: { phase, conditions },
  };
}

function pvc(name: string, phase: string, ownerDataVolume?: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name,
      namespace: "ns",
      ...(ownerDataVolume
        ? {
            ownerReferences: [
              {
                apiVersion: "cdi.kubevirt.io/v1beta1",
                kind: "DataVolume",
                name: ownerDataVolume,
                uid: "u",
                controller: true,
              },
            ],
          }
        : {}),
    },
    status: { phase },
  };
}

function state(dataVolume?: KubeObject, ...claims: KubeObject[]): VolumeState {
  return {
    dataVolumes: new Map(dataVolume ? [["root", dataVolume]] : []),
    claims: new Map(claims.map((c) => [c.metadata.name, c])),
  };
}

const BOUND: Cond = { type: "Bound", status: "True", reason: "Bound" };
const ERROR: Cond = {
  type: "Running",
  status: "False",
  reason: "Error",
  message: "Unable to connect to http data source: x",
};

describe("dataVolumeFromTemplate (§11.1)", () => {
  it("should copy the template and add the created-by label, claim adoption, priority class and the VM as owner", () => {
    const v = vm("Always");
    const t = (v.spec!.dataVolumeTemplates as Record<string, unknown>[])[0];
    expect(dataVolumeFromTemplate(v, t)).toEqual({
      apiVersion: "cdi.kubevirt.io/v1beta1",
      kind: "DataVolume",
      metadata: {
        name: "root",
        namespace: "ns",
        labels: { a: "b", "kubevirt.io/created-by": "vm-uid" },
        annotations: { c: "d", "cdi.kubevirt.io/allowClaimAdoption": "true" },
        ownerReferences: [
          {
            apiVersion: "kubevirt.io/v1",
            kind: "VirtualMachine",
            name: "vm",
            uid: "vm-uid",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { source: { http: { url: "https://x/y" } }, storage: {}, priorityClassName: "high" },
    });
  });

  it.each([
    ["missing", undefined, 1, false],
    ["importing", dv("ImportInProgress"), 0, false],
    ["failed", dv("Failed"), 0, false],
    ["Succeeded", dv("Succeeded"), 0, true],
    ["WaitForFirstConsumer", dv("WaitForFirstConsumer"), 0, true],
    ["PendingPopulation", dv("PendingPopulation"), 0, true],
  ])("should count a %s DataVolume as ready for the VMI: %s", (_what, d, missing, ready) => {
    const r = templateDataVolumes(vm("Always"), state(d));
    expect([r.missing.length, r.ready]).toEqual([missing, ready]);
  });
});

describe("reconcileVM with DataVolumes (§11.1)", () => {
  const types = (v: KubeObject, s: VolumeState) =>
    reconcileVM(v, undefined, NOW, {}, s).actions.map((a) => a.type);

  it.each(["Always", "RerunOnFailure", "Once"])(
    "should create the DataVolume and no VMI under %s",
    (strategy) => {
      expect(types(vm(strategy), state())).toEqual(["createDataVolume"]);
      expect(types(vm(strategy), state(dv("ImportInProgress")))).toEqual([]);
      expect(types(vm(strategy), state(dv("Succeeded")))).toEqual(["createVMI"]);
    },
  );

  it("should create the DataVolume under Halted too, and start nothing", () => {
    expect(types(vm("Halted"), state())).toEqual(["createDataVolume"]);
  });

  it("should keep a Manual start request queued while the DataVolume imports", () => {
    const v = { ...vm("Manual"), status: { stateChangeRequests: [{ action: "Start" }] } };
    expect(types(v, state(dv("ImportInProgress")))).toEqual([]);
    expect(types(v, state(dv("Succeeded")))).toEqual(["createVMI"]);
  });

  it("should create the DataVolume only on start with immediate-data-volume-creation false", () => {
    const v = vm("Manual");
    v.metadata.annotations = { "kubevirt.io/immediate-data-volume-creation": "false" };
    expect(types(v, state())).toEqual([]);
    const starting = { ...v, status: { stateChangeRequests: [{ action: "Start" }] } };
    expect(types(starting, state())).toEqual(["createDataVolume"]);
  });
});

describe("printableStatus with DataVolumes (§11.4)", () => {
  const vmiIn = (phase: string): KubeObject => ({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { name: "vm", namespace: "ns", uid: "vmi-uid" },
    status: { phase },
  });
  const pending = vmiIn("Pending");
  it.each([
    ["an importing DataVolume", "Always", undefined, state(dv("ImportInProgress", [BOUND])), "Provisioning"],
    ["a DataVolume without a phase", "Always", undefined, state(dv("")), "Provisioning"],
    [
      "an importer that stopped with Error",
      "Always",
      undefined,
      state(dv("ImportInProgress", [BOUND, ERROR])),
      "DataVolumeError",
    ],
    ["a Failed DataVolume", "Always", undefined, state(dv("Failed")), "DataVolumeError"],
    [
      "an unbound WaitForFirstConsumer DataVolume",
      "Always",
      pending,
      state(dv("WaitForFirstConsumer"), pvc("root", "Pending")),
      "WaitingForVolumeBinding",
    ],
    [
      "the same under Halted",
      "Halted",
      undefined,
      state(dv("WaitForFirstConsumer"), pvc("root", "Pending")),
      "Stopped",
    ],
    [
      "an importing DataVolume under Halted",
      "Halted",
      undefined,
      state(dv("ImportInProgress", [BOUND])),
      "Provisioning",
    ],
    [
      "a Succeeded DataVolume and an unbound plain PVC",
      "Always",
      pending,
      state(dv("Succeeded"), pvc("data", "Pending")),
      "WaitingForVolumeBinding",
    ],
    ["a Succeeded DataVolume", "Always", pending, state(dv("Succeeded"), pvc("root", "Bound")), "Starting"],
  ])("should show %s (%s) as %s", (_what, strategy, vmi, s, expected) => {
    expect(printableStatus(vm(strategy), vmi, strategy, s)).toBe(expected);
  });

  it("should put Running before any DataVolume state", () => {
    expect(printableStatus(vm("Always"), vmiIn("Running"), "Always", state(dv("Failed")))).toBe("Running");
  });

  it("should word the DataVolume error as HasDataVolumeErrors does", () => {
    expect(dataVolumeError(vm("Always"), state(dv("ImportInProgress", [ERROR])))).toBe(
      "DataVolume root importer has stopped running due to an error: Unable to connect to http data source: x",
    );
    expect(dataVolumeError(vm("Always"), state(dv("Failed")))).toBe("DataVolume root is in Failed phase");
  });

  it.each([
    ["Always", undefined, true],
    ["Halted", undefined, false],
    ["RerunOnFailure", undefined, true],
    ["Once", undefined, true],
    ["Manual", undefined, false],
  ])("should tell isSetToStart for %s without a VMI: %s", (strategy, vmi, expected) => {
    expect(isSetToStart(vm(strategy), vmi, strategy)).toBe(expected);
  });
});

describe("volumesReadyForPod (§11.1)", () => {
  const vmiOf = (spec: unknown) => ({ spec }) as unknown as KubeObject;
  it("should wait for the PVCs and for the owning DataVolume to succeed", () => {
    const spec = (vm("Always").spec!.template as { spec: unknown }).spec;
    expect(volumesReadyForPod(vmiOf(spec), state(dv("Succeeded"), pvc("root", "Bound", "root")))).toBe(false);
    expect(
      volumesReadyForPod(
        vmiOf(spec),
        state(dv("Succeeded"), pvc("root", "Bound", "root"), pvc("data", "Bound")),
      ),
    ).toBe(true);
    expect(
      volumesReadyForPod(
        vmiOf(spec),
        state(dv("ImportInProgress"), pvc("root", "Bound", "root"), pvc("data", "Bound")),
      ),
    ).toBe(false);
  });
});
