/**
 * The I/O side of the simulated CDI: store subscriptions, a work queue and stage timers. It gives every DataVolume
 * its PVC (`claimFor`) unless something blocks it (`claimBlocker`), runs the PVC through `CLAIM_STAGES` (binding,
 * then the importer pod) and writes the DataVolume's status derived from the PVC (`dataVolumeStatus`); see
 * `datavolume.ts` and docs/kubevirt-behaviour.md §11.
 */
import type { KubeObject, WatchEvent } from "../store/types";
import { isFinal, objKey, splitKey, stableStringify, VMI_KEY } from "./api";
import {
  claimBlocker,
  claimFor,
  claimStagePhase,
  cloneSource,
  cloneSourceKey,
  dataVolumeStatus,
  owningDataVolume,
  CLAIM_STAGES,
  type ClaimBlocker,
  type ClaimStageContext,
} from "./datavolume";
import { StageTimers, writeStaged } from "./stage-runner";
import { delayFor, selectStage } from "./stages";
import { findStorageClass, DATAVOLUME_KEY, PVC_KEY, STORAGECLASS_KEY, VOLUMESNAPSHOT_KEY } from "./storage";
import type { ControllerConfig } from "./controller";
import { claimNames } from "./volumes";
import { WorkQueues } from "./work-queue";

/** What the CDI controller works with: what KubeVirt's controller does, without its stages. */
export type CdiControllerConfig = Omit<ControllerConfig, "stages">;

