/**
 * The VM controller as pure functions (§2): `reconcileVM` is `sync` + `syncRunStrategy` (what to do),
 * `computeVMStatus` is `updateStatus` (what the status should say). Neither does I/O; `controller.ts`
 * carries the actions out against the store and then computes the status from what it observes.
 */
import type { KubeObject } from "../store/types";
import {
  Phase,
  PrintableStatus,
  RunStrategy,
  VM_CONTROLLER_FINALIZER,
  VMI_FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  VM_GENERATION_ANNOTATION,
  TEMPLATE_HASH_ANNOTATION,
  clone,
  controllerRefTo,
  conditions,
  conditionTrue,
  effectiveRunStrategy,
  findCondition,
  hashString,
  isDeleting,
  isFinal,
  removeCondition,
  rfc3339,
  rfc3339Milli,
  setCondition,
  stableStringify,
  stateChangeRequests,
  templateHash,
  vmiPhase,
  type Condition,
  type StartFailure,
} from "./api";
import { expandTemplate, type Referenced } from "./instancetype";
import {
  dataVolumeError,
  dataVolumeProvisioning,
  hasUnboundClaim,
  templateDataVolumes,
  IMMEDIATE_DV_CREATION_ANNOTATION,
  NO_VOLUMES,
  type VolumeState,
} from "./volumes";
import { runningPatch } from "./subresources";
import type { PatchOp } from "../store/patch";
import type { Rng } from "./timings";

/** One thing the controller does in a reconcile round. */
export type VmAction =
  | { type: "addVMFinalizer" }
  /** Remove our VM finalizer (`orphan`: the VM is orphan-deleted, so the VMI is left to the garbage collector). */
  | { type: "removeVMFinalizer"; orphan: boolean }
  | { type: "createVMI"; vmi: KubeObject }
  /** Create a DataVolume from one of `spec.dataVolumeTemplates` (§11.1). */
  | { type: "createDataVolume"; dataVolume: KubeObject }
  | { type: "deleteVMI"; uid: string }
  | { type: "patchVMSpec"; ops: PatchOp[] }
  | { type: "bumpVMIGeneration"; generation: number }
  /** RerunOnFailure: append a Start request after a failure (`addStartRequest`). */
  | { type: "addStartRequest" };

/** Why a reconcile round failed: the VM's Failure condition. */
export interface SyncError {
  reason: string;
  message: string;
}

/** What one reconcile round decided. */
export interface ReconcileResult {
  actions: VmAction[];
  syncError?: SyncError;
  /** Reconcile again after this long (crash-loop backoff). */
  requeueAfterMs?: number;
}

/** Head of status.stateChangeRequests is Start. */
export function hasStartRequest(vm: KubeObject): boolean {
  return stateChangeRequests(vm)[0]?.action === "Start";
}
/** Head of status.stateChangeRequests is a Start of a paused VMI. */
export function hasStartPausedRequest(vm: KubeObject): boolean {
  const head = stateChangeRequests(vm)[0];
  return head?.action === "Start" && head.data?.paused === "true";
}
/** Head is Stop and its uid is this VMI's uid. */
export function hasStopRequestForVMI(vm: KubeObject, vmi: KubeObject): boolean {
  const head = stateChangeRequests(vm)[0];
  return head?.action === "Stop" && head.uid !== undefined && head.uid === vmi.metadata.uid;
}

/** Milliseconds left before the next start is allowed (`startFailureBackoffTimeLeft`). */
export function backoffTimeLeftMs(vm: KubeObject, now: number): number {
  const sf = vm.status?.startFailure as StartFailure | undefined;
  if (!sf?.retryAfterTimestamp) return 0;
  return Math.max(0, Date.parse(sf.retryAfterTimestamp) - now);
}

/**
 * Hash of the template a VMI is built from: the VM's template, with its instance type applied when it has one
 * (§10), so that a change of instance type counts as a template change.
 */
function instanceTemplateHash(vm: KubeObject, referenced: Referenced = {}): string {
  if (!referenced.instancetype) return templateHash(vm);
  return hashString(stableStringify(expandTemplate(vm.spec?.template, referenced)));
}

