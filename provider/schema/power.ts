/**
 * What power state the provider converges a VM to.
 */
import { PowerState, RunStrategy } from "../../sdk/enums";
import type { VmInputs } from "./inputs";

/**
 * The power state the provider should converge to, or `undefined` when it should not start or stop the VM
 * at all and leave the power state to KubeVirt (and to whoever uses virtctl).
 *
 * - `Always` / `running: true` → `Running` (or `Paused` when `powerState` says so); `Halted` /
 *   `running: false` → `Stopped`. KubeVirt's controller converges these by itself; the value tells the
 *   provider what to wait for and what drift means (and whether to pause or unpause the instance).
 * - `Manual` → `powerState`, or `undefined` when unset (leave it as it is).
 * - `RerunOnFailure` → `powerState`, or `undefined` when unset: KubeVirt starts the VM on creation and keeps
 *   it down after a guest shutdown, which is the point of this strategy, so the provider does not start it
 *   again unless `powerState: "Running"` (or `"Paused"`) asks for it.
 * - `Once` → `powerState` (`Running` or `Paused`: validation rejects `Stopped`), or `undefined` when unset:
 *   KubeVirt starts it on creation and never again; it cannot be started or restarted through the API (409
 *   "Once does not support manual start requests"), so all there is to converge is whether its one run is
 *   paused. The create plan still waits for its first run (see `planCreate` in `provider/planner/plan.ts`).
 *
 * Returns `undefined` when the inputs needed are unknown (preview).
 */
export function desiredPowerState(
  inputs: Pick<VmInputs, "runStrategy" | "running" | "powerState">,
): PowerState | undefined {
  const { runStrategy, running, powerState } = inputs;
  const known = (p: unknown): PowerState | undefined =>
    p === PowerState.Running || p === PowerState.Stopped || p === PowerState.Paused ? p : undefined;
  /** A strategy that runs the VM: `Running`, unless `powerState` asks for it paused. */
  const runs = powerState === PowerState.Paused ? PowerState.Paused : PowerState.Running;
  if (runStrategy === undefined) {
    if (running === true) return runs;
    if (running === false) return PowerState.Stopped;
    return undefined;
  }
  switch (runStrategy) {
    case RunStrategy.Always:
      return runs;
    case RunStrategy.Halted:
      return PowerState.Stopped;
    case RunStrategy.Manual:
    case RunStrategy.RerunOnFailure:
    case RunStrategy.Once:
      return known(powerState);
    default:
      return undefined; // unknown during preview
  }
}
