/**
 * The loop that create and update share: observe → plan → execute until the plan runs through, and the
 * partial-state report of one that fails after the VM exists.
 */
import { execute, StaleObservationError } from "../executor";
import type { Observed } from "../kube/namespace-watch";
import { observe } from "../model/observed";
import { notOursMessage, ownershipOf } from "../ownership";
import { plan, type Declared } from "../planner/plan";
import type { VmOutputs } from "../vm-outputs";
import { desiredOf, idOf, isOurs, observeLive, stripObserved, type OperationContext } from "./context";

/** How many times an update re-observes and re-plans after a concurrent change. */
const MAX_PLAN_ATTEMPTS = 3;

/**
 * Observe → plan → execute until the plan runs through (re-planning after concurrent changes); returns the
 * outputs: the inputs plus what is observed at the end.
 */
export async function converge(
  ctx: OperationContext,
  inputs: VmOutputs,
  previous: Declared | undefined,
  deadline: number,
  adopting: boolean,
): Promise<VmOutputs> {
  const conn = ctx.connect(inputs);
  const ns = inputs.namespace!;
  const { log } = ctx;
  let prev = previous;
  const desired = desiredOf(inputs);
  let seen: Observed;
  for (let attempt = 1; ; attempt++) {
    // After a concurrent change, read it from the server: the watch may not have it yet.
    const observed = await observeLive(conn, ns, inputs.name, attempt > 1);
    const adoptedAt = adopting && observed.vm && !prev ? new Date().toISOString() : undefined;
    const p = plan({ desired, previous: prev, observed, adoptedAt });
    for (const note of p.notes) log(`${inputs.name}: note: ${note}`);
    try {
      const exec = { api: conn.api, watch: conn.watch(ns), namespace: ns, name: inputs.name, deadline, log };
      seen = await execute(p, { ...exec, isOurs: (vm) => isOurs(vm, inputs) }, observed);
      break;
    } catch (err) {
      if (!(err instanceof StaleObservationError) || attempt >= MAX_PLAN_ATTEMPTS) throw err;
      log(`${inputs.name}: the VirtualMachine changed while updating it (${err.message}); observing again`);
      if (p.actions.some((a) => a.kind === "create")) prev = desired;
    }
  }
  // What the plan's last step saw (its writes' answers, what its waits saw): no read again.
  return { ...stripObserved(inputs), observed: seen.vm ? observe(seen.vm, seen.vmi) : undefined };
}

/**
 * Runs `work`; when it fails after this resource's VM exists, reports a partially created/updated resource
 * with the `recorded` declaration: for a failed update the old one, so that the next `up` still sees (and
 * does) what did not happen, e.g. the restart a changed `restartTrigger` asked for. A VM of the name that
 * another resource manages (a create that lost a race) is never recorded.
 */
export async function keepingState(
  ctx: OperationContext,
  inputs: VmOutputs,
  work: () => Promise<VmOutputs>,
  recorded: VmOutputs = inputs,
): Promise<VmOutputs> {
  try {
    return await work();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const live = await observeLive(ctx.connect(inputs), inputs.namespace!, inputs.name, true).catch(
      () => undefined,
    );
    if (!live?.vm) throw err;
    const ownership = ownershipOf(live.vm, [inputs.owner]);
    if (ownership.kind !== "ours") {
      throw new Error(`${message} (${notOursMessage(idOf(inputs), ownership, "recording")})`);
    }
    throw Object.assign(new Error(message), {
      id: idOf(inputs),
      properties: { ...stripObserved(recorded), observed: observe(live.vm, live.vmi) },
      reasons: [message],
    });
  }
}
