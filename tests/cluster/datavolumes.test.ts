/**
 * The kubevirt tier's CDI stand-in (tests/support/kubevirt/importer.ts) under KubeVirt's own virt-controller:
 * a VM's `dataVolumeTemplates` become DataVolumes that virt-controller creates (owned by the VM), watches through
 * CDI's real informers and waits for (printableStatus Provisioning while the import's progress rises), then
 * mounts in the launcher pod; a failing import shows DataVolumeError and no instance; a clone without its source
 * and a missing storage class are reported as CDI reports them (docs/kubevirt-behaviour.md §11).
 */
import { KubeConfig } from "@kubernetes/client-node";
import type { KubeObject } from "../../simulator";
import { request } from "../../simulator/http/testing";
import { Fault } from "../../simulator/kubevirt/world";
import { startTarget, targetName, type Target } from "../support/target";

const KV = "/apis/kubevirt.io/v1/namespaces/default";
const CDI = "/apis/cdi.kubevirt.io/v1beta1/namespaces/default";
const CORE = "/api/v1/namespaces/default";
const HTTP = { http: { url: "http://images.example/cirros.img" } };
const ONE_GI = { resources: { requests: { storage: "1Gi" } } };

let target: Target;
let kc: KubeConfig;
beforeAll(async () => {
  if (targetName() !== "kubevirt") throw new Error("tests/cluster need PULUMI_KUBEVIRT_TARGET=kubevirt");
  target = await startTarget();
  kc = new KubeConfig();
  kc.loadFromString(target.kubeconfig);
}, 180_000);
afterAll(async () => {
  await target?.stop();
});

/** A running VM whose root disk is the DataVolume `<name>-root` of one template. */
async function createVm(name: string, dv: object, labels: Record<string, string> = {}): Promise<void> {
  const vm = {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name },
    spec: {
      runStrategy: "Always",
      dataVolumeTemplates: [{ metadata: { name: `${name}-root`, labels }, spec: dv }],
      template: {
        spec: {
          domain: {
            devices: { disks: [{ name: "root", disk: { bus: "virtio" } }] },
            memory: { guest: "128Mi" },
          },
          volumes: [{ name: "root", dataVolume: { name: `${name}-root` } }],
          terminationGracePeriodSeconds: 0,
        },
      },
    },
  };
  const res = await request(kc, "POST", `${KV}/virtualmachines`, { body: vm });
  expect(res.status).toBe(201);
}

const get = async (path: string) => (await request<KubeObject>(kc, "GET", path)).json;
const condition = (o: KubeObject, type: string) =>
  (
    o.status?.conditions as { type: string; status?: string; reason?: string; message?: string }[] | undefined
  )?.find((c) => c.type === type);

