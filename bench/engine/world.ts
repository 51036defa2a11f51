/**
 * The engine benchmark's world: one simulator with a fixed boot delay and a node big enough for 500 VMs, and two
 * stacks of bench/program through the real Pulumi engine (Automation API, local file backend): `product`
 * (VirtualMachines) and `baseline` (no-op resources of the same shape). {@link runOperation} runs one engine
 * operation on one of them and measures it: wall time, the API requests the simulator logged, detection lag
 * (from the provider's trace, PULUMI_KUBEVIRT_TRACE, against the simulator's commit times), and the provider
 * process's peak RSS and CPU.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import ts from "typescript";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import { classifyRequests, lagStats, type LagStats, type RequestCounts } from "./measure";
import { sampleProviderProcesses, type ProcessUsage } from "./processes";

/** The repository's root (bench/engine → ../..; from dist/bench/engine → ../../..). */
export const ROOT = existsSync(join(__dirname, "../../package.json"))
  ? join(__dirname, "../..")
  : join(__dirname, "../../..");
const PROGRAM = join(ROOT, "bench/program");
/** The program's project name (bench/program/Pulumi.yaml): the namespace of its config keys. */
const PROJECT = "kubevirt-bench";

/** Which program a stack runs. */
export type BenchKind = "product" | "baseline";

