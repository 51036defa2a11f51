/**
 * The storage kinds as the simulator serves them over HTTP (§11): discovery, the default StorageClass, a
 * DataVolume imported to Succeeded, and `kubectl get`'s Table columns.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { request } from "../http/testing";
import { startSimulator, type SimulatorHandle } from "../index";
import { findStorageClass, defaultStorageClass } from "./storage";

let sim: SimulatorHandle;
let kc: KubeConfig;

beforeAll(async () => {
  sim = await startSimulator({ kubevirt: { timings: { base: "fast", importMs: 100 } } });
  kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
});
afterAll(async () => sim.stop());

async function until<T>(f: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("storage kinds over HTTP", () => {
  it("should list datavolumes, persistentvolumeclaims, storageclasses and volumesnapshots in discovery", async () => {
    const cdi = await request<{ resources: Record<string, unknown>[] }>(
      kc,
      "GET",
      "/apis/cdi.kubevirt.io/v1beta1",
    );
    expect(cdi.json.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: "datavolumes",
          kind: "DataVolume",
          namespaced: true,
          shortNames: ["dv", "dvs"],
          categories: ["all"],
        }),
        expect.objectContaining({ name: "datavolumes/status" }),
      ]),
    );
    const core = await request<{ resources: { name: string }[] }>(kc, "GET", "/api/v1");
    expect(core.json.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(["persistentvolumeclaims", "persistentvolumeclaims/status"]),
    );
    for (const path of ["/apis/storage.k8s.io/v1", "/apis/snapshot.storage.k8s.io/v1"]) {
      expect((await request(kc, "GET", path)).status).toBe(200);
    }
  });

  it("should have the default StorageClass standard", async () => {
    const sc = await request(kc, "GET", "/apis/storage.k8s.io/v1/storageclasses/standard");
    expect(sc.json).toMatchObject({
      metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      volumeBindingMode: "Immediate",
    });
  });

  it("should import a DataVolume created over HTTP and print its Phase, Progress and Restarts", async () => {
    const path = "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes";
    const created = await request(kc, "POST", path, {
      body: {
        apiVersion: "cdi.kubevirt.io/v1beta1",
        kind: "DataVolume",
        metadata: { name: "blank" },
        spec: { source: { blank: {} }, storage: { resources: { requests: { storage: "1Gi" } } } },
      },
    });
    expect(created.status).toBe(201);
    await until(async () => {
      const dv = await request<{ status?: { phase?: string } }>(kc, "GET", `${path}/blank`);
      return dv.json.status?.phase === "Succeeded" ? true : undefined;
    });
    const pvc = await request(kc, "GET", "/api/v1/namespaces/default/persistentvolumeclaims/blank");
    expect(pvc.json).toMatchObject({ spec: { storageClassName: "standard" }, status: { phase: "Bound" } });
    const table = await request<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>(
      kc,
      "GET",
      `${path}/blank`,
      { headers: { Accept: "application/json;as=Table;v=v1;g=meta.k8s.io" } },
    );
    expect(table.json.columnDefinitions.map((c) => c.name)).toEqual([
      "Name",
      "Phase",
      "Progress",
      "Restarts",
      "Age",
    ]);
    expect(table.json.rows[0].cells.slice(0, 3)).toEqual(["blank", "Succeeded", "100.0%"]);
  });
});

describe("a VM with a DataVolume template over HTTP", () => {
  const vms = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";
  const dvPath = "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes/web-root";
  const pvcPath = "/api/v1/namespaces/default/persistentvolumeclaims/web-root";

  it("should import the disk, run the VM, and delete DataVolume and PVC with the VM", async () => {
    const created = await request(kc, "POST", vms, {
      body: {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        metadata: { name: "web" },
        spec: {
          runStrategy: "Always",
          dataVolumeTemplates: [
            {
              metadata: { name: "web-root" },
              spec: {
                source: { registry: { url: "docker://quay.io/containerdisks/fedora:40" } },
                storage: {},
              },
            },
          ],
          template: {
            spec: {
              domain: {
                devices: { disks: [{ name: "root", disk: { bus: "virtio" } }] },
                memory: { guest: "1Gi" },
              },
              volumes: [{ name: "root", dataVolume: { name: "web-root" } }],
            },
          },
        },
      },
    });
    expect(created.status).toBe(201);
    await until(async () => {
      const vm = await request<{ status?: { printableStatus?: string } }>(kc, "GET", `${vms}/web`);
      return vm.json.status?.printableStatus === "Running" ? true : undefined;
    });
    expect((await request<{ status?: { phase?: string } }>(kc, "GET", dvPath)).json.status?.phase).toBe(
      "Succeeded",
    );
    expect((await request(kc, "DELETE", `${vms}/web`)).status).toBe(200);
    await until(async () => ((await request(kc, "GET", dvPath)).status === 404 ? true : undefined));
    await until(async () => ((await request(kc, "GET", pvcPath)).status === 404 ? true : undefined));
  });
});

describe("findStorageClass", () => {
  const sc = (name: string, created: string, isDefault: boolean) => ({
    ...defaultStorageClass(),
    metadata: {
      name,
      creationTimestamp: created,
      annotations: { "storageclass.kubernetes.io/is-default-class": String(isDefault) },
    },
  });
  it("should find the class named, else the newest default class", () => {
    const classes = [
      sc("old", "2026-01-01T00:00:00Z", true),
      sc("new", "2026-02-01T00:00:00Z", true),
      sc("x", "2026-03-01T00:00:00Z", false),
    ];
    expect(findStorageClass("x", classes)?.metadata.name).toBe("x");
    expect(findStorageClass("missing", classes)).toBeUndefined();
    expect(findStorageClass(undefined, classes)?.metadata.name).toBe("new");
    expect(findStorageClass(undefined, [classes[2]])).toBeUndefined();
  });
});
