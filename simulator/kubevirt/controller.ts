/**
 * The I/O side of the simulated KubeVirt control plane: store subscriptions, a work queue, timers.
 * It runs the pure VM reconcile (`reconcile.ts`) and the VMI stage table (`stages.ts`), and applies
 * world events (guest shutdown, crash, infrastructure failure).
 */
import { StatusError, type KubeObject, type Store, type WatchEvent } from "../store/types";
import {
  VM_KEY,
  VMI_KEY,
  Phase,
  VM_CONTROLLER_FINALIZER,
  VM_GENERATION_ANNOTATION,
  isFinal,
  objKey,
  splitKey,
  stableStringify,
  stateChangeRequests,
  vmiPhase,
} from "./api";
import { applyJsonPatch } from "../store/patch";
import {
  computeVMStatus,
  reconcileVM,
  shouldRemoveVMIFinalizer,
  type SyncError,
  type VmAction,
} from "./reconcile";
import { findReferenced, INSTANCETYPE_KINDS } from "./instancetype";
import { finalVMI, matchStage, stageDelayMs, VMI_STAGES, type Stage, type StageContext } from "./stages";
import type { Clock, Rng, Timers, Timings } from "./timings";
import type { WorldSettings } from "./world";
import { StageTimers, writeStaged } from "./stage-runner";
import { WorkQueues } from "./work-queue";
import { DATAVOLUME_KEY, PVC_KEY } from "./storage";
import { claimNames, missingClaim, referencedNames, volumesReadyForPod, type VolumeState } from "./volumes";

/** What the controller works with: the store, time, randomness and the world. */
export interface ControllerConfig {
  store: Store;
  timings: Timings;
  clock: Clock;
  timers: Timers;
  rng: Rng;
  settings: () => WorldSettings;
  stages?: readonly Stage[];
  log?: (message: string) => void;
}

/** The VM and VMI controllers over one store; see the module comment. */
export class KubeVirtController {
  /** VMIs are drained before VMs in each round, so a VM sees its VMI's latest stage. */
  private readonly queues: WorkQueues<"vmi" | "vm">;
  private readonly stageTimers: StageTimers;
  private readonly requeueTimers = new Map<string, unknown>();
  private readonly ordinals = new Map<string, number>();
  private nextOrdinal = 0;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly stages: readonly Stage[];

  constructor(private readonly cfg: ControllerConfig) {
    this.stages = cfg.stages ?? VMI_STAGES;
    this.stageTimers = new StageTimers({
      clock: cfg.clock,
      timers: cfg.timers,
      rng: cfg.rng,
      jitterMs: cfg.timings.jitterMs,
      fire: (key, uid, stage) => this.queues.guarded("vmi", key, () => this.fireStage(key, uid, stage)),
    });
    this.queues = new WorkQueues(
      { vmi: (k) => this.evaluateVMI(k), vm: (k) => this.reconcileVMKey(k) },
      cfg.timers,
      (m) => this.log(m),
    );
  }

  start(): void {
    const { store } = this.cfg;
    this.unsubscribe.push(store.subscribe(VM_KEY, (e) => this.onVM(e)));
    this.unsubscribe.push(store.subscribe(VMI_KEY, (e) => this.onVMI(e)));
    for (const { key } of Object.values(INSTANCETYPE_KINDS)) {
      this.unsubscribe.push(store.subscribe(key, (e) => this.onInstancetype(e)));
    }
    for (const key of [DATAVOLUME_KEY, PVC_KEY]) {
      this.unsubscribe.push(store.subscribe(key, (e) => this.onVolume(e)));
    }
    for (const vm of store.list(VM_KEY)) this.enqueueVM(objKey(vm.metadata.namespace, vm.metadata.name));
    for (const vmi of store.list(VMI_KEY)) {
      const key = objKey(vmi.metadata.namespace, vmi.metadata.name);
      this.vmiCache.set(key, vmi);
      this.enqueueVMI(key);
    }
  }

  stop(): void {
    this.queues.stop();
    for (const u of this.unsubscribe.splice(0)) u();
    this.stageTimers.clear();
    for (const h of this.requeueTimers.values()) this.cfg.timers.clearTimeout(h);
    this.requeueTimers.clear();
  }

  /** Re-evaluates everything (after a world settings change). */
  resyncAll(): void {
    for (const vm of this.cfg.store.list(VM_KEY))
      this.enqueueVM(objKey(vm.metadata.namespace, vm.metadata.name));
    for (const vmi of this.cfg.store.list(VMI_KEY))
      this.enqueueVMI(objKey(vmi.metadata.namespace, vmi.metadata.name));
  }

