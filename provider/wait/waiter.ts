/**
 * Watch-driven waiting: re-evaluates a wait target on every change the namespace's shared watch sees (no
 * polling loop), prints one progress line per status change (the CLI shows a dynamic provider's console
 * output during `up`), fails fast with KubeVirt's reason, and gives up at the deadline.
 */
import type { NamespaceWatch, Observed } from "../kube/namespace-watch";
import type { Log } from "../progress/sink";
import { traceSettled } from "../progress/trace";
import { referencedDataVolumes } from "../model/datavolume";
import { evaluate, priorOf, statusLine, type AnyWaitTarget, type Prior } from "./conditions";

/** Options of one wait. */
export interface WaitOptions {
  /** Epoch milliseconds after which the wait fails. */
  deadline: number;
  /** Receives progress: each change of status (ephemeral), then the outcome. */
  log: Log;
  /** What the target means, for messages: "Ready", "Stopped", ... */
  label: string;
  /** Milliseconds between "still waiting" lines while nothing changes (default 30 s). */
  heartbeatMs?: number;
}

/** Raised when KubeVirt reports a state the VM will not leave by itself, or the deadline passes. */
export class ConvergenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConvergenceError";
  }
}

/**
 * Waits until `target` holds for the VM `name`; resolves with what was observed then. `floor` is what was
 * read before the wait (it also names the instance that existed then, whose ending does not count).
 */
export async function waitFor(
  watch: NamespaceWatch,
  name: string,
  target: AnyWaitTarget,
  floor: Observed,
  options: WaitOptions,
): Promise<Observed> {
  await watch.ready();
  if (waitsForDisks(target) && referencedDataVolumes(floor.vm).length > 0) await watch.followDataVolumes();
  return new Promise<Observed>((resolve, reject) => {
    new Waiting(watch, name, target, floor, options, resolve, reject).begin();
  });
}

/** Whether reaching `target` needs the VM's disks: then the wait follows its DataVolumes (phase, progress, errors). */
function waitsForDisks(target: AnyWaitTarget): boolean {
  return target.state === "running" || target.state === "instance" || target.state === "disks";
}

/**
 * How often, at most, a wait sends its status (the latest one wins): the row shows every status that lasts, and
 * a fleet of N VMs costs the engine about two status events per VM per second of waiting, not one per phase.
 */
const STATUS_INTERVAL_MS = 1_000;

/** One wait in progress: re-evaluated on every change of the watch, ended by a verdict or the deadline. */
class Waiting {
  private readonly started = Date.now();
  /** The last status seen (what the row says, or is about to say). */
  private last = "";
  /** When a status was last sent, and the send of a newer one held back until the interval has passed. */
  private lastSent = 0;
  private heldBack?: NodeJS.Timeout;
  private settled = false;
  private unsubscribe?: () => void;
  private timer?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  /** What the floor says happened before the wait (its news is old news). */
  private readonly prior: Prior;

  constructor(
    private readonly watch: NamespaceWatch,
    private readonly name: string,
    private readonly target: AnyWaitTarget,
    private readonly floor: Observed,
    private readonly options: WaitOptions,
    private readonly resolve: (seen: Observed) => void,
    private readonly reject: (err: ConvergenceError) => void,
  ) {
    this.prior = priorOf(floor);
  }

  /** Subscribes to changes, arms the deadline and the heartbeat, and evaluates what is known now. */
  begin(): void {
    this.unsubscribe = this.watch.onChange(this.name, () => this.check());
    this.timer = setTimeout(() => this.timedOut(), Math.max(0, this.options.deadline - Date.now()));
    this.heartbeat = setInterval(
      () => this.options.log(`${this.name}: still ${this.last || "waiting"}, ${this.elapsed()}`, "status"),
      this.options.heartbeatMs ?? 30_000,
    );
    this.check();
  }

  private elapsed(): string {
    return `${Math.round((Date.now() - this.started) / 1000)}s`;
  }

  /** Evaluates the target against what the watch knows: ends the wait, or prints a changed status. */
  private check(): void {
    const { name, options } = this;
    const refused = this.watch.failure;
    if (refused) return this.fail(`cannot wait for ${name} to be ${options.label}: ${refused.message}`);
    const seen = this.watch.get(name, this.floor);
    const verdict = evaluate(this.target, seen.vm, seen.vmi, this.prior, seen.dataVolumes);
    if (verdict.kind === "done") {
      if (this.last) options.log(`${name}: ${options.label} after ${this.elapsed()}`);
      traceSettled(name, options.label, (seen.vmi ?? seen.vm)?.metadata.resourceVersion);
      this.finish(() => this.resolve(seen));
    } else if (verdict.kind === "failed") {
      this.fail(`${name} cannot become ${options.label}: ${verdict.reason}`);
    } else if (verdict.kind === "stopped") {
      this.fail(`${name} stopped: ${verdict.reason}`);
    } else if (verdict.status !== this.last) {
      this.last = verdict.status;
      this.sendStatus();
    }
  }

  /** Sends the latest status now, or once {@link STATUS_INTERVAL_MS} has passed since the last one. */
  private sendStatus(): void {
    const wait = this.lastSent + STATUS_INTERVAL_MS - Date.now();
    if (wait > 0) {
      this.heldBack ??= setTimeout(() => {
        this.heldBack = undefined;
        this.sendStatus();
      }, wait);
      return;
    }
    this.lastSent = Date.now();
    this.options.log(`${this.name}: ${this.last}, ${this.elapsed()}`, "status");
  }

  private timedOut(): void {
    const seen = this.watch.get(this.name, this.floor);
    const why = `last status: ${statusLine(seen.vm, seen.vmi, seen.dataVolumes)}`;
    this.fail(
      `timed out after ${this.elapsed()} waiting for ${this.name} to be ${this.options.label} (${why})`,
    );
  }

  private fail(message: string): void {
    this.finish(() => this.reject(new ConvergenceError(message)));
  }

  /** Ends the wait once: unsubscribes, disarms the timers, then settles with `outcome`. */
  private finish(outcome: () => void): void {
    if (this.settled) return;
    this.settled = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    clearTimeout(this.heldBack);
    clearInterval(this.heartbeat);
    outcome();
  }
}
