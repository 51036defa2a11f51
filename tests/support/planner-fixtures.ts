/**
 * Test fixtures for the planner: live VM and VMI objects in a given state, declarations, and a one-line
 * summary of a plan that a reader can check against KubeVirt's run-strategy table.
 */
import type { PowerState, RestartPolicy, RunStrategy } from "../../sdk/enums";
import type { Condition, LiveVm, LiveVmi } from "../../provider/model/kubevirt";
import type { Action, Plan } from "../../provider/planner/actions";
import type { Declared, Desired } from "../../provider/planner/plan";
import { desiredPowerState } from "../../provider/schema";

/** Instance states a test can put next to a VM; `Paused` is phase Running with the condition `Paused=True`. */
export type VmiState = "none" | "Running" | "Paused" | "Scheduling" | "Succeeded" | "Failed";

const TEMPLATE = { spec: { domain: { devices: {} } } };

/** A live VM with the given strategy; `extra` overrides spec/status bits. */
export function liveVm(
  strategy: string,
  extra: { conditions?: Condition[]; template?: Record<string, unknown>; running?: boolean } = {},
): LiveVm {
  const spec: LiveVm["spec"] =
    extra.running !== undefined ? { running: extra.running } : { runStrategy: strategy };
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: "vm1", namespace: "ns", uid: "vm-uid", resourceVersion: "10", generation: 1 },
    spec: { ...spec, template: extra.template ?? TEMPLATE },
    status: { conditions: extra.conditions ?? [] },
  };
}

/** A live VMI in a phase, or `undefined` for "none". */
export function liveVmi(state: VmiState, uid = "vmi-1"): LiveVmi | undefined {
  if (state === "none") return undefined;
  const status =
    state === "Paused"
      ? { phase: "Running", conditions: [{ type: "Paused", status: "True", reason: "PausedByUser" }] }
      : { phase: state };
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { name: "vm1", namespace: "ns", uid, resourceVersion: "11" },
    status,
  };
}

/**
 * A declaration of a strategy (runStrategy field) and, optionally, the `powerState` input. The power the
 * planner converges to is the product's reading of those inputs (`desiredPowerState`, as the provider's
 * own), not a copy of it: what Always and Halted imply is that function's business and tested with it.
 */
export function declared(
  strategy: string,
  powerState?: PowerState,
  extra: { template?: Record<string, unknown>; restartTrigger?: string } = {},
): Declared {
  return {
    manifest: {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: "vm1", namespace: "ns" },
      spec: { runStrategy: strategy, template: extra.template ?? TEMPLATE },
    },
    strategy,
    power: desiredPowerState({ runStrategy: strategy as RunStrategy, powerState }),
    restartTrigger: extra.restartTrigger,
  };
}

/** A full desired state with default settings. */
export function desired(
  strategy: string,
  power?: PowerState,
  extra: {
    template?: Record<string, unknown>;
    restartTrigger?: string;
    restartPolicy?: RestartPolicy;
    powerDrift?: "Correct" | "Ignore";
  } = {},
): Desired {
  return {
    ...declared(strategy, power, extra),
    restartPolicy: extra.restartPolicy ?? "IfRequired",
    powerDrift: extra.powerDrift ?? "Correct",
    waitFor: "Ready",
  };
}

/**
 * The notation of the planner's tables (and of its golden file): `patch(runStrategy Halted → Manual) → start
 * → wait(Ready)`, `-` for an empty plan. It spells out an action's data (kind, changes, wait target); it is
 * deliberately not the product's preview wording (`describeAction`), so that a table's expectation does not
 * depend on code of the product.
 */
export function summarize(plan: Plan): string {
  if (plan.actions.length === 0) return "-";
  return plan.actions.map(summarizeAction).join(" → ");
}

function summarizeAction(a: Action): string {
  switch (a.kind) {
    case "create":
      return "create";
    case "patch":
      return `patch(${a.changes.join(", ")})`;
    case "start":
    case "stop":
    case "pause":
    case "unpause":
      return a.kind;
    case "restart":
      return a.onlyIfRequired ? "restart-if-required" : "restart";
    case "wait":
      switch (a.target.state) {
        case "running":
          return `wait(${a.target.level}${a.target.newerThanUid ? ", new instance" : ""}${a.target.acceptFinal ? " or finished" : ""})`;
        case "stopped":
          return "wait(Stopped)";
        case "instance":
          return "wait(instance)";
        case "paused":
          return "wait(Paused)";
        case "unpaused":
          return "wait(unpaused)";
        case "disks":
          return "wait(disks)";
      }
  }
}
