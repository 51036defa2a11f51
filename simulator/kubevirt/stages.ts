/**
 * The VMI lifecycle as data, in the manner of kwok stages: each entry is one named transition with a
 * selector (phase, deletion, a condition on the world), a delay and the next state. The engine
 * (`selectStage`, generic over what a stage sees; `matchStage` for VMIs) is pure; `controller.ts` schedules the
 * chosen stage and applies it when its delay ran out (the PVC stages of `datavolume.ts` run on the same engine).
 *
 * Happy path (§3): "" → Pending → (DataVolumes ready, §11) → Scheduling → (PodScheduled) → Scheduled → Running
 * (+Ready) → AgentConnected.
 * Deletion: graceful ACPI shutdown within terminationGracePeriodSeconds → Succeeded (or Failed when the
 * guest ignores ACPI, or when no pod ran yet) → launcher pod gone → finalizer removed.
 */
import type { KubeObject } from "../store/types";
import {
  Phase,
  VMI_FOREGROUND_FINALIZER,
  DEFAULT_GRACE_PERIOD_SECONDS,
  clone,
  conditions,
  conditionTrue,
  findCondition,
  isDeleting,
  removeCondition,
  rfc3339,
  setCondition,
  vmiPhase,
  type Condition,
} from "./api";
import type { Timings } from "./timings";
import {
  Fault,
  STAGE_DELAY_ANNOTATION_SUFFIX,
  unknownImage,
  unschedulableMessage,
  hasFault,
  type WorldSettings,
} from "./world";

/** What a stage can see. */
export interface StageContext {
  vmi: KubeObject;
  /** The owning VM, for per-object switches set on the VM's own metadata. */
  vm?: KubeObject;
  /** All VMIs (for node capacity); a function so that only the stages that need it pay for the list. */
  allVmis: () => KubeObject[];
  settings: WorldSettings;
  timings: Timings;
  now: number;
  /** A small integer unique to this VMI, used for its IP address. */
  ordinal: number;
  /**
   * Whether the VMI's DataVolume and PVC volumes are ready for its launcher pod (`areDataVolumesReady`, §11.1);
   * absent when it has none.
   */
  volumesReady?: boolean;
  /** The first PVC the VMI's volumes need that does not exist (`FailedPvcNotFound`), if any. */
  missingClaim?: string;
}

/**
 * One named transition of an object (a kwok stage): when it applies, after how long, and the object it produces.
 * `C` is what the stage sees; the engine ({@link selectStage}) only needs the object and its phase.
 */
export interface StageRule<C> {
  name: string;
  description: string;
  /** Higher wins when several stages match (kwok's weight); fault stages use 100. */
  weight: number;
  /** Phases the stage applies to. */
  phases: readonly string[];
  /** Whether the object must (true) or must not (false) be deleting; undefined = either. */
  deleting?: boolean;
  /** Extra condition over the world; `when` is described by `whenDescription` for docs and tests. */
  when?: (ctx: C) => boolean;
  whenDescription?: string;
  /** Delay in ms before `next` applies, without jitter. */
  delayMs: (ctx: C) => number;
  /** The object after the transition (metadata and status may change). */
  next: (ctx: C) => KubeObject;
}

/** One named VMI transition. */
export type Stage = StageRule<StageContext>;

