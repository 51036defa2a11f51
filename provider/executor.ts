/**
 * The executor: carries out a plan's actions in order against the API, as thinly as it can. The only
 * judgements it makes are the ones the planner cannot make in advance: whether KubeVirt reports
 * `RestartRequired` after a template change (restartPolicy IfRequired), and whether the instance is already
 * paused (or not) when a pause (or unpause) comes.
 */
import { WaitFor } from "../sdk/enums";
import { conditionTrue, isPaused, type LiveVm, type LiveVmi } from "./model/kubevirt";
import { ApiError } from "./kube/errors";
import type { KubeVirtApi, PowerCall } from "./kube/kubevirt-api";
import type { NamespaceWatch, Observed } from "./kube/namespace-watch";
import { describeAction, waitLabel, type Action, type Plan, type WaitTarget } from "./planner/actions";
import type { Log } from "./progress/sink";
import { caughtUpAfter } from "./wait/caught-up";
import { waitFor } from "./wait/waiter";

/** Where and how to execute. */
export interface ExecutionContext {
  api: KubeVirtApi;
  watch: NamespaceWatch;
  namespace: string;
  name: string;
  /** Epoch milliseconds: the operation's timeout. */
  deadline: number;
  /** Receives what is done (info) and how waits are going (status). */
  log: Log;
  /** Whether a VM found under this name is the one this resource manages (a create's lost answer). */
  isOurs: (vm: LiveVm) => boolean;
}

/** The patch's `test` failed or the object changed under us: observe again and re-plan. */
export class StaleObservationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StaleObservationError";
  }
}

/** kube-apiserver's message for a JSON patch that does not apply (e.g. a failed `test`). */
const PATCH_REJECTED = /the server rejected our request due to an error in our request/;

/** How long to wait for KubeVirt's controller to look at a spec change (to decide on a restart, or to report). */
const OBSERVE_SPEC_MS = 30_000;

/**
 * 409 messages that mean "already as requested": starting a running VM, stopping a stopped one, stopping a
 * Halted VM whose instance is already shutting down (the answer to a stop sent again after a lost answer),
 * pausing a paused instance or unpausing one that is not paused (§1.8).
 */
const ALREADY_DONE: Record<PowerCall["action"] | "pause" | "unpause", RegExp> = {
  start: /VM is already running/,
  stop: /VM is not running$|Halted only supports manual stop requests with a shorter graceperiod/,
  pause: /VMI is already paused$/,
  unpause: /VMI is not paused$/,
};

/**
 * Runs the plan; returns what was last observed. After a spec change it waits (briefly) until KubeVirt's
 * controller has observed it, so that the outputs (conditions such as RestartRequired, printableStatus) are
 * KubeVirt's view of the new spec rather than of the old one.
 */
export async function execute(plan: Plan, ctx: ExecutionContext, observed: Observed): Promise<Observed> {
  let floor = observed;
  let restartSkipped = false;
  let patched = false;
  for (const action of plan.actions) {
    if (action.kind !== "wait")
      ctx.log(`${ctx.name}: ${describeAction(action, ctx.name).replace(/^will /, "")}`);
    switch (action.kind) {
      case "create":
        floor = { vm: await ctx.api.createVm(action.manifest, ctx.isOurs) };
        ctx.watch.wrote(ctx.name, floor);
        break;
      case "patch":
        floor = { ...floor, vm: await patch(ctx, action.ops) };
        ctx.watch.wrote(ctx.name, { vm: floor.vm });
        patched = true;
        break;
      case "start":
        await power(ctx, { action: "start" });
        break;
      case "stop":
        await power(ctx, { action: "stop", gracePeriod: action.gracePeriodSeconds });
        break;
      case "pause":
      case "unpause":
        await setPaused(ctx, floor, action.kind);
        break;
      case "restart":
        if (action.onlyIfRequired && !(await restartRequired(ctx, floor))) {
          ctx.log(`${ctx.name}: KubeVirt reports no RestartRequired; not restarting`);
          restartSkipped = true;
          break;
        }
        await ctx.api.restart(ctx.namespace, ctx.name, floor.vmi?.metadata.uid);
        break;
      case "wait": {
        const target =
          restartSkipped && action.target.state === "running"
            ? stayed(action.target, ctx.watch.get(ctx.name, floor).vmi)
            : action.target;
        floor = await waitFor(ctx.watch, ctx.name, target, floor, {
          deadline: ctx.deadline,
          log: ctx.log,
          label: waitLabel(target),
        });
        floor = await caughtUpAfter(ctx.watch, ctx.name, target, floor, ctx.deadline);
        break;
      }
    }
  }
  return patched ? observedByKubeVirt(ctx, floor) : floor;
}

