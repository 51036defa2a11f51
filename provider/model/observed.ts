/**
 * The observed state the provider reports as outputs, computed from the live VM and VMI.
 */
import type { ObservedPowerState } from "../../sdk/enums";
import type { ObservedVirtualMachine } from "../../sdk/outputs";
import { effectiveStrategy, isFinal, isPaused, type LiveVm, type LiveVmi } from "./kubevirt";

/** Outputs describing the live VM (absent values are omitted): the public `ObservedVirtualMachine`. */
export type ObservedVm = ObservedVirtualMachine;

/** The observed power state: Stopped without an instance or with a finished one. */
export function observedPowerState(vmi: LiveVmi | undefined): ObservedPowerState {
  if (!vmi || isFinal(vmi)) return "Stopped";
  if (vmi.metadata.deletionTimestamp || vmi.status?.phase !== "Running") return "Unknown";
  return isPaused(vmi) ? "Paused" : "Running";
}

/** Summarises the live objects as outputs. */
export function observe(vm: LiveVm, vmi: LiveVmi | undefined): ObservedVm {
  const out: ObservedVm = {
    powerState: observedPowerState(vmi),
    uid: vm.metadata.uid,
    runStrategy: effectiveStrategy(vm),
    printableStatus: vm.status?.printableStatus ?? "Stopped",
    ready: vm.status?.ready === true,
    conditions: (vm.status?.conditions ?? []).map(({ type, status, reason, message }) =>
      strip({ type, status, reason, message }),
    ),
  };
  if (vm.status?.observedGeneration !== undefined) out.observedGeneration = vm.status.observedGeneration;
  if (vm.status?.desiredGeneration !== undefined) out.desiredGeneration = vm.status.desiredGeneration;
  if (vmi) {
    if (vmi.status?.phase) out.vmiPhase = vmi.status.phase;
    out.vmiUid = vmi.metadata.uid;
    if (vmi.status?.nodeName) out.nodeName = vmi.status.nodeName;
    const interfaces = (vmi.status?.interfaces ?? []).map((i) =>
      strip({ name: i.name, ipAddress: i.ipAddress, ipAddresses: i.ipAddresses, mac: i.mac }),
    );
    if (interfaces.length > 0) out.interfaces = interfaces;
  }
  return out;
}

/** Drops undefined members (Pulumi property values cannot be undefined). */
function strip<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
