/**
 * When a wait is over: a pure verdict on the observed VM and VMI for each wait target, including the
 * hopeless states KubeVirt reports (unschedulable, image pull errors, crash loops, sync failures), so that
 * `up` fails fast with KubeVirt's own reason instead of running into the timeout.
 */
import { WaitFor } from "../../sdk/enums";
import { condition, conditionTrue, isFinal, type LiveVm, type LiveVmi } from "../model/kubevirt";
import type { WaitTarget } from "../planner/actions";

/** Targets beyond the planner's: the VM and its VMI are gone; the controller saw a generation. */
export type AnyWaitTarget = WaitTarget | { state: "gone" } | { state: "generation"; generation: number };

/** The outcome of looking once. */
export type Verdict =
  { kind: "done" } | { kind: "pending"; status: string } | { kind: "failed"; reason: string };

/** printableStatus values that will not resolve by waiting. */
export const HOPELESS_STATUSES: readonly string[] = [
  "ErrorUnschedulable",
  "ErrImagePull",
  "ImagePullBackOff",
  "CrashLoopBackOff",
  "ErrorPvcNotFound",
  "DataVolumeError",
];

/** A short status line: `Starting (VMI Scheduling)`. */
export function statusLine(vm: LiveVm | undefined, vmi: LiveVmi | undefined): string {
  if (!vm) return vmi ? `deleted (VMI ${vmi.status?.phase ?? "unknown"})` : "deleted";
  const printable = vm.status?.printableStatus ?? "Stopped";
  if (!vmi) return printable;
  const extra = vmi.metadata.deletionTimestamp ? ", deleting" : "";
  return `${printable} (VMI ${vmi.status?.phase || "Pending"}${extra})`;
}

/** Decides a wait target against the observed objects. */
export function evaluate(target: AnyWaitTarget, vm: LiveVm | undefined, vmi: LiveVmi | undefined): Verdict {
  const pending: Verdict = { kind: "pending", status: statusLine(vm, vmi) };
  switch (target.state) {
    case "gone":
      return !vm && !vmi ? { kind: "done" } : pending;
    case "generation":
      return (vm?.status?.desiredGeneration ?? 0) >= target.generation ? { kind: "done" } : pending;
    case "stopped":
      return !vmi || isFinal(vmi) ? { kind: "done" } : pending;
    case "instance":
      if (vmi && !vmi.metadata.deletionTimestamp && !isFinal(vmi)) return { kind: "done" };
      return (vm && hopeless(vm, vmi)) || pending;
    case "running": {
      if (!vm) return { kind: "failed", reason: "the VirtualMachine was deleted" };
      const current =
        vmi && vmi.metadata.uid !== target.newerThanUid && !vmi.metadata.deletionTimestamp ? vmi : undefined;
      if (current && target.acceptFinal && isFinal(current)) return { kind: "done" };
      if (current && reached(target.level, vm, current)) return { kind: "done" };
      return hopeless(vm, current) ?? pending;
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

/** KubeVirt's reason why the VM cannot start, when it says so. */
export function hopeless(vm: LiveVm, vmi: LiveVmi | undefined): Verdict | undefined {
  const printable = vm.status?.printableStatus ?? "";
  const failure = condition(vm.status?.conditions, "Failure");
  if (failure?.status === "True") {
    return {
      kind: "failed",
      reason: `Failure: ${failure.reason ?? ""}${failure.message ? `: ${failure.message}` : ""}`,
    };
  }
  if (!HOPELESS_STATUSES.includes(printable)) return undefined;
  const explaining =
    condition(vmi?.status?.conditions, "PodScheduled") ??
    condition(vmi?.status?.conditions, "Synchronized") ??
    condition(vm.status?.conditions, "PodScheduled") ??
    condition(vm.status?.conditions, "Synchronized");
  const detail = explaining?.status === "False" && explaining.message ? `: ${explaining.message}` : "";
  const retries = vm.status?.startFailure?.consecutiveFailCount;
  const crash =
    printable === "CrashLoopBackOff" && retries
      ? `: the instance failed ${retries} time(s) before reaching Running`
      : "";
  return { kind: "failed", reason: `${printable}${detail}${crash}` };
}
