/**
 * virt-api's start / stop / restart handlers (§1.3–§1.7) and the VMI pause / unpause handlers (§1.8).
 *
 * Each handler is split in two: a pure planner (`planStart`, `planStop`, `planRestart`) that reads the VM
 * and VMI and returns the JSON patches to apply — or the StatusError to answer — in KubeVirt's order of
 * checks; and `executePlan`, which applies the patches through a {@link StepApplier} (the store's test-then-replace
 * here, JSON patches sent to kube-apiserver when attached to a real cluster).
 */
import { StatusError, type KubeObject, type Store } from "../store/types";
import {
  VM_KEY,
  VMI_KEY,
  Phase,
  RunStrategy,
  conditionTrue,
  effectiveRunStrategy,
  isActive,
  isFinal,
  setCondition,
  conditions,
  removeCondition,
  vmiPhase,
  rfc3339,
  type StateChangeRequest,
} from "./api";
import { applyJsonPatch, JsonPatchError, type PatchOp } from "../store/patch";

/** The message of a start or restart refused while the VM needs manual recovery. */
export const MANUAL_RECOVERY_MESSAGE =
  "VM recovery required: Volume migration failed, leaving some volumes pointing to non-consistent targets; manual intervention is needed to reassign them to their original volumes.";
/** The message of a request refused while an earlier stop or start is pending. */
export const UNDERWAY_MESSAGE = "unable to complete request: stop/start already underway";

// ---- error constructors (apimachinery shapes, §1.1) ----

