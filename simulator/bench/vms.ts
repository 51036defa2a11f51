/**
 * Scale check of the KubeVirt simulator: N VirtualMachines (runStrategy Always, fast timings) created over
 * HTTPS while W clients watch VirtualMachines; measures the time until every VM is Running, the events each
 * watcher received, errors, and memory (RSS, heap).
 *
 *   npm run build && node --expose-gc dist/simulator/bench/vms.js [vms=1000] [watchers=20]
 */
import { Agent } from "node:https";
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { startSimulator } from "../index";
import { inBatches, memoryMb, runAsCommand, send, type MemoryMb } from "./common";

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

/** Runs the benchmark against a fresh simulator (stopped at the end). */
export async function runVmBench(vms = 1000, watchers = 20): Promise<VmBenchResult> {
  global.gc?.();
  const before = process.memoryUsage();
  // One node big enough for every VM (the default node, 8 cores and 32Gi, fits 80 VMs).
  const sim = await startSimulator({
    kubevirt: { timings: "fast", world: { node: { cpu: 1000, memory: "4Ti" } } },
  });
  const errors: string[] = [];
  const controllers: AbortController[] = [];
  const counts: number[] = new Array<number>(watchers).fill(0);
  let stopping = false;
  const agent = new Agent({ keepAlive: true, maxSockets: 50, ca: sim.caCert });
  try {
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    const path = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";
    for (let i = 0; i < watchers; i++) {
      const c = await new Watch(kc).watch(
        path,
        { resourceVersion: sim.store.currentResourceVersion() },
        (type: string) => {
          if (type === "ERROR") errors.push(`watcher ${i}: ERROR event`);
          counts[i]++;
        },
        (err: unknown) => {
          if (!stopping) errors.push(`watcher ${i} ended early: ${String(err)}`);
        },
      );
      controllers.push(c);
    }
    const t0 = performance.now();
    const names = Array.from({ length: vms }, (_, i) => `vm-${String(i).padStart(5, "0")}`);
    await inBatches(names, 50, (name) =>
      send(agent, sim.url + path, sim.token, "POST", {
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
      }).then(
        (r) => r.status === 201 || errors.push(`create ${name}: HTTP ${r.status}`),
        (e: unknown) => errors.push(`create ${name}: ${String(e)}`),
      ),
    );
    const createMs = performance.now() - t0;
    const running = () =>
      sim.store.list(VM_KEY).filter((vm) => vm.status?.printableStatus === "Running").length;
    const deadline = Date.now() + 120_000;
    while (running() < vms) {
      if (Date.now() > deadline) {
        errors.push(`only ${running()} of ${vms} VMs Running after 120 s`);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const allRunningMs = performance.now() - t0;
    global.gc?.();
    const after = process.memoryUsage();
    return {
      vms,
      watchers,
      errors,
      createMs: Math.round(createMs),
      allRunningMs: Math.round(allRunningMs),
      minEventsPerWatcher: Math.min(...counts),
      memoryMb: memoryMb(before, after),
    };
  } finally {
    stopping = true;
    controllers.forEach((c) => c.abort());
    agent.destroy();
    await sim.stop();
  }
}

if (require.main === module) {
  const [vms, watchers] = process.argv.slice(2).map(Number);
  runAsCommand(() => runVmBench(vms || 1000, watchers || 20));
}
