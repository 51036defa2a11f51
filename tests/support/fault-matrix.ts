/**
 * The fault matrix: every fault kind of the simulator, injected into the requests of every phase of a VM's
 * life as the engine drives the provider (check's reads, the create, a template patch, start, stop, restart,
 * the waits' watches, the delete, a refresh's reads), and the table its outcomes are reported in.
 */
import { DEFAULT_RETRY } from "../../provider/kube/retry";
import type { FaultAction, FaultRule } from "../../simulator/http/faults";
import type { VmSpec } from "./engine-driver";

/** A fault as the matrix injects it: the action, and for how many matching requests it fires. */
export interface FaultKind {
  label: string;
  action: FaultAction;
  count: number;
  /** Watch-only kinds fire only on watch requests (so only in phases whose operation opens watches). */
  watchOnly?: boolean;
}

/** The kinds of the matrix: the retryable ones a few times, the lost answer once, and a 500 beyond the retries. */
export const FAULT_KINDS: readonly FaultKind[] = [
  { label: "429 Retry-After 1", action: { kind: "status", code: 429, retryAfterSeconds: 1 }, count: 2 },
  { label: "500", action: { kind: "status", code: 500 }, count: 2 },
  { label: "503", action: { kind: "status", code: 503 }, count: 2 },
  { label: "drop", action: { kind: "drop" }, count: 2 },
  { label: "latency 300 ms", action: { kind: "latency", ms: 300 }, count: 3 },
  { label: "lose-response", action: { kind: "lose-response" }, count: 1 },
  // Every attempt of the provider's retries fails (twice over: a read is of the VM and of its VMI): the
  // operation fails, and its message and the next run are what is tested.
  {
    label: "500 beyond retries",
    action: { kind: "status", code: 500 },
    count: 2 * DEFAULT_RETRY.attempts,
  },
  {
    label: "cut-watch after 1",
    action: { kind: "cut-watch", afterEvents: 1 },
    count: 2,
    watchOnly: true,
  },
  { label: "watch-gone", action: { kind: "watch-gone" }, count: 2, watchOnly: true },
];

/**
 * A watch that delivers nothing until client-node's 30 s inactivity timeout ends it: injected once, into the
 * waits phase only (each such cell takes half a minute).
 */
export const SILENT_WATCH: FaultKind = {
  label: "silent-watch",
  action: { kind: "silent-watch" },
  count: 2,
  watchOnly: true,
};

/** What a phase's operation is: an `up` of a declaration, a refresh or a destroy. */
export type Operation = { kind: "up"; spec: VmSpec } | { kind: "refresh" } | { kind: "destroy" };

/** The requests a fault rule matches. */
export type FaultTarget = Required<Pick<FaultRule, "verb" | "path">>;

/** One phase of a VM's life. */
export interface Phase {
  label: string;
  /** What the stack declares (and is converged to) before the operation; absent: the operation creates the VM. */
  before?: VmSpec;
  operation: Operation;
  /** The requests of this phase in namespace `ns` for the VM `name` (faults of the non-watch kinds go there). */
  requests(ns: string, name: string): FaultTarget;
  /** Whether watch-only kinds are injected here (into the watches the operation opens to wait). */
  watchKinds: boolean;
}

