/**
 * Running stage tables (`stages.ts`) against a store: one timer per object for the stage it is in, and the write
 * of a stage's result. The VMI stages (`controller.ts`) and the CDI importer stages (`cdi-controller.ts`) share it.
 */
import type { KubeObject, ResourceKey, Store } from "../store/types";
import { stableStringify } from "./api";
import type { Clock, Rng, Timers } from "./timings";

/** A stage waiting for its delay to run out for one object. */
interface StageTimer {
  uid: string;
  stage: string;
  matchedAt: number;
  due: number;
  handle: unknown;
}

/** What the stage timers need: time, randomness for the jitter, and what to do when a stage is due. */
export interface StageTimersConfig {
  clock: Clock;
  timers: Timers;
  rng: Rng;
  /** Random extra delay per stage: uniform in [0, jitterMs]. */
  jitterMs: number;
  /** Called when the stage `stage` matched for the object `key` with `uid` has waited its delay. */
  fire: (key: string, uid: string, stage: string) => void;
}

/** The per-object stage timers, keyed by `<namespace>/<name>`. */
export class StageTimers {
  private readonly pending = new Map<string, StageTimer>();

  constructor(private readonly cfg: StageTimersConfig) {}

  /**
   * Records that `stage` (with `delayMs`) now applies to the object, or that none does (`undefined`). A stage that
   * keeps matching keeps its timer, which only moves earlier when the delay shrank; a new stage starts a new one.
   */
  track(key: string, uid: string, stage: string | undefined, delayMs: number): void {
    const existing = this.pending.get(key);
    if (stage === undefined) {
      if (existing) this.cancel(key);
      return;
    }
    if (existing && existing.stage === stage && existing.uid === uid) {
      const due = existing.matchedAt + delayMs;
      if (due < existing.due) this.schedule(key, uid, stage, existing.matchedAt, due);
      return;
    }
    const now = this.cfg.clock.now();
    const jitter = Math.floor(this.cfg.rng() * (this.cfg.jitterMs + 1));
    this.schedule(key, uid, stage, now, now + delayMs + jitter);
  }

  /** Drops the object's timer, if any. */
  cancel(key: string): void {
    const t = this.pending.get(key);
    if (t) this.cfg.timers.clearTimeout(t.handle);
    this.pending.delete(key);
  }

  /** Drops every timer. */
  clear(): void {
    for (const key of [...this.pending.keys()]) this.cancel(key);
  }

  private schedule(key: string, uid: string, stage: string, matchedAt: number, due: number): void {
    this.cancel(key);
    const handle = this.cfg.timers.setTimeout(
      () => {
        this.pending.delete(key);
        this.cfg.fire(key, uid, stage);
      },
      Math.max(0, due - this.cfg.clock.now()),
    );
    this.pending.set(key, { uid, stage, matchedAt, due, handle });
  }
}

/** Writes a stage's result: the status through the status subresource first, then metadata and spec, each when it changed. */
export function writeStaged(store: Store, key: ResourceKey, current: KubeObject, next: KubeObject): void {
  const ns = current.metadata.namespace ?? "";
  const name = current.metadata.name;
  if (stableStringify(next.status ?? {}) !== stableStringify(current.status ?? {})) {
    store.update(key, { ...current, status: next.status }, "status");
  }
  const { resourceVersion: _a, ...metaNext } = next.metadata;
  const { resourceVersion: _b, ...metaCur } = current.metadata;
  if (
    stableStringify(metaNext) !== stableStringify(metaCur) ||
    stableStringify(next.spec) !== stableStringify(current.spec)
  ) {
    const fresh = store.get(key, ns, name);
    if (!fresh) return;
    store.update(key, {
      ...fresh,
      metadata: { ...metaNext, resourceVersion: fresh.metadata.resourceVersion },
      spec: next.spec,
    });
  }
}
