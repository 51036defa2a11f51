/**
 * Timing profiles, the injectable clock/timers and the seeded random source.
 *
 * `fast` is for tests (every phase step 0–50 ms, a DataVolume import 1.5 s, crash-loop backoff and grace periods
 * scaled by 1/100); `realistic` is for demos (about 2–3 s from create to Running, a 30 s import, real 10 s·n²
 * backoff, real grace periods).
 */

/** Delays of the simulated world, in milliseconds unless stated. */
export interface Timings {
  /** VMI "" → Pending (the mutating webhook's work). */
  pendingMs: number;
  /** Pending → Scheduling (launcher pod created). */
  schedulingMs: number;
  /** Scheduling → Scheduled (pod scheduled and ready). */
  scheduledMs: number;
  /** Scheduled → Running (domain booted). */
  runningMs: number;
  /** Running → AgentConnected (guest agent up, interfaces reported with an IP). */
  agentConnectMs: number;
  /** Time a cooperative guest needs to shut down on ACPI power-off (capped by the grace period). */
  guestShutdownMs: number;
  /** Final VMI → its VMI-controller finalizer removed (launcher pod torn down). */
  podTeardownMs: number;
  /** A crash-looping VMI's time from Scheduled to Failed. */
  crashMs: number;
  /** ErrImagePull → ImagePullBackOff, and back. */
  imagePullBackOffMs: number;
  /** A DataVolume's PVC: created → Bound (a volume provisioned for it; §11.2). */
  pvcBindMs: number;
  /** PVC bound → CDI's importer (or cloner) pod created: DataVolume `ImportScheduled` / `CloneScheduled`. */
  importerScheduledMs: number;
  /** Importer pod created → its container running: `ImportInProgress` / `CloneInProgress` at "0.00%". */
  importerStartMs: number;
  /**
   * The transfer itself, from the importer running to `Succeeded` at "100.0%" (import or clone), in several
   * progress steps; per object `import.stage.sim.kubevirt.io/delay` (ms) on the DataVolume.
   */
  importMs: number;
  /** An importer attempt that fails (`sim.kubevirt.io/import-error`): running → terminated with `Error`. */
  importerFailMs: number;
  /** Random extra delay added to every stage: uniform in [0, jitterMs]. */
  jitterMs: number;
  /**
   * Multiplier for second-based durations: crash-loop backoff, terminationGracePeriodSeconds and the kubelet's
   * restart back-off of a failing importer pod.
   */
  secondsScale: number;
}

export const TIMING_PROFILES: Readonly<Record<"fast" | "realistic", Timings>> = {
  fast: {
    pendingMs: 0,
    schedulingMs: 5,
    scheduledMs: 10,
    runningMs: 10,
    agentConnectMs: 20,
    guestShutdownMs: 10,
    podTeardownMs: 5,
    crashMs: 10,
    imagePullBackOffMs: 50,
    pvcBindMs: 5,
    importerScheduledMs: 5,
    importerStartMs: 10,
    importMs: 1500,
    importerFailMs: 20,
    jitterMs: 5,
    secondsScale: 0.01,
  },
  realistic: {
    pendingMs: 50,
    schedulingMs: 200,
    scheduledMs: 500,
    runningMs: 800,
    agentConnectMs: 2500,
    guestShutdownMs: 1500,
    podTeardownMs: 500,
    crashMs: 1500,
    imagePullBackOffMs: 5000,
    pvcBindMs: 1000,
    importerScheduledMs: 500,
    importerStartMs: 3000,
    importMs: 30000,
    importerFailMs: 2000,
    jitterMs: 200,
    secondsScale: 1,
  },
};

export type TimingsOption = "fast" | "realistic" | (Partial<Timings> & { base?: "fast" | "realistic" });

export function resolveTimings(option: TimingsOption | undefined): Timings {
  if (option === undefined) return { ...TIMING_PROFILES.realistic };
  if (typeof option === "string") {
    const p = TIMING_PROFILES[option];
    if (!p) throw new Error(`unknown timings profile "${String(option)}" (expected "fast" or "realistic")`);
    return { ...p };
  }
  const { base, ...rest } = option;
  const out: Timings = { ...TIMING_PROFILES[base ?? "realistic"], ...rest };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
      throw new Error(`timings.${k} must be a number >= 0`);
  }
  return out;
}

/** Wall clock, injectable for tests. */
export interface Clock {
  now(): number;
}
export const realClock: Clock = { now: () => Date.now() };

/** Timer functions, injectable for tests (a fake clock advances them by hand). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A random source returning numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32: a tiny seeded PRNG, so crash-loop jitter can be replayed from a seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A manual clock + timers for unit tests: `advance(ms)` moves time and fires due timers in order.
 */
export class FakeClock implements Clock, Timers {
  private t: number;
  private seq = 0;
  private readonly queue = new Map<number, { at: number; fn: () => void }>();
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.queue.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.queue.delete(handle as number);
  }
  pending(): number {
    return this.queue.size;
  }
  /** Advances time by `ms`, firing every timer due on the way (including ones they schedule). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let nextId: number | undefined;
      let next: { at: number; fn: () => void } | undefined;
      for (const [id, e] of this.queue) {
        if (e.at <= end && (!next || e.at < next.at || (e.at === next.at && id < nextId!))) {
          next = e;
          nextId = id;
        }
      }
      if (!next || nextId === undefined) break;
      this.queue.delete(nextId);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }
}