  private log(msg: string): void {
    this.cfg.log?.(msg);
  }

  private onVM(e: WatchEvent): void {
    if (e.type === "BOOKMARK") return;
    this.enqueueVM(objKey(e.object.metadata.namespace, e.object.metadata.name));
  }

  private onVMI(e: WatchEvent): void {
    if (e.type === "BOOKMARK") return;
    const key = objKey(e.object.metadata.namespace, e.object.metadata.name);
    if (e.type === "DELETED") this.vmiCache.delete(key);
    else this.vmiCache.set(key, e.object);
    this.enqueueVMI(key);
    this.enqueueVM(key);
    // Node capacity may have changed: re-check every VMI waiting to be scheduled.
    if (e.type === "DELETED" || isFinal(e.object)) {
      for (const v of this.vmiCache.values()) {
        if (vmiPhase(v) === Phase.Scheduling) this.enqueueVMI(objKey(v.metadata.namespace, v.metadata.name));
      }
    }
  }

  /** An instance type or preference changed: the VMs that reference one are synced again (§10). */
  private onInstancetype(e: WatchEvent): void {
    if (e.type === "BOOKMARK") return;
    for (const vm of this.cfg.store.list(VM_KEY)) {
      if (vm.spec?.instancetype || vm.spec?.preference)
        this.enqueueVM(objKey(vm.metadata.namespace, vm.metadata.name));
    }
  }

  /** A DataVolume or PVC changed: the VMs and VMIs that name it are looked at again (§11). */
  private onVolume(e: WatchEvent): void {
    if (e.type === "BOOKMARK") return;
    const { namespace, name } = e.object.metadata;
    for (const vm of this.cfg.store.list(VM_KEY, namespace)) {
      const names = referencedNames(vm);
      if (names.dataVolumes.includes(name) || names.claims.includes(name))
        this.enqueueVM(objKey(namespace, vm.metadata.name));
    }
    for (const vmi of this.vmiCache.values()) {
      if (vmi.metadata.namespace === namespace && claimNames(vmi.spec).includes(name))
        this.enqueueVMI(objKey(namespace, vmi.metadata.name));
    }
  }

  /** The DataVolumes and PVCs of these names in the namespace. */
  private volumeState(namespace: string, names: { dataVolumes: string[]; claims: string[] }): VolumeState {
    const { store } = this.cfg;
    const found = (key: typeof PVC_KEY, list: string[]) =>
      new Map(
        list
          .map((n) => [n, store.get(key, namespace, n)] as const)
          .filter((e): e is readonly [string, KubeObject] => e[1] !== undefined),
      );
    return {
      dataVolumes: found(DATAVOLUME_KEY, names.dataVolumes),
      claims: found(PVC_KEY, [...new Set([...names.claims, ...names.dataVolumes])]),
    };
  }

  private enqueueVM(key: string): void {
    this.queues.add("vm", key);
  }
  private enqueueVMI(key: string): void {
    this.queues.add("vmi", key);
  }

  // ---------------- VM controller ----------------

  private reconcileVMKey(key: string): void {
    const { store } = this.cfg;
    const [ns, name] = splitKey(key);
    const vm = store.get(VM_KEY, ns, name);
    if (!vm) return;
    const vmi = store.get(VMI_KEY, ns, name);
    const now = this.cfg.clock.now();
    const referenced = findReferenced(store, vm);
    const result = reconcileVM(vm, vmi, now, referenced, this.volumeState(ns, referencedNames(vm)));
    let syncError: SyncError | undefined = result.syncError;
    for (const action of result.actions) {
      try {
        this.execute(ns, name, action);
      } catch (e) {
        syncError = actionError(action, e instanceof Error ? e.message : String(e));
        this.log(`vm ${key}: ${action.type} failed: ${syncError.message}`);
        break;
      }
    }
    const vmNow = store.get(VM_KEY, ns, name);
    if (!vmNow) return;
    const vmiNow = store.get(VMI_KEY, ns, name);
    const status = computeVMStatus(vmNow, vmiNow, {
      now,
      rng: this.cfg.rng,
      secondsScale: this.cfg.timings.secondsScale,
      syncError,
      referenced,
      volumes: this.volumeState(ns, referencedNames(vmNow)),
    });
    if (stableStringify(status) !== stableStringify(vmNow.status ?? {})) {
      store.update(VM_KEY, { ...vmNow, status }, "status");
    }
    if (vmiNow && shouldRemoveVMIFinalizer(vmiNow)) store.update(VMI_KEY, withoutControllerFinalizer(vmiNow));
    const old = this.requeueTimers.get(key);
    if (old !== undefined) {
      this.cfg.timers.clearTimeout(old);
      this.requeueTimers.delete(key);
    }
    if (result.requeueAfterMs !== undefined) {
      this.requeueTimers.set(
        key,
        this.cfg.timers.setTimeout(() => {
          this.requeueTimers.delete(key);
          this.enqueueVM(key);
        }, result.requeueAfterMs + 1),
      );
    }
  }

