/**
 * The planner: a pure function from (declared now, declared last time, observed VM and VMI) to an ordered
 * list of actions. It follows KubeVirt's run-strategy table (docs/kubevirt-behaviour.md §1.7):
 *
 * | strategy       | start        | stop         | restart        |
 * | -------------- | ------------ | ------------ | -------------- |
 * | Always         | -            | → Halted     | Always         |
 * | RerunOnFailure | RerunOnFailure | RerunOnFailure | RerunOnFailure |
 * | Manual         | Manual       | Manual       | Manual         |
 * | Halted         | → Always     | -            | -              |
 *
 * so Halted → Always is a `start`, Always → Halted is a `stop`, Manual and RerunOnFailure VMs are started
 * and stopped through the subresources without changing their strategy, and every other strategy move
 * patches `spec.runStrategy` and then adds the power action the new strategy needs.
 *
 * `powerState: "Paused"` is a running VM plus one more step (§1.8): the plan first gets the VM running as
 * for `Running` (a start, or KubeVirt's own start), waits for VMI phase `Running` (KubeVirt pauses nothing
 * else) and then pauses it; `Running` unpauses a paused instance before anything else. Starting with
 * `StartOptions{paused: true}` would save the pause call only where the provider starts the VM (KubeVirt's
 * controller starts an Always VM by itself, unpaused), so one route serves every strategy.
 */
import { PowerDrift, PowerState, RestartPolicy, RunStrategy, WaitFor } from "../../sdk/enums";
import type { VmManifest } from "../model/manifest";
import {
  conditionTrue,
  effectiveStrategy,
  isActive,
  isFinal,
  isPaused,
  type LiveVm,
  type LiveVmi,
} from "../model/kubevirt";
import { jsonEqual, threeWayMerge } from "../model/merge";
import type { Action, JsonPatchOp, Plan } from "./actions";

/** What a program declares for one VM (now, or at the last successful update). */
export interface Declared {
  manifest: VmManifest;
  /** The strategy KubeVirt applies for the declared spec. */
  strategy: string;
  /** The power state to converge to, `undefined` to leave it alone (see `desiredPowerState`). */
  power: PowerState | undefined;
  restartTrigger?: string;
}

/** The current declaration plus the settings that steer convergence. */
export interface Desired extends Declared {
  restartPolicy: RestartPolicy;
  powerDrift: PowerDrift;
  waitFor: WaitFor;
  stopGracePeriodSeconds?: number;
}

/** Everything the planner looks at. */
export interface PlanRequest {
  desired: Desired;
  /** The declaration of the last successful update; `undefined` when creating or adopting. */
  previous?: Declared;
  observed: { vm?: LiveVm; vmi?: LiveVmi };
  /** Set when taking over an existing VM: recorded on it as the annotation {@link ADOPTED_ANNOTATION}. */
  adoptedAt?: string;
}

/** The annotation that records when the provider adopted an existing VM. */
export const ADOPTED_ANNOTATION = "pulumi-kubevirt/adopted-at";

/** Plans the actions that take the observed VM to the desired declaration. */
export function plan(request: PlanRequest): Plan {
  const { desired, observed } = request;
  if (!observed.vm) return planCreate(desired);
  return planUpdate(request, observed.vm);
}