/**
 * The wait for a restarted instance, when the restart was skipped: a wait for the instance that stayed, which
 * never becomes Ready while it is paused (§1.8), so a paused one is waited for until phase Running only.
 */
function stayed(target: Extract<WaitTarget, { state: "running" }>, vmi: LiveVmi | undefined): WaitTarget {
  return { ...target, newerThanUid: undefined, level: isPaused(vmi) ? WaitFor.Running : target.level };
}

async function patch(ctx: ExecutionContext, ops: Extract<Action, { kind: "patch" }>["ops"]): Promise<LiveVm> {
  try {
    return await ctx.api.patchVm(ctx.namespace, ctx.name, ops);
  } catch (err) {
    // Someone changed the VM since we read it: kube-apiserver answers a failed `test` op with 422 Invalid
    // "the server rejected our request due to an error in our request" (an admission denial says otherwise).
    if (
      err instanceof ApiError &&
      (err.code === 409 || (err.code === 422 && PATCH_REJECTED.test(err.message)))
    ) {
      throw new StaleObservationError(err.message);
    }
    throw err;
  }
}

async function power(ctx: ExecutionContext, call: PowerCall): Promise<void> {
  await unlessDone(ctx, call.action, () => ctx.api.power(ctx.namespace, ctx.name, call));
}

/**
 * Pauses or unpauses the instance, unless it is already as asked when its turn comes (someone, or an earlier
 * `up` that was interrupted, paused it since the plan was made; a restart that was skipped left the paused
 * instance in place): KubeVirt refuses a second pause (409).
 */
async function setPaused(ctx: ExecutionContext, floor: Observed, action: "pause" | "unpause"): Promise<void> {
  const paused = action === "pause";
  if (isPaused(ctx.watch.get(ctx.name, floor).vmi) === paused) {
    ctx.log(
      `${ctx.name}: ${action}: the instance is ${paused ? "already paused" : "not paused"} (nothing to do)`,
    );
    return;
  }
  await unlessDone(ctx, action, () => ctx.api.setPaused(ctx.namespace, ctx.name, paused));
}

/** Makes a power call; KubeVirt's 409 that says the VM is already as requested counts as done. */
async function unlessDone(
  ctx: ExecutionContext,
  action: keyof typeof ALREADY_DONE,
  call: () => Promise<void>,
): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (err instanceof ApiError && err.code === 409 && ALREADY_DONE[action].test(err.message)) {
      ctx.log(`${ctx.name}: ${action}: ${err.message.replace(/^.*: /, "")} (nothing to do)`);
      return;
    }
    throw err;
  }
}

/**
 * Waits (briefly) until KubeVirt's controller has seen the VM's latest spec; returns what is then observed.
 * KubeVirt reports the generation it saw (`status.desiredGeneration`) only while the VM has an instance, so a
 * VM without one has nothing to wait for.
 */
async function observedByKubeVirt(ctx: ExecutionContext, floor: Observed): Promise<Observed> {
  const generation = floor.vm?.metadata.generation;
  const seen = ctx.watch.get(ctx.name, floor);
  if (generation === undefined || seen.vmi === undefined) return seen;
  await waitFor(ctx.watch, ctx.name, { state: "generation", generation }, floor, {
    deadline: Math.min(ctx.deadline, Date.now() + OBSERVE_SPEC_MS),
    log: () => undefined,
    label: "observed by KubeVirt",
  }).catch(() => undefined); // an older KubeVirt may not report desiredGeneration: go on with what we see
  return ctx.watch.get(ctx.name, floor);
}

/** Whether KubeVirt reports RestartRequired once it has seen the latest spec. */
async function restartRequired(ctx: ExecutionContext, floor: Observed): Promise<boolean> {
  const seen = await observedByKubeVirt(ctx, floor);
  return conditionTrue(seen.vm?.status?.conditions, "RestartRequired");
}
