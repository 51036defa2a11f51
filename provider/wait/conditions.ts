/**
 * When a wait is over: a pure verdict on the observed VM and VMI for each wait target, including the
 * hopeless states KubeVirt reports (unschedulable, image pull errors, crash loops, sync failures) and the
 * instance endings its run strategy never undoes (a guest shutdown under RerunOnFailure, any end under
 * Manual or Once), so that `up` fails fast with what KubeVirt did instead of running into the timeout.
 */
import { RunStrategy, WaitFor } from "../../sdk/enums";
import {
  condition,
  conditionTrue,
  isActive,
  isFinal,
  isPaused,
  type LiveVm,
  type LiveVmi,
} from "../model/kubevirt";
import type { WaitTarget } from "../planner/actions";
import type { Observed } from "../kube/namespace-watch";
import { dataVolumeFailure, dataVolumeLine, dataVolumeReady } from "../model/datavolume";

/** Targets beyond the planner's: the VM and its VMI are gone; the controller saw a generation. */
export type AnyWaitTarget = WaitTarget | { state: "gone" } | { state: "generation"; generation: number };

/**
 * The outcome of looking once: done, still pending, failed (KubeVirt reports why the target cannot be
 * reached), or stopped (the instance ended and the run strategy leaves the VM stopped for good).
 */
export type Verdict =
  | { kind: "done" }
  | { kind: "pending"; status: string }
  | { kind: "failed"; reason: string }
  | { kind: "stopped"; reason: string };

/** printableStatus values that will not resolve by waiting. */
export const HOPELESS_STATUSES: readonly string[] = [
  "ErrorUnschedulable",
  "ErrImagePull",
  "ImagePullBackOff",
  "CrashLoopBackOff",
  "ErrorPvcNotFound",
  "DataVolumeError",
];

/**
 * Hopeless printableStatus values KubeVirt computes from the instance's conditions (§2.5): while a restart's new
 * instance is not there yet, they are what the old one said, not news about the new one.
 */
const INSTANCE_STATUSES: readonly string[] = [
  "ErrorUnschedulable",
  "ErrImagePull",
  "ImagePullBackOff",
  "ErrorPvcNotFound",
];

/** Conditions whose False status explains a hopeless printableStatus (scheduling, image pulls, volumes). */
const EXPLAINING_CONDITIONS: readonly string[] = ["PodScheduled", "Synchronized"];

/** Strategies under which KubeVirt counts instances that fail before Running and reports CrashLoopBackOff. */
const CRASH_LOOP_STRATEGIES: readonly string[] = [
  RunStrategy.Always,
  RunStrategy.RerunOnFailure,
  RunStrategy.Once,
];

/** The DataVolumes a VM mounts, as a wait sees them (see {@link Observed.dataVolumes}). */
export type SeenDataVolumes = Observed["dataVolumes"];

/**
 * A short status line: `Starting (VMI Scheduling)`; while the VM's disks are provisioned, CDI's phase and
 * progress of each one not ready: `Provisioning (DataVolume rootdisk ImportInProgress 45.20%)`.
 */
export function statusLine(
  vm: LiveVm | undefined,
  vmi: LiveVmi | undefined,
  dataVolumes?: SeenDataVolumes,
): string {
  if (!vm) return vmi ? `deleted (VMI ${vmi.status?.phase ?? "unknown"})` : "deleted";
  const printable = vm.status?.printableStatus ?? "Stopped";
  const disks = provisioning(dataVolumes);
  if (!vmi) return disks ? `${printable} (${disks})` : printable;
  const extra = vmi.metadata.deletionTimestamp ? ", deleting" : "";
  return `${printable} (VMI ${vmi.status?.phase || "Pending"}${extra})`;
}

/** The DataVolumes not ready yet, with CDI's phase and progress; undefined when all are ready (or unknown). */
function provisioning(dataVolumes: SeenDataVolumes): string | undefined {
  if (!Array.isArray(dataVolumes)) return undefined;
  const waiting = dataVolumes.filter(({ dv }) => !dv || !dataVolumeReady(dv));
  if (waiting.length === 0) return undefined;
  const lines = waiting.map(({ name, dv }) => (dv ? dataVolumeLine(dv) : `${name} not created yet`));
  return `DataVolume ${lines.join("; ")}`;
}

/**
 * Why the VM's disks will not be provisioned by waiting: CDI's reason for a DataVolume that failed, or a
 * cluster without CDI for a VM whose `dataVolumeTemplates` need it.
 */
