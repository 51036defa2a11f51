/**
 * The planner's vocabulary: what the executor does to a VirtualMachine, in order. Actions are data, so
 * `pulumi preview` can describe exactly what `pulumi up` will do.
 */
import type { WaitFor } from "../../sdk/enums";
import type { VmManifest } from "../model/manifest";

/** One RFC 6902 JSON patch operation. */
export interface JsonPatchOp {
  op: "test" | "replace" | "add" | "remove";
  path: string;
  value?: unknown;
}

/** What to wait for after the actions before it. */
export type WaitTarget =
  /**
   * An instance at the readiness level; with `newerThanUid`, one whose uid differs (a restart happened);
   * with `acceptFinal`, a finished (Succeeded) instance also counts (Once). `strategy` is the run strategy
   * KubeVirt applies meanwhile: it says whether an instance that ends is replaced or leaves the VM stopped.
   */
  | { state: "running"; level: WaitFor; strategy: string; newerThanUid?: string; acceptFinal?: boolean }
  /** No instance, or only a finished one. */
  | { state: "stopped" }
  /** An instance exists (any phase): KubeVirt started it by itself. */
  | { state: "instance" }
  /** The instance runs paused: VMI phase `Running` with the condition `Paused=True`. */
  | { state: "paused" }
  /** The instance no longer has the condition `Paused` (KubeVirt removes it once the guest runs again). */
  | { state: "unpaused" }
  /** The DataVolumes the VM mounts are provisioned (CDI imported or cloned them), for a VM that does not start. */
  | { state: "disks" };

/** One step of a plan. `reason` says why, in words a reviewer of a preview understands. */
export type Action =
  | { kind: "create"; manifest: VmManifest }
  | { kind: "patch"; ops: JsonPatchOp[]; changes: string[] }
  | { kind: "start"; reason: string }
  | { kind: "stop"; reason: string; gracePeriodSeconds?: number }
  | { kind: "restart"; reason: string; onlyIfRequired: boolean }
  /** The VMI's `pause` subresource (docs/kubevirt-behaviour.md §1.8). */
  | { kind: "pause"; reason: string }
  /** The VMI's `unpause` subresource (§1.8). */
  | { kind: "unpause"; reason: string }
  | { kind: "wait"; target: WaitTarget };

/** A plan: the actions, plus what the planner noticed but will not act on. */
export interface Plan {
  actions: Action[];
  /** Things a reviewer should know: drift left alone, restarts that will not happen and why. */
  notes: string[];
}

/** An action that changes the VM's power state: start, stop, restart, pause or unpause. */
export type PowerAction = Exclude<Action, { kind: "create" | "patch" | "wait" }>;

/** The actions that change the VM's power state (start, stop, restart, pause, unpause). */
export function powerActions(plan: Plan): PowerAction[] {
  return plan.actions.filter(
    (a): a is PowerAction => a.kind !== "create" && a.kind !== "patch" && a.kind !== "wait",
  );
}

/** A one-line description of an action for previews and progress output, e.g. `will stop vm-cirros (...)`. */
export function describeAction(action: Action, vmName: string): string {
  switch (action.kind) {
    case "create":
      return `will create VirtualMachine ${action.manifest.metadata.namespace}/${vmName}`;
    case "patch":
      return `will update ${vmName}: ${action.changes.join(", ")}`;
    case "start":
    case "stop":
    case "pause":
    case "unpause":
      return `will ${action.kind} ${vmName} (${action.reason})`;
    case "restart":
      return action.onlyIfRequired
        ? `will restart ${vmName} if KubeVirt reports RestartRequired (${action.reason})`
        : `will restart ${vmName} (${action.reason})`;
    case "wait":
      return `will wait until ${vmName} is ${waitLabel(action.target)}`;
  }
}

/** Human words for a wait target. */
export function waitLabel(target: WaitTarget): string {
  switch (target.state) {
    case "running":
      return `${target.level}${target.newerThanUid ? " with a new instance" : ""}`;
    case "stopped":
      return "Stopped";
    case "instance":
      return "started";
    case "paused":
      return "Paused";
    case "unpaused":
      return "unpaused";
    case "disks":
      return "provisioned (its DataVolumes)";
  }
}