/** `SetupVMIFromVM` + `startVMI`'s additions (§2.3), with the instance type and preference applied (§10). */
export function vmiFromVM(vm: KubeObject, referenced: Referenced = {}): KubeObject {
  const template = expandTemplate(vm.spec?.template, referenced) as {
    metadata?: Record<string, unknown>;
    spec?: Record<string, unknown>;
  };
  const tmeta = template.metadata ?? {};
  const spec = template.spec ?? {};
  if (hasStartPausedRequest(vm)) spec.startStrategy = "Paused";
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: {
      name: vm.metadata.name,
      namespace: vm.metadata.namespace,
      labels: { ...((tmeta.labels as Record<string, string>) ?? {}) },
      annotations: {
        ...((tmeta.annotations as Record<string, string>) ?? {}),
        [VM_GENERATION_ANNOTATION]: String(vm.metadata.generation ?? 1),
        [TEMPLATE_HASH_ANNOTATION]: instanceTemplateHash(vm, referenced),
      },
      ownerReferences: [controllerRefTo(vm)],
      finalizers: [VM_CONTROLLER_FINALIZER, VMI_FOREGROUND_FINALIZER],
    },
    spec,
  };
}

/** One reconcile round of a VM that is not deleting: its inputs, and the actions decided so far. */
interface Round {
  vm: KubeObject;
  vmi: KubeObject | undefined;
  /** What the VM's instance type and preference references resolved to. */
  referenced: Referenced;
  /** The DataVolumes and PVCs the VM's templates and volumes name. */
  volumes: VolumeState;
  now: number;
  actions: VmAction[];
}

/** The round's actions with a `FailedCreate` sync error. */
function failedCreate(actions: VmAction[], message: string): ReconcileResult {
  return { actions, syncError: { reason: "FailedCreate", message } };
}

/** §2.1 for a deleting VM: delete the VMI, then drop our finalizer (at once for an orphan deletion). */
function deletionActions(vm: KubeObject, vmi: KubeObject | undefined): VmAction[] {
  const finalizers = vm.metadata.finalizers ?? [];
  const orphan = finalizers.includes(ORPHAN_FINALIZER);
  if (!vmi || orphan) {
    return finalizers.includes(VM_CONTROLLER_FINALIZER) ? [{ type: "removeVMFinalizer", orphan }] : [];
  }
  return isDeleting(vmi) ? [] : [{ type: "deleteVMI", uid: vmi.metadata.uid ?? "" }];
}

/** Our finalizer on the VM, and `conditionallyBumpGenerationAnnotationOnVmi` (generation moved, template did not). */
function upkeepActions(vm: KubeObject, vmi: KubeObject | undefined, referenced: Referenced): VmAction[] {
  const actions: VmAction[] = [];
  if (!(vm.metadata.finalizers ?? []).includes(VM_CONTROLLER_FINALIZER))
    actions.push({ type: "addVMFinalizer" });
  const gen = vm.metadata.generation ?? 1;
  if (
    vmi &&
    vmi.metadata.annotations?.[VM_GENERATION_ANNOTATION] !== String(gen) &&
    vmi.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION] === instanceTemplateHash(vm, referenced)
  ) {
    actions.push({ type: "bumpVMIGeneration", generation: gen });
  }
  return actions;
}

/**
 * `handleDataVolumes` (§11.1): adds the creation of the template DataVolumes that do not exist yet; whether they
 * are all ready for a VMI.
 */
function handleDataVolumes(r: Round): boolean {
  const { missing, ready } = templateDataVolumes(r.vm, r.volumes);
  for (const dataVolume of missing) r.actions.push({ type: "createDataVolume", dataVolume });
  return ready;
}

/** `startVMI`: creates the VMI once the template DataVolumes are ready (§11.1). */
function createVMI(r: Round): ReconcileResult {
  if (handleDataVolumes(r)) r.actions.push({ type: "createVMI", vmi: vmiFromVM(r.vm, r.referenced) });
  return { actions: r.actions };
}

