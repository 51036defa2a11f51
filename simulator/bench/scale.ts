/**
 * Scale check of the API layer: N objects created over HTTPS (a keep-alive agent, 50 requests in flight), W
 * concurrent watchers (client-node `Watch`), then U updates one after another, timing each from the moment the write is sent until every watcher has
 * received it (watch fan-out latency). Reports memory (RSS, heap) and p50/p99/max latency, and counts errors.
 *
 *   npm run build && node dist/simulator/bench/scale.js [objects=1000] [watchers=20] [updates=200]
 */
import { Agent } from "node:https";
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { startSimulator } from "../index";
import { WIDGETS } from "../http/testing";
import { inBatches, memoryMb, percentile, runAsCommand, send, type MemoryMb } from "./common";

/** What {@link runScaleBench} measured. */
export interface ScaleResult {
  objects: number;
  watchers: number;
  updates: number;
  errors: string[];
  createMs: number;
  /** Events each watcher received (should be objects + updates). */
  eventsPerWatcher: number[];
  fanoutMs: { p50: number; p99: number; max: number };
  memoryMb: MemoryMb;
}

/** Runs the benchmark against a fresh simulator (stopped at the end). */
export async function runScaleBench(objects = 1000, watchers = 20, updates = 200): Promise<ScaleResult> {
  global.gc?.();
  const before = process.memoryUsage();
  const sim = await startSimulator({ kubevirt: false });
  const errors: string[] = [];
  const controllers: AbortController[] = [];
  let stopping = false;
  const agent = new Agent({ keepAlive: true, maxSockets: 50, ca: sim.caCert });
  try {
    sim.host.registerResource(WIDGETS);
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig);
    const path = "/apis/test.sim.io/v1/namespaces/default/widgets";

    // Watchers first, from the current resourceVersion, so they see every create and update.
    const startRv = sim.store.currentResourceVersion();
    const received: Map<string, number>[] = [];
    const counts: number[] = [];
    let waiters: (() => void)[] = [];
    for (let i = 0; i < watchers; i++) {
      const seen = new Map<string, number>();
      received.push(seen);
      counts.push(0);
      const c = await new Watch(kc).watch(
        path,
        { resourceVersion: startRv },
        (type, obj: { metadata?: { resourceVersion?: string } }) => {
          if (type === "ERROR") errors.push(`watcher ${i}: ERROR event ${JSON.stringify(obj)}`);
          counts[i]++;
          seen.set(obj.metadata?.resourceVersion ?? "", performance.now());
          const ws = waiters;
          waiters = [];
          ws.forEach((w) => w());
        },
        (err) => {
          if (!stopping) errors.push(`watcher ${i} ended early: ${String(err)}`);
        },
      );
      controllers.push(c);
    }

    const t0 = performance.now();
    const names = Array.from({ length: objects }, (_, i) => `w-${String(i).padStart(5, "0")}`);
    await inBatches(names, 50, (name) =>
      send(agent, sim.url + path, sim.token, "POST", {
        apiVersion: "test.sim.io/v1",
        kind: "Widget",
        metadata: { name, namespace: "default", labels: { bench: "yes" } },
        spec: { n: 0 },
      }).then(
        (r) => r.status === 201 || errors.push(`create ${name}: HTTP ${r.status}`),
        (e: unknown) => errors.push(`create ${name}: ${String(e)}`),
      ),
    );
    const createMs = performance.now() - t0;

    const latencies: number[] = [];
    for (let u = 0; u < updates; u++) {
      const name = names[u % names.length];
      const sent = performance.now();
      let rv: string;
      try {
        const cur = sim.store.get(WIDGETS.key, "default", name)!;
        const res = await send(agent, `${sim.url}${path}/${name}`, sim.token, "PUT", {
          ...cur,
          spec: { n: u + 1 },
        });
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        rv = (res.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
      } catch (e) {
        errors.push(`update ${name}: ${String(e)}`);
        continue;
      }
      const deadline = Date.now() + 5000;
      while (!received.every((m) => m.has(rv))) {
        if (Date.now() > deadline) {
          errors.push(`update ${name} rv ${rv}: not seen by every watcher within 5 s`);
          break;
        }
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
      if (received.every((m) => m.has(rv)))
        latencies.push(Math.max(...received.map((m) => m.get(rv)!)) - sent);
    }
    latencies.sort((a, b) => a - b);
    global.gc?.();
    const after = process.memoryUsage();
    return {
      objects,
      watchers,
      updates,
      errors,
      createMs: Math.round(createMs),
      eventsPerWatcher: counts,
      fanoutMs: {
        p50: Math.round(percentile(latencies, 50) * 100) / 100,
        p99: Math.round(percentile(latencies, 99) * 100) / 100,
        max: Math.round((latencies[latencies.length - 1] ?? NaN) * 100) / 100,
      },
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
  const [objects, watchers, updates] = process.argv.slice(2).map(Number);
  runAsCommand(() => runScaleBench(objects || 1000, watchers || 20, updates || 200));
}
