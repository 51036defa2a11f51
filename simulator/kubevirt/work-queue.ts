/**
 * The controllers' work queues: named queues of object keys, drained together on the next timer tick in the order
 * the queues were declared, each key once per round however often it was added. A handler that throws is logged
 * and its key retried after a short pause, like a rate-limited requeue.
 */
import type { Timers } from "./timings";

/** How many rounds one drain runs before it yields to the event loop. */
const MAX_ROUNDS_PER_DRAIN = 500;
/** The pause before a key whose handler threw is retried. */
const RETRY_MS = 50;

/** A set of named work queues with their handlers; see the module comment. */
export class WorkQueues<Name extends string> {
  private readonly queues = new Map<Name, Set<string>>();
  private drainHandle: unknown;
  private stopped = false;

  /**
   * @param handlers one handler per queue, in drain order
   * @param timers the timers the drain and the retries run on
   * @param log receives the failures
   */
  constructor(
    private readonly handlers: Readonly<Record<Name, (key: string) => void>>,
    private readonly timers: Timers,
    private readonly log: (message: string) => void,
  ) {
    for (const name of Object.keys(handlers) as Name[]) this.queues.set(name, new Set());
  }

  /** Queues `key` on the queue `name`. */
  add(name: Name, key: string): void {
    this.queues.get(name)?.add(key);
    if (this.stopped || this.drainHandle !== undefined) return;
    this.drainHandle = this.timers.setTimeout(() => this.drain(), 0);
  }

  /** Stops draining (queued keys are dropped). */
  stop(): void {
    this.stopped = true;
    if (this.drainHandle !== undefined) this.timers.clearTimeout(this.drainHandle);
    this.drainHandle = undefined;
  }

  private pending(): boolean {
    return [...this.queues.values()].some((q) => q.size > 0);
  }

  private drain(): void {
    this.drainHandle = undefined;
    if (this.stopped) return;
    let rounds = 0;
    while (this.pending() && rounds++ < MAX_ROUNDS_PER_DRAIN) {
      for (const [name, queue] of this.queues) {
        const keys = [...queue];
        queue.clear();
        for (const key of keys) this.guarded(name, key, () => this.handlers[name](key));
      }
    }
    if (this.pending()) this.drainHandle = this.timers.setTimeout(() => this.drain(), 0);
  }

  /**
   * Runs `work` for the key of queue `name` (its handler, or other work on the same object such as a due stage);
   * on failure logs it and queues the key again after {@link RETRY_MS}.
   */
  guarded(name: Name, key: string, work: () => void): void {
    try {
      work();
    } catch (e) {
      this.log(`reconcile ${name} ${key} failed: ${(e as Error).message}`);
      this.timers.setTimeout(() => this.add(name, key), RETRY_MS);
    }
  }
}