/** Starts the VMI once the crash-loop backoff allows it, else asks to reconcile again when it does. */
function startVMI(r: Round): ReconcileResult {
  const left = backoffTimeLeftMs(r.vm, r.now);
  if (left > 0) return { actions: r.actions, requeueAfterMs: left };
  return createVMI(r);
}

/** Deletes the VMI unless it is deleting already. */
function stopVMI(r: Round, vmi: KubeObject): void {
  if (!isDeleting(vmi)) r.actions.push({ type: "deleteVMI", uid: vmi.metadata.uid ?? "" });
}

function syncAlways(r: Round): ReconcileResult {
  if (!r.vmi) return startVMI(r);
  if (hasStopRequestForVMI(r.vm, r.vmi) || isFinal(r.vmi)) stopVMI(r, r.vmi);
  return { actions: r.actions };
}

function syncRerunOnFailure(r: Round): ReconcileResult {
  const { vm, vmi, actions } = r;
  if (!vmi) {
    if (hasStartRequest(vm) || vm.status?.runStrategy !== RunStrategy.RerunOnFailure) return startVMI(r);
    return { actions };
  }
  const phase = vmiPhase(vmi);
  if (
    !isDeleting(vmi) &&
    (hasStopRequestForVMI(vm, vmi) || phase === Phase.Failed || phase === Phase.Succeeded)
  ) {
    stopVMI(r, vmi);
    if (phase === Phase.Failed) actions.push({ type: "addStartRequest" });
  }
  return { actions };
}

function syncManual(r: Round): ReconcileResult {
  if (r.vmi) {
    if (hasStopRequestForVMI(r.vm, r.vmi)) stopVMI(r, r.vmi);
  } else if (hasStartRequest(r.vm)) {
    return createVMI(r);
  }
  return { actions: r.actions };
}

function syncHalted(r: Round): ReconcileResult {
  if (r.vmi) stopVMI(r, r.vmi);
  else if (hasStartRequest(r.vm)) {
    // The paused-start path of virt-api: flip to Always; the next round starts it (§2.2 Halted).
    r.actions.push({ type: "patchVMSpec", ops: runningPatch(r.vm, true) });
    return failedCreate(r.actions, "Failure while starting VMI: <nil>");
  }
  return { actions: r.actions };
}

/** `syncRunStrategy` (§2.2). */
function syncRunStrategy(strategy: string, r: Round): ReconcileResult {
  switch (strategy) {
    case RunStrategy.Always:
      return syncAlways(r);
    case RunStrategy.RerunOnFailure:
      return syncRerunOnFailure(r);
    case RunStrategy.Manual:
      return syncManual(r);
    case RunStrategy.Halted:
      return syncHalted(r);
    case RunStrategy.Once:
      return r.vmi ? { actions: r.actions } : startVMI(r);
    case RunStrategy.WaitAsReceiver:
      return failedCreate(
        r.actions,
        "runStrategy WaitAsReceiver (decentralized live migration) is not supported by the simulator",
      );
    default:
      return failedCreate(r.actions, `unknown runstrategy: ${strategy}`);
  }
}

/**
 * Pure: one round of `sync` (§2.1) and `syncRunStrategy` (§2.2). `referenced` is what the VM's instance type
 * and preference resolved to: a missing one is the sync error of the instancetype controller, and nothing is
 * started or stopped (§10). `volumes` holds the DataVolumes and PVCs the VM names: missing template DataVolumes
 * are created, and under any strategy but Halted the round ends there until they are ready (§11.1).
 */