function planCreate(desired: Desired): Plan {
  const actions: Action[] = [{ kind: "create", manifest: desired.manifest }];
  const running = (): Action => waitRunning(desired, desired.strategy);
  switch (desired.strategy) {
    case RunStrategy.Always:
      actions.push(running());
      break;
    case RunStrategy.Once:
      actions.push(waitRunning(desired, RunStrategy.Once, { acceptFinal: true }));
      break;
    case RunStrategy.RerunOnFailure:
      // KubeVirt starts a new RerunOnFailure VM by itself (its status.runStrategy is still empty).
      if (desired.power === PowerState.Stopped)
        actions.push(...stopAfterAutoStart(desired, "powerState Stopped"));
      else actions.push(running());
      break;
    case RunStrategy.Manual:
      if (runs(desired.power)) {
        actions.push({ kind: "start", reason: `Manual with powerState ${desired.power}` }, running());
      }
      break;
  }
  actions.push(...pauseStep(desired, actions, undefined, { applied: desired.strategy, ignoreDrift: false }));
  // A VM that does not start still gets its disks: KubeVirt creates the DataVolumes under every run strategy (§11.1).
  const starts = actions.some((a) => a.kind === "wait");
  if (!starts && (desired.manifest.spec.dataVolumeTemplates?.length ?? 0) > 0) {
    actions.push({ kind: "wait", target: { state: "disks" } });
  }
  return { actions, notes: [] };
}

/** Whether the power state needs a running instance: `Running`, or `Paused` (a running instance, paused). */
function runs(power: PowerState | undefined): boolean {
  return power === PowerState.Running || power === PowerState.Paused;
}

/**
 * A wait until the VM runs at the declared level, under `strategy`: the run strategy KubeVirt applies by
 * then (it decides whether an instance that ends meanwhile is replaced or leaves the VM stopped). A VM to be
 * paused is waited for until phase `Running` only: that is what KubeVirt's pause needs, and a paused guest
 * never becomes Ready (§1.8).
 */
function waitRunning(
  desired: Desired,
  strategy: string,
  extra: { newerThanUid?: string; acceptFinal?: boolean } = {},
  level: WaitFor = desired.power === PowerState.Paused ? WaitFor.Running : desired.waitFor,
): Action {
  return { kind: "wait", target: { state: "running", level, strategy, ...extra } };
}

function stopAfterAutoStart(desired: Desired, reason: string): Action[] {
  return [
    { kind: "wait", target: { state: "instance" } },
    stopAction(desired, `${reason}; KubeVirt starts RerunOnFailure VMs by itself`),
    { kind: "wait", target: { state: "stopped" } },
  ];
}

function stopAction(desired: Desired, reason: string): Action {
  return desired.stopGracePeriodSeconds === undefined
    ? { kind: "stop", reason }
    : { kind: "stop", reason, gracePeriodSeconds: desired.stopGracePeriodSeconds };
}

/**
 * Plans an update of an existing VM in named steps: how its run strategy moves ({@link strategyMove}), what
 * its spec patch holds ({@link specPatch} plus the strategy's ops), which power actions follow
 * ({@link powerStep}, then {@link restartActions} for a VM that keeps running), and whether the instance is
 * then paused ({@link pauseStep}).
 */
function planUpdate(request: PlanRequest, vm: LiveVm): Plan {
  const { desired, previous, observed, adoptedAt } = request;
  const notes: string[] = [];
  const move = strategyMove(request, vm, notes);
  const spec = specPatch(vm, previous, desired, adoptedAt);
  const ops = [...spec.ops, ...move.ops];
  const changes = move.ops.length > 0 ? [...spec.changes, move.why] : spec.changes;
  const power = powerStep(desired, vm, observed.vmi, move, notes);

  const actions: Action[] = [];
  if (ops.length > 0) actions.push({ kind: "patch", ops: withTests(vm, ops), changes });
  actions.push(...power);

  // A start or stop already gives the VM an instance built from the new template (or none).
  const keepsRunning = isActive(observed.vmi) && !power.some((a) => a.kind === "stop" || a.kind === "start");
  if (keepsRunning && previous !== undefined) {
    // What reaches the instance only through a restart: the template, and the instance type and preference
    // KubeVirt applies to it (§10).
    const changed = spec.changes.filter((c) => INSTANCE_FIELDS.includes(c)).join(" and ") || undefined;
    actions.push(...restartActions(vm, observed.vmi, previous, desired, changed, move, notes));
  }
  actions.push(...pauseStep(desired, actions, observed.vmi, move));
  return { actions, notes };
}

