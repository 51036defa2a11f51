/**
 * The simulated CDI and KubeVirt's DataVolume handling together (§11), on a fake clock with fast timings: what the
 * DataVolumes, their PVCs and the VMs go through, in order.
 */
import type { KubeObject, WatchEvent } from "../store/types";
import { VM_KEY, VMI_KEY } from "./api";
import { CdiAnnotation, CdiMessage } from "./datavolume";
import { installKubeVirt, type InstalledKubeVirt } from "./index";
import { DATAVOLUME_KEY, PVC_KEY, STORAGECLASS_KEY, VOLUMESNAPSHOT_KEY } from "./storage";
import { TestHost } from "./test-host";
import { FakeClock } from "./timings";
import { Fault, STAGE_DELAY_ANNOTATION_SUFFIX } from "./world";

type Source = Record<string, unknown>;

/** A dataVolumeTemplates entry: `spec.storage` without accessModes, as KubeVirt's examples write it. */
function template(name: string, source: Source, meta: Record<string, unknown> = {}, storage: Source = {}) {
  return {
    metadata: { name, ...meta },
    spec: { source, storage: { resources: { requests: { storage: "1Gi" } }, ...storage } },
  };
}

const HTTP: Source = { http: { url: "https://example.org/disk.qcow2" } };

/** A VM whose root disk is the DataVolume `<name>-root` made from `dv`. */
function vmWithDataVolume(
  name: string,
  runStrategy: string,
  dv = template(`${name}-root`, HTTP),
): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace: "default" },
    spec: {
      runStrategy,
      dataVolumeTemplates: [dv],
      template: {
        metadata: {},
        spec: {
          domain: { devices: {}, memory: { guest: "1Gi" } },
          volumes: [{ name: "root", dataVolume: { name: dv.metadata.name } }],
        },
      },
    },
  };
}

/** Whether `wanted` occurs in `seen` in this order (other values may come between). */
function inOrder(seen: unknown[], wanted: unknown[]): boolean {
  let i = 0;
  for (const v of seen) if (v === wanted[i]) i++;
  return i === wanted.length;
}

const condition = (o: KubeObject | undefined, type: string) =>
  ((o?.status?.conditions ?? []) as Record<string, unknown>[]).find((c) => c.type === type);