export function reconcileVM(
  vm: KubeObject,
  vmi: KubeObject | undefined,
  now: number,
  referenced: Referenced = {},
  volumes: VolumeState = NO_VOLUMES,
): ReconcileResult {
  if (isDeleting(vm)) return { actions: deletionActions(vm, vmi) };
  const actions = upkeepActions(vm, vmi, referenced);
  const rs = effectiveRunStrategy(vm);
  if ("error" in rs) return failedCreate(actions, `Error fetching RunStrategy: ${rs.error}`);
  if (referenced.error) return { actions, syncError: referenced.error };
  const round: Round = { vm, vmi, referenced, volumes, now, actions };
  if (vm.metadata.annotations?.[IMMEDIATE_DV_CREATION_ANNOTATION] !== "false") {
    const ready = handleDataVolumes(round);
    if (!ready && rs.strategy !== RunStrategy.Halted) return { actions };
  }
  return syncRunStrategy(rs.strategy, round);
}

/** KubeVirt's crash-loop backoff in seconds: 10·n² + rand[0, 10·n²/2], capped at 300 (§2.5). */
export function startBackoffSeconds(failCount: number, rng: Rng, maxDelay = 300): number {
  const interval = Math.max(Math.floor(maxDelay / 30), 10);
  let delay = failCount * failCount * interval;
  delay += Math.floor(rng() * (Math.floor(delay / 2) + 1));
  return Math.min(delay, maxDelay);
}

function everRunning(vmi: KubeObject): boolean {
  const ts = (vmi.status?.phaseTransitionTimestamps as { phase: string }[] | undefined) ?? [];
  return ts.some((t) => t.phase === Phase.Running) || vmiPhase(vmi) === Phase.Running;
}

/** The run strategies under which a failed start counts towards the crash-loop backoff. */
const CRASH_LOOP_STRATEGIES: readonly string[] = [
  RunStrategy.Always,
  RunStrategy.RerunOnFailure,
  RunStrategy.Once,
];

/** VM condition types that are not mirrored from the VMI. */
const VM_ONLY_CONDITIONS = new Set(["Ready", "Failure", "RestartRequired", "ManualRecoveryRequired"]);

/** What {@link computeVMStatus} needs beyond the VM and the VMI. */
export interface StatusContext {
  now: number;
  rng: Rng;
  /** Multiplier for the backoff seconds (the timing profile's `secondsScale`). */
  secondsScale: number;
  syncError?: SyncError;
  /** What the VM's instance type and preference resolved to (their changes count as template changes, §10). */
  referenced?: Referenced;
  /** The DataVolumes and PVCs the VM names (for `printableStatus`, §11.4). */
  volumes?: VolumeState;
}

/** `isSetToStart` as in KubeVirt v1.7.0: whether the strategy wants a VMI now (for `WaitingForVolumeBinding`). */
export function isSetToStart(
  vm: KubeObject,
  vmi: KubeObject | undefined,
  strategy: string | undefined,
): boolean {
  switch (strategy) {
    case RunStrategy.Always:
      return true;
    case RunStrategy.Manual:
      return vmi ? !hasStopRequestForVMI(vm, vmi) : hasStartRequest(vm);
    case RunStrategy.RerunOnFailure:
      return vmi ? vmiPhase(vmi) !== Phase.Succeeded : true;
    case RunStrategy.Once:
      return !vmi;
    default:
      return false;
  }
}