/** The spec fields KubeVirt builds the instance from (see {@link specPatch}'s change names). */
const INSTANCE_FIELDS: readonly string[] = ["template", "instancetype", "preference"];

/** How an update moves the VM's run strategy (step one of {@link planUpdate}). */
interface StrategyMove {
  /** The strategy KubeVirt applies now. */
  live: string;
  /** The declared strategy. */
  target: string;
  /** The strategy KubeVirt applies once the plan ran: the declared one, unless drift is left alone. */
  applied: string;
  /** Whether the plan moves the VM to the declared strategy. */
  change: boolean;
  /** Out-of-band power drift is left alone (powerDrift Ignore, and the declaration did not change). */
  ignoreDrift: boolean;
  /**
   * The subresource call that makes the move by itself (KubeVirt's table: `start` rewrites Halted to
   * Always, `stop` rewrites Always to Halted), or `undefined` when the move is a patch (or no move).
   */
  call: "start" | "stop" | undefined;
  /** The JSON patch ops of a move that is a patch (without tests). */
  ops: JsonPatchOp[];
  /** `runStrategy <live> → <target>`: the change, in words. */
  why: string;
}

/** Step one of {@link planUpdate}: whether and how the run strategy moves; notes drift left alone. */
function strategyMove(request: PlanRequest, vm: LiveVm, notes: string[]): StrategyMove {
  const { desired, previous, observed } = request;
  const live = effectiveStrategy(vm);
  const target = desired.strategy;
  // Out-of-band changes: the declaration did not change, but the cluster did (virtctl start/stop rewrites
  // Always <-> Halted in spec; a Manual/RerunOnFailure stop or a guest shutdown shows only in status).
  const declarationUnchanged =
    previous !== undefined && previous.strategy === target && previous.power === desired.power;
  const ignoreDrift = desired.powerDrift === PowerDrift.Ignore && declarationUnchanged;
  const drifted = live !== target;
  if (drifted && ignoreDrift) {
    notes.push(
      `runStrategy is ${live} on the cluster, ${target} in the program; left alone (powerDrift Ignore)`,
    );
  }
  const change = drifted && !ignoreDrift;
  const sameField = (vm.spec.runStrategy !== undefined) === (desired.manifest.spec.runStrategy !== undefined);
  const call = !change || !sameField ? undefined : subresourceMove(live, target, isActive(observed.vmi));
  const ops = change && call === undefined ? strategyOps(vm, desired.manifest) : [];
  const applied = change ? target : live;
  return { live, target, applied, change, ignoreDrift, call, ops, why: `runStrategy ${live} → ${target}` };
}

/** The subresource call that moves `live` to `target` by KubeVirt's own rewrite, if there is one. */
function subresourceMove(live: string, target: string, active: boolean): "start" | "stop" | undefined {
  if (live === RunStrategy.Halted && target === RunStrategy.Always && !active) return "start";
  if (live === RunStrategy.Always && target === RunStrategy.Halted) return "stop";
  return undefined;
}

/** Step three of {@link planUpdate}: the power actions after the patch. */
function powerStep(
  desired: Desired,
  vm: LiveVm,
  vmi: LiveVmi | undefined,
  move: StrategyMove,
  notes: string[],
): Action[] {
  if (move.call === "start")
    return [{ kind: "start", reason: move.why }, waitRunning(desired, RunStrategy.Always)];
  if (move.call === "stop")
    return [stopAction(desired, move.why), { kind: "wait", target: { state: "stopped" } }];
  if (!move.ignoreDrift) {
    return desired.power === PowerState.Running && isPaused(vmi)
      ? unpauseActions(desired, move)
      : powerFor(move.applied, move.change, move.why, vmi, desired, notes);
  }
  const now = !isActive(vmi) ? PowerState.Stopped : isPaused(vmi) ? PowerState.Paused : PowerState.Running;
  // A Once VM whose run is over is not drift: no powerDrift would start it again.
  const over = now === PowerState.Stopped && move.live === RunStrategy.Once;
  if (move.live === move.target && desired.power !== undefined && desired.power !== now && !over) {
    notes.push(
      `${vm.metadata.name} is ${now.toLowerCase()}, powerState says ${desired.power}; left alone (powerDrift Ignore)`,
    );
  }
  return [];
}