function withPhase(vmi: KubeObject, phase: string, now: number): KubeObject {
  const out = clone(vmi);
  const status = (out.status ??= {});
  status.phase = phase;
  const ts =
    (status.phaseTransitionTimestamps as { phase: string; phaseTransitionTimestamp: string }[] | undefined) ??
    [];
  status.phaseTransitionTimestamps = [...ts, { phase, phaseTransitionTimestamp: rfc3339(now) }];
  return out;
}
function withConditions(
  vmi: KubeObject,
  f: (c: Condition[], ts: string) => Condition[],
  now: number,
): KubeObject {
  const out = clone(vmi);
  (out.status ??= {}).conditions = f(conditions(vmi), rfc3339(now));
  return out;
}
/** The VMI with one condition set. */
function withCondition(vmi: KubeObject, condition: Condition, now: number): KubeObject {
  return withConditions(vmi, (c, ts) => setCondition(c, condition, ts), now);
}
function faultOn(ctx: StageContext, fault: string, global: boolean): boolean {
  return global || hasFault(fault, ctx.vmi, ctx.vm);
}
function fits(ctx: StageContext): boolean {
  return unschedulableMessage(ctx.vmi, ctx.allVmis(), ctx.settings.node) === undefined;
}
function badImage(ctx: StageContext): string | undefined {
  return unknownImage(ctx.vmi, ctx.settings.knownImages, hasFault(Fault.ImagePullError, ctx.vmi, ctx.vm));
}
/** KubeVirt's message for the missing PVC (`areDataVolumesReady`). */
function pvcNotFound(c: StageContext): string {
  return `PVC ${c.vmi.metadata.namespace ?? ""}/${c.missingClaim ?? ""} does not exist, waiting for it to appear`;
}
function syncReason(vmi: KubeObject): string | undefined {
  const c = findCondition(vmi, "Synchronized");
  return c?.status === "False" ? c.reason : undefined;
}
/** The VMI's grace period in ms of simulated time (scaled by `secondsScale`). */
/** The launcher pod's IP on the pod network (one per VMI of the world). */
function podIp(ctx: StageContext): string {
  return `${ctx.settings.podNetworkPrefix}.${(ctx.ordinal % 250) + 2}`;
}

export function graceMs(ctx: StageContext): number {
  const tgps = ctx.vmi.spec?.terminationGracePeriodSeconds;
  const s = typeof tgps === "number" ? tgps : DEFAULT_GRACE_PERIOD_SECONDS;
  return s * 1000 * ctx.timings.secondsScale;
}
/** The VMI moved to a final phase (Succeeded or Failed): Ready=False, with `status.reason` when given. */
export function finalVMI(vmi: KubeObject, phase: string, now: number, reason?: string): KubeObject {
  const out = withCondition(
    withPhase(vmi, phase, now),
    {
      type: "Ready",
      status: "False",
      reason: "GuestNotRunning",
      message: "Guest VM is not reported as running",
    },
    now,
  );
  if (reason) out.status!.reason = reason;
  return out;
}

/** The stages, all for deleting VMIs (`deleting` true) or all for VMIs that are not deleting. */
function whileDeleting(deleting: boolean, stages: Omit<Stage, "deleting">[]): Stage[] {
  return stages.map((stage) => ({ ...stage, deleting }));
}

const ACTIVE_WITH_POD = [Phase.Scheduled, Phase.Running] as const;