describe("DataVolumes with the simulated CDI (fast timings, fake clock)", () => {
  let clock: FakeClock;
  let host: TestHost;
  let kv: InstalledKubeVirt;
  const get = (key: typeof DATAVOLUME_KEY, name: string) => host.store.get(key, "default", name);
  const dv = (name: string) => get(DATAVOLUME_KEY, name);
  const vm = (name: string) => get(VM_KEY, name)!;

  /** Records every distinct value `pick` takes on the objects of `key` named `name`, in order. */
  function record(key: typeof DATAVOLUME_KEY, name: string, pick: (o: KubeObject) => unknown): unknown[] {
    const seen: unknown[] = [];
    host.store.subscribe(key, (e: WatchEvent) => {
      if (e.object.metadata.name !== name || e.type === "DELETED") return;
      const v = pick(e.object);
      if (JSON.stringify(v) !== JSON.stringify(seen.at(-1))) seen.push(v);
    });
    return seen;
  }

  beforeEach(() => {
    clock = new FakeClock();
    host = new TestHost(() => clock.now());
    kv = installKubeVirt(host, { timings: "fast", clock, timers: clock, seed: 5 });
  });
  afterEach(() => kv.stop());

  it("should serve the default StorageClass standard", () => {
    expect(host.store.get(STORAGECLASS_KEY, "", "standard")).toMatchObject({
      metadata: { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      volumeBindingMode: "Immediate",
    });
  });

  it("should create the template DataVolume, import it through CDI's phases, and only then start the VMI", () => {
    const phases = record(DATAVOLUME_KEY, "a-root", (o) => o.status?.phase);
    const progress = record(DATAVOLUME_KEY, "a-root", (o) => o.status?.progress);
    const printable = record(VM_KEY, "a", (o) => o.status?.printableStatus);
    host.store.create(VM_KEY, vmWithDataVolume("a", "Always"));
    clock.advance(50);
    const vmUid = vm("a").metadata.uid;
    expect(dv("a-root")!.metadata).toMatchObject({
      labels: { "kubevirt.io/created-by": vmUid },
      annotations: { "cdi.kubevirt.io/allowClaimAdoption": "true" },
      ownerReferences: [
        { kind: "VirtualMachine", name: "a", uid: vmUid, controller: true, blockOwnerDeletion: true },
      ],
    });
    expect(get(PVC_KEY, "a-root")).toMatchObject({
      metadata: { ownerReferences: [{ kind: "DataVolume", name: "a-root", controller: true }] },
      spec: { storageClassName: "standard" },
      status: { phase: "Bound" },
    });
    expect(get(VMI_KEY, "a")).toBeUndefined();
    expect(vm("a").status).toMatchObject({ printableStatus: "Provisioning", created: false });

    clock.advance(1000);
    expect(dv("a-root")!.status!.phase).toBe("ImportInProgress");
    expect(get(VMI_KEY, "a")).toBeUndefined();
    expect(condition(dv("a-root"), "Running")).toMatchObject({ status: "True", reason: "Pod is running" });
    expect(condition(dv("a-root"), "Ready")).toMatchObject({ status: "False", reason: "TransferRunning" });

    clock.advance(1000);
    expect(dv("a-root")!.status).toMatchObject({
      phase: "Succeeded",
      progress: "100.0%",
      claimName: "a-root",
    });
    expect(condition(dv("a-root"), "Ready")).toMatchObject({ status: "True" });
    expect(condition(dv("a-root"), "Bound")).toMatchObject({
      status: "True",
      reason: "Bound",
      message: "PVC a-root Bound",
    });
    expect(condition(dv("a-root"), "Running")).toMatchObject({
      status: "False",
      reason: "Completed",
      message: "Import Complete",
    });
    clock.advance(300);
    expect(vm("a").status!.printableStatus).toBe("Running");

    expect(phases).toEqual(["Pending", "PVCBound", "ImportScheduled", "ImportInProgress", "Succeeded"]);
    expect(progress).toEqual(["N/A", "0.00%", "20.00%", "40.00%", "60.00%", "80.00%", "100.0%"]);
    expect(printable).toEqual(["Provisioning", "Starting", "Running"]);
  });

  it("should take the import time from the import.stage.sim.kubevirt.io/delay annotation of the template", () => {
    const annotations = { [`import${STAGE_DELAY_ANNOTATION_SUFFIX}`]: "5000" };
    host.store.create(VM_KEY, vmWithDataVolume("d", "Always", template("d-root", HTTP, { annotations })));
    clock.advance(2000);
    expect(dv("d-root")!.status).toMatchObject({ phase: "ImportInProgress", progress: "20.00%" });
    clock.advance(3500);
    expect(dv("d-root")!.status!.phase).toBe("Succeeded");
  });

  it("should fail the import as an http 404 under the import-error switch: Error, restarts, DataVolumeError", () => {
    const restarts = record(DATAVOLUME_KEY, "e-root", (o) => o.status?.restartCount);
    const printable = record(VM_KEY, "e", (o) => o.status?.printableStatus);
    const labels = { [Fault.ImportError]: "true" };
    host.store.create(VM_KEY, vmWithDataVolume("e", "Always", template("e-root", HTTP, { labels })));
    clock.advance(100);
    const message =
      "Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found";
    expect(CdiMessage.notFound404("http")).toBe(message);
    expect(dv("e-root")!.status).toMatchObject({ phase: "ImportInProgress", progress: "N/A" });
    expect(dv("e-root")!.status!.restartCount).toBeUndefined();
    expect(condition(dv("e-root"), "Running")).toMatchObject({ status: "False", reason: "Error", message });
    expect(vm("e").status!.printableStatus).toBe("DataVolumeError");
    // The kubelet's back-off: 10 s, 20 s, 40 s scaled by 1/100.
    clock.advance(100);
    expect(dv("e-root")!.status!.restartCount).toBe(1);
    clock.advance(700);
    expect(dv("e-root")!.status!.restartCount).toBe(3);
    expect(dv("e-root")!.status!.phase).toBe("ImportInProgress");
    expect(condition(dv("e-root"), "Running")).toMatchObject({ status: "False", reason: "Error", message });
    expect(get(VMI_KEY, "e")).toBeUndefined();
    expect(restarts).toEqual([1, 2, 3]);
    // Each restart runs briefly (Provisioning) before it fails again (DataVolumeError).
    expect(printable.slice(0, 3)).toEqual(["Provisioning", "DataVolumeError", "Provisioning"]);
    expect(vm("e").status!.printableStatus).toBe("DataVolumeError");
  });

  it("should leave a DataVolume without PVC when its StorageClass does not exist, until it is created", () => {
    const storage = { storageClassName: "fast-ssd" };
    host.store.create(VM_KEY, vmWithDataVolume("s", "Always", template("s-root", HTTP, {}, storage)));
    clock.advance(500);
    expect(get(PVC_KEY, "s-root")).toBeUndefined();
    expect(dv("s-root")!.status!.phase).toBe("");
    const notValid = {
      status: "False",
      reason: "ErrClaimNotValid",
      message: "PVC spec is missing accessMode and no storageClass to choose profile",
    };
    expect(condition(dv("s-root"), "Bound")).toMatchObject(notValid);
    expect(condition(dv("s-root"), "Ready")).toMatchObject(notValid);
    expect(vm("s").status!.printableStatus).toBe("Provisioning");

    host.store.create(STORAGECLASS_KEY, {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "fast-ssd" },
      provisioner: "sim.kubevirt.io/hostpath",
      volumeBindingMode: "Immediate",
    });
    clock.advance(2000);
    expect(dv("s-root")!.status!.phase).toBe("Succeeded");
    expect(get(PVC_KEY, "s-root")!.spec!.storageClassName).toBe("fast-ssd");
  });

  it("should keep a PVC Pending when accessModes are given but the class does not exist", () => {
    const storage = { storageClassName: "nope", accessModes: ["ReadWriteOnce"] };
    host.store.create(VM_KEY, vmWithDataVolume("p", "Always", template("p-root", HTTP, {}, storage)));
    clock.advance(500);
    expect(get(PVC_KEY, "p-root")!.status!.phase).toBe("Pending");
    expect(dv("p-root")!.status).toMatchObject({ phase: "Pending", progress: "N/A" });
    expect(condition(dv("p-root"), "Bound")).toMatchObject({
      status: "False",
      reason: "Pending",
      message: "PVC p-root Pending",
    });
    expect(vm("p").status!.printableStatus).toBe("Provisioning");
  });

  it("should report CloneWithoutSource for a missing source PVC and clone once it exists", () => {
    const phases = record(DATAVOLUME_KEY, "c-root", (o) => o.status?.phase);
    const source = { pvc: { namespace: "default", name: "golden" } };
    host.store.create(VM_KEY, vmWithDataVolume("c", "Always", template("c-root", source)));
    clock.advance(200);
    const withoutSource = {
      status: "False",
      reason: "CloneWithoutSource",
      message: "The source pvc golden doesn't exist",
    };
    expect(condition(dv("c-root"), "Bound")).toMatchObject(withoutSource);
    expect(condition(dv("c-root"), "Ready")).toMatchObject(withoutSource);
    expect(get(PVC_KEY, "c-root")).toBeUndefined();
    expect(vm("c").status!.printableStatus).toBe("Provisioning");

    host.store.create(PVC_KEY, {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "golden", namespace: "default" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    clock.advance(2500);
    expect(dv("c-root")!.status).toMatchObject({ phase: "Succeeded", progress: "100.0%" });
    expect(condition(dv("c-root"), "Running")).toMatchObject({
      reason: "Completed",
      message: "Clone Complete",
    });
    expect(phases).toEqual(["", "Pending", "PVCBound", "CloneScheduled", "CloneInProgress", "Succeeded"]);
  });

  it("should clone from an existing VolumeSnapshot, with progress N/A until done", () => {
    const phases = record(DATAVOLUME_KEY, "n-root", (o) => o.status?.phase);
    const progress = record(DATAVOLUME_KEY, "n-root", (o) => o.status?.progress);
    host.store.create(VOLUMESNAPSHOT_KEY, {
      apiVersion: "snapshot.storage.k8s.io/v1",
      kind: "VolumeSnapshot",
      metadata: { name: "snap", namespace: "default" },
      spec: { source: { persistentVolumeClaimName: "golden" } },
    });
    host.store.create(
      VM_KEY,
      vmWithDataVolume("n", "Always", template("n-root", { snapshot: { name: "snap" } })),
    );
    clock.advance(2500);
    expect(phases).toEqual([
      "Pending",
      "PVCBound",
      "CloneScheduled",
      "CloneFromSnapshotSourceInProgress",
      "Succeeded",
    ]);
    expect(progress).toEqual(["N/A", "100.0%"]);
  });

  it("should wait for the first consumer on a WaitForFirstConsumer class: WaitingForVolumeBinding, then import", () => {
    host.store.create(STORAGECLASS_KEY, {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: "local" },
      provisioner: "sim.kubevirt.io/hostpath",
      volumeBindingMode: "WaitForFirstConsumer",
    });
    const printable = record(VM_KEY, "w", (o) => o.status?.printableStatus);
    const storage = { storageClassName: "local" };
    // Binding takes 200 ms here (the PVC carries the template's annotations, so its stages can be slowed down).
    const annotations = { [`pvc-bound${STAGE_DELAY_ANNOTATION_SUFFIX}`]: "200" };
    host.store.create(
      VM_KEY,
      vmWithDataVolume("w", "Always", template("w-root", HTTP, { annotations }, storage)),
    );
    clock.advance(100);
    expect(dv("w-root")!.status!.phase).toBe("WaitForFirstConsumer");
    expect(get(PVC_KEY, "w-root")!.status!.phase).toBe("Pending");
    expect(get(VMI_KEY, "w")!.status!.phase).toBe("Pending");
    expect(vm("w").status!.printableStatus).toBe("WaitingForVolumeBinding");
    clock.advance(2500);
    expect(get(PVC_KEY, "w-root")!.metadata.annotations![CdiAnnotation.SelectedNode]).toBe("node01");
    expect(dv("w-root")!.status!.phase).toBe("Succeeded");
    expect(vm("w").status!.printableStatus).toBe("Running");
    // A DataVolume without status yet counts as Provisioning, as in KubeVirt; then the binding, the import, the VMI.
    expect(printable[0]).toBe("Provisioning");
    expect(inOrder(printable, ["WaitingForVolumeBinding", "Provisioning", "Running"])).toBe(true);
  });

  it("should create and import the DataVolumes of a Halted VM, which shows Provisioning and then Stopped", () => {
    host.store.create(VM_KEY, vmWithDataVolume("h", "Halted"));
    clock.advance(100);
    expect(dv("h-root")!.status!.phase).toBe("ImportInProgress");
    expect(vm("h").status!.printableStatus).toBe("Provisioning");
    clock.advance(2000);
    expect(dv("h-root")!.status!.phase).toBe("Succeeded");
    expect(vm("h").status!.printableStatus).toBe("Stopped");
    expect(get(VMI_KEY, "h")).toBeUndefined();
  });

  it("should create the DataVolumes on the first start with immediate-data-volume-creation false", async () => {
    const v = vmWithDataVolume("l", "Halted");
    v.metadata.annotations = { "kubevirt.io/immediate-data-volume-creation": "false" };
    host.store.create(VM_KEY, v);
    clock.advance(100);
    expect(dv("l-root")).toBeUndefined();
    expect(await host.call("virtualmachines", "start", "default", "l")).toEqual({ code: 202 });
    clock.advance(100);
    expect(dv("l-root")!.status!.phase).toBe("ImportInProgress");
    clock.advance(2500);
    expect(vm("l").status!.printableStatus).toBe("Running");
  });

  it("should hold a VMI whose PVC does not exist with FailedPvcNotFound (ErrorPvcNotFound) until it appears", () => {
    const v = vmWithDataVolume("q", "Always");
    delete v.spec!.dataVolumeTemplates;
    (v.spec!.template as { spec: { volumes: unknown[] } }).spec.volumes = [
      { name: "root", persistentVolumeClaim: { claimName: "disk" } },
    ];
    host.store.create(VM_KEY, v);
    clock.advance(100);
    expect(get(VMI_KEY, "q")!.status!.phase).toBe("Pending");
    expect(condition(get(VMI_KEY, "q"), "Synchronized")).toMatchObject({
      status: "False",
      reason: "FailedPvcNotFound",
      message: "PVC default/disk does not exist, waiting for it to appear",
    });
    expect(vm("q").status!.printableStatus).toBe("ErrorPvcNotFound");
    host.store.create(PVC_KEY, {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "disk", namespace: "default" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    clock.advance(300);
    expect(get(PVC_KEY, "disk")!.status!.phase).toBe("Bound");
    expect(condition(get(VMI_KEY, "q"), "Synchronized")).toBeUndefined();
    expect(vm("q").status!.printableStatus).toBe("Running");
  });

  it("should garbage-collect the template DataVolumes and their PVCs with the VM", () => {
    host.store.create(VM_KEY, vmWithDataVolume("g", "Always"));
    clock.advance(2500);
    expect(vm("g").status!.printableStatus).toBe("Running");
    host.store.delete(VM_KEY, "default", "g");
    clock.advance(500);
    expect(get(VM_KEY, "g")).toBeUndefined();
    host.store.collectGarbage();
    host.store.collectGarbage();
    expect(dv("g-root")).toBeUndefined();
    expect(get(PVC_KEY, "g-root")).toBeUndefined();
  });
});