/** Pure: `printableStatus` per §2.5 (with the DataVolume states of §11.4), first match wins. */
export function printableStatus(
  vm: KubeObject,
  vmi: KubeObject | undefined,
  strategy: string | undefined,
  volumes: VolumeState = NO_VOLUMES,
): string {
  const phase = vmiPhase(vmi);
  const sync = findCondition(vmi, "Synchronized");
  const syncFalse = (reason: string) => sync?.status === "False" && sync.reason === reason;
  if (isDeleting(vm)) return PrintableStatus.Terminating;
  if (vmi && !isFinal(vmi) && isDeleting(vmi)) return PrintableStatus.Stopping;
  const migration = vmi?.status?.migrationState as
    { startTimestamp?: string; endTimestamp?: string } | undefined;
  if (migration?.startTimestamp && !migration.endTimestamp) return PrintableStatus.Migrating;
  if (phase === Phase.Running && conditionTrue(vmi, "Paused")) return PrintableStatus.Paused;
  if (phase === Phase.Running) return PrintableStatus.Running;
  if (syncFalse("FailedPvcNotFound")) return PrintableStatus.ErrorPvcNotFound;
  if (dataVolumeError(vm, volumes) !== undefined) return PrintableStatus.DataVolumeError;
  const podScheduled = findCondition(vmi, "PodScheduled");
  if (podScheduled?.status === "False" && podScheduled.reason === "Unschedulable")
    return PrintableStatus.ErrorUnschedulable;
  if (dataVolumeProvisioning(vm, volumes)) return PrintableStatus.Provisioning;
  if (isSetToStart(vm, vmi, strategy) && hasUnboundClaim(vm, volumes))
    return PrintableStatus.WaitingForVolumeBinding;
  if (syncFalse("ErrImagePull")) return PrintableStatus.ErrImagePull;
  if (syncFalse("ImagePullBackOff")) return PrintableStatus.ImagePullBackOff;
  if (vmi && ([Phase.Unset, Phase.Pending, Phase.Scheduling, Phase.Scheduled] as string[]).includes(phase)) {
    return PrintableStatus.Starting;
  }
  const sf = vm.status?.startFailure as StartFailure | undefined;
  if (
    (!vmi || isFinal(vmi)) &&
    (sf?.consecutiveFailCount ?? 0) > 0 &&
    CRASH_LOOP_STRATEGIES.includes(strategy ?? "")
  ) {
    return PrintableStatus.CrashLoopBackOff;
  }
  if (!vmi || isFinal(vmi)) return PrintableStatus.Stopped;
  if (strategy === RunStrategy.WaitAsReceiver && phase === Phase.WaitingForSync)
    return PrintableStatus.WaitingForReceiver;
  return PrintableStatus.Unknown;
}

/** The status fields that summarise the VMI: created, ready, runStrategy and the generations. */
function setSummary(
  status: Record<string, unknown>,
  vm: KubeObject,
  vmi: KubeObject | undefined,
  strategy: string | undefined,
): void {
  status.created = !!vmi;
  status.ready = !!vmi && conditionTrue(vmi, "Ready");
  if (strategy && (status.runStrategy || status.created)) status.runStrategy = strategy;
  if (vmi) {
    const g = Number(vmi.metadata.annotations?.[VM_GENERATION_ANNOTATION]);
    if (Number.isFinite(g)) status.observedGeneration = g;
    status.desiredGeneration = vm.metadata.generation ?? 1;
  }
}

/** §2.4: pops at most the head state change request, once it has been carried out. */
function setStateChangeRequests(
  status: Record<string, unknown>,
  vm: KubeObject,
  vmi: KubeObject | undefined,
): void {
  const scrs = stateChangeRequests(vm);
  const head = scrs[0];
  if (head) {
    let pop = false;
    if (head.action === "Stop") pop = !vmi || !head.uid || head.uid !== vmi.metadata.uid;
    else if (head.action === "Start") pop = !!vmi && !isDeleting(vmi) && !isFinal(vmi);
    if (pop) scrs.shift();
  }
  if (scrs.length > 0) status.stateChangeRequests = scrs;
  else delete status.stateChangeRequests;
}

/** §2.5 `syncStartFailureStatus`: counts a newly failed VMI and sets the time of the next start. */
function setStartFailure(
  status: Record<string, unknown>,
  vmi: KubeObject | undefined,
  strategy: string | undefined,
  ctx: StatusContext,
): void {
  const sf = status.startFailure as StartFailure | undefined;
  if (!strategy || !CRASH_LOOP_STRATEGIES.includes(strategy) || (vmi && everRunning(vmi))) {
    delete status.startFailure;
  } else if (vmi && isFinal(vmi) && sf?.lastFailedVMIUID !== vmi.metadata.uid) {
    const count = (sf?.consecutiveFailCount ?? 0) + 1;
    const delayMs = startBackoffSeconds(count, ctx.rng) * 1000 * ctx.secondsScale;
    status.startFailure = {
      consecutiveFailCount: count,
      lastFailedVMIUID: vmi.metadata.uid,
      retryAfterTimestamp: rfc3339Milli(ctx.now + delayMs),
    };
  }
}