/** CDI's DataVolume controllers and the PVCs' simulated volumes and importer pods, over one store. */
export class CdiController {
  private readonly queues: WorkQueues<"claim" | "dv">;
  private readonly stageTimers: StageTimers;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly cfg: CdiControllerConfig) {
    const log = (m: string) => cfg.log?.(m);
    this.queues = new WorkQueues(
      { claim: (k) => this.evaluateClaim(k), dv: (k) => this.syncDataVolume(k) },
      cfg.timers,
      log,
    );
    this.stageTimers = new StageTimers({
      clock: cfg.clock,
      timers: cfg.timers,
      rng: cfg.rng,
      jitterMs: cfg.timings.jitterMs,
      fire: (key, uid, stage) => this.queues.guarded("claim", key, () => this.fireStage(key, uid, stage)),
    });
  }

  start(): void {
    const { store } = this.cfg;
    const on = (key: typeof PVC_KEY, f: (e: WatchEvent) => void) =>
      this.unsubscribe.push(
        store.subscribe(key, (e) => {
          if (e.type !== "BOOKMARK") f(e);
        }),
      );
    on(DATAVOLUME_KEY, (e) => this.enqueue("dv", e.object));
    on(PVC_KEY, (e) => this.onClaim(e.object));
    // A new class unblocks DataVolumes without one and claims waiting for it; a snapshot, clones waiting for it.
    on(STORAGECLASS_KEY, () => this.resync());
    on(VOLUMESNAPSHOT_KEY, () => this.resyncUnclaimed());
    // A VMI that uses a claim is its first consumer (WaitForFirstConsumer).
    on(VMI_KEY, (e) => {
      for (const name of claimNames(e.object.spec))
        this.queues.add("claim", objKey(e.object.metadata.namespace, name));
    });
    this.resync();
  }

  stop(): void {
    this.queues.stop();
    this.stageTimers.clear();
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private enqueue(queue: "claim" | "dv", o: KubeObject): void {
    this.queues.add(queue, objKey(o.metadata.namespace, o.metadata.name));
  }

  /** Every DataVolume and claim is looked at again. */
  private resync(): void {
    for (const dv of this.cfg.store.list(DATAVOLUME_KEY)) this.enqueue("dv", dv);
    for (const pvc of this.cfg.store.list(PVC_KEY)) this.enqueue("claim", pvc);
  }

  /** The DataVolumes that have no PVC yet (a clone may wait for its source) are synced again. */
  private resyncUnclaimed(): void {
    const { store } = this.cfg;
    for (const dv of store.list(DATAVOLUME_KEY)) {
      if (!store.get(PVC_KEY, dv.metadata.namespace ?? "", dv.metadata.name)) this.enqueue("dv", dv);
    }
  }

  private onClaim(pvc: KubeObject): void {
    this.enqueue("claim", pvc);
    const owner = owningDataVolume(pvc);
    if (owner) this.queues.add("dv", objKey(pvc.metadata.namespace, owner));
    // A clone (in any namespace) may wait for this PVC as its source.
    this.resyncUnclaimed();
  }

  // ---------------- DataVolumes ----------------

  /** Makes the DataVolume's PVC when it can, and writes the status CDI derives from it. */
  private syncDataVolume(key: string): void {
    const { store } = this.cfg;
    const [ns, name] = splitKey(key);
    const dv = store.get(DATAVOLUME_KEY, ns, name);
    if (!dv || dv.metadata.deletionTimestamp) return;
    const classes = store.list(STORAGECLASS_KEY);
    let pvc = store.get(PVC_KEY, ns, name);
    let blocker: ClaimBlocker | undefined;
    if (!pvc) {
      const source = cloneSource(dv);
      const sourceExists = !source || !!store.get(cloneSourceKey(source.kind), source.namespace, source.name);
      blocker = claimBlocker(dv, classes, sourceExists);
      if (!blocker) pvc = store.create(PVC_KEY, claimFor(dv, classes));
    }
    const status = dataVolumeStatus(dv, pvc, blocker, classes, this.cfg.clock.now());
    if (stableStringify(status) !== stableStringify(dv.status ?? {})) {
      store.update(DATAVOLUME_KEY, { ...dv, status }, "status");
    }
  }

  // ---------------- claims ----------------

  private claimContext(pvc: KubeObject): ClaimStageContext {
    const { store } = this.cfg;
    const ns = pvc.metadata.namespace ?? "";
    const ownerRef = pvc.metadata.ownerReferences?.find((r) => r.kind === "DataVolume" && r.controller);
    const dv = ownerRef ? store.get(DATAVOLUME_KEY, ns, ownerRef.name) : undefined;
    const consumer = store
      .list(VMI_KEY, ns)
      .some((vmi) => !isFinal(vmi) && claimNames(vmi.spec).includes(pvc.metadata.name));
    return {
      pvc,
      dv: dv && dv.metadata.uid === ownerRef?.uid ? dv : undefined,
      storageClass: findStorageClass(pvc.spec?.storageClassName, store.list(STORAGECLASS_KEY)),
      consumer,
      nodeName: this.cfg.settings().node.name,
      timings: this.cfg.timings,
      now: this.cfg.clock.now(),
    };
  }

  /** Finds the claim's stage and keeps its timer. */
  private evaluateClaim(key: string): void {
    const [ns, name] = splitKey(key);
    const pvc = this.cfg.store.get(PVC_KEY, ns, name);
    if (!pvc) return this.stageTimers.cancel(key);
    const ctx = this.claimContext(pvc);
    const stage = selectStage(pvc, claimStagePhase(pvc), ctx, CLAIM_STAGES);
    this.stageTimers.track(key, pvc.metadata.uid ?? "", stage?.name, stage ? delayFor(stage, pvc, ctx) : 0);
  }

  /** Applies a due stage when it still applies to the same claim. */
  private fireStage(key: string, uid: string, stageName: string): void {
    const [ns, name] = splitKey(key);
    const pvc = this.cfg.store.get(PVC_KEY, ns, name);
    if (pvc && pvc.metadata.uid === uid) {
      const ctx = this.claimContext(pvc);
      const stage = selectStage(pvc, claimStagePhase(pvc), ctx, CLAIM_STAGES);
      if (stage?.name === stageName) {
        this.cfg.log?.(`pvc ${key}: stage ${stageName}`);
        writeStaged(this.cfg.store, PVC_KEY, pvc, stage.next(ctx));
      }
    }
    this.queues.add("claim", key);
  }
}
