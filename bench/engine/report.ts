/** The engine benchmark's rows, target checks and table (markdown, for stdout and docs/performance.md). */
import { minMedian } from "./measure";
import { BOOTING, OPERATIONS, type Operation, type OperationResult } from "./world";

/** One row: an operation at one N, over its repetitions. */
export interface Row {
  n: number;
  op: Operation;
  reps: number;
  productS: { min: number; median: number };
  baselineS: { min: number; median: number };
  /** World delay in the allowance: the boot delay for operations that boot VMs, else 0. */
  delayS: number;
  /** product median / (baseline median + delay). */
  ratio: number;
  /** The wall-time target (ratio bound), where the issue sets one. */
  ratioTarget?: number;
  requests: {
    perVm: number;
    writesPerVm: number;
    getsPerVm: number;
    lists: number;
    maxListsPerCollection: number;
    watches: number;
  };
  lag: { waits: number; measured: number; p50Ms: number; p95Ms: number; maxMs: number };
  rssMb: { product: number; baseline: number };
  cpuS: { product: number; baseline: number };
}

/** Builds the row of `op` at `n` from its product and baseline results (one per repetition). */
export function buildRow(
  n: number,
  op: Operation,
  product: OperationResult[],
  baseline: OperationResult[],
  bootDelayMs: number,
): Row {
  const productS = minMedian(product.map((r) => r.wallMs / 1000));
  const baselineS = minMedian(baseline.map((r) => r.wallMs / 1000));
  const delayS = BOOTING.has(op) ? bootDelayMs / 1000 : 0;
  const worst = <T>(xs: T[], f: (x: T) => number) => Math.max(...xs.map(f));
  const lagRep = product.reduce((a, b) => (b.lag.p95Ms > a.lag.p95Ms ? b : a), product[0]);
  return {
    n,
    op,
    reps: product.length,
    productS,
    baselineS,
    delayS,
    ratio: productS.median / (baselineS.median + delayS),
    ratioTarget: ratioTarget(n, op),
    requests: {
      perVm: worst(product, (r) => r.requests.perVm),
      writesPerVm: worst(product, (r) => r.requests.writesPerVm),
      getsPerVm: worst(product, (r) => r.requests.getsPerVm),
      lists: worst(product, (r) => r.requests.lists),
      maxListsPerCollection: worst(product, (r) => Math.max(0, ...Object.values(r.requests.listsByPath))),
      watches: worst(product, (r) => r.requests.watches),
    },
    lag: lagRep.lag,
    rssMb: {
      product: worst(product, (r) => r.provider.peakRssMb),
      baseline: worst(baseline, (r) => r.provider.peakRssMb),
    },
    cpuS: {
      product: minMedian(product.map((r) => r.provider.cpuS)).median,
      baseline: minMedian(baseline.map((r) => r.provider.cpuS)).median,
    },
  };
}

const POWER: ReadonlySet<Operation> = new Set(["create", "stop-all", "start-all", "restart-all", "template"]);
const NO_CHANGE: ReadonlySet<Operation> = new Set(["preview", "refresh"]);

function ratioTarget(n: number, op: Operation): number | undefined {
  if (n < 100) return undefined;
  if (POWER.has(op)) return 1.1;
  if (NO_CHANGE.has(op)) return 1.05;
  return undefined;
}

/** One target of the issue, checked against one row. */
export interface Check {
  target: string;
  n: number;
  op: Operation;
  met: boolean;
  figure: string;
}