  /** Carries out one action of a reconcile round on the VM (as it is now) and its VMI. */
  private execute(ns: string, name: string, action: VmAction): void {
    const { store } = this.cfg;
    const vm = store.get(VM_KEY, ns, name);
    if (!vm) return;
    switch (action.type) {
      case "addVMFinalizer":
        store.update(
          VM_KEY,
          withFinalizers(vm, [...(vm.metadata.finalizers ?? []), VM_CONTROLLER_FINALIZER]),
        );
        return;
      case "removeVMFinalizer":
        // With an orphan deletion the garbage collector (the store) drops the VMI's ownerReference.
        store.update(VM_KEY, withoutControllerFinalizer(vm));
        return;
      case "createVMI":
        store.create(VMI_KEY, action.vmi);
        this.log(`Started the virtual machine by creating the new virtual machine instance ${name}`);
        return;
      case "createDataVolume":
        store.create(DATAVOLUME_KEY, action.dataVolume);
        this.log(`Created DataVolume ${action.dataVolume.metadata.name}`);
        return;
      case "deleteVMI":
        return this.deleteVMI(ns, name, action.uid);
      case "patchVMSpec":
        store.update(VM_KEY, applyJsonPatch(vm, action.ops));
        return;
      case "bumpVMIGeneration":
        return this.bumpVMIGeneration(ns, name, action.generation);
      case "addStartRequest":
        store.update(
          VM_KEY,
          {
            ...vm,
            status: { ...vm.status, stateChangeRequests: [...stateChangeRequests(vm), { action: "Start" }] },
          },
          "status",
        );
        return;
    }
  }

  /** Deletes the VMI when it is still the one with `uid` and not deleting yet. */
  private deleteVMI(ns: string, name: string, uid: string): void {
    const vmi = this.cfg.store.get(VMI_KEY, ns, name);
    if (!vmi || vmi.metadata.uid !== uid || vmi.metadata.deletionTimestamp) return;
    this.cfg.store.delete(VMI_KEY, ns, name);
    this.log(`Stopped the virtual machine by deleting the virtual machine instance ${uid}`);
  }

  /** Sets the VM generation annotation of the VMI. */
  private bumpVMIGeneration(ns: string, name: string, generation: number): void {
    const vmi = this.cfg.store.get(VMI_KEY, ns, name);
    if (!vmi) return;
    this.cfg.store.update(VMI_KEY, {
      ...vmi,
      metadata: {
        ...vmi.metadata,
        annotations: {
          ...(vmi.metadata.annotations ?? {}),
          [VM_GENERATION_ANNOTATION]: String(generation),
        },
      },
    });
  }

  // ---------------- VMI stages ----------------

  /** Informer-style cache of every VMI, kept from the store's events (never mutated). */
  private readonly vmiCache = new Map<string, KubeObject>();

  private allVmis(): KubeObject[] {
    return [...this.vmiCache.values()];
  }

  private stageContext(vmi: KubeObject): StageContext {
    const uid = vmi.metadata.uid ?? "";
    let ordinal = this.ordinals.get(uid);
    if (ordinal === undefined) {
      ordinal = this.nextOrdinal++;
      this.ordinals.set(uid, ordinal);
    }
    const owner = (vmi.metadata.ownerReferences ?? []).find((r) => r.kind === "VirtualMachine");
    const vm = owner ? this.cfg.store.get(VM_KEY, vmi.metadata.namespace ?? "", owner.name) : undefined;
    return {
      vmi,
      vm: vm && vm.metadata.uid === owner?.uid ? vm : undefined,
      allVmis: () => this.allVmis(),
      settings: this.cfg.settings(),
      timings: this.cfg.timings,
      now: this.cfg.clock.now(),
      ordinal,
      ...this.vmiVolumes(vmi),
    };
  }