export function disksHopeless(vm: LiveVm, dataVolumes: SeenDataVolumes): Verdict | undefined {
  if (dataVolumes === "unserved") {
    if (!vm.spec.dataVolumeTemplates?.length) return undefined;
    return {
      kind: "failed",
      reason:
        "the cluster serves no DataVolumes (cdi.kubevirt.io/v1beta1): KubeVirt needs CDI installed to create the VM's dataVolumeTemplates",
    };
  }
  for (const { dv } of dataVolumes ?? []) {
    const failure = dv && dataVolumeFailure(dv);
    if (failure) return { kind: "failed", reason: failure };
  }
  return undefined;
}

/** What was observed before a wait began: news from then is old news to the wait. */
export interface Prior {
  /** The uid of the instance then: its ending is old news (e.g. the finished instance a Manual start replaces). */
  vmiUid?: string;
  /** The instance KubeVirt's crash-loop record (`status.startFailure`) named then. */
  failedVmiUid?: string;
}

/** The {@link Prior} of what was observed before a wait. */
export function priorOf(before: { vm?: LiveVm; vmi?: LiveVmi }): Prior {
  return {
    vmiUid: before.vmi?.metadata.uid,
    failedVmiUid: before.vm?.status?.startFailure?.lastFailedVMIUID,
  };
}

/** Decides a wait target against the observed objects, given what was observed before the wait began. */
export function evaluate(
  target: AnyWaitTarget,
  vm: LiveVm | undefined,
  vmi: LiveVmi | undefined,
  prior: Prior = {},
  dataVolumes?: SeenDataVolumes,
): Verdict {
  const pending: Verdict = { kind: "pending", status: statusLine(vm, vmi, dataVolumes) };
  switch (target.state) {
    case "gone":
      return !vm && !vmi ? { kind: "done" } : pending;
    case "generation":
      return (vm?.status?.desiredGeneration ?? 0) >= target.generation ? { kind: "done" } : pending;
    case "stopped":
      return !vmi || isFinal(vmi) ? { kind: "done" } : pending;
    case "instance":
      if (vmi && !vmi.metadata.deletionTimestamp && !isFinal(vmi)) return { kind: "done" };
      return (vm && (disksHopeless(vm, dataVolumes) ?? hopeless(vm, vmi, prior))) || pending;
    case "paused":
      if (!vm) return { kind: "failed", reason: "the VirtualMachine was deleted" };
      // The pause went to the instance there was before the wait: if it ends (or is replaced), nothing pauses.
      if (!isActive(vmi) || vmi!.metadata.uid !== prior.vmiUid) {
        return { kind: "failed", reason: `the instance ended before it was paused (${statusLine(vm, vmi)})` };
      }
      return isPaused(vmi) ? { kind: "done" } : pending;
    case "unpaused":
      return isPaused(vmi) ? pending : { kind: "done" };
    case "disks": {
      if (!vm) return { kind: "failed", reason: "the VirtualMachine was deleted" };
      const stuck = disksHopeless(vm, dataVolumes);
      if (stuck) return stuck;
      const all = Array.isArray(dataVolumes) ? dataVolumes : [];
      return all.every(({ dv }) => dv && dataVolumeReady(dv)) ? { kind: "done" } : pending;
    }
    case "running": {
      if (!vm) return { kind: "failed", reason: "the VirtualMachine was deleted" };
      const current =
        vmi && vmi.metadata.uid !== target.newerThanUid && !vmi.metadata.deletionTimestamp ? vmi : undefined;
      if (current && target.acceptFinal && current.status?.phase === "Succeeded") return { kind: "done" };
      if (current && reached(target.level, vm, current)) return { kind: "done" };
      const fresh = vmi && vmi.metadata.uid !== prior.vmiUid && vmi.metadata.uid !== target.newerThanUid;
      const oldNews =
        !current &&
        target.newerThanUid !== undefined &&
        INSTANCE_STATUSES.includes(vm.status?.printableStatus ?? "");
      return (
        (current ? undefined : disksHopeless(vm, dataVolumes)) ??
        (oldNews ? undefined : hopeless(vm, current, prior)) ??
        (fresh ? endedForGood(target.strategy, vmi) : undefined) ??
        pending
      );
    }
  }
}

/** Whether the instance reached a readiness level. */
export function reached(level: WaitFor, vm: LiveVm, vmi: LiveVmi): boolean {
  const phase = vmi.status?.phase;
  switch (level) {
    case WaitFor.Created:
      return true;
    case WaitFor.Running:
      return phase === "Running";
    case WaitFor.Ready:
      return (
        phase === "Running" && (conditionTrue(vmi.status?.conditions, "Ready") || vm.status?.ready === true)
      );
    case WaitFor.AgentConnected:
      return phase === "Running" && conditionTrue(vmi.status?.conditions, "AgentConnected");
    case WaitFor.HasIP:
      return (
        phase === "Running" &&
        (vmi.status?.interfaces ?? []).some((i) => !!i.ipAddress || (i.ipAddresses ?? []).length > 0)
      );
  }
}

