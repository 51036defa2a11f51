/**
 * What every provider operation shares: how to connect and log, how to observe the live VM and VMI, and the
 * planner's view of stored inputs.
 */
import type { Connection } from "../connections";
import type { Observed } from "../kube/namespace-watch";
import type { LiveVm } from "../model/kubevirt";
import { declaredStrategy, vmManifest } from "../model/manifest";
import { ownershipOf } from "../ownership";
import type { Desired } from "../planner/plan";
import type { Log } from "../progress/sink";
import { desiredPowerState, type VmInputs } from "../schema";
import type { VmOutputs } from "../vm-outputs";

/** The provider's means, handed to each operation. */
export interface OperationContext {
  /** The (cached) connection for these settings. */
  connect(inputs: Pick<VmInputs, "kubeconfig" | "context">): Connection;
  /** Receives progress about the resource whose operation this is (the CLI shows it on that row). */
  log: Log;
}

/**
 * The VM and its instance as the cluster has them: from the namespace's shared watch once it has listed them
 * (one list per namespace and collection for every VM of the run, no request per VM; the watch is at most a
 * moment behind the server, and has what this process wrote), or with two GETs when the connection reads with
 * GETs, when `fresh` is asked for (after a concurrent change) or when the watch cannot list (refused, or its
 * list failed).
 */
export async function observeLive(
  conn: Connection,
  ns: string,
  name: string,
  fresh = false,
): Promise<Observed> {
  if (conn.readsFromWatch && !fresh) {
    const watch = conn.watch(ns);
    const listed = await watch.ready().then(
      () => watch.failure === undefined,
      () => false,
    );
    if (listed) return watch.get(name);
  }
  const [vm, vmi] = await Promise.all([conn.api.getVm(ns, name), conn.api.getVmi(ns, name)]);
  return { vm, vmi };
}

/** `namespace/name`: the resource's id. */
export function idOf(inputs: Pick<VmInputs, "name" | "namespace">): string {
  return `${inputs.namespace}/${inputs.name}`;
}

/** Whether `vm` is the VM these inputs' resource manages (by its current or recorded identity). */
export function isOurs(vm: LiveVm, inputs: VmOutputs): boolean {
  return ownershipOf(vm, [inputs.owner]).kind === "ours";
}

/** The stored inputs without the observed state. */
export function stripObserved(inputs: VmOutputs): VmOutputs {
  const { observed: _observed, ...rest } = inputs;
  return rest;
}

/** The planner's view of checked inputs. */
export function desiredOf(inputs: VmOutputs): Desired {
  return {
    manifest: vmManifest(inputs, inputs.namespace!),
    strategy: declaredStrategy(inputs),
    power: desiredPowerState(inputs),
    restartTrigger: inputs.restartTrigger,
    restartPolicy: inputs.restartPolicy,
    powerDrift: inputs.powerDrift,
    waitFor: inputs.waitFor,
    stopGracePeriodSeconds: inputs.stopGracePeriodSeconds,
  };
}