/** The stages of a VMI that is not being deleted: from creation to running, and the faults on the way. */
const LIVE_STAGES: Omit<Stage, "deleting">[] = [
  {
    name: "vmi-pending",
    description: "The VMI mutating webhook sets phase Pending and adds the VMI controller finalizer.",
    weight: 0,
    phases: [Phase.Unset],
    delayMs: (c) => c.timings.pendingMs,
    next: (c) => {
      const out = withPhase(c.vmi, Phase.Pending, c.now);
      const f = out.metadata.finalizers ?? [];
      if (!f.includes(VMI_FOREGROUND_FINALIZER)) out.metadata.finalizers = [...f, VMI_FOREGROUND_FINALIZER];
      return out;
    },
  },
  {
    name: "vmi-scheduling",
    description:
      "The VMI controller creates the virt-launcher pod: Pending → Scheduling, once its DataVolumes are ready (§11.1).",
    weight: 0,
    phases: [Phase.Pending],
    when: (c) => c.volumesReady ?? true,
    whenDescription: "every DataVolume is Succeeded (or PendingPopulation) and every PVC exists",
    delayMs: (c) => c.timings.schedulingMs,
    next: (c) =>
      withConditions(
        withPhase(c.vmi, Phase.Scheduling, c.now),
        (cs) => (syncReason(c.vmi) === "FailedPvcNotFound" ? removeCondition(cs, "Synchronized") : cs),
        c.now,
      ),
  },
  {
    name: "vmi-pvc-not-found",
    description:
      "A PVC of the VMI's volumes does not exist: no launcher pod, Synchronized=False, reason FailedPvcNotFound (printableStatus ErrorPvcNotFound).",
    weight: 100,
    phases: [Phase.Pending],
    when: (c) =>
      c.missingClaim !== undefined && findCondition(c.vmi, "Synchronized")?.message !== pvcNotFound(c),
    whenDescription: "a PVC of its volumes is missing and the condition does not say so yet",
    delayMs: (c) => c.timings.schedulingMs,
    next: (c) =>
      withCondition(
        c.vmi,
        { type: "Synchronized", status: "False", reason: "FailedPvcNotFound", message: pvcNotFound(c) },
        c.now,
      ),
  },
  {
    name: "vmi-unschedulable",
    description:
      "The pod does not fit the node: PodScheduled=False, reason Unschedulable (printableStatus ErrorUnschedulable).",
    weight: 100,
    phases: [Phase.Scheduling],
    when: (c) => {
      const msg = unschedulableMessage(c.vmi, c.allVmis(), c.settings.node);
      const cur = findCondition(c.vmi, "PodScheduled");
      return msg !== undefined && !(cur?.status === "False" && cur.message === msg);
    },
    whenDescription: "requests exceed the node's free cpu/memory and the condition is not yet set",
    delayMs: (c) => c.timings.schedulingMs,
    next: (c) =>
      withCondition(
        c.vmi,
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: unschedulableMessage(c.vmi, c.allVmis(), c.settings.node),
        },
        c.now,
      ),
  },
  {
    name: "vmi-pod-scheduled",
    description: "The scheduler binds the pod to the node: PodScheduled=True.",
    weight: 0,
    phases: [Phase.Scheduling],
    when: (c) => !conditionTrue(c.vmi, "PodScheduled") && fits(c),
    whenDescription: "the pod fits the node",
    delayMs: (c) => c.timings.schedulingMs,
    next: (c) => withCondition(c.vmi, { type: "PodScheduled", status: "True" }, c.now),
  },
  {
    name: "vmi-err-image-pull",
    description: "A containerDisk image is unknown: Synchronized=False, reason ErrImagePull.",
    weight: 100,
    phases: [Phase.Scheduling],
    when: (c) =>
      conditionTrue(c.vmi, "PodScheduled") && !!badImage(c) && syncReason(c.vmi) !== "ErrImagePull",
    whenDescription: "pod scheduled, an image is unknown, not already ErrImagePull",
    delayMs: (c) =>
      syncReason(c.vmi) === "ImagePullBackOff" ? c.timings.imagePullBackOffMs : c.timings.scheduledMs,
    next: (c) =>
      withCondition(
        c.vmi,
        {
          type: "Synchronized",
          status: "False",
          reason: "ErrImagePull",
          message: `rpc error: code = NotFound desc = failed to pull and unpack image "${badImage(c)}": not found`,
        },
        c.now,
      ),
  },
  {
    name: "vmi-image-pull-backoff",
    description:
      "The kubelet backs off pulling the unknown image: Synchronized=False, reason ImagePullBackOff.",
    weight: 100,
    phases: [Phase.Scheduling],
    when: (c) => !!badImage(c) && syncReason(c.vmi) === "ErrImagePull",
    whenDescription: "an image is unknown and the last pull failed",
    delayMs: (c) => c.timings.imagePullBackOffMs,
    next: (c) =>
      withCondition(
        c.vmi,
        {
          type: "Synchronized",
          status: "False",
          reason: "ImagePullBackOff",
          message: `Back-off pulling image "${badImage(c)}"`,
        },
        c.now,
      ),
  },
  {
    name: "vmi-scheduled",
    description:
      "The virt-launcher pod is ready: Scheduling → Scheduled, status.nodeName set; the PodScheduled condition goes (KubeVirt keeps it only while False).",
    weight: 0,
    phases: [Phase.Scheduling],
    when: (c) => conditionTrue(c.vmi, "PodScheduled") && !badImage(c),
    whenDescription: "pod scheduled and every image known",
    delayMs: (c) => c.timings.scheduledMs,
    next: (c) => {
      const out = withConditions(
        withPhase(c.vmi, Phase.Scheduled, c.now),
        (cs) => removeCondition(removeCondition(cs, "Synchronized"), "PodScheduled"),
        c.now,
      );
      out.status!.nodeName = c.settings.node.name;
      out.metadata.labels = {
        ...(out.metadata.labels ?? {}),
        "kubevirt.io/nodeName": c.settings.node.name,
      };
      return out;
    },
  },
  {
    name: "vmi-crash-before-running",
    description: "Fault: the launcher fails before the domain runs (crash loop): Scheduled → Failed.",
    weight: 100,
    phases: [Phase.Scheduled],
    when: (c) => faultOn(c, Fault.CrashLoop, c.settings.crashLoop),
    whenDescription: `label/annotation ${Fault.CrashLoop}="true" or world crashLoop`,
    delayMs: (c) => c.timings.crashMs,
    next: (c) => finalVMI(c.vmi, Phase.Failed, c.now),
  },
  {
    name: "vmi-running",
    description:
      "The domain boots: Scheduled → Running, Ready=True (Paused=True when startStrategy is Paused).",
    weight: 0,
    phases: [Phase.Scheduled],
    delayMs: (c) => c.timings.runningMs,
    next: (c) => {
      let out = withPhase(c.vmi, Phase.Running, c.now);
      const paused = c.vmi.spec?.startStrategy === "Paused";
      out = withConditions(
        out,
        (cs, ts) => {
          let r = setCondition(cs, { type: "Ready", status: "True" }, ts);
          r = setCondition(r, { type: "LiveMigratable", status: "True" }, ts);
          if (paused) {
            r = setCondition(
              r,
              { type: "Paused", status: "True", reason: "PausedByUser", message: "VMI was paused by user" },
              ts,
            );
          }
          return r;
        },
        c.now,
      );
      // The pod network's IP comes with the domain, from the pod (§3.1), agent or not.
      const ip = podIp(c);
      out.status!.interfaces = [
        { name: "default", interfaceName: "eth0", ipAddress: ip, ipAddresses: [ip], infoSource: "domain" },
      ];
      return out;
    },
  },
  {
    name: "vmi-agent-connected",
    description: "The guest agent connects: AgentConnected=True, and the interface's IP is also the agent's.",
    weight: 0,
    phases: [Phase.Running],
    when: (c) =>
      !findCondition(c.vmi, "AgentConnected") && !faultOn(c, Fault.NoGuestAgent, !c.settings.guestAgent),
    whenDescription: "no AgentConnected condition yet and the guest has an agent",
    delayMs: (c) => c.timings.agentConnectMs,
    next: (c) => {
      const out = withCondition(c.vmi, { type: "AgentConnected", status: "True" }, c.now);
      const ip = podIp(c);
      out.status!.interfaces = [
        {
          name: "default",
          interfaceName: "eth0",
          ipAddress: ip,
          ipAddresses: [ip],
          infoSource: "domain, guest-agent",
        },
      ];
      out.status!.guestOSInfo = { id: "simulated", name: "Simulated Linux" };
      return out;
    },
  },
];