/**
 * KubeVirt's reason why the VM cannot start, when it says so. A crash loop counts only when its record names
 * an instance that failed since the wait began: a start or stop request clears the record (§2.5) before
 * KubeVirt's controller recomputes `printableStatus`, and an instance stopped before it ever ran is counted as
 * a failed start (`vmiFailedEarly`) that the next start request forgives.
 */
export function hopeless(vm: LiveVm, vmi: LiveVmi | undefined, prior: Prior = {}): Verdict | undefined {
  const printable = vm.status?.printableStatus ?? "";
  if (printable === "CrashLoopBackOff" && !freshCrashLoop(vm, prior)) return undefined;
  const failure = condition(vm.status?.conditions, "Failure");
  if (failure?.status === "True") {
    return {
      kind: "failed",
      reason: `Failure: ${failure.reason ?? ""}${failure.message ? `: ${failure.message}` : ""}`,
    };
  }
  if (!HOPELESS_STATUSES.includes(printable)) return undefined;
  // The first of the conditions KubeVirt explains these states with that says False, and why.
  const explaining = [vmi?.status?.conditions, vm.status?.conditions]
    .flatMap((conditions) => EXPLAINING_CONDITIONS.map((type) => condition(conditions, type)))
    .find((c) => c?.status === "False" && !!c.message);
  const detail = explaining ? `: ${explaining.message}` : "";
  const retries = vm.status?.startFailure?.consecutiveFailCount;
  const crash =
    printable === "CrashLoopBackOff" && retries
      ? `: the instance failed ${retries} time(s) before reaching Running`
      : "";
  return { kind: "failed", reason: `${printable}${detail}${crash}` };
}

/**
 * Whether the VM's crash-loop record is news: it counts failures and names another instance than before, and not
 * the instance there was before the wait (KubeVirt counts one that a restart or stop ended before it ran, e.g.
 * one stuck pulling its image, as a failed start: the wait is for the one after it, which KubeVirt starts once
 * its backoff has passed).
 */
function freshCrashLoop(vm: LiveVm, prior: Prior): boolean {
  const record = vm.status?.startFailure;
  if (!record?.consecutiveFailCount) return false;
  if (prior.vmiUid !== undefined && record.lastFailedVMIUID === prior.vmiUid) return false;
  return prior.failedVmiUid === undefined || record.lastFailedVMIUID !== prior.failedVmiUid;
}

/**
 * Whether the ended instance `vmi` leaves the VM stopped for good under `strategy` (KubeVirt's VM
 * controller): Always re-creates every instance; RerunOnFailure re-runs a Failed one but not one whose guest
 * shut down (Succeeded); Once and Manual never start another. A failure before Running under a strategy
 * KubeVirt backs off is left to KubeVirt's own report (printableStatus CrashLoopBackOff, see {@link hopeless}).
 */
function endedForGood(strategy: string, vmi: LiveVmi): Verdict | undefined {
  const phase = vmi.status?.phase;
  if (!isFinal(vmi) || strategy === RunStrategy.Always) return undefined;
  if (strategy === RunStrategy.RerunOnFailure && phase === "Failed") return undefined;
  const ran = everRunning(vmi);
  if (phase === "Failed" && !ran && CRASH_LOOP_STRATEGIES.includes(strategy)) return undefined;
  const noRetry = phase === "Failed" && !ran ? ", so there is no CrashLoopBackOff retry" : "";
  const after = strategy === RunStrategy.RerunOnFailure ? " after a guest shutdown" : "";
  return {
    kind: "stopped",
    reason: `${howItEnded(vmi, ran)}; KubeVirt does not restart a ${strategy} VM${after}${noRetry}`,
  };
}

/** What ended the instance, in KubeVirt's terms: `the guest shut down (VMI Succeeded)`. */
function howItEnded(vmi: LiveVmi, ran: boolean): string {
  const reason = typeof vmi.status?.reason === "string" ? vmi.status.reason : "";
  if (vmi.status?.phase === "Succeeded") {
    return vmi.metadata.deletionTimestamp
      ? "the instance was shut down (VMI Succeeded)"
      : "the guest shut down (VMI Succeeded)";
  }
  if (reason) return `the instance failed (VMI Failed: ${reason})`;
  return ran ? "the guest crashed (VMI Failed)" : "the instance crashed before reaching Running (VMI Failed)";
}

/** Whether the instance ever reached phase Running (KubeVirt's test for "failed before it ran"). */
function everRunning(vmi: LiveVmi): boolean {
  const transitions = (vmi.status?.phaseTransitionTimestamps as { phase?: string }[] | undefined) ?? [];
  return transitions.some((t) => t.phase === "Running");
}
