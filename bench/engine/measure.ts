/** The engine benchmark's arithmetic: request classes from the simulator's log, detection lag, statistics. */
import type { RequestRecord } from "../../simulator";

/** The API requests of one operation, by class. */
export interface RequestCounts {
  total: number;
  /** Mutating requests (POST, PUT, PATCH, DELETE, and the power subresources). */
  writes: number;
  /** GETs of single named objects (a VM or a VMI): per VM. */
  gets: number;
  /** Other reads, shared by all VMs: API discovery (`/apis/kubevirt.io/v1`), the namespace. */
  sharedGets: number;
  /** Collection lists (the informers' initial lists and relists). */
  lists: number;
  /** Watch streams. */
  watches: number;
  /** Lists by collection path (e.g. `/apis/kubevirt.io/v1/namespaces/default/virtualmachines`). */
  listsByPath: Record<string, number>;
  /** Requests per VM besides the shared ones (lists, watches, discovery): (writes + gets + other) / N. */
  perVm: number;
  writesPerVm: number;
  getsPerVm: number;
  /** The request log overflowed during the operation (counts are then too low). */
  overflowed?: boolean;
}

/** The path of one named VirtualMachine or VirtualMachineInstance (or a subresource of one). */
const NAMED_OBJECT = /\/namespaces\/[^/]+\/virtualmachine(instance)?s\/[^/]+/;

/** Classifies the requests of one operation over `n` VMs. */
export function classifyRequests(records: RequestRecord[], n: number): RequestCounts {
  const c = { total: records.length, writes: 0, gets: 0, sharedGets: 0, lists: 0, watches: 0, other: 0 };
  const listsByPath: Record<string, number> = {};
  for (const r of records) {
    if (r.mutating && !r.dryRun) c.writes++;
    else if (r.verb === "watch" || r.query.watch === "true" || r.query.watch === "1") c.watches++;
    else if (r.verb === "list") {
      c.lists++;
      listsByPath[r.path] = (listsByPath[r.path] ?? 0) + 1;
    } else if (r.verb === "get" && NAMED_OBJECT.test(r.path)) c.gets++;
    else if (r.verb === "get") c.sharedGets++;
    else c.other++;
  }
  const per = (x: number) => Math.round((x / Math.max(1, n)) * 100) / 100;
  return {
    total: c.total,
    writes: c.writes,
    gets: c.gets,
    sharedGets: c.sharedGets,
    lists: c.lists,
    watches: c.watches,
    listsByPath,
    perVm: per(c.writes + c.gets + c.other),
    writesPerVm: per(c.writes),
    getsPerVm: per(c.gets),
  };
}

/** Detection lag: provider saw it (trace `t`) − simulator committed it, over the waits of one operation. */
export interface LagStats {
  /** Waits that ended (trace lines). */
  waits: number;
  /** Waits whose resourceVersion was committed during the operation (the others were settled already). */
  measured: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** Lag of the trace lines in `trace` (JSON lines) against `commits` (resourceVersion → epoch ms). */
export function lagStats(trace: string, commits: Map<string, number>): LagStats {
  const lags: number[] = [];
  let waits = 0;
  for (const line of trace.split("\n")) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as { t: number; event: string; resourceVersion?: string };
    if (e.event !== "settled") continue;
    waits++;
    const committed = e.resourceVersion === undefined ? undefined : commits.get(e.resourceVersion);
    if (committed !== undefined) lags.push(Math.max(0, e.t - committed));
  }
  lags.sort((a, b) => a - b);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    waits,
    measured: lags.length,
    p50Ms: r1(percentile(lags, 50)),
    p95Ms: r1(percentile(lags, 95)),
    maxMs: r1(lags.length ? lags[lags.length - 1] : NaN),
  };
}

/** The p-th percentile of ascending numbers (NaN for none). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Minimum and median. */
export function minMedian(xs: number[]): { min: number; median: number } {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return { min: NaN, median: NaN };
  const mid = Math.floor(s.length / 2);
  return { min: s[0], median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2 };
}