/** What the VM and its DataVolume show, polled every 50 ms until `done` (distinct states, in order). */
async function watch(name: string, done: (s: Record<string, unknown>) => boolean, timeoutMs = 30_000) {
  const states: Record<string, unknown>[] = [];
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const [vm, dv] = [
      await get(`${KV}/virtualmachines/${name}`),
      await get(`${CDI}/datavolumes/${name}-root`),
    ];
    const state = {
      printableStatus: vm.status?.printableStatus,
      ready: vm.status?.ready ?? false,
      phase: dv.status?.phase,
      progress: dv.status?.progress,
      restartCount: dv.status?.restartCount ?? 0,
      running: [condition(dv, "Running")?.status, condition(dv, "Running")?.reason].join(" "),
      runningMessage: condition(dv, "Running")?.message,
    };
    if (JSON.stringify(state) !== JSON.stringify(states.at(-1))) states.push(state);
    if (done(state)) return states;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out; saw ${JSON.stringify(states)}`);
}

describe("DataVolumes on KubeVirt's controller with the CDI stand-in", () => {
  it("should import the VM's disk while it is Provisioning, then start it with the claim mounted", async () => {
    await createVm("imported", { source: HTTP, storage: ONE_GI });
    const states = await watch("imported", (s) => s.ready === true);
    const importing = states.filter((s) => s.phase === "ImportInProgress");
    expect(importing.some((s) => s.printableStatus === "Provisioning")).toBe(true);
    expect(new Set(importing.map((s) => s.progress)).size).toBeGreaterThanOrEqual(4);
    // No instance before the import succeeded.
    const before = states.filter((s) => s.phase !== "Succeeded").map((s) => s.printableStatus);
    expect(before).not.toContain("Starting");
    expect(before).not.toContain("Running");
    expect(states.at(-1)).toMatchObject({
      printableStatus: "Running",
      phase: "Succeeded",
      progress: "100.0%",
    });

    const dv = await get(`${CDI}/datavolumes/imported-root`);
    expect(dv.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "VirtualMachine", controller: true }),
    ]);
    expect(condition(dv, "Running")).toMatchObject({
      status: "False",
      reason: "Completed",
      message: "Import Complete",
    });
    const pvc = await get(`${CORE}/persistentvolumeclaims/imported-root`);
    expect(pvc.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "DataVolume", uid: dv.metadata.uid }),
    ]);
    expect(pvc.status).toMatchObject({ phase: "Bound", capacity: { storage: "1138166334" } });
    const vmi = await get(`${KV}/virtualmachineinstances/imported`);
    expect(condition(vmi, "DataVolumesReady")).toMatchObject({ status: "True", reason: "AllDVsReady" });
    const pods = (await get(`${CORE}/pods`)).items as KubeObject[];
    const launcher = pods.find((p) => p.metadata.ownerReferences?.[0]?.uid === vmi.metadata.uid);
    expect(launcher?.spec?.volumes).toContainEqual({
      name: "root",
      persistentVolumeClaim: { claimName: "imported-root" },
    });
  });

  it("should keep a failing import in progress, restarting, with the VM in DataVolumeError and no instance", async () => {
    await createVm("failing", { source: HTTP, storage: ONE_GI }, { [Fault.ImportError]: "true" });
    const states = await watch("failing", (s) => (s.restartCount as number) >= 3);
    expect(states.some((s) => s.printableStatus === "DataVolumeError")).toBe(true);
    expect(states.map((s) => s.phase)).not.toContain("Succeeded");
    // Between attempts the importer's error shows (each new attempt is briefly Running True): wait for one.
    const failed = await watch("failing", (st) => st.running === "False Error");
    expect(failed.at(-1)!.runningMessage).toBe(
      "Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found",
    );
    expect((await request(kc, "GET", `${KV}/virtualmachineinstances/failing`)).status).toBe(404);
  });

  it("should clone an existing claim, and report a clone without source and a missing class as CDI does", async () => {
    await createVm("cloned", { source: { pvc: { name: "imported-root" } }, storage: ONE_GI });
    await createVm("orphan", { source: { pvc: { name: "missing" } }, storage: ONE_GI });
    await createVm("classless", { source: HTTP, storage: { ...ONE_GI, storageClassName: "missing" } });
    const states = await watch("cloned", (s) => s.ready === true);
    expect(states.some((s) => s.phase === "CloneInProgress")).toBe(true);
    for (const [name, reason, message] of [
      ["orphan", "CloneWithoutSource", "The source pvc missing doesn't exist"],
      [
        "classless",
        "ErrClaimNotValid",
        "PVC spec is missing accessMode and no storageClass to choose profile",
      ],
    ]) {
      const dv = await get(`${CDI}/datavolumes/${name}-root`);
      expect(dv.status?.phase).toBeUndefined();
      expect(condition(dv, "Bound")).toMatchObject({ status: "False", reason, message });
      expect((await get(`${KV}/virtualmachines/${name}`)).status?.printableStatus).toBe("Provisioning");
      expect((await request(kc, "GET", `${CORE}/persistentvolumeclaims/${name}-root`)).status).toBe(404);
    }
  });
});