/** A condition as the VM mirrors it: type, status, and reason and message when set. */
function mirrored(c: Condition): Condition {
  const copy: Condition = { type: c.type, status: c.status };
  if (c.reason) copy.reason = c.reason;
  if (c.message) copy.message = c.message;
  return copy;
}

/** The VM's conditions mirrored from the VMI: Ready (or why it is not known), and the VMI's own conditions. */
function mirrorVMIConditions(conds: Condition[], vmi: KubeObject | undefined, ts: string): Condition[] {
  if (!vmi) {
    return setCondition(
      conds,
      { type: "Ready", status: "False", reason: "VMINotExists", message: "VMI does not exist" },
      ts,
    );
  }
  const ready = findCondition(vmi, "Ready");
  let out = ready
    ? setCondition(conds, mirrored(ready), ready.lastTransitionTime ?? ts)
    : setCondition(
        conds,
        {
          type: "Ready",
          status: "False",
          reason: "VMIConditionMissing",
          message: "VMI is missing the Ready condition",
        },
        ts,
      );
  const vmiConds = conditions(vmi).filter((c) => !VM_ONLY_CONDITIONS.has(c.type));
  out = out.filter((c) => VM_ONLY_CONDITIONS.has(c.type) || vmiConds.some((v) => v.type === c.type));
  for (const c of vmiConds) out = setCondition(out, mirrored(c), c.lastTransitionTime ?? ts);
  return out;
}

/** The VM's conditions: mirrored from the VMI, Failure from the sync error, and RestartRequired. */
function vmConditions(vm: KubeObject, vmi: KubeObject | undefined, ctx: StatusContext): Condition[] {
  const ts = rfc3339(ctx.now);
  let conds = mirrorVMIConditions(conditions(vm), vmi, ts);
  if (ctx.syncError) {
    conds = setCondition(
      conds,
      { type: "Failure", status: "True", reason: ctx.syncError.reason, message: ctx.syncError.message },
      ts,
    );
  } else conds = removeCondition(conds, "Failure");
  // A missing instance type or preference ends the sync before RestartRequired is worked out (§10).
  if (ctx.referenced?.error) return conds;
  // RestartRequired: the template changed while a live VMI runs from the old one (cleared on start/stop).
  const live = !!vmi && !isFinal(vmi) && !isDeleting(vmi);
  const hash = instanceTemplateHash(vm, ctx.referenced);
  if (live && vmi.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION] !== hash) {
    return setCondition(
      conds,
      {
        type: "RestartRequired",
        status: "True",
        message: "a non-live-updatable field was changed in the template spec",
      },
      ts,
    );
  }
  return removeCondition(conds, "RestartRequired");
}

/** Pure: the VM status `updateStatus` would write (§2.4, §2.5), given the VMI as observed after sync. */
export function computeVMStatus(
  vm: KubeObject,
  vmi: KubeObject | undefined,
  ctx: StatusContext,
): Record<string, unknown> {
  const status: Record<string, unknown> = clone(vm.status ?? {});
  const rs = effectiveRunStrategy(vm);
  const strategy = "strategy" in rs ? rs.strategy : undefined;
  setSummary(status, vm, vmi, strategy);
  setStateChangeRequests(status, vm, vmi);
  setStartFailure(status, vmi, strategy, ctx);
  status.conditions = vmConditions(vm, vmi, ctx);
  // printableStatus uses the updated startFailure.
  status.printableStatus = printableStatus({ ...vm, status }, vmi, strategy, ctx.volumes);
  return status;
}

/** Whether the VM controller may now drop its finalizer from the VMI (`removeVMIFinalizer`). */
export function shouldRemoveVMIFinalizer(vmi: KubeObject | undefined): boolean {
  if (!vmi || !(vmi.metadata.finalizers ?? []).includes(VM_CONTROLLER_FINALIZER)) return false;
  return isFinal(vmi) || (vmiPhase(vmi) === Phase.WaitingForSync && isDeleting(vmi));
}