/**
 * Whatever the strategy, a paused instance that should run is unpaused (§1.8), and then waited for as the
 * strategy's running VM is.
 */
function unpauseActions(desired: Desired, move: Pick<StrategyMove, "applied" | "change" | "why">): Action[] {
  return [
    { kind: "unpause", reason: move.change ? `${move.why}, powerState Running` : "powerState Running" },
    { kind: "wait", target: { state: "unpaused" } },
    waitRunning(desired, move.applied),
  ];
}

/** The power actions the (possibly new) strategy needs, given the observed instance. */
function powerFor(
  strategy: string,
  switched: boolean,
  why: string,
  vmi: LiveVmi | undefined,
  desired: Desired,
  notes: string[],
): Action[] {
  const active = isActive(vmi);
  const stopped: Action = { kind: "wait", target: { state: "stopped" } };
  const reason = (what: string) => (switched ? `${why}, ${what}` : what);
  // An instance that stays paused runs, but never becomes Ready (§1.8): it is waited for until phase Running.
  const running = waitRunning(desired, strategy, {}, isPaused(vmi) ? WaitFor.Running : undefined);
  switch (strategy) {
    case RunStrategy.Always:
      // KubeVirt starts (or re-creates) the instance by itself.
      return switched || !active ? [running] : [];
    case RunStrategy.Halted:
      return switched || active ? [stopped] : [];
    case RunStrategy.Once:
      return switched && !vmi ? [waitRunning(desired, strategy, { acceptFinal: true })] : [];
    case RunStrategy.Manual:
      if (runs(desired.power) && !active) {
        return [
          { kind: "start", reason: reason(`Manual VM is ${vmiState(vmi)}, powerState ${desired.power}`) },
          running,
        ];
      }
      if (desired.power === PowerState.Stopped && active) {
        return [stopAction(desired, reason("Manual VM is running, powerState Stopped")), stopped];
      }
      return [];
    case RunStrategy.RerunOnFailure: {
      if (desired.power === PowerState.Stopped) {
        if (active) return [stopAction(desired, reason("powerState Stopped")), stopped];
        // KubeVirt starts it by itself: after a switch to RerunOnFailure with no instance, or after a failure.
        const autoStart = (switched && !vmi) || vmi?.status?.phase === "Failed";
        return autoStart ? stopAfterAutoStart(desired, reason("powerState Stopped")) : [];
      }
      if (active) return switched ? [running] : [];
      if (switched && !vmi) return [running]; // KubeVirt starts it: its status.runStrategy differs
      if (vmi?.status?.phase === "Failed") return [running]; // KubeVirt re-runs failed instances itself
      if (runs(desired.power)) {
        return [
          {
            kind: "start",
            reason: reason(`RerunOnFailure VM is ${vmiState(vmi)}, powerState ${desired.power}`),
          },
          running,
        ];
      }
      if (vmi?.status?.phase === "Succeeded") {
        notes.push(
          "the guest shut itself down; RerunOnFailure leaves it stopped (set powerState Running to start it)",
        );
      }
      return [];
    }
    default:
      return [];
  }
}

function vmiState(vmi: LiveVmi | undefined): string {
  if (!vmi) return "stopped";
  if (vmi.metadata.deletionTimestamp) return "stopping";
  return isFinal(vmi) ? `stopped (instance ${vmi.status?.phase})` : (vmi.status?.phase ?? "unknown");
}