/** 409 Conflict on a kubevirt.io object. */
export function conflict(name: string, msg: string, resource = "virtualmachine"): StatusError {
  return new StatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${resource}.kubevirt.io "${name}": ${msg}`,
    {
      name,
      group: "kubevirt.io",
      kind: resource,
    },
  );
}
/** 500 InternalError with the message as its cause. */
export function internalError(msg: string): StatusError {
  return new StatusError(500, "InternalError", `Internal error occurred: ${msg}`, {
    causes: [{ message: msg }],
  });
}
/** 400 BadRequest. */
export function badRequest(msg: string): StatusError {
  return new StatusError(400, "BadRequest", msg);
}
/** 404 NotFound of a kubevirt.io object. */
export function notFound(name: string, resource = "virtualmachine"): StatusError {
  return new StatusError(404, "NotFound", `${resource}.kubevirt.io "${name}" not found`, {
    name,
    group: "kubevirt.io",
    kind: resource,
  });
}

// ---- plans ----

/** One JSON patch on one object; `vmStatus` goes through the status subresource. */
export interface PlanStep {
  target: "vmSpec" | "vmStatus" | "vmi";
  ops: PatchOp[];
  /** For a restart's force grace-period patch: ops that undo it if a later step fails. */
  rollback?: PatchOp[];
}

/** What a handler does: apply `steps` in order, then answer `error` if set, else 202. */
export interface Plan {
  steps: PlanStep[];
  error?: StatusError;
  dryRun: boolean;
}

interface DecodedBody {
  [key: string]: unknown;
}

function decodeBody(body: string): DecodedBody {
  if (body.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new Error(
        `json: cannot unmarshal ${Array.isArray(parsed) ? "array" : typeof parsed} into Go value`,
      );
    }
    return parsed as DecodedBody;
  } catch (e) {
    throw badRequest(`Can not unmarshal Request body to struct, error: ${(e as Error).message}`);
  }
}

function isDryRun(query: readonly string[], body: DecodedBody): boolean {
  const fromBody = Array.isArray(body.dryRun) ? (body.dryRun as unknown[]) : [];
  return [...query, ...fromBody].some((v) => v === "All");
}

/** `getRunningPatch` (§1.3): test-then-replace on spec.runStrategy, or on spec.running for legacy VMs. */
export function runningPatch(vm: KubeObject, running: boolean): PatchOp[] {
  const spec = vm.spec ?? {};
  if (spec.runStrategy !== undefined && spec.runStrategy !== null) {
    return [
      { op: "test", path: "/spec/runStrategy", value: spec.runStrategy },
      { op: "replace", path: "/spec/runStrategy", value: running ? RunStrategy.Always : RunStrategy.Halted },
    ];
  }
  return [
    { op: "test", path: "/spec/running", value: spec.running ?? null },
    { op: "replace", path: "/spec/running", value: running },
  ];
}

/** `getChangeRequestJson` (§1.3); throws a 500 when a Start would be queued behind pending requests. */
export function changeRequestPatch(vm: KubeObject, changes: StateChangeRequest[]): PatchOp[] {
  const status = vm.status;
  if (!status || Object.keys(status).length === 0) {
    return [{ op: "add", path: "/status", value: { stateChangeRequests: changes } }];
  }
  const current = (status.stateChangeRequests as StateChangeRequest[] | undefined) ?? [];
  const ops: PatchOp[] = [
    { op: "test", path: "/status/stateChangeRequests", value: status.stateChangeRequests ?? null },
  ];
  if (current.length === 0) ops.push({ op: "add", path: "/status/stateChangeRequests", value: changes });
  else if (changes.length === 1 && changes[0].action === "Stop") {
    ops.push({ op: "replace", path: "/status/stateChangeRequests", value: changes });
  } else throw internalError(UNDERWAY_MESSAGE);
  if (status.startFailure !== undefined) ops.push({ op: "remove", path: "/status/startFailure" });
  return ops;
}

/** `patchVMITerminationGracePeriod`: test the old value, set the new one. */
export function gracePeriodPatch(vmi: KubeObject, seconds: number): PatchOp[] {
  const old = vmi.spec?.terminationGracePeriodSeconds;
  return [
    { op: "test", path: "/spec/terminationGracePeriodSeconds", value: old ?? null },
    { op: "add", path: "/spec/terminationGracePeriodSeconds", value: seconds },
  ];
}

function strategyOrThrow(vm: KubeObject): string {
  const rs = effectiveRunStrategy(vm);
  if ("error" in rs) throw internalError(rs.error);
  return rs.strategy;
}

/**
 * A pure planner of one VM subresource: reads the VM named `name` (undefined: not found), its VMI, the request
 * body and the query's `dryRun` values, and returns the plan or throws the StatusError to answer.
 */
export type Planner = (
  name: string,
  vm: KubeObject | undefined,
  vmi: KubeObject | undefined,
  body: string,
  dryRunQuery?: readonly string[],
) => Plan;

/** Pure: StartVMRequestHandler (§1.4). `vm` undefined means not found. */
export const planStart: Planner = (name, vm, vmi, body, dryRunQuery = []) => {
  if (!vm) throw notFound(name);
  if (vmi && isActive(vmi)) throw conflict(name, "VM is already running");
  if (conditionTrue(vm, "ManualRecoveryRequired")) throw conflict(name, MANUAL_RECOVERY_MESSAGE);
  const opts = decodeBody(body);
  const dryRun = isDryRun(dryRunQuery, opts);
  const paused = opts.paused === true;
  const start: StateChangeRequest = paused
    ? { action: "Start", data: { paused: "true" } }
    : { action: "Start" };
  const strategy = strategyOrThrow(vm);
  const steps: PlanStep[] = [];
  switch (strategy) {
    case RunStrategy.Halted:
      if (!paused) steps.push({ target: "vmSpec", ops: runningPatch(vm, true) });
      else steps.push({ target: "vmStatus", ops: changeRequestPatch(vm, [start]) });
      break;
    case RunStrategy.Manual:
    case RunStrategy.RerunOnFailure: {
      const phase = vmiPhase(vmi);
      if (strategy === RunStrategy.RerunOnFailure && vmi && phase === Phase.Failed) {
        throw conflict(name, "RerunOnFailure does not support starting VM from failed state");
      }
      const needsRestart =
        !!vmi && (strategy === RunStrategy.Manual ? isFinal(vmi) : phase === Phase.Succeeded);
      const changes: StateChangeRequest[] = needsRestart
        ? [{ action: "Stop", uid: vmi!.metadata.uid }, start]
        : [start];
      steps.push({ target: "vmStatus", ops: changeRequestPatch(vm, changes) });
      break;
    }
    case RunStrategy.Always:
    case RunStrategy.Once:
      throw conflict(name, `${strategy} does not support manual start requests`);
    default:
      // WaitAsReceiver (and anything else): no case in KubeVirt's switch, a silent 202.
      break;
  }
  return { steps, dryRun };
};

/** Pure: StopVMRequestHandler (§1.5). */
export const planStop: Planner = (name, vm, vmi, body, dryRunQuery = []) => {
  const opts = decodeBody(body);
  if (!vm) throw notFound(name);
  const dryRun = isDryRun(dryRunQuery, opts);
  const strategy = strategyOrThrow(vm);
  const gracePeriod = typeof opts.gracePeriod === "number" ? opts.gracePeriod : undefined;
  const steps: PlanStep[] = [];
  let oldGrace: number | undefined;
  const live = !!vmi && !isFinal(vmi);
  if (vmi && live && gracePeriod !== undefined) {
    oldGrace = vmi.spec?.terminationGracePeriodSeconds as number | undefined;
    steps.push({ target: "vmi", ops: gracePeriodPatch(vmi, gracePeriod) });
  }
  const stop: StateChangeRequest = { action: "Stop", uid: vmi?.metadata.uid };
  switch (strategy) {
    case RunStrategy.Halted:
      if (!live) return { steps, dryRun, error: conflict(name, "VM is not running") };
      if (gracePeriod === undefined || (oldGrace !== undefined && gracePeriod >= oldGrace)) {
        return {
          steps,
          dryRun,
          error: conflict(name, "Halted only supports manual stop requests with a shorter graceperiod"),
        };
      }
      steps.push({ target: "vmStatus", ops: changeRequestPatch(vm, [stop]) });
      break;
    case RunStrategy.Manual:
    case RunStrategy.RerunOnFailure:
      if (!live) return { steps, dryRun, error: conflict(name, "VM is not running") };
      steps.push({ target: "vmStatus", ops: changeRequestPatch(vm, [stop]) });
      break;
    case RunStrategy.Always:
    case RunStrategy.Once:
      steps.push({ target: "vmSpec", ops: runningPatch(vm, false) });
      break;
    default:
      break;
  }
  return { steps, dryRun };
};

/** Pure: RestartVMRequestHandler (§1.6). */
export const planRestart: Planner = (name, vm, vmi, body, dryRunQuery = []) => {
  const opts = decodeBody(body);
  const gps = typeof opts.gracePeriodSeconds === "number" ? opts.gracePeriodSeconds : undefined;
  if (gps !== undefined && gps > 0)
    throw badRequest("For force restart, only gracePeriod=0 is supported for now");
  if (gps !== undefined && gps < 0) throw badRequest("gracePeriod has to be greater or equal to 0");
  if (!vm) throw notFound(name);
  if (conditionTrue(vm, "VolumesChange")) throw conflict(name, MANUAL_RECOVERY_MESSAGE);
  const dryRun = isDryRun(dryRunQuery, opts);
  const strategy = strategyOrThrow(vm);
  if (strategy === RunStrategy.Halted || strategy === RunStrategy.Once) {
    throw conflict(name, `RunStategy ${strategy} does not support manual restart requests`);
  }
  if (!vmi) throw conflict(name, `VM is not running: ${RunStrategy.Halted}`);
  const steps: PlanStep[] = [];
  if (gps === 0) {
    const old = vmi.spec?.terminationGracePeriodSeconds;
    steps.push({
      target: "vmi",
      ops: gracePeriodPatch(vmi, 1),
      rollback: [
        { op: "test", path: "/spec/terminationGracePeriodSeconds", value: 1 },
        old === undefined
          ? { op: "remove", path: "/spec/terminationGracePeriodSeconds" }
          : { op: "replace", path: "/spec/terminationGracePeriodSeconds", value: old },
      ],
    });
  }
  steps.push({
    target: "vmStatus",
    ops: changeRequestPatch(vm, [{ action: "Stop", uid: vmi.metadata.uid }, { action: "Start" }]),
  });
  return { steps, dryRun };
};

/** The API group KubeVirt's virt-api serves the subresources in. */
export const SUBRESOURCE_GROUP = "subresources.kubevirt.io";

/** The VM subresources and their planners, as virt-api routes them. */
export const VM_PLANNERS = { start: planStart, stop: planStop, restart: planRestart } as const;

/** A VM subresource: `start`, `stop` or `restart`. */
export type VmAction = keyof typeof VM_PLANNERS;

// ---- execution ----

/** Maps a failed patch to virt-api's answer: a failed `test` operation is a 409 Conflict, anything else a 500. */
export function patchError(name: string, e: unknown): StatusError {
  if (e instanceof StatusError) return e;
  const msg = (e as Error).message;
  if (msg.includes("jsonpatch test operation does not apply")) return conflict(name, msg);
  return internalError(msg);
}

/**
 * Applies one step's JSON patch (its `ops`, or its `rollback`) to the VM, the VM's status or the VMI, honouring
 * the plan's dry run; throws virt-api's error when the patch fails.
 */
export type StepApplier = (step: PlanStep, ops: PatchOp[], dryRun: boolean) => void | Promise<void>;

/** A {@link StepApplier} over a store: test-then-replace, as kube-apiserver applies a JSON patch. */
export function storeApplier(store: Store, namespace: string, name: string): StepApplier {
  return (step, ops, dryRun) => {
    const key = step.target === "vmi" ? VMI_KEY : VM_KEY;
    const current = store.get(key, namespace, name);
    if (!current)
      throw internalError(
        `${step.target === "vmi" ? "virtualmachineinstance" : "virtualmachine"} ${name} is gone`,
      );
    let patched: KubeObject;
    try {
      patched = applyJsonPatch(current, ops);
    } catch (e) {
      if (e instanceof JsonPatchError) throw patchError(name, e);
      throw e;
    }
    if (dryRun) return;
    try {
      store.update(key, patched, step.target === "vmStatus" ? "status" : undefined);
    } catch (e) {
      throw patchError(name, e);
    }
  };
}

/** Applies a plan's steps in order (undoing earlier steps' rollbacks when one fails); throws the plan's error at the end. */
export async function executePlan(apply: StepApplier, plan: Plan): Promise<void> {
  const done: PlanStep[] = [];
  for (const step of plan.steps) {
    try {
      await apply(step, step.ops, plan.dryRun);
      done.push(step);
    } catch (e) {
      await rollBack(apply, done, plan.dryRun);
      throw e;
    }
  }
  if (plan.error) throw plan.error;
}

/** Applies the rollbacks of the steps done, in order, on a best-effort basis (as KubeVirt does). */
async function rollBack(apply: StepApplier, done: PlanStep[], dryRun: boolean): Promise<void> {
  for (const prev of done) {
    if (!prev.rollback) continue;
    try {
      await apply(prev, prev.rollback, dryRun);
    } catch {
      // best effort, as in KubeVirt
    }
  }
}

/** The reason of the Paused condition a pause request sets. */
export const PAUSED_REASON = "PausedByUser";

/** Pure: the VMI after a pause request, or the StatusError KubeVirt answers (§1.8, in its order of checks). */
export function planPause(name: string, vmi: KubeObject | undefined, now: number): KubeObject {
  if (!vmi) throw notFound(name, "virtualmachineinstance");
  if (vmiPhase(vmi) !== Phase.Running) throw conflict(name, "VM is not running", "virtualmachineinstance");
  const probe = vmi.spec?.livenessProbe as { guestAgentPing?: unknown } | undefined;
  if (probe && probe.guestAgentPing === undefined) {
    throw new StatusError(
      403,
      "Forbidden",
      `virtualmachineinstance.kubevirt.io "${name}" is forbidden: Pausing VMIs with a non-GuestAgentPing LivenessProbe is not supported`,
      { name, group: "kubevirt.io", kind: "virtualmachineinstance" },
    );
  }
  if (conditionTrue(vmi, "Paused")) throw conflict(name, "VMI is already paused", "virtualmachineinstance");
  const conds = setCondition(
    conditions(vmi),
    { type: "Paused", status: "True", reason: PAUSED_REASON, message: "VMI was paused by user" },
    rfc3339(now),
  );
  return { ...vmi, status: { ...vmi.status, conditions: conds } };
}

/** Pure: the VMI after an unpause request, or the StatusError KubeVirt answers (§1.8, in its order of checks). */
export function planUnpause(name: string, vmi: KubeObject | undefined): KubeObject {
  if (!vmi) throw notFound(name, "virtualmachineinstance");
  if (vmiPhase(vmi) !== Phase.Running) throw conflict(name, "VMI is not running", "virtualmachineinstance");
  if (!conditionTrue(vmi, "Paused")) throw conflict(name, "VMI is not paused", "virtualmachineinstance");
  return { ...vmi, status: { ...vmi.status, conditions: removeCondition(conditions(vmi), "Paused") } };
}