/** Every target check the rows allow (targets at N ≥ 100; RSS and lag at N ≥ 300, as the issue sets them). */
export function checkTargets(rows: Row[]): Check[] {
  const checks: Check[] = [];
  const add = (row: Row, target: string, met: boolean, figure: string) =>
    checks.push({ target, n: row.n, op: row.op, met, figure });
  for (const row of rows) {
    if (row.ratioTarget !== undefined) {
      const bound = row.ratioTarget * (row.baselineS.median + row.delayS);
      const over = row.productS.median - bound;
      add(
        row,
        `wall ≤ ${row.ratioTarget.toFixed(2)} × (baseline${row.delayS ? " + boot" : ""})`,
        over <= 0,
        `${fmt(row.ratio, 2)}× (${over <= 0 ? `${fmt(-over, 1)} s under` : `${fmt(over, 1)} s over`})`,
      );
    }
    if (NO_CHANGE.has(row.op)) {
      add(row, "zero writes", row.requests.writesPerVm === 0, `${row.requests.writesPerVm} writes/VM`);
      add(
        row,
        "≤ 1 list per collection and namespace, no per-VM GETs",
        row.requests.maxListsPerCollection <= 1 && row.requests.getsPerVm === 0,
        `${row.requests.maxListsPerCollection} lists/collection, ${row.requests.getsPerVm} GETs/VM`,
      );
    } else {
      add(row, "≤ 2 requests per VM per change", row.requests.perVm <= 2, `${row.requests.perVm}/VM`);
    }
    if (row.n >= 100) {
      add(
        row,
        "provider CPU ≤ 1.5 × baseline",
        row.cpuS.product <= 1.5 * row.cpuS.baseline,
        `${fmt(row.cpuS.product, 1)} s vs ${fmt(row.cpuS.baseline, 1)} s (${fmt(row.cpuS.product / row.cpuS.baseline, 2)}×)`,
      );
    }
    if (row.n >= 300) {
      add(
        row,
        "provider peak RSS ≤ baseline + 40 MB",
        row.rssMb.product <= row.rssMb.baseline + 40,
        `+${fmt(row.rssMb.product - row.rssMb.baseline, 0)} MB`,
      );
      if (row.lag.measured > 0)
        add(row, "detection lag p95 ≤ 25 ms", row.lag.p95Ms <= 25, `${fmt(row.lag.p95Ms, 1)} ms`);
    }
  }
  return checks;
}

function fmt(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "–";
}

/** The rows as a markdown table. */
export function renderTable(rows: Row[]): string {
  const head = [
    "N",
    "operation",
    "reps",
    "product s (min / med)",
    "baseline s (min / med)",
    "ratio",
    "req/VM (writes, GETs)",
    "lists / watches",
    "lag ms p50 / p95 / max",
    "RSS MB prod / base",
    "CPU s prod / base",
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  const sorted = [...rows].sort((a, b) => a.n - b.n || OPERATIONS.indexOf(a.op) - OPERATIONS.indexOf(b.op));
  for (const r of sorted) {
    const ratio = `${fmt(r.ratio, 2)}${r.delayS ? "†" : ""}${r.ratioTarget ? (r.ratio <= r.ratioTarget ? " ✓" : " ✗") : ""}`;
    const lag = r.lag.measured
      ? `${fmt(r.lag.p50Ms, 1)} / ${fmt(r.lag.p95Ms, 1)} / ${fmt(r.lag.maxMs, 1)}`
      : "–";
    lines.push(
      `| ${[
        r.n,
        r.op,
        r.reps,
        `${fmt(r.productS.min, 1)} / ${fmt(r.productS.median, 1)}`,
        `${fmt(r.baselineS.min, 1)} / ${fmt(r.baselineS.median, 1)}`,
        ratio,
        `${fmt(r.requests.perVm, 2)} (${fmt(r.requests.writesPerVm, 2)}, ${fmt(r.requests.getsPerVm, 2)})`,
        `${r.requests.lists} / ${r.requests.watches}`,
        lag,
        `${fmt(r.rssMb.product, 0)} / ${fmt(r.rssMb.baseline, 0)}`,
        `${fmt(r.cpuS.product, 1)} / ${fmt(r.cpuS.baseline, 1)}`,
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

/** The target checks as a markdown list. */
export function renderChecks(checks: Check[]): string {
  return checks.map((c) => `- ${c.met ? "✓" : "✗"} N=${c.n} ${c.op}: ${c.target} — ${c.figure}`).join("\n");
}