/** The stages of a VMI that is being deleted and not final yet. */
const DELETION_STAGES: Omit<Stage, "deleting">[] = [
  {
    name: "vmi-deleted-before-running",
    description: "The VMI is deleted before its domain ran: the pod is removed and the VMI ends Failed.",
    weight: 0,
    phases: [Phase.Unset, Phase.Pending, Phase.Scheduling],
    delayMs: (c) => c.timings.podTeardownMs,
    next: (c) => finalVMI(c.vmi, Phase.Failed, c.now),
  },
  {
    name: "vmi-graceful-shutdown",
    description: "ACPI power-off after deletion: the guest shuts down within the grace period → Succeeded.",
    weight: 0,
    phases: ACTIVE_WITH_POD,
    when: (c) => !faultOn(c, Fault.IgnoreAcpi, c.settings.ignoreAcpi),
    whenDescription: "the guest honours ACPI",
    delayMs: (c) => Math.min(c.timings.guestShutdownMs, graceMs(c)),
    next: (c) => finalVMI(c.vmi, Phase.Succeeded, c.now),
  },
  {
    name: "vmi-grace-period-expired",
    description:
      "The guest ignores ACPI: after terminationGracePeriodSeconds the domain is destroyed → Failed.",
    weight: 100,
    phases: ACTIVE_WITH_POD,
    when: (c) => faultOn(c, Fault.IgnoreAcpi, c.settings.ignoreAcpi),
    whenDescription: `label/annotation ${Fault.IgnoreAcpi}="true" or world ignoreAcpi`,
    delayMs: (c) => graceMs(c),
    next: (c) => finalVMI(c.vmi, Phase.Failed, c.now),
  },
];

