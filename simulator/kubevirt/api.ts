/**
 * KubeVirt API constants and small readers over plain JSON objects (no I/O).
 * Values follow `staging/src/kubevirt.io/api/core/v1/types.go` (docs/kubevirt-behaviour.md §0).
 */
import type { KubeObject, OwnerReference, ResourceKey } from "../store/types";

/** The JSON helpers the KubeVirt layer uses, from the store layer. */
export { clone, rfc3339 } from "../store/json";

/** The VirtualMachine resource. */
export const VM_KEY: ResourceKey = { group: "kubevirt.io", version: "v1", resource: "virtualmachines" };
/** The VirtualMachineInstance resource. */
export const VMI_KEY: ResourceKey = {
  group: "kubevirt.io",
  version: "v1",
  resource: "virtualmachineinstances",
};

/**
 * Run strategies (`VirtualMachineRunStrategy`). The SDK has its own copy of these names: the simulator keeps this
 * one on purpose, so that it stays independent of the product it tests and a wrong name there shows as a failure.
 */
export const RunStrategy = {
  Always: "Always",
  Halted: "Halted",
  Manual: "Manual",
  RerunOnFailure: "RerunOnFailure",
  Once: "Once",
  WaitAsReceiver: "WaitAsReceiver",
} as const;
export type RunStrategy = (typeof RunStrategy)[keyof typeof RunStrategy];

/** The strategies the validating webhook accepts without feature gates (`validRunStrategies`). */
export const VALID_RUN_STRATEGIES: readonly string[] = [
  "Halted",
  "Manual",
  "Always",
  "RerunOnFailure",
  "Once",
];

