/**
 * Scale check of the KubeVirt simulator: N VirtualMachines (runStrategy Always, fast timings) created over
 * HTTPS while W clients watch VirtualMachines; measures the time until every VM is Running, the events each
 * watcher received, errors, and memory (RSS, heap).
 *
 *   npm run build && node --expose-gc dist/bench/simulator/vms.js [vms=1000] [watchers=20]
 */
import { runAsCommand, withBenchSimulator, type BenchSimulator, type MemoryMb } from "./common";

/** What {@link runVmBench} measured. */
export interface VmBenchResult {
  vms: number;
  watchers: number;
  errors: string[];
  createMs: number;
  allRunningMs: number;
  minEventsPerWatcher: number;
  memoryMb: MemoryMb;
}

const VM_KEY = { group: "kubevirt.io", version: "v1", resource: "virtualmachines" };
const PATH = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";

/** Runs the benchmark against a fresh simulator (stopped at the end). */
export async function runVmBench(vms = 1000, watchers = 20): Promise<VmBenchResult> {
  // One node big enough for every VM (the default node, 8 cores and 32Gi, fits 80 VMs).
  const kubevirt = { timings: "fast", world: { node: { cpu: 1000, memory: "4Ti" } } } as const;
  return withBenchSimulator({ kubevirt }, async (b) => {
    const counts = new Array<number>(watchers).fill(0);
    await b.watch(PATH, watchers, (i) => counts[i]++);
    const t0 = performance.now();
    const names = Array.from({ length: vms }, (_, i) => `vm-${String(i).padStart(5, "0")}`);
    const createMs = await b.createAll(PATH, names, vmManifest);
    await waitAllRunning(b, vms);
    return {
      vms,
      watchers,
      errors: b.errors,
      createMs: Math.round(createMs),
      allRunningMs: Math.round(performance.now() - t0),
      minEventsPerWatcher: Math.min(...counts),
      memoryMb: b.memory(),
    };
  });
}

/** A small always-running VirtualMachine that stops at once. */
function vmManifest(name: string): object {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name },
    spec: {
      runStrategy: "Always",
      template: {
        spec: {
          domain: { devices: {}, resources: { requests: { memory: "64Mi" } } },
          terminationGracePeriodSeconds: 0,
        },
      },
    },
  };
}

/** Waits until `vms` VirtualMachines are Running (an error after 120 s). */
async function waitAllRunning(b: BenchSimulator, vms: number): Promise<void> {
  const running = () =>
    b.sim.store.list(VM_KEY).filter((vm) => vm.status?.printableStatus === "Running").length;
  const deadline = Date.now() + 120_000;
  while (running() < vms) {
    if (Date.now() > deadline) {
      b.errors.push(`only ${running()} of ${vms} VMs Running after 120 s`);
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

if (require.main === module) {
  const [vms, watchers] = process.argv.slice(2).map(Number);
  runAsCommand(() => runVmBench(vms || 1000, watchers || 20));
}
