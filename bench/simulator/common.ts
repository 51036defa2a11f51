/** Helpers shared by the benchmarks. */
import { Agent } from "node:https";
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from "../../simulator/index";
import type { KubeObject } from "../../simulator/store/types";
import { request, type HttpResponse } from "../../simulator/http/testing";

/** A fresh simulator under benchmark, with the means to drive it and to collect problems. */
export interface BenchSimulator {
  sim: SimulatorHandle;
  /** Problems seen so far: a benchmark reports them (and fails as a command when there are any). */
  errors: string[];
  /**
   * One JSON request over a shared keep-alive agent. (client-node 2.0 builds a new undici Agent, so a new TLS
   * connection, for every request when the kubeconfig has a CA: that measures the client, not the server.)
   */
  send(method: string, path: string, body: unknown): Promise<HttpResponse<KubeObject>>;
  /**
   * Starts `count` client-node watchers of `path` from the current resourceVersion; `onEvent` gets every event
   * with the watcher's index. ERROR events, and watches that end before the benchmark does, are errors.
   */
  watch(path: string, count: number, onEvent: (watcher: number, object: KubeObject) => void): Promise<void>;
  /** Creates one object per name at `path`, 50 requests in flight; returns how long that took (ms). */
  createAll(path: string, names: readonly string[], manifest: (name: string) => object): Promise<number>;
  /** Memory now (after a collection, with --expose-gc) against before the simulator started. */
  memory(): MemoryMb;
}

/** Runs `bench` against a fresh simulator; its watchers, connections and the simulator are stopped at the end. */
export async function withBenchSimulator<T>(
  options: SimulatorOptions,
  bench: (b: BenchSimulator) => Promise<T>,
): Promise<T> {
  global.gc?.();
  const before = process.memoryUsage();
  const sim = await startSimulator(options);
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  const errors: string[] = [];
  const controllers: AbortController[] = [];
  let stopping = false;
  const agent = new Agent({ keepAlive: true, maxSockets: 50, ca: sim.caCert });
  const send = (method: string, path: string, body: unknown) =>
    request<KubeObject>(kc, method, path, { body, agent });
  const b: BenchSimulator = {
    sim,
    errors,
    send,
    async watch(path, count, onEvent) {
      for (let i = 0; i < count; i++) {
        const c = await new Watch(kc).watch(
          path,
          { resourceVersion: sim.store.currentResourceVersion() },
          (type: string, object: KubeObject) => {
            if (type === "ERROR") errors.push(`watcher ${i}: ERROR event ${JSON.stringify(object)}`);
            onEvent(i, object);
          },
          (err: unknown) => {
            if (!stopping) errors.push(`watcher ${i} ended early: ${String(err)}`);
          },
        );
        controllers.push(c);
      }
    },
    async createAll(path, names, manifest) {
      const t0 = performance.now();
      await inBatches(names, 50, (name) =>
        send("POST", path, manifest(name)).then(
          (r) => r.status === 201 || errors.push(`create ${name}: HTTP ${r.status}`),
          (e: unknown) => errors.push(`create ${name}: ${String(e)}`),
        ),
      );
      return performance.now() - t0;
    },
    memory() {
      global.gc?.();
      return memoryMb(before, process.memoryUsage());
    },
  };
  try {
    return await bench(b);
  } finally {
    stopping = true;
    controllers.forEach((c) => c.abort());
    agent.destroy();
    await sim.stop();
  }
}

/** The p-th percentile of ascending numbers. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Bytes as megabytes with one decimal. */
export const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

/** Memory before and after, in MB. */
export interface MemoryMb {
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
}

/** The memory change between two `process.memoryUsage()` readings. */
export function memoryMb(before: NodeJS.MemoryUsage, after: NodeJS.MemoryUsage): MemoryMb {
  return {
    rssBefore: mb(before.rss),
    rssAfter: mb(after.rss),
    heapBefore: mb(before.heapUsed),
    heapAfter: mb(after.heapUsed),
  };
}

/** Runs a benchmark as a command: prints its result as JSON; exits 1 when it reports errors or throws. */
export function runAsCommand(bench: () => Promise<object>): void {
  bench().then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      process.exit((r as { errors?: string[] }).errors?.length ? 1 : 0);
    },
    (e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    },
  );
}

/** Runs `fn` over `items`, `size` at a time (e.g. 50 requests in flight). */
async function inBatches<T>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
