/**
 * The running KubeVirt of the simulator over any {@link Store}: the KubeVirt and CDI controllers with their timings,
 * clock and random source, and the world handle (settings, guest and infrastructure events). The in-memory simulator
 * (`installKubeVirt`) and the attachment to a real kube-apiserver (`attachKubeVirt`) both start one.
 */
import type { Store, KubeObject } from "../store/types";
import { KubeVirtController } from "./controller";
import { CdiController } from "./cdi-controller";
import type { AdmissionOptions } from "./admission";
import { VMI_STAGES, type Stage } from "./stages";
import {
  realClock,
  realTimers,
  resolveTimings,
  seededRng,
  type Clock,
  type Rng,
  type Timers,
  type Timings,
  type TimingsOption,
} from "./timings";
import { defaultWorldSettings, mergeSettings, type WorldSettings } from "./world";

/** Settings of the simulated world as a partial patch (node capacity merged member by member). */
export type WorldSettingsPatch = Partial<Omit<WorldSettings, "node">> & {
  node?: Partial<WorldSettings["node"]>;
};

export interface KubeVirtOptions {
  /** `"fast"` for tests, `"realistic"` (default) for demos, or explicit values over a base profile. */
  timings?: TimingsOption;
  /** Wall clock (default: real time). */
  clock?: Clock;
  /** Timers (default: Node's, unref'ed). Pass a `FakeClock` for both `clock` and `timers` in unit tests. */
  timers?: Timers;
  /** Seed for the random source (crash-loop jitter, stage jitter). Default 1. */
  seed?: number;
  /** A random source; overrides `seed`. */
  rng?: Rng;
  /** Initial world settings (node capacity, known images, faults). */
  world?: WorldSettingsPatch;
  /** KubeVirt feature gates (only `DecentralizedLiveMigration` has an effect: it admits WaitAsReceiver). */
  featureGates?: AdmissionOptions["featureGates"];
  /** Replaces the VMI stage table. */
  stages?: readonly Stage[];
  /** Receives controller log lines (events). */
  log?: (message: string) => void;
}

/** The in-process handle on the simulated world. */
export interface KubeVirtWorld {
  /** Current settings (a copy). */
  readonly settings: WorldSettings;
  /** The resolved timing profile. */
  readonly timings: Timings;
  /** Merges settings (node capacity, known images, global faults) and re-evaluates every object. */
  configure(patch: WorldSettingsPatch): WorldSettings;
  /** The guest powers itself off: a Running VMI → Succeeded. */
  guestShutdown(namespace: string, name: string): KubeObject;
  /** The guest/domain crashes: a Scheduled or Running VMI → Failed. */
  guestCrash(namespace: string, name: string): KubeObject;
  /** The node or launcher fails: a Scheduled or Running VMI → Failed with `status.reason: NodeUnresponsive`. */
  infrastructureFailure(namespace: string, name: string): KubeObject;
}

/** A started controller and its world. */
export interface KubeVirtRuntime {
  world: KubeVirtWorld;
  clock: Clock;
  stop(): void;
}

/** Starts the controller over `store` and returns the world handle. */
export function startKubeVirtRuntime(store: Store, options: KubeVirtOptions = {}): KubeVirtRuntime {
  const timings = resolveTimings(options.timings);
  const clock = options.clock ?? realClock;
  let settings = mergeSettings(defaultWorldSettings(), options.world ?? {});
  const common = {
    store,
    timings,
    clock,
    timers: options.timers ?? realTimers,
    rng: options.rng ?? seededRng(options.seed ?? 1),
    settings: () => settings,
    log: options.log,
  };
  const controller = new KubeVirtController({ ...common, stages: options.stages ?? VMI_STAGES });
  const cdi = new CdiController(common);
  const world: KubeVirtWorld = {
    get settings() {
      return mergeSettings(settings, {});
    },
    timings,
    configure(patch) {
      settings = mergeSettings(settings, patch);
      controller.resyncAll();
      return mergeSettings(settings, {});
    },
    guestShutdown: (ns, name) => controller.finishVMI(ns, name, "Succeeded"),
    guestCrash: (ns, name) => controller.finishVMI(ns, name, "Failed"),
    infrastructureFailure: (ns, name) => controller.finishVMI(ns, name, "Failed", "NodeUnresponsive"),
  };
  controller.start();
  cdi.start();
  return {
    world,
    clock,
    stop: () => {
      controller.stop();
      cdi.stop();
    },
  };
}
