/**
 * The engine benchmark (issue 14): for each N, through the real Pulumi engine (Automation API, `--parallel 64`)
 * against the simulator with a fixed boot delay, every operation of {@link OPERATIONS} on N VirtualMachines and
 * then on N no-op resources of the same shape (the baseline), back to back, repeated. Prints progress and a
 * table; writes JSON; with `--write-docs`, puts the table and the target checks into docs/performance.md.
 *
 *   npm run bench [-- --sizes 1,10,100,300] [--with-500] [--reps 2] [--reps-large 2] [--boot-ms 1000]
 *                 [--parallel 64] [--checkpoints] [--out bench/results/latest.json] [--write-docs]
 *
 * `--reps` applies to N < 300, `--reps-large` to N ≥ 300 (fewer there if a slower machine needs the run to fit in 25 minutes).
 * Needs the project's Pulumi CLI on PATH (the npm script runs it through scripts/with-pulumi.sh) and a build.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { buildRow, checkTargets, renderChecks, renderTable, type Check, type Row } from "./report";
import { OPERATIONS, ROOT, runOperation, startBenchWorld, type OperationResult } from "./world";

/** Command-line options. */
export interface BenchOptions {
  sizes: number[];
  reps: number;
  repsLarge: number;
  bootDelayMs: number;
  parallel: number;
  /** Let the engine checkpoint after every step (see `BenchWorldOptions.checkpoints` in ./world). */
  checkpoints: boolean;
  out: string;
  writeDocs: boolean;
}

/** The whole run, as written to the JSON file. */
export interface BenchReport {
  startedAt: string;
  totalS: number;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string };
  options: BenchOptions;
  rows: Row[];
  checks: Check[];
}

/** Parses the command line. */
export function parseArgs(argv: string[]): BenchOptions {
  const o: BenchOptions = {
    sizes: [1, 10, 100, 300],
    reps: 2,
    repsLarge: 2,
    bootDelayMs: 1000,
    parallel: 64,
    checkpoints: false,
    out: join(ROOT, "bench/results/latest.json"),
    writeDocs: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = () => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      return v;
    };
    if (a === "--sizes") o.sizes = value().split(",").map(Number);
    else if (a === "--with-500") o.sizes = [...new Set([...o.sizes, 500])];
    else if (a === "--reps") o.reps = int();
    else if (a === "--reps-large") o.repsLarge = int();
    else if (a === "--boot-ms") o.bootDelayMs = int();
    else if (a === "--parallel") o.parallel = int();
    else if (a === "--checkpoints") o.checkpoints = true;
    else if (a === "--out") o.out = resolve(value());
    else if (a === "--write-docs") o.writeDocs = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (o.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--sizes: positive integers");
  return o;
}

/** Runs the benchmark; `log` gets the progress lines. */
export async function runBench(o: BenchOptions, log: (line: string) => void): Promise<BenchReport> {
  const started = performance.now();
  const elapsed = () => `${Math.round((performance.now() - started) / 1000)} s`;
  const rows: Row[] = [];
  for (const n of o.sizes) {
    const reps = n >= 300 ? o.repsLarge : o.reps;
    const results = new Map<string, OperationResult[]>();
    const world = await startBenchWorld({ bootDelayMs: o.bootDelayMs, checkpoints: o.checkpoints });
    try {
      for (let rep = 1; rep <= reps; rep++) {
        for (const op of OPERATIONS) {
          for (const kind of ["product", "baseline"] as const) {
            const r = await runOperation(world, kind, op, n, o.parallel);
            const key = `${op}/${kind}`;
            results.set(key, [...(results.get(key) ?? []), r]);
            log(
              `N=${n} rep ${rep}/${reps} ${op} ${kind}: ${(r.wallMs / 1000).toFixed(1)} s` +
                (kind === "product" ? `, ${r.requests.perVm} req/VM, ${r.requests.watches} watches` : "") +
                `; CPU s provider ${r.provider.cpuS}, engine ${r.provider.engineCpuS}, ` +
                `others ${JSON.stringify(r.provider.otherCpuByProgram)}, simulator ${r.benchCpuS} (elapsed ${elapsed()})`,
            );
          }
        }
      }
    } finally {
      await world.dispose();
    }
    for (const op of OPERATIONS) {
      rows.push(
        buildRow(n, op, results.get(`${op}/product`)!, results.get(`${op}/baseline`)!, o.bootDelayMs),
      );
    }
  }
  return {
    startedAt: new Date(performance.timeOrigin).toISOString(),
    totalS: Math.round((performance.now() - started) / 1000),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
    },
    options: o,
    rows,
    checks: checkTargets(rows),
  };
}

const DOCS_START = "<!-- bench:results:start -->";
const DOCS_END = "<!-- bench:results:end -->";

/** The generated part of docs/performance.md. */
export function renderResults(r: BenchReport): string {
  const reps = [...new Set(r.rows.map((row) => `N=${row.n}: ${row.reps}`))].join(", ");
  return [
    `Run of ${r.startedAt.slice(0, 16).replace("T", " ")} UTC, ${r.totalS} s in all, on ${r.machine.cpus} × ${r.machine.cpuModel}, ` +
      `${r.machine.memoryGb} GB, Node ${r.machine.node}; boot delay ${r.options.bootDelayMs} ms, ` +
      `--parallel ${r.options.parallel}, ${r.options.checkpoints ? "a checkpoint after every step" : "PULUMI_SKIP_CHECKPOINTS"}; ` +
      `repetitions ${reps}.`,
    "",
    renderTable(r.rows),
    "",
    "† ratio against baseline + boot delay. Requests per VM leave out the shared collection lists and watches " +
      "(shown as totals); lag is the worst repetition's.",
    "",
    "Targets (from this run):",
    "",
    renderChecks(r.checks),
  ].join("\n");
}

/** Replaces the generated part of docs/performance.md (between its markers). */
export function writeDocs(r: BenchReport, path = join(ROOT, "docs/performance.md")): void {
  const doc = readFileSync(path, "utf8");
  const start = doc.indexOf(DOCS_START);
  const end = doc.indexOf(DOCS_END);
  if (start < 0 || end < start) throw new Error(`${path} lacks the ${DOCS_START} … ${DOCS_END} markers`);
  writeFileSync(
    path,
    `${doc.slice(0, start + DOCS_START.length)}\n\n${renderResults(r)}\n\n${doc.slice(end)}`,
  );
  // Formatted as `npm run lint` expects (prettier aligns the table).
  execFileSync(join(ROOT, "node_modules/.bin/prettier"), ["--write", path], { stdio: "ignore" });
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  log(
    `sizes ${o.sizes.join(", ")}; reps ${o.reps} (N < 300), ${o.repsLarge} (N ≥ 300); boot ${o.bootDelayMs} ms`,
  );
  const report = await runBench(o, log);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${renderResults(report)}\n\nJSON: ${o.out}\n`);
  if (o.writeDocs) {
    writeDocs(report);
    log("docs/performance.md updated");
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