/** The operations, in the order one repetition runs them. */
export const OPERATIONS = [
  "create",
  "stop-all",
  "start-all",
  "restart-all",
  "template",
  "preview",
  "refresh",
  "destroy",
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Operations whose engine step waits for the VMs to boot (their allowance includes the boot delay). */
export const BOOTING: ReadonlySet<Operation> = new Set(["create", "start-all", "restart-all", "template"]);

/** The program's config each operation runs with (preview, refresh and destroy keep the last one). */
export function operationConfig(op: Operation, n: number): Record<string, string> | undefined {
  const base = { count: String(n), restartPolicy: "IfRequired", memory: "128Mi", restartTrigger: "r0" };
  switch (op) {
    case "create":
    case "start-all":
      return { ...base, runStrategy: "Always" };
    case "stop-all":
      return { ...base, runStrategy: "Halted" };
    case "restart-all":
      return { ...base, runStrategy: "Always", restartTrigger: "r1" };
    case "template":
      return { ...base, runStrategy: "Always", restartTrigger: "r1", memory: "192Mi" };
    default:
      return undefined;
  }
}

/** One operation's measurements. */
export interface OperationResult {
  kind: BenchKind;
  op: Operation;
  n: number;
  wallMs: number;
  /** What the engine reported per change kind (create, update, same, delete, ...). */
  changes: Record<string, number>;
  /** The stack's `vms` output after the operation (up only). */
  outputs?: Record<string, { powerState?: string; vmiUid?: string }>;
  /** The product's API requests (zero for the baseline). */
  requests: RequestCounts;
  lag: LagStats;
  provider: ProcessUsage;
  /** CPU time of this process during the operation (the simulator, the Automation API, the sampler), s. */
  benchCpuS: number;
}

/** A stack of bench/program with its own backend. */
interface BenchStack {
  stack: Stack;
  dir: string;
  config: Record<string, string>;
}

/** The simulator and the two stacks. */
export interface BenchWorld {
  sim: SimulatorHandle;
  bootDelayMs: number;
  stacks: Record<BenchKind, BenchStack>;
  /** The provider's trace file (PULUMI_KUBEVIRT_TRACE of both stacks). */
  traceFile: string;
  /** When the simulator committed each resourceVersion since the last {@link BenchWorld.resetCommits}. */
  commits: Map<string, number>;
  dispose(): Promise<void>;
}

/** Options of {@link startBenchWorld}. */
export interface BenchWorldOptions {
  /** VMI created → Ready, fixed, no jitter. Default 1000 ms. */
  bootDelayMs?: number;
  /**
   * Let the engine save a checkpoint of the whole state after every step (its default). Off by default here
   * (`PULUMI_SKIP_CHECKPOINTS`, only the final state is saved): with a file backend each checkpoint rewrites the
   * whole state, O(N) per step and O(N²) per run, the same for both stacks, and at N=300 it dominates the run.
   */
  checkpoints?: boolean;
}

const now = () => performance.timeOrigin + performance.now();

/** Starts the simulator and creates both stacks (no resources yet). */
export async function startBenchWorld(options: BenchWorldOptions = {}): Promise<BenchWorld> {
  const bootDelayMs = options.bootDelayMs ?? 1000;
  const sim = await startSimulator({
    historySize: 5000,
    kubevirt: {
      // Boot: all of the delay in one stage (Scheduled → Running, Ready=True); everything else at once.
      timings: {
        base: "fast",
        pendingMs: 0,
        schedulingMs: 0,
        scheduledMs: 0,
        runningMs: bootDelayMs,
        agentConnectMs: 0,
        guestShutdownMs: 0,
        podTeardownMs: 0,
        jitterMs: 0,
      },
      // One node big enough for 500 VMs (the default node, 8 cores and 32Gi, fits 80).
      world: { node: { cpu: 1000, memory: "4Ti" } },
    },
  });
  const commits = new Map<string, number>();
  const offCommits = sim.store.onCommit((e) => commits.set(String(e.rv), now()));
  const dir = mkdtempSync(join(tmpdir(), "kubevirt-bench-"));
  const traceFile = join(dir, "trace.jsonl");
  writeFileSync(traceFile, "");
  const stacks = {} as Record<BenchKind, BenchStack>;
  try {
    for (const kind of ["product", "baseline"] as const) {
      stacks[kind] = await createStack(kind, join(dir, kind), {
        KUBECONFIG: sim.kubeconfigPath,
        PULUMI_KUBEVIRT_TRACE: traceFile,
        ...(options.checkpoints ? {} : { PULUMI_SKIP_CHECKPOINTS: "true" }),
      });
    }
  } catch (err) {
    await sim.stop();
    throw err;
  }
  return {
    sim,
    bootDelayMs,
    stacks,
    traceFile,
    commits,
    async dispose() {
      for (const s of Object.values(stacks)) {
        await s.stack.workspace.removeStack(s.stack.name, { force: true }).catch(() => undefined);
      }
      offCommits();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createStack(kind: BenchKind, dir: string, env: Record<string, string>): Promise<BenchStack> {
  // The program runs from a copy (the engine writes Pulumi.<stack>.yaml next to it), compiled to JavaScript
  // first, as large programs are run: no TypeScript compiler or source-map support in the program's process
  // (ts-node's source maps make every stack trace @pulumi/pulumi records per property cost a mapping).
  const workDir = join(dir, "program");
  cpSync(PROGRAM, workDir, { recursive: true });
  const source = readFileSync(join(PROGRAM, "index.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(join(workDir, "index.js"), outputText);
  const project = readFileSync(join(PROGRAM, "Pulumi.yaml"), "utf8")
    .replace(/^main: .*$/m, "main: index.js")
    .replace(/^runtime: nodejs$/m, "runtime:\n  name: nodejs\n  options:\n    typescript: false");
  writeFileSync(join(workDir, "Pulumi.yaml"), project);
  rmSync(join(workDir, "index.ts"));
  symlinkSync(join(ROOT, "node_modules"), join(workDir, "node_modules"));
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: kind, workDir },
    {
      envVars: {
        PULUMI_BACKEND_URL: `file://${dir}`,
        PULUMI_CONFIG_PASSPHRASE: "bench-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_HOME: join(dir, ".pulumi-home"),
        ...env,
      },
    },
  );
  return { stack, dir, config: {} };
}

/**
 * Sets the stack's config to `config` by writing its settings file (Pulumi.<stack>.yaml; plain values, the
 * encryption salt kept): no CLI run per operation, so nothing but the operation itself is timed or waited for.
 */
function applyConfig(s: BenchStack, kind: BenchKind, config: Record<string, string>): void {
  const wanted: Record<string, string> = { ...config, kind };
  if (Object.entries(wanted).every(([k, v]) => s.config[k] === v)) return;
  const file = join(s.stack.workspace.workDir, `Pulumi.${s.stack.name}.yaml`);
  const kept = existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("encryptionsalt:"))
    : [];
  const values = Object.entries(wanted).map(([k, v]) => `  ${PROJECT}:${k}: ${JSON.stringify(v)}`);
  writeFileSync(file, [...kept, "config:", ...values, ""].join("\n"));
  s.config = wanted;
}

/** Runs `op` on the stack of `kind` (with `n` resources) and measures it. */
export async function runOperation(
  world: BenchWorld,
  kind: BenchKind,
  op: Operation,
  n: number,
  parallel = 64,
): Promise<OperationResult> {
  const s = world.stacks[kind];
  const config = operationConfig(op, n);
  if (config) applyConfig(s, kind, config);
  world.commits.clear();
  const traceStart = readFileSync(world.traceFile).length;
  const mark = world.sim.requests.mark();
  const sampler = sampleProviderProcesses(process.pid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let changes: Record<string, number> = {};
  let outputs: OperationResult["outputs"];
  try {
    switch (op) {
      case "preview": {
        const r = await s.stack.preview({ parallel });
        changes = r.changeSummary as Record<string, number>;
        break;
      }
      case "refresh": {
        const r = await s.stack.refresh({ parallel });
        changes = (r.summary.resourceChanges ?? {}) as Record<string, number>;
        break;
      }
      case "destroy": {
        const r = await s.stack.destroy({ parallel });
        changes = (r.summary.resourceChanges ?? {}) as Record<string, number>;
        // A fresh state for the next repetition's create.
        s.config = {};
        break;
      }
      default: {
        const r = await s.stack.up({ parallel });
        changes = (r.summary.resourceChanges ?? {}) as Record<string, number>;
        outputs = r.outputs.vms?.value as OperationResult["outputs"];
      }
    }
  } catch (err) {
    await sampler.stop();
    throw err;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const provider = await sampler.stop();
  const records = world.sim.requests.list({ afterSeq: mark });
  const overflowed = records.length > 0 && records[0].seq !== mark + 1;
  const trace = readFileSync(world.traceFile).subarray(traceStart).toString("utf8");
  return {
    kind,
    op,
    n,
    wallMs,
    changes,
    outputs,
    requests: { ...classifyRequests(records, n), overflowed },
    lag: lagStats(trace, world.commits),
    provider,
    benchCpuS: Math.round((cpu.user + cpu.system) / 1e4) / 100,
  };
}