  /** Whether the VMI's volumes are ready for its launcher pod, and the first PVC missing (§11.1). */
  private vmiVolumes(vmi: KubeObject): Pick<StageContext, "volumesReady" | "missingClaim"> {
    const names = claimNames(vmi.spec);
    const volumes = this.volumeState(vmi.metadata.namespace ?? "", { dataVolumes: names, claims: names });
    return { volumesReady: volumesReadyForPod(vmi, volumes), missingClaim: missingClaim(vmi, volumes) };
  }

  private evaluateVMI(key: string): void {
    const [ns, name] = splitKey(key);
    const vmi = this.cfg.store.get(VMI_KEY, ns, name);
    if (!vmi) return this.stageTimers.cancel(key);
    // The VMI controller drops the VM controller's finalizer when the owning VM no longer exists.
    if ((vmi.metadata.finalizers ?? []).includes(VM_CONTROLLER_FINALIZER)) {
      const owner = (vmi.metadata.ownerReferences ?? []).find(
        (r) => r.kind === "VirtualMachine" && r.controller,
      );
      const vm = owner ? this.cfg.store.get(VM_KEY, ns, owner.name) : undefined;
      if (!owner || !vm || vm.metadata.uid !== owner.uid) {
        this.cfg.store.update(VMI_KEY, withoutControllerFinalizer(vmi));
        return;
      }
    }
    const ctx = this.stageContext(vmi);
    const stage = matchStage(ctx, this.stages);
    this.stageTimers.track(key, vmi.metadata.uid ?? "", stage?.name, stage ? stageDelayMs(stage, ctx) : 0);
  }

  private fireStage(key: string, uid: string, stageName: string): void {
    const [ns, name] = splitKey(key);
    const vmi = this.cfg.store.get(VMI_KEY, ns, name);
    if (!vmi || vmi.metadata.uid !== uid) return this.enqueueVMI(key);
    const ctx = this.stageContext(vmi);
    const stage = matchStage(ctx, this.stages);
    if (!stage || stage.name !== stageName) return this.enqueueVMI(key);
    this.log(`vmi ${key}: stage ${stage.name}`);
    this.writeVMI(vmi, stage.next(ctx));
    this.enqueueVMI(key);
  }

  /** Writes a changed VMI: status through the status subresource first, then metadata/spec. */
  private writeVMI(current: KubeObject, next: KubeObject): void {
    writeStaged(this.cfg.store, VMI_KEY, current, next);
  }

  // ---------------- world events ----------------

  /** Moves a VMI to a final phase from the outside (guest shutdown, crash, node failure). */
  finishVMI(namespace: string, name: string, phase: "Succeeded" | "Failed", reason?: string): KubeObject {
    const vmi = this.cfg.store.get(VMI_KEY, namespace, name);
    if (!vmi)
      throw new StatusError(404, "NotFound", `virtualmachineinstance.kubevirt.io "${name}" not found`);
    const phaseNow = vmiPhase(vmi);
    const allowed: string[] = phase === "Succeeded" ? [Phase.Running] : [Phase.Scheduled, Phase.Running];
    if (!allowed.includes(phaseNow)) {
      throw new StatusError(
        409,
        "Conflict",
        `virtualmachineinstance ${namespace}/${name} is ${phaseNow || "unset"}; expected ${allowed.join(" or ")}`,
      );
    }
    const next = finalVMI(vmi, phase, this.cfg.clock.now(), reason);
    this.writeVMI(vmi, next);
    return this.cfg.store.get(VMI_KEY, namespace, name) ?? next;
  }
}

/** The sync error of an action that failed with `message` (the VM's `Failure` condition, §2.5, §11.1). */
function actionError(action: VmAction, message: string): SyncError {
  switch (action.type) {
    case "deleteVMI":
      return { reason: "FailedDelete", message };
    case "createVMI":
      return { reason: "FailedCreate", message: `Failure while starting VMI: ${message}` };
    case "createDataVolume":
      return {
        reason: "FailedCreate",
        message: `Error encountered while creating DataVolumes: failed to create DataVolume: ${message}`,
      };
    default:
      return { reason: "FailedCreate", message };
  }
}

/** The object with these finalizers. */
function withFinalizers(obj: KubeObject, finalizers: string[]): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, finalizers } };
}

/** The object without the VM controller's finalizer. */
function withoutControllerFinalizer(obj: KubeObject): KubeObject {
  return withFinalizers(
    obj,
    (obj.metadata.finalizers ?? []).filter((f) => f !== VM_CONTROLLER_FINALIZER),
  );
}
