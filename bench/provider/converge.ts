/**
 * How the provider scales when many VMs converge at once (as in one `pulumi up` of a large stack): N VMs are
 * created (Always) and then stopped (Halted) concurrently through one provider instance against the
 * simulator (fast timings). Reports wall time per phase and the API requests per VM, by verb: waiting shares
 * one list+watch per collection and namespace, so watch streams do not grow with N (2, plus one relist per
 * collection when a burst outruns the server's event history), and nothing polls.
 *
 *   npm run build && node dist/bench/provider/converge.js [vms=200]
 */
import { startSimulator } from "../../simulator";
import { runAsCommand } from "../simulator/common";
import { createVmProvider, type VmOutputs } from "../../provider/index";

const TEMPLATE = {
  spec: {
    domain: { devices: { disks: [{ name: "root", disk: { bus: "virtio" } }] }, memory: { guest: "64Mi" } },
    volumes: [{ name: "root", containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" } }],
    terminationGracePeriodSeconds: 0,
  },
};

/** What {@link runConvergeBench} measured. */
export interface ConvergeResult {
  vms: number;
  createAllMs: number;
  stopAllMs: number;
  watchStreams: number;
  requestsPerVm: Record<string, number>;
}

/** Runs the benchmark against a fresh simulator. */
export async function runConvergeBench(vms = 200): Promise<ConvergeResult> {
  // One node big enough for every VM (the default node, 8 cores and 32Gi, fits 80 VMs).
  const sim = await startSimulator({
    kubevirt: { timings: "fast", world: { node: { cpu: 1000, memory: "4Ti" } } },
  });
  const provider = createVmProvider(() => undefined);
  try {
    const check = async (name: string, runStrategy: string, olds: Record<string, unknown> = {}) =>
      (
        await provider.check(olds, {
          name,
          owner: `urn:pulumi:bench::converge::kubevirt:index:VirtualMachine::${name}`,
          runStrategy,
          template: TEMPLATE,
          kubeconfig: sim.kubeconfigPath,
        })
      ).inputs as VmOutputs;
    const names = Array.from({ length: vms }, (_, i) => `bench-${i}`);
    const always = await Promise.all(names.map((n) => check(n, "Always")));
    const mark = sim.requests.mark();
    let t0 = performance.now();
    const created = await Promise.all(always.map((inputs) => provider.create(inputs)));
    const createAllMs = performance.now() - t0;
    const halted = await Promise.all(names.map((n, i) => check(n, "Halted", always[i])));
    t0 = performance.now();
    await Promise.all(created.map((c, i) => provider.update(c.id, c.outs, halted[i])));
    const stopAllMs = performance.now() - t0;
    const requests = sim.requests.list({ afterSeq: mark });
    const byVerb: Record<string, number> = {};
    for (const r of requests) byVerb[r.verb] = (byVerb[r.verb] ?? 0) + 1;
    return {
      vms,
      createAllMs: Math.round(createAllMs),
      stopAllMs: Math.round(stopAllMs),
      watchStreams: byVerb.watch ?? 0,
      requestsPerVm: Object.fromEntries(
        Object.entries(byVerb).map(([verb, n]) => [verb, Math.round((n / vms) * 100) / 100]),
      ),
    };
  } finally {
    provider.close();
    await sim.stop();
  }
}

if (require.main === module) {
  const [vms] = process.argv.slice(2).map(Number);
  runAsCommand(() => runConvergeBench(vms || 200));
}
