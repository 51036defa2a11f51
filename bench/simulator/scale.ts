/**
 * Scale check of the API layer: N objects created over HTTPS (a keep-alive agent, 50 requests in flight), W
 * concurrent watchers (client-node `Watch`), then U updates one after another, timing each from the moment the
 * write is sent until every watcher has received it (watch fan-out latency). Reports memory (RSS, heap) and
 * p50/p99/max latency, and counts errors.
 *
 *   npm run build && node dist/bench/simulator/scale.js [objects=1000] [watchers=20] [updates=200]
 */
import { WIDGETS } from "../../simulator/http/testing";
import { percentile, runAsCommand, withBenchSimulator, type BenchSimulator, type MemoryMb } from "./common";

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

const PATH = "/apis/test.sim.io/v1/namespaces/default/widgets";

/** Runs the benchmark against a fresh simulator (stopped at the end). */
export async function runScaleBench(objects = 1000, watchers = 20, updates = 200): Promise<ScaleResult> {
  return withBenchSimulator({ kubevirt: false }, async (b) => {
    b.sim.host.registerResource(WIDGETS);
    // Watchers first, from the current resourceVersion, so they see every create and update.
    const fanout = await watchFanout(b, watchers);
    const names = Array.from({ length: objects }, (_, i) => `w-${String(i).padStart(5, "0")}`);
    const createMs = await b.createAll(PATH, names, (name) => ({
      apiVersion: "test.sim.io/v1",
      kind: "Widget",
      metadata: { name, namespace: "default", labels: { bench: "yes" } },
      spec: { n: 0 },
    }));
    const latencies: number[] = [];
    for (let u = 0; u < updates; u++) {
      const latency = await timeUpdate(b, fanout, names[u % names.length], u + 1);
      if (latency !== undefined) latencies.push(latency);
    }
    latencies.sort((x, y) => x - y);
    const round = (ms: number) => Math.round(ms * 100) / 100;
    return {
      objects,
      watchers,
      updates,
      errors: b.errors,
      createMs: Math.round(createMs),
      eventsPerWatcher: fanout.counts,
      fanoutMs: {
        p50: round(percentile(latencies, 50)),
        p99: round(percentile(latencies, 99)),
        max: round(latencies[latencies.length - 1] ?? NaN),
      },
      memoryMb: b.memory(),
    };
  });
}

/** What the watchers received: events per watcher and when each saw each resourceVersion. */
interface Fanout {
  counts: number[];
  /** Per watcher: resourceVersion → `performance.now()` at arrival. */
  received: Map<string, number>[];
  /** Resolves at the next event any watcher receives (or after 50 ms). */
  nextEvent(): Promise<void>;
}

async function watchFanout(b: BenchSimulator, watchers: number): Promise<Fanout> {
  const counts = new Array<number>(watchers).fill(0);
  const received = counts.map(() => new Map<string, number>());
  let waiters: (() => void)[] = [];
  await b.watch(PATH, watchers, (i, obj) => {
    counts[i]++;
    received[i].set(obj.metadata?.resourceVersion ?? "", performance.now());
    const ws = waiters;
    waiters = [];
    ws.forEach((w) => w());
  });
  const nextEvent = () =>
    new Promise<void>((r) => {
      waiters.push(r);
      setTimeout(r, 50);
    });
  return { counts, received, nextEvent };
}

/**
 * Sets `spec.n` of one widget and waits until every watcher has its new resourceVersion: the time from sending
 * to the last arrival (ms), or undefined (and an error) when the update failed or was not seen within 5 s.
 */
async function timeUpdate(
  b: BenchSimulator,
  fanout: Fanout,
  name: string,
  n: number,
): Promise<number | undefined> {
  const sent = performance.now();
  let rv: string;
  try {
    const cur = b.sim.store.get(WIDGETS.key, "default", name)!;
    const res = await b.send("PUT", `${PATH}/${name}`, { ...cur, spec: { n } });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    rv = res.json.metadata.resourceVersion!;
  } catch (e) {
    b.errors.push(`update ${name}: ${String(e)}`);
    return undefined;
  }
  const seenByAll = () => fanout.received.every((m) => m.has(rv));
  const deadline = Date.now() + 5000;
  while (!seenByAll()) {
    if (Date.now() > deadline) {
      b.errors.push(`update ${name} rv ${rv}: not seen by every watcher within 5 s`);
      return undefined;
    }
    await fanout.nextEvent();
  }
  return Math.max(...fanout.received.map((m) => m.get(rv)!)) - sent;
}

if (require.main === module) {
  const [objects, watchers, updates] = process.argv.slice(2).map(Number);
  runAsCommand(() => runScaleBench(objects || 1000, watchers || 20, updates || 200));
}