const VMS = (ns: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`;
const SUBRESOURCE = (ns: string, name: string, action: string) =>
  `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}/${action}`;

/** The watches of a namespace's VMs and VMIs (what every wait opens). */
export function watchesOf(ns: string): FaultTarget {
  return {
    verb: "watch",
    path: new RegExp(`^/apis/kubevirt\\.io/v1/namespaces/${ns}/(virtualmachines|virtualmachineinstances)$`),
  };
}

const ALWAYS: VmSpec = { runStrategy: "Always" };

/** The phases, in the order of a VM's life. */
export const PHASES: readonly Phase[] = [
  {
    label: "check",
    operation: { kind: "up", spec: ALWAYS },
    // The namespace, the owner's VMs (an auto-named resource) and the VM of the name.
    requests: (ns) => ({
      verb: "GET",
      path: new RegExp(`^/api(s/kubevirt\\.io)?/v1/namespaces/${ns}(/virtualmachines(/[^/]+)?)?$`),
    }),
    watchKinds: false,
  },
  {
    label: "create",
    operation: { kind: "up", spec: ALWAYS },
    requests: (ns) => ({ verb: "POST", path: VMS(ns) }),
    // A create's waits are the waits phase.
    watchKinds: false,
  },
  {
    label: "patch",
    before: { runStrategy: "Always", restartPolicy: "Never", memory: "128Mi" },
    operation: { kind: "up", spec: { runStrategy: "Always", restartPolicy: "Never", memory: "256Mi" } },
    requests: (ns, name) => ({ verb: "PATCH", path: `${VMS(ns)}/${name}` }),
    watchKinds: true,
  },
  {
    label: "start",
    before: { runStrategy: "Halted" },
    operation: { kind: "up", spec: ALWAYS },
    requests: (ns, name) => ({ verb: "PUT", path: SUBRESOURCE(ns, name, "start") }),
    watchKinds: true,
  },
  {
    label: "stop",
    before: ALWAYS,
    operation: { kind: "up", spec: { runStrategy: "Halted" } },
    requests: (ns, name) => ({ verb: "PUT", path: SUBRESOURCE(ns, name, "stop") }),
    watchKinds: true,
  },
  {
    label: "restart",
    before: { runStrategy: "Always", restartTrigger: "1" },
    operation: { kind: "up", spec: { runStrategy: "Always", restartTrigger: "2" } },
    requests: (ns, name) => ({ verb: "PUT", path: SUBRESOURCE(ns, name, "restart") }),
    watchKinds: true,
  },
  {
    label: "waits",
    operation: { kind: "up", spec: ALWAYS },
    requests: (ns) => watchesOf(ns),
    watchKinds: true,
  },
  {
    label: "delete",
    before: ALWAYS,
    operation: { kind: "destroy" },
    requests: (ns, name) => ({ verb: "DELETE", path: `${VMS(ns)}/${name}` }),
    watchKinds: true,
  },
  {
    label: "refresh",
    before: ALWAYS,
    operation: { kind: "refresh" },
    // A refresh reads through the namespace's shared watch: its lists (a failed one falls back to GETs).
    requests: (ns) => ({
      verb: "list",
      path: new RegExp(`^/apis/kubevirt\\.io/v1/namespaces/${ns}/(virtualmachines|virtualmachineinstances)$`),
    }),
    watchKinds: false,
  },
];

/** One cell: a fault kind in a phase. */
export interface Cell {
  /** Unique and short (it names the cell's namespace): `c<n>`. */
  id: string;
  fault: FaultKind;
  phase: Phase;
  /** The requests the fault is injected into. */
  target(ns: string, name: string): FaultTarget;
}

/** Every applicable (fault kind, phase) pair, plus the silent watch in the waits phase. */
export function matrixCells(): Cell[] {
  const pairs: [FaultKind, Phase][] = [];
  for (const fault of FAULT_KINDS) {
    for (const phase of PHASES) if (!fault.watchOnly || phase.watchKinds) pairs.push([fault, phase]);
  }
  pairs.push([SILENT_WATCH, PHASES.find((p) => p.label === "waits")!]);
  return pairs.map(([fault, phase], i) => ({
    id: `c${i + 1}`,
    fault,
    phase,
    target: (ns, name) => (fault.watchOnly ? watchesOf(ns) : phase.requests(ns, name)),
  }));
}

/** The power state the phase's operation declares (`gone` after a destroy). */
export function declaredAfter(phase: Phase): "Running" | "Stopped" | "gone" {
  const spec = phase.operation.kind === "up" ? phase.operation.spec : phase.before;
  if (!spec || phase.operation.kind === "destroy") return "gone";
  return spec.runStrategy === "Halted" ? "Stopped" : "Running";
}

/** What is wrong with a failure's message: empty, `undefined`, a stack trace, or naming neither VM nor request. */
export function messageProblems(message: string, vmNames: readonly string[]): string[] {
  const problems: string[] = [];
  if (message.trim() === "") problems.push("empty message");
  if (/\bundefined\b/.test(message)) problems.push("says undefined");
  if (/\[object Object\]/.test(message)) problems.push("says [object Object]");
  if (/\n\s+at .+[:(]\d+/.test(message)) problems.push("carries a stack trace");
  const namesVm = vmNames.some((n) => n !== "" && message.includes(n));
  const namesRequest = /\b(GET|POST|PUT|PATCH|DELETE) \/api/.test(message);
  if (!namesVm && !namesRequest) problems.push("names neither the VM nor the request");
  return problems;
}

/** How one cell ended. */
export interface CellOutcome {
  cell: Cell;
  /** The failure under the fault (the provider method and its message); absent when the operation succeeded. */
  failure?: { step: string; message: string };
  /** VMs in the cell's namespace that the state does not point at. */
  orphans: number;
  /** VMs of the resource's owner beyond the first. */
  duplicates: number;
  /** Whatever the cell's assertions found wrong (empty when the cell passed). */
  problems: string[];
}

/**
 * The matrix as text: one row per fault kind, one column per phase (`converged`, `failed [n]`, `n/a` where
 * the kind cannot fire), the failures' messages as numbered notes, and the summary line.
 */
export function renderMatrix(outcomes: readonly CellOutcome[]): string {
  const kinds = [...FAULT_KINDS, SILENT_WATCH];
  const notes: string[] = [];
  const cellText = (fault: FaultKind, phase: Phase): string => {
    const o = outcomes.find((x) => x.cell.fault === fault && x.cell.phase === phase);
    if (!o) return fault === SILENT_WATCH ? "" : "n/a";
    let text = "converged";
    if (o.failure !== undefined) {
      notes.push(
        `[${notes.length + 1}] ${fault.label} × ${phase.label}, ${o.failure.step}: ${o.failure.message}`,
      );
      text = `failed [${notes.length}]`;
    }
    return o.problems.length > 0 ? `${text} !` : text;
  };
  const rows = kinds.map((k) => [k.label, ...PHASES.map((p) => cellText(k, p))]);
  const header = ["fault \\ phase", ...PHASES.map((p) => p.label)];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i])).join(" | ");
  const sum = (f: (o: CellOutcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
  const clean = outcomes.filter((o) => o.problems.length === 0);
  const atOnce = clean.filter((o) => o.failure === undefined).length;
  const troubled = outcomes.length - clean.length;
  const summary =
    `fault matrix: ${outcomes.length} cells, ${atOnce} converged at once, ` +
    `${clean.length - atOnce} failed clearly then converged, ${sum((o) => o.orphans)} orphans, ` +
    `${sum((o) => o.duplicates)} duplicates` +
    (troubled > 0 ? `, ${troubled} cells with problems (marked !)` : "");
  return [line(header), ...rows.map(line), ...notes, summary].join("\n");
}
