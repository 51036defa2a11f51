/**
 * Interrupt trials: a `pulumi up` of the `multi` program killed at a seeded random moment after its first VM
 * create reached the simulator, then the documented recovery (`pulumi cancel`, `pulumi refresh`, `pulumi up`),
 * then a census of the cluster against the state and the declaration (see census.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Stack } from "@pulumi/pulumi/automation";
import { seededRng } from "../../simulator/kubevirt";
import type { SimulatorHandle } from "../../simulator";
import { takeCensus, type Census } from "./census";
import { createMultiStack, liveVms, stateSnapshot, startBootingSimulator, type MultiConfig } from "./multi";
import { descendants, isDynamicProvider, signalProcess, stillRunning, type ProcessInfo } from "./processes";
import { awaitStopped, runPulumi, startPulumi, type CliResult, type RunningCli } from "./pulumi-cli";

/** How the `up` is interrupted. */
export type KillMode = "sigkill-cli" | "sigkill-provider" | "double-sigint";

/** Every kill mode. */
const KILL_MODES: readonly KillMode[] = ["sigkill-cli", "sigkill-provider", "double-sigint"];

/** One trial's seeded choices. */
export interface TrialPlan {
  index: number;
  /** The simulator's seed (its timing jitter). */
  seed: number;
  mode: KillMode;
  naming: MultiConfig["naming"];
  /** How many VMs the program declares (3–5). */
  count: number;
  /** How long after the first VM create reached the simulator the kill is sent. */
  delayMs: number;
}

/** The latest kill point, after the first VM create: creates and boots (about 1–1.5 s each) are then in flight. */
const MAX_DELAY_MS = 1800;

/** How long after the kill the interrupted run's processes are looked for. */
export const SURVIVOR_CHECK_MS = 30_000;

/** Trial plans: every mode × naming pair equally often (seeded order), seeded VM counts and kill delays. */
export function planTrials(trials: number, seed: number): TrialPlan[] {
  const rng = seededRng(seed);
  const pairs = KILL_MODES.flatMap((mode) =>
    (["fixed", "auto"] as const).map((naming) => ({ mode, naming })),
  );
  const picks = Array.from({ length: trials }, (_, i) => pairs[i % pairs.length]);
  for (let i = picks.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [picks[i], picks[j]] = [picks[j], picks[i]];
  }
  return picks.map((pick, index) => ({
    index,
    seed: Math.floor(rng() * 2 ** 31),
    ...pick,
    count: 3 + Math.floor(rng() * 3),
    delayMs: Math.floor(rng() * MAX_DELAY_MS),
  }));
}

/** One recovery command and how it ended. */
export interface RecoveryStep {
  command: string;
  code: number | null;
  /** How long it ran. */
  seconds: number;
  /** The last lines it printed. */
  tail: string;
}

/** What the interrupted run's processes did after the kill. */
export interface Survivors {
  /** Dynamic-provider processes of the interrupted run still running {@link SURVIVOR_CHECK_MS} after the kill. */
  providers: number;
  /** Its other processes (language host, program, provider launcher) still running then: their program names. */
  others: string[];
}

/** The outcome of one trial. */
export interface TrialResult {
  plan: TrialPlan;
  /** Whether the `up` was still running when the kill was sent (and, for a provider kill, had a provider). */
  landed: boolean;
  /** Dynamic-provider processes of the `up` at the kill. */
  providersAtKill: number;
  /** How the interrupted `up` ended; `hung` when it had to be killed a minute after the interrupt. */
  interrupted: CliResult & { hung: boolean };
  recovery: RecoveryStep[];
  /** Whether the final `pulumi up` succeeded. */
  recovered: boolean;
  census: Census;
  /** The census converged and the final `up` succeeded. */
  converged: boolean;
  /** Settles {@link SURVIVOR_CHECK_MS} after the kill, once the survivors are counted (and then killed). */
  survivors: Promise<Survivors>;
}

/** Runs one trial on a simulator and stack of its own; both are gone when it returns. */
export async function runTrial(plan: TrialPlan): Promise<TrialResult> {
  const sim = await startBootingSimulator(plan.seed);
  try {
    const config: MultiConfig = { count: plan.count, naming: plan.naming };
    const t = await createMultiStack(`trial-${plan.index}`, sim.kubeconfigPath, config);
    try {
      const up = startPulumi(t.stack, ["up", "--yes", "--skip-preview"]);
      const kill = await interrupt(sim, up, plan);
      const interrupted = await awaitStopped(up);
      const recovery = await recover(t.stack);
      const census = takeCensus(config, await liveVms(sim.kubeconfig), await stateSnapshot(t.stack));
      const recovered = recovery[recovery.length - 1].code === 0;
      return {
        plan,
        ...kill,
        interrupted,
        recovery,
        recovered,
        census,
        converged: recovered && census.converged,
      };
    } finally {
      await t.dispose().catch(() => undefined);
    }
  } finally {
    await sim.stop();
  }
}

