/**
 * Outputs as KubeVirt is about to report them. A wait ends when the instance reaches its readiness level, but
 * status writes can trail it by a moment: virt-controller's `printableStatus` and `ready` on the VM (written after
 * the instance's, §2.5) and, on the pod network, the interface's IP, which KubeVirt reports with the running domain,
 * without a guest agent (§3.1). So a wait for a running VM is followed by a short wait for those to catch up,
 * which never fails the operation: the outputs of a default `up` then say `Running` and carry the IP. A wait
 * for a paused instance is followed likewise by a short wait for the VM's `printableStatus` `Paused`.
 */
import { WaitFor, waitForRank } from "../../sdk/enums";
import type { NamespaceWatch, Observed } from "../kube/namespace-watch";
import { isPaused, type LiveVm, type LiveVmi } from "../model/kubevirt";
import type { WaitTarget } from "../planner/actions";
import { reached } from "./conditions";

/** How long, at most, the trailing status writes are waited for. */
export const CATCH_UP_MS = 2_000;

/** Whether the instance is attached to the pod network (KubeVirt attaches it when no network is declared). */
export function onPodNetwork(vmi: LiveVmi | undefined): boolean {
  const spec = vmi?.spec as
    | { networks?: { pod?: unknown }[]; domain?: { devices?: { autoattachPodInterface?: boolean } } }
    | undefined;
  if (!spec) return false;
  const networks = spec.networks ?? [];
  if (networks.length === 0) return spec.domain?.devices?.autoattachPodInterface !== false;
  return networks.some((n) => n.pod !== undefined);
}

/**
 * Whether what a user reads after a wait for `level` is all there: the VM's status (`Paused` for a paused
 * instance, else `Running`), and at Ready its `ready` and its IP.
 */
export function caughtUp(level: WaitFor, vm: LiveVm | undefined, vmi: LiveVmi | undefined): boolean {
  if (!vm || !vmi) return true; // nothing running to report on (a Once VM that finished, a stop)
  if (vm.status?.printableStatus !== (isPaused(vmi) ? "Paused" : "Running")) return false;
  const atReady = waitForRank(level) >= waitForRank(WaitFor.Ready);
  // KubeVirt's VM `ready` follows the instance's Ready condition a moment later, as printableStatus does.
  if (atReady && vm.status?.ready !== true) return false;
  return !(atReady && onPodNetwork(vmi)) || reached(WaitFor.HasIP, vm, vmi);
}

/** After a wait for `target`: `seen`, or what is observed once the trailing status has caught up (briefly). */
export async function caughtUpAfter(
  watch: NamespaceWatch,
  name: string,
  target: WaitTarget,
  seen: Observed,
  deadline: number,
): Promise<Observed> {
  const level =
    target.state === "running" ? target.level : target.state === "paused" ? WaitFor.Running : WaitFor.Created;
  if (level === WaitFor.Created) return seen;
  if (caughtUp(level, seen.vm, seen.vmi)) return seen;
  return new Promise<Observed>((resolve) => {
    let timer: NodeJS.Timeout | undefined = undefined;
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve(watch.get(name, seen));
    };
    const unsubscribe = watch.onChange(name, () => {
      const now = watch.get(name, seen);
      if (caughtUp(level, now.vm, now.vmi)) done();
    });
    timer = setTimeout(done, Math.max(0, Math.min(deadline, Date.now() + CATCH_UP_MS) - Date.now()));
  });
}