/**
 * The last step of a plan for `powerState: "Paused"`: pause the instance the actions `before` leave running,
 * once it is in phase `Running` (KubeVirt refuses to pause it before, §1.8). A new instance (started,
 * restarted, or started by KubeVirt) is paused after the wait for it, even when drift is left alone: the
 * provider's own start or restart must not unpause the VM. The instance that stays is paused only if it
 * is not already and its drift is not left alone.
 */
function pauseStep(
  desired: Desired,
  before: Action[],
  vmi: LiveVmi | undefined,
  move: Pick<StrategyMove, "applied" | "ignoreDrift">,
): Action[] {
  if (desired.power !== PowerState.Paused) return [];
  const pause: Action[] = [
    { kind: "pause", reason: "powerState Paused" },
    { kind: "wait", target: { state: "paused" } },
  ];
  const last = before.at(-1);
  const waitsForRunning = last?.kind === "wait" && last.target.state === "running";
  const fresh = !isActive(vmi) || before.some((a) => a.kind === "start" || a.kind === "restart");
  if (fresh) return waitsForRunning ? pause : [];
  if (move.ignoreDrift || isPaused(vmi)) return [];
  return waitsForRunning || vmi?.status?.phase === "Running"
    ? pause
    : [waitRunning(desired, move.applied), ...pause];
}

/**
 * Step four of {@link planUpdate}: the restart a VM that keeps running needs, if any. `changed` names the
 * changed fields the instance is built from (`template`, `instancetype`, `preference`), if any.
 */
function restartActions(
  vm: LiveVm,
  vmi: LiveVmi | undefined,
  previous: Declared,
  desired: Desired,
  changed: string | undefined,
  move: Pick<StrategyMove, "target" | "applied">,
  notes: string[],
): Action[] {
  const strategy = move.target;
  const canRestart = strategy !== RunStrategy.Once && strategy !== RunStrategy.Halted;
  let restart: Extract<Action, { kind: "restart" }> | undefined;
  if (desired.restartTrigger !== previous.restartTrigger) {
    restart = { kind: "restart", reason: "restartTrigger changed", onlyIfRequired: false };
  } else if (changed && desired.restartPolicy === RestartPolicy.Always) {
    restart = { kind: "restart", reason: `${changed} changed, restartPolicy Always`, onlyIfRequired: false };
  } else if (changed && desired.restartPolicy === RestartPolicy.IfRequired) {
    restart = {
      kind: "restart",
      reason: `${changed} changed, restartPolicy IfRequired`,
      onlyIfRequired: true,
    };
  } else if (
    desired.restartPolicy === RestartPolicy.IfRequired &&
    conditionTrue(vm.status?.conditions, "RestartRequired")
  ) {
    restart = { kind: "restart", reason: "RestartRequired", onlyIfRequired: false };
  } else if (changed) {
    const old = changed === "template" ? "the old one" : "the old settings";
    notes.push(
      `${changed} changed; ${vm.metadata.name} keeps running ${old} until restarted (restartPolicy Never)`,
    );
  }
  if (!restart) return [];
  if (!canRestart) {
    notes.push(`${vm.metadata.name} cannot be restarted under runStrategy ${strategy} (${restart.reason})`);
    return [];
  }
  return [restart, waitRunning(desired, move.applied, { newerThanUid: vmi?.metadata.uid })];
}

/**
 * Step two of {@link planUpdate}: JSON patch ops (without tests) for labels, annotations, template,
 * dataVolumeTemplates, instancetype and preference.
 */