/** Waits for the first VM create, then the plan's delay, then interrupts the `up` as the plan says. */
async function interrupt(
  sim: SimulatorHandle,
  up: RunningCli,
  plan: TrialPlan,
): Promise<Pick<TrialResult, "landed" | "providersAtKill" | "survivors">> {
  let ended = false;
  void up.done.then(() => (ended = true));
  const isCreate = { method: "POST", path: /\/virtualmachines$/ };
  while (sim.requests.list(isCreate).length === 0) {
    if (ended) {
      const { output } = await up.done;
      throw new Error(`pulumi up ended before creating any VM:\n${output}`);
    }
    await sleep(10);
  }
  await sleep(plan.delayMs);
  const tree = descendants(up.pid);
  const providers = tree.filter(isDynamicProvider);
  const landed = !ended && (plan.mode !== "sigkill-provider" || providers.length > 0);
  switch (plan.mode) {
    case "sigkill-cli":
      up.signal("SIGKILL");
      break;
    case "sigkill-provider":
      for (const p of providers) signalProcess(p, "SIGKILL");
      break;
    case "double-sigint":
      up.signal("SIGINT");
      await sleep(200);
      up.signal("SIGINT");
      break;
  }
  return { landed, providersAtKill: providers.length, survivors: countSurvivors(tree) };
}

/** Every survivor count started, so that a test can wait for them even where its trial failed half-way. */
const survivorCounts: Promise<Survivors>[] = [];

/** Settles when every survivor count started so far is done (and the survivors are killed). */
export async function survivorsKilled(): Promise<void> {
  await Promise.all(survivorCounts);
}

/** After {@link SURVIVOR_CHECK_MS}, counts the processes of `tree` still running, then kills them. */
function countSurvivors(tree: ProcessInfo[]): Promise<Survivors> {
  const count = sleep(SURVIVOR_CHECK_MS).then(() => {
    const alive = tree.filter(stillRunning);
    for (const p of alive) signalProcess(p, "SIGKILL");
    return {
      providers: alive.filter(isDynamicProvider).length,
      others: alive.filter((p) => !isDynamicProvider(p)).map(programName),
    };
  });
  survivorCounts.push(count);
  return count;
}

/** A process's program: the executable's base name, and for Node.js the script's path inside node_modules. */
function programName(p: ProcessInfo): string {
  const [exe, script] = p.cmdline.split(" ");
  const base = exe.slice(exe.lastIndexOf("/") + 1);
  return base === "node" && script ? `node ${script.replace(/^.*node_modules\//, "")}` : base;
}

/**
 * The documented recovery after an interrupted update: `pulumi cancel` (a no-op when no update is in
 * progress), `pulumi refresh` (with `--clear-pending-creates` when the state holds pending creates: in
 * non-interactive mode the CLI neither asks nor clears them, and they would outlive every later `up`),
 * `pulumi up`.
 */
async function recover(stack: Stack): Promise<RecoveryStep[]> {
  const steps: RecoveryStep[] = [];
  const run = async (args: string[]) => {
    const started = Date.now();
    const result = await runPulumi(stack, args);
    const seconds = (Date.now() - started) / 1000;
    steps.push({
      command: `pulumi ${args.join(" ")}`,
      code: result.code,
      seconds,
      tail: tail(result.output),
    });
  };
  await run(["cancel", "--yes"]);
  const pendingCreates = (await stateSnapshot(stack)).pendingOperations.some((p) => p.type === "creating");
  await run(["refresh", "--yes", "--skip-preview", ...(pendingCreates ? ["--clear-pending-creates"] : [])]);
  await run(["up", "--yes", "--skip-preview"]);
  return steps;
}

function tail(output: string, lines = 15): string {
  return output.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Totals over trials. */
export interface TrialTotals {
  run: number;
  orphans: number;
  duplicates: number;
  missing: number;
  converged: number;
}

/** Adds up the census of `results`. */
export function totals(results: TrialResult[]): TrialTotals {
  return {
    run: results.length,
    orphans: results.reduce((n, r) => n + r.census.orphans.length, 0),
    duplicates: results.reduce((n, r) => n + r.census.duplicates.length, 0),
    missing: results.reduce((n, r) => n + r.census.missing.length, 0),
    converged: results.filter((r) => r.converged).length,
  };
}

/** `N run, orphans O, duplicates D, missing M, converged C`. */
function describeTotals(t: TrialTotals): string {
  return `${t.run} run, orphans ${t.orphans}, duplicates ${t.duplicates}, missing ${t.missing}, converged ${t.converged}`;
}

/**
 * The summary of `results`: `interrupt trials: <totals>`, the totals per kill mode, the kills that missed, the
 * interrupted runs that hung, and the processes of the interrupted runs still running {@link SURVIVOR_CHECK_MS}
 * after the kill (it waits for that).
 */
export async function summary(results: TrialResult[]): Promise<string> {
  const survivors = await Promise.all(results.map((r) => r.survivors));
  const others = survivors.flatMap((s) => s.others);
  const byName = [...new Set(others)].map((name) => `${name} ×${others.filter((o) => o === name).length}`);
  const count = (f: (r: TrialResult) => boolean) => results.filter(f).length;
  return [
    `interrupt trials: ${describeTotals(totals(results))}`,
    ...KILL_MODES.map(
      (mode) => `  ${mode}: ${describeTotals(totals(results.filter((r) => r.plan.mode === mode)))}`,
    ),
    `  kills that missed (the up had ended, or had no provider process): ${count((r) => !r.landed)}`,
    `  interrupted ups killed for hanging a minute after the interrupt: ${count((r) => r.interrupted.hung)}`,
    `  dynamic-provider processes still running ${SURVIVOR_CHECK_MS / 1000} s after the kill: ` +
      `${survivors.reduce((n, s) => n + s.providers, 0)} (of ${results.reduce((n, r) => n + r.providersAtKill, 0)} ` +
      `at the kills); other processes of the interrupted runs: ${others.length} (${byName.join(", ") || "none"})`,
  ].join("\n");
}