/** The stages of a final VMI, deleting or not. */
const FINAL_STAGES: Stage[] = [
  {
    name: "vmi-pod-gone",
    description: "The launcher pod of a final VMI is gone: the VMI controller removes its finalizer.",
    weight: 0,
    phases: [Phase.Succeeded, Phase.Failed],
    when: (c) => (c.vmi.metadata.finalizers ?? []).includes(VMI_FOREGROUND_FINALIZER),
    whenDescription: `the VMI still has ${VMI_FOREGROUND_FINALIZER}`,
    delayMs: (c) => c.timings.podTeardownMs,
    next: (c) => {
      const out = clone(c.vmi);
      out.metadata.finalizers = (out.metadata.finalizers ?? []).filter((f) => f !== VMI_FOREGROUND_FINALIZER);
      return out;
    },
  },
];

/** The default VMI stages. */
export const VMI_STAGES: readonly Stage[] = [
  ...whileDeleting(false, LIVE_STAGES),
  ...whileDeleting(true, DELETION_STAGES),
  ...FINAL_STAGES,
];

/**
 * Pure: the stage that applies to `object` now, whose stages are keyed on `phase`: the highest weight, then table
 * order; `undefined` when none does.
 */
export function selectStage<C>(
  object: KubeObject,
  phase: string,
  ctx: C,
  stages: readonly StageRule<C>[],
): StageRule<C> | undefined {
  let best: StageRule<C> | undefined;
  for (const s of stages) {
    if (!s.phases.includes(phase)) continue;
    if (s.deleting !== undefined && s.deleting !== isDeleting(object)) continue;
    if (s.when && !s.when(ctx)) continue;
    if (!best || s.weight > best.weight) best = s;
  }
  return best;
}

/** The stage's delay for `object`: its annotation `<stage>.stage.sim.kubevirt.io/delay` (ms), else the stage's own. */
export function delayFor<C>(stage: StageRule<C>, object: KubeObject, ctx: C): number {
  const override = object.metadata.annotations?.[`${stage.name}${STAGE_DELAY_ANNOTATION_SUFFIX}`];
  if (override !== undefined && Number.isFinite(Number(override))) return Math.max(0, Number(override));
  return Math.max(0, stage.delayMs(ctx));
}

/** Pure: the stage that applies to the VMI now (highest weight, then table order), if any. */
export function matchStage(ctx: StageContext, stages: readonly Stage[] = VMI_STAGES): Stage | undefined {
  return selectStage(ctx.vmi, vmiPhase(ctx.vmi), ctx, stages);
}

/** The stage delay for this VMI: the per-object annotation override, else the stage's own. */
export function stageDelayMs(stage: Stage, ctx: StageContext): number {
  return delayFor(stage, ctx.vmi, ctx);
}
