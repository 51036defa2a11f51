import { KubeConfig } from "@kubernetes/client-node";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import type { LiveVm } from "../model/kubevirt";
import { KubeVirtApi } from "./kubevirt-api";
import { NamespaceWatch } from "./namespace-watch";

const VMS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";

let sim: SimulatorHandle;
let api: KubeVirtApi;
const watches: NamespaceWatch[] = [];
const lines: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    kubevirt: { timings: "fast" },
    users: [
      {
        name: "reader",
        token: "reader-token",
        rules: [
          {
            verbs: ["get", "list"],
            apiGroups: ["kubevirt.io"],
            resources: ["virtualmachines", "virtualmachineinstances"],
          },
        ],
      },
    ],
  });
  api = new KubeVirtApi(kubeconfig(sim.kubeconfig));
});
afterAll(async () => {
  for (const w of watches) w.stop();
  await sim.stop();
});
beforeEach(() => {
  lines.length = 0;
  sim.faults.clear();
});

function kubeconfig(text: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(text);
  return kc;
}

function watchOf(through: KubeVirtApi, idleMs?: number): NamespaceWatch {
  const w = new NamespaceWatch(through, "default", (l) => lines.push(l), idleMs);
  watches.push(w);
  return w;
}

let counter = 0;
async function createVm(): Promise<LiveVm> {
  const name = `nw-${++counter}`;
  const manifest = {
    apiVersion: "kubevirt.io/v1" as const,
    kind: "VirtualMachine" as const,
    metadata: { name, namespace: "default" },
    spec: { runStrategy: "Halted", template: { spec: { domain: { devices: {} } } } },
  };
  return api.createVm(manifest, () => false);
}

/**
 * Resolves when `check` holds after a change of the VM `name` in `w` (or at once); a name no VM has follows only
 * what changes everything (a list, a refusal).
 */
function until(w: NamespaceWatch, name: string, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const test = () => {
      if (!check()) return;
      off();
      resolve();
    };
    const off = w.onChange(name, test);
    test();
  });
}

/** The watch requests of VMs the simulator received. */
const vmWatches = () => sim.requests.list({ verb: "watch", path: VMS }).length;

describe("NamespaceWatch", () => {
  it("should see VMs that exist before it starts and changes after it", async () => {
    const before = await createVm();
    const w = watchOf(api);
    await w.ready();
    expect(w.get(before.metadata.name).vm?.metadata.uid).toBe(before.metadata.uid);
    const after = await createVm();
    await until(w, after.metadata.name, () => w.get(after.metadata.name).vm !== undefined);
    await api.deleteVm("default", after.metadata.name);
    await until(w, after.metadata.name, () => w.get(after.metadata.name).vm === undefined);
  });

  it("should prefer a fresher object read from the API to an older cached one", async () => {
    const w = watchOf(api);
    await w.ready();
    const vm = await createVm();
    const newer = { ...vm, metadata: { ...vm.metadata, resourceVersion: "999999999" } };
    expect(w.get(vm.metadata.name, { vm: newer }).vm).toBe(newer);
  });

  it("should wake only the subscribers of the VM an event is about", async () => {
    const w = watchOf(api);
    await w.ready();
    const woken: string[] = [];
    const offs = ["nw-other-a", "nw-other-b"].map((n) => w.onChange(n, () => woken.push(n)));
    const vm = await createVm();
    await until(w, vm.metadata.name, () => w.get(vm.metadata.name).vm !== undefined);
    expect(woken).toEqual([]);
    offs.forEach((off) => off());
  });

  it("should list and watch afresh after a cut stream, and after a silent one", async () => {
    sim.faults.add({ verb: "watch", path: VMS, count: 1, action: { kind: "cut-watch", afterEvents: 0 } });
    const w = watchOf(api, 1_000);
    const watchesBefore = vmWatches();
    await w.ready();
    await until(w, "-", () => vmWatches() >= watchesBefore + 2); // the cut one, then its replacement
    const vm = await createVm();
    await until(w, vm.metadata.name, () => w.get(vm.metadata.name).vm !== undefined);

    sim.faults.add({ verb: "watch", path: VMS, count: 1, action: { kind: "silent-watch" } });
    const w2 = watchOf(api, 500);
    await w2.ready();
    const late = await createVm();
    await until(w2, late.metadata.name, () => w2.get(late.metadata.name).vm !== undefined); // seen by the list after the idle limit
  });

  it("should fail waiters at once, naming the verbs, when the watch is refused", async () => {
    const reader = new KubeVirtApi(kubeconfig(sim.kubeconfig.replace(sim.token, "reader-token")));
    const w = watchOf(reader);
    await w.ready(); // listing is allowed
    await until(w, "-", () => w.failure !== undefined);
    expect(w.failure?.message).toMatch(
      /the cluster refused to watch virtualmachine(instance)?s\.kubevirt\.io in namespace default \(403 Forbidden\); the credentials need the get, list and watch verbs on it/,
    );
  });

  it("should reject ready() when the first list fails, and start again on the next call", async () => {
    sim.faults.add({ verb: "list", path: VMS, count: 1, action: { kind: "status", code: 403 } });
    const w = watchOf(api);
    await expect(w.ready()).rejects.toMatchObject({ code: 403 });
    await w.ready();
  });
});
