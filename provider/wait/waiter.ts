/**
 * Watch-driven waiting: re-evaluates a wait target on every change the namespace's shared watch sees (no
 * polling loop), prints one progress line per status change (the CLI shows a dynamic provider's console
 * output during `up`), fails fast with KubeVirt's reason, and gives up at the deadline.
 */
import type { NamespaceWatch, Observed } from "../kube/namespace-watch";
import { evaluate, statusLine, type AnyWaitTarget } from "./conditions";

/** Options of one wait. */
export interface WaitOptions {
  /** Epoch milliseconds after which the wait fails. */
  deadline: number;
  /** Receives progress lines. */
  log: (line: string) => void;
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
  const started = Date.now();
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
  return new Promise<Observed>((resolve, reject) => {
    let last = "";
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(timer);
      clearInterval(heartbeat);
      fn();
    };
    const check = () => {
      const refused = watch.failure;
      if (refused) {
        finish(() =>
          reject(new ConvergenceError(`cannot wait for ${name} to be ${options.label}: ${refused.message}`)),
        );
        return;
      }
      const seen = watch.get(name, floor);
      const verdict = evaluate(target, seen.vm, seen.vmi, floor.vmi?.metadata.uid);
      if (verdict.kind === "done") {
        if (last) options.log(`${name}: ${options.label} after ${elapsed()}`);
        finish(() => resolve(seen));
      } else if (verdict.kind === "failed") {
        finish(() =>
          reject(new ConvergenceError(`${name} cannot become ${options.label}: ${verdict.reason}`)),
        );
      } else if (verdict.kind === "stopped") {
        finish(() => reject(new ConvergenceError(`${name} stopped: ${verdict.reason}`)));
      } else if (verdict.status !== last) {
        last = verdict.status;
        options.log(`${name}: ${verdict.status}, ${elapsed()}`);
      }
    };
    const unsubscribe = watch.onChange(check);
    const timer = setTimeout(
      () => {
        const seen = watch.get(name, floor);
        const why = `last status: ${statusLine(seen.vm, seen.vmi)}`;
        finish(() =>
          reject(
            new ConvergenceError(
              `timed out after ${elapsed()} waiting for ${name} to be ${options.label} (${why})`,
            ),
          ),
        );
      },
      Math.max(0, options.deadline - Date.now()),
    );
    const heartbeat = setInterval(
      () => options.log(`${name}: still ${last || "waiting"}, ${elapsed()}`),
      options.heartbeatMs ?? 30_000,
    );
    check();
  });
}