/** VMI phases (`VirtualMachineInstancePhase`); "" is `VmPhaseUnset`. */
export const Phase = {
  Unset: "",
  Pending: "Pending",
  Scheduling: "Scheduling",
  Scheduled: "Scheduled",
  Running: "Running",
  Succeeded: "Succeeded",
  Failed: "Failed",
  WaitingForSync: "WaitingForSync",
  Unknown: "Unknown",
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** `VirtualMachinePrintableStatus` values. */
export const PrintableStatus = {
  Stopped: "Stopped",
  Provisioning: "Provisioning",
  Starting: "Starting",
  Running: "Running",
  Paused: "Paused",
  Stopping: "Stopping",
  Terminating: "Terminating",
  CrashLoopBackOff: "CrashLoopBackOff",
  Migrating: "Migrating",
  Unknown: "Unknown",
  ErrorUnschedulable: "ErrorUnschedulable",
  ErrImagePull: "ErrImagePull",
  ImagePullBackOff: "ImagePullBackOff",
  ErrorPvcNotFound: "ErrorPvcNotFound",
  DataVolumeError: "DataVolumeError",
  WaitingForVolumeBinding: "WaitingForVolumeBinding",
  WaitingForReceiver: "WaitingForReceiver",
} as const;
export type PrintableStatus = (typeof PrintableStatus)[keyof typeof PrintableStatus];

/** Finalizer on the VM and on the VMI, owned by the VM controller (`VirtualMachineControllerFinalizer`). */
export const VM_CONTROLLER_FINALIZER = "kubevirt.io/virtualMachineControllerFinalize";
/** Finalizer on the VMI, owned by the VMI controller (`VirtualMachineInstanceFinalizer`). */
export const VMI_FOREGROUND_FINALIZER = "kubevirt.io/foregroundDeleteVirtualMachine";
/** The apiserver's finalizer for `propagationPolicy: Orphan`. */
export const ORPHAN_FINALIZER = "orphan";
/** Annotation on the VMI: the VM generation it was created from (or bumped to). */
export const VM_GENERATION_ANNOTATION = "kubevirt.io/vm-generation";
/** Simulator-only annotation on the VMI: a hash of the VM template it was created from (stands in for the ControllerRevision). */
export const TEMPLATE_HASH_ANNOTATION = "sim.kubevirt.io/template-hash";
/** Default `terminationGracePeriodSeconds` (`DefaultGracePeriodSeconds`). */
export const DEFAULT_GRACE_PERIOD_SECONDS = 30;

/** A status condition of a VM or VMI. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

/** One entry of the VM's `status.stateChangeRequests`. */
export interface StateChangeRequest {
  action: "Start" | "Stop";
  data?: Record<string, string>;
  uid?: string;
}

/** The VM's `status.startFailure`: the crash-loop backoff record. */
export interface StartFailure {
  consecutiveFailCount: number;
  lastFailedVMIUID?: string;
  retryAfterTimestamp?: string;
}

/** Effective run strategy (`(*VirtualMachine).RunStrategy()`): an error when both fields are set. */
export function effectiveRunStrategy(vm: KubeObject): { strategy: string } | { error: string } {
  const spec = vm.spec ?? {};
  const running = spec.running;
  const rs = spec.runStrategy;
  if (running !== undefined && running !== null && rs !== undefined && rs !== null) {
    return { error: "running and runstrategy are mutually exclusive" };
  }
  if (running === true) return { strategy: RunStrategy.Always };
  if (running === false) return { strategy: RunStrategy.Halted };
  if (typeof rs === "string" && rs !== "") return { strategy: rs };
  return { strategy: RunStrategy.Halted };
}

/** The VMI's phase, "" when there is no VMI or no phase yet. */
export function vmiPhase(vmi: KubeObject | undefined): string {
  return (vmi?.status?.phase as string | undefined) ?? "";
}
/** Whether the VMI ended (Succeeded or Failed). */
export function isFinal(vmi: KubeObject | undefined): boolean {
  const p = vmiPhase(vmi);
  return p === Phase.Succeeded || p === Phase.Failed;
}
/** Not final and phase neither Unknown nor unset (virt-api's "already running" test, §1.4 step 3). */
export function isActive(vmi: KubeObject | undefined): boolean {
  if (!vmi || isFinal(vmi)) return false;
  const p = vmiPhase(vmi);
  return p !== Phase.Unknown && p !== Phase.Unset;
}
/** Whether the object has a deletion timestamp. */
export function isDeleting(obj: KubeObject | undefined): boolean {
  return !!obj?.metadata.deletionTimestamp;
}

/** A copy of the object's status conditions. */
export function conditions(obj: KubeObject | undefined): Condition[] {
  return ((obj?.status?.conditions as Condition[] | undefined) ?? []).slice();
}
/** The object's condition of `type`, if any. */
export function findCondition(obj: KubeObject | undefined, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}
/** Whether the object's condition of `type` has status True. */
export function conditionTrue(obj: KubeObject | undefined, type: string): boolean {
  return findCondition(obj, type)?.status === "True";
}

/**
 * Returns `list` with `cond` set. The transition time is kept when the status did not change
 * (as Kubernetes condition helpers do); `now` is an RFC 3339 timestamp.
 */
export function setCondition(list: Condition[], cond: Condition, now: string): Condition[] {
  const out = list.filter((c) => c.type !== cond.type);
  const old = list.find((c) => c.type === cond.type);
  const lastTransitionTime = old && old.status === cond.status ? (old.lastTransitionTime ?? now) : now;
  const next: Condition = { ...cond, lastProbeTime: null, lastTransitionTime };
  const idx = list.findIndex((c) => c.type === cond.type);
  if (idx < 0) return [...out, next];
  out.splice(idx, 0, next);
  return out;
}
/** Returns `list` without the condition of `type`. */
export function removeCondition(list: Condition[], type: string): Condition[] {
  return list.filter((c) => c.type !== type);
}

/** A copy of the VM's pending state change requests. */
export function stateChangeRequests(vm: KubeObject): StateChangeRequest[] {
  return ((vm.status?.stateChangeRequests as StateChangeRequest[] | undefined) ?? []).slice();
}

/** RFC 3339 with milliseconds: used where the fast timing profile needs sub-second precision. */
export function rfc3339Milli(ms: number): string {
  return new Date(ms).toISOString();
}

/** Stable JSON (sorted keys): equality and hashing of templates. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(",")}}`;
}

/** Small non-cryptographic hash (FNV-1a, hex). */
export function hashString(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** Hash of the VM's template: which template a VMI was created from. */
export function templateHash(vm: KubeObject): string {
  return hashString(stableStringify((vm.spec ?? {}).template ?? null));
}

/** The `<namespace>/<name>` key of an object. */
export function objKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

/** The namespace and name of a `<namespace>/<name>` key. */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}

/** The controller reference KubeVirt puts on what it makes for a VM (`metav1.NewControllerRef(vm)`). */
export function controllerRefTo(vm: KubeObject): OwnerReference {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    name: vm.metadata.name,
    uid: vm.metadata.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}
