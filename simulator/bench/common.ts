/** Helpers shared by the benchmarks. */
import { request, type Agent } from "node:https";

/**
 * One JSON request over a shared keep-alive agent. (client-node 2.0 builds a new undici Agent, so a new TLS
 * connection, for every request when the kubeconfig has a CA: that measures the client, not the server.)
 */
export function send(
  agent: Agent,
  url: string,
  token: string,
  method: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${token}`,
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(text),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) }),
        );
      },
    );
    req.on("error", reject);
    req.end(text);
  });
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
export async function inBatches<T>(
  items: readonly T[],
  size: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}