function specPatch(
  vm: LiveVm,
  previous: Declared | undefined,
  desired: Desired,
  adoptedAt: string | undefined,
): { ops: JsonPatchOp[]; changes: string[] } {
  const ops: JsonPatchOp[] = [];
  const changes: string[] = [];
  const prev = previous?.manifest;
  const want = desired.manifest;
  const annotations =
    adoptedAt === undefined
      ? want.metadata.annotations
      : { ...want.metadata.annotations, [ADOPTED_ANNOTATION]: adoptedAt };
  const fields: [string, string, unknown, unknown, unknown][] = [
    ["labels", "/metadata/labels", vm.metadata.labels, prev?.metadata.labels, want.metadata.labels],
    [
      "annotations",
      "/metadata/annotations",
      vm.metadata.annotations,
      prev?.metadata.annotations,
      annotations,
    ],
    ["template", "/spec/template", vm.spec.template, prev?.spec.template, want.spec.template],
    [
      "dataVolumeTemplates",
      "/spec/dataVolumeTemplates",
      vm.spec.dataVolumeTemplates,
      prev?.spec.dataVolumeTemplates,
      want.spec.dataVolumeTemplates,
    ],
    [
      "instancetype",
      "/spec/instancetype",
      vm.spec.instancetype,
      prev?.spec.instancetype,
      want.spec.instancetype,
    ],
    ["preference", "/spec/preference", vm.spec.preference, prev?.spec.preference, want.spec.preference],
  ];
  for (const [name, path, current, before, declared] of fields) {
    // Only what the program declared, or declared before, is compared: server defaults never count.
    if (declared === undefined && before === undefined) continue;
    const isMatcher = name === "instancetype" || name === "preference";
    const merged = isMatcher
      ? mergeMatcher(current, before, declared)
      : threeWayMerge(current, before, declared);
    if (jsonEqual(merged, current)) continue;
    if (merged === undefined) ops.push({ op: "remove", path });
    else if (current === undefined) ops.push({ op: "add", path, value: merged });
    else ops.push({ op: "replace", path, value: merged });
    changes.push(name);
  }
  return { ops, changes };
}

/**
 * A declared `spec.instancetype` or `spec.preference` merged into the live one. While it names the same object,
 * the fields KubeVirt added (`revisionName`, the revision it pinned) are kept; one that names another object
 * replaces the live one whole, since KubeVirt's mutating webhook rejects a new name with the old `revisionName`
 * (§10). One no longer declared is removed.
 */
function mergeMatcher(live: unknown, previous: unknown, declared: unknown): unknown {
  if (declared === undefined) return undefined;
  const merged = threeWayMerge(live, previous, declared) as Record<string, unknown>;
  const l = (live ?? {}) as Record<string, unknown>;
  return l.name === merged.name && l.kind === merged.kind ? merged : declared;
}

/** Ops that move the VM to the declared strategy field (runStrategy, or the deprecated running). */
function strategyOps(vm: LiveVm, manifest: VmManifest): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  const wantStrategy = manifest.spec.runStrategy;
  if (wantStrategy !== undefined) {
    if (vm.spec.running !== undefined) ops.push({ op: "remove", path: "/spec/running" });
    ops.push({
      op: vm.spec.runStrategy === undefined ? "add" : "replace",
      path: "/spec/runStrategy",
      value: wantStrategy,
    });
  } else {
    if (vm.spec.runStrategy !== undefined) ops.push({ op: "remove", path: "/spec/runStrategy" });
    ops.push({
      op: vm.spec.running === undefined ? "add" : "replace",
      path: "/spec/running",
      value: manifest.spec.running,
    });
  }
  return ops;
}

/** Prefixes a `test` op on the current value of every path a replace or remove touches (optimistic concurrency). */
function withTests(vm: LiveVm, ops: JsonPatchOp[]): JsonPatchOp[] {
  const tests: JsonPatchOp[] = [];
  for (const op of ops) {
    if (op.op !== "replace" && op.op !== "remove") continue;
    tests.push({ op: "test", path: op.path, value: valueAt(vm, op.path) });
  }
  return [...tests, ...ops];
}

function valueAt(obj: unknown, pointer: string): unknown {
  let cur: unknown = obj;
  for (const part of pointer.split("/").slice(1)) {
    cur = (cur as Record<string, unknown> | undefined)?.[part];
  }
  return cur;
}
