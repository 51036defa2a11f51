/**
 * CDI (the Containerized Data Importer) as far as the simulator reproduces it, as pure functions
 * (docs/kubevirt-behaviour.md §11.2, §11.3):
 *
 * - `claimFor` / `claimBlocker`: the PVC a DataVolume gets (same name, its labels and annotations, owned by it), or
 *   why CDI cannot make one (`ErrClaimNotValid` without a storage class, `CloneWithoutSource`);
 * - `CLAIM_STAGES`: the timed life of that PVC as a stage table: bound to a simulated volume, then CDI's importer
 *   (or cloner) pod, whose state CDI keeps in the PVC's `cdi.kubevirt.io/storage.*` annotations;
 * - `dataVolumeStatus`: the DataVolume's status derived from its PVC, as CDI's `updateStatus` does: phase,
 *   `Bound`/`Ready`/`Running` conditions, `progress`, `restartCount`, `claimName`.
 *
 * Not modelled: volume populators (PVC prime, rebind), PersistentVolumes, uploads (an upload source counts as an
 * import), claim adoption, multi-stage imports, quotas, size detection, StorageProfiles.
 */
import type { KubeObject } from "../store/types";
import { isObject } from "../store/json";
import { clone, rfc3339 } from "./api";
import type { StageRule } from "./stages";
import {
  claimPhase,
  findStorageClass,
  waitsForFirstConsumer,
  DATAVOLUME_KEY,
  PVC_KEY,
  VOLUMESNAPSHOT_KEY,
} from "./storage";
import type { Timings } from "./timings";
import { Fault, hasFault } from "./world";

/** The DataVolume phases (`DataVolumePhase`) the simulator produces, and `PendingPopulation`, which KubeVirt checks for. */
export const DvPhase = {
  Unset: "",
  Pending: "Pending",
  PVCBound: "PVCBound",
  ImportScheduled: "ImportScheduled",
  ImportInProgress: "ImportInProgress",
  CloneScheduled: "CloneScheduled",
  CloneInProgress: "CloneInProgress",
  CloneFromSnapshotSourceInProgress: "CloneFromSnapshotSourceInProgress",
  WaitForFirstConsumer: "WaitForFirstConsumer",
  PendingPopulation: "PendingPopulation",
  Succeeded: "Succeeded",
  Failed: "Failed",
} as const;

/** The PVC annotations in which CDI keeps its importer pod's state (`pkg/controller/common/util.go`). */
export const CdiAnnotation = {
  PodPhase: "cdi.kubevirt.io/storage.pod.phase",
  PodRestarts: "cdi.kubevirt.io/storage.pod.restarts",
  Running: "cdi.kubevirt.io/storage.condition.running",
  RunningReason: "cdi.kubevirt.io/storage.condition.running.reason",
  RunningMessage: "cdi.kubevirt.io/storage.condition.running.message",
  ImportPod: "cdi.kubevirt.io/storage.import.importPodName",
  CreatedForDataVolume: "cdi.kubevirt.io/createdForDataVolume",
  /** The scheduler's choice for a `WaitForFirstConsumer` claim. */
  SelectedNode: "volume.kubernetes.io/selected-node",
  /** Simulator only: the importer's progress metric, which CDI reads from the pod's metrics endpoint. */
  Progress: "sim.kubevirt.io/transfer-progress",
} as const;

/** CDI's messages and reasons (`pkg/controller/datavolume`, `cmd/cdi-importer`, §11.3). */
export const CdiMessage = {
  claimNotValid: "PVC spec is missing accessMode and no storageClass to choose profile",
  cloneWithoutSource: (kind: "pvc" | "snapshot", name: string) => `The source ${kind} ${name} doesn't exist`,
  /** The importer's termination message for an http source that answers 404. */
  notFound404: (source: string) =>
    `Unable to connect to ${source} data source: expected status code 200, got 404. Status: 404 Not Found`,
} as const;

/** A DataVolume condition (`DataVolumeCondition`): CDI keeps a heartbeat, not a probe time. */
export interface DvCondition {
  type: "Bound" | "Ready" | "Running";
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
}

/** What a DataVolume does: import (http, registry, blank, ...), a pvc clone or a snapshot clone. */
export type Transfer = "import" | "pvc-clone" | "snapshot-clone";

const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The DataVolume's operation, from `spec.source` (`getDataVolumeOp`). */
export function transferOf(dv: KubeObject): Transfer {
  const source = obj(dv.spec?.source);
  if (source.pvc) return "pvc-clone";
  if (source.snapshot) return "snapshot-clone";
  return "import";
}

/** The source kind of an import, as the importer names it in its messages (`http`, `registry`, `s3`, ...). */
export function importSourceKind(dv: KubeObject): string {
  return Object.keys(obj(dv.spec?.source))[0] ?? "http";
}

/** The phases a transfer goes through once its pod exists (§11.2). */
const TRANSFER_PHASES: Record<Transfer, { scheduled: string; running: string; complete: string }> = {
  import: {
    scheduled: DvPhase.ImportScheduled,
    running: DvPhase.ImportInProgress,
    complete: "Import Complete",
  },
  "pvc-clone": {
    scheduled: DvPhase.CloneScheduled,
    running: DvPhase.CloneInProgress,
    complete: "Clone Complete",
  },
  "snapshot-clone": {
    scheduled: DvPhase.CloneScheduled,
    running: DvPhase.CloneFromSnapshotSourceInProgress,
    complete: "Clone Complete",
  },
};

/** The source a clone reads, `{kind, namespace, name}`; `undefined` for imports. */
export function cloneSource(
  dv: KubeObject,
): { kind: "pvc" | "snapshot"; namespace: string; name: string } | undefined {
  const source = obj(dv.spec?.source);
  for (const kind of ["pvc", "snapshot"] as const) {
    const s = obj(source[kind]);
    if (source[kind]) {
      return {
        kind,
        namespace: str(s.namespace) ?? dv.metadata.namespace ?? "",
        name: str(s.name) ?? "",
      };
    }
  }
  return undefined;
}

/** The resource a clone source lives in. */
export const cloneSourceKey = (kind: "pvc" | "snapshot") => (kind === "pvc" ? PVC_KEY : VOLUMESNAPSHOT_KEY);

/** The claim spec CDI renders from `spec.pvc` or `spec.storage`. */
function claimSpec(dv: KubeObject): Record<string, unknown> {
  return clone(obj(dv.spec?.pvc ?? dv.spec?.storage));
}

/** Why CDI cannot make the DataVolume's PVC yet, as the `Bound` and `Ready` reason and message it reports. */
export interface ClaimBlocker {
  reason: "ErrClaimNotValid" | "CloneWithoutSource";
  message: string;
}

/**
 * Pure: why the PVC cannot be made, or `undefined` when it can (§11.3): `spec.storage` without `accessModes` and no
 * StorageClass (neither the one named nor a default) is `ErrClaimNotValid`; a clone whose source does not exist is
 * `CloneWithoutSource`.
 */
export function claimBlocker(
  dv: KubeObject,
  classes: readonly KubeObject[],
  sourceExists: boolean,
): ClaimBlocker | undefined {
  const storage = dv.spec?.storage;
  if (storage !== undefined && dv.spec?.pvc === undefined) {
    const accessModes = obj(storage).accessModes;
    const noModes = !Array.isArray(accessModes) || accessModes.length === 0;
    if (noModes && !findStorageClass(obj(storage).storageClassName, classes)) {
      return { reason: "ErrClaimNotValid", message: CdiMessage.claimNotValid };
    }
  }
  const source = cloneSource(dv);
  if (source && !sourceExists) {
    return { reason: "CloneWithoutSource", message: CdiMessage.cloneWithoutSource(source.kind, source.name) };
  }
  return undefined;
}

/**
 * Pure: the PVC CDI creates for the DataVolume (`newPersistentVolumeClaim`): the DataVolume's name, labels and
 * annotations plus CDI's, the rendered claim spec with the StorageClass filled in (when one is found), and a
 * controller ownerReference to the DataVolume.
 */
export function claimFor(dv: KubeObject, classes: readonly KubeObject[]): KubeObject {
  const spec = claimSpec(dv);
  const storageClass = findStorageClass(spec.storageClassName, classes);
  if (storageClass && spec.storageClassName === undefined) spec.storageClassName = storageClass.metadata.name;
  if (!Array.isArray(spec.accessModes) || spec.accessModes.length === 0) spec.accessModes = ["ReadWriteOnce"];
  spec.volumeMode ??= "Filesystem";
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: dv.metadata.name,
      namespace: dv.metadata.namespace,
      labels: { app: "containerized-data-importer", ...(dv.metadata.labels ?? {}) },
      annotations: {
        ...(dv.metadata.annotations ?? {}),
        [CdiAnnotation.PodRestarts]: "0",
        [CdiAnnotation.CreatedForDataVolume]: dv.metadata.uid ?? "",
      },
      ownerReferences: [
        {
          apiVersion: `${DATAVOLUME_KEY.group}/${DATAVOLUME_KEY.version}`,
          kind: "DataVolume",
          name: dv.metadata.name,
          uid: dv.metadata.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
    status: { phase: "Pending" },
  };
}

/** The name of the DataVolume that controls the PVC, if one does. */
export function owningDataVolume(pvc: KubeObject): string | undefined {
  return pvc.metadata.ownerReferences?.find((r) => r.kind === "DataVolume" && r.controller)?.name;
}

/**
 * Returns the conditions with one set as CDI's `updateCondition` does: a changed status sets the transition and
 * heartbeat times, a changed reason or message only the heartbeat; a new condition is appended.
 */
function setDvCondition(list: DvCondition[], cond: DvCondition, now: string): DvCondition[] {
  const old = list.find((c) => c.type === cond.type);
  const same = old?.status === cond.status;
  const unchanged =
    same && (old?.reason ?? "") === (cond.reason ?? "") && (old?.message ?? "") === (cond.message ?? "");
  const next: DvCondition = {
    type: cond.type,
    status: cond.status,
    ...(cond.reason ? { reason: cond.reason } : {}),
    ...(cond.message ? { message: cond.message } : {}),
    lastTransitionTime: same ? (old?.lastTransitionTime ?? now) : now,
    lastHeartbeatTime: unchanged ? (old?.lastHeartbeatTime ?? now) : now,
  };
  if (!old) return [...list, next];
  return list.map((c) => (c.type === cond.type ? next : c));
}

/** The `Bound` condition from the PVC (`updateBoundCondition`), or from what blocks it. */
function boundCondition(pvc: KubeObject | undefined, blocker: ClaimBlocker | undefined): DvCondition {
  if (!pvc) {
    return {
      type: "Bound",
      status: "False",
      reason: blocker?.reason ?? "NotFound",
      message: blocker?.message ?? "No PVC found",
    };
  }
  const name = pvc.metadata.name;
  switch (claimPhase(pvc)) {
    case "Bound":
      return { type: "Bound", status: "True", reason: "Bound", message: `PVC ${name} Bound` };
    case "Lost":
      return { type: "Bound", status: "False", reason: "ClaimLost", message: "Claim Lost" };
    default:
      return { type: "Bound", status: "False", reason: "Pending", message: `PVC ${name} Pending` };
  }
}

/** The `Running` condition from the PVC's importer annotations (`updateRunningCondition`). */
function runningCondition(pvc: KubeObject | undefined): DvCondition {
  const a = pvc?.metadata.annotations ?? {};
  return {
    type: "Running",
    status: a[CdiAnnotation.Running] === "true" ? "True" : "False",
    reason: a[CdiAnnotation.RunningReason],
    message: a[CdiAnnotation.RunningMessage],
  };
}

/** The phase from the PVC and its importer pod (`updateStatus` and the controllers' `updateStatusPhase`). */
function phaseOf(
  dv: KubeObject,
  pvc: KubeObject | undefined,
  blocker: ClaimBlocker | undefined,
  storageClass: KubeObject | undefined,
): string {
  const current = (dv.status?.phase as string | undefined) ?? DvPhase.Unset;
  if (!pvc) {
    if (blocker?.reason === "ErrClaimNotValid") return DvPhase.Unset;
    if (blocker) return current;
    return DvPhase.Pending;
  }
  const podPhase = pvc.metadata.annotations?.[CdiAnnotation.PodPhase];
  if (podPhase === "Succeeded") return DvPhase.Succeeded;
  const phases = TRANSFER_PHASES[transferOf(dv)];
  switch (claimPhase(pvc)) {
    case "Bound":
      if (podPhase === "Running") return phases.running;
      if (podPhase === "Pending") return phases.scheduled;
      return DvPhase.PVCBound;
    case "Lost":
      return DvPhase.Failed;
    default:
      return waitsForFirstConsumer(storageClass) ? DvPhase.WaitForFirstConsumer : DvPhase.Pending;
  }
}

/**
 * Pure: the DataVolume's status as CDI's `updateStatus` writes it, from its PVC (`undefined` when there is none),
 * what blocks the PVC, and the StorageClasses (for `WaitForFirstConsumer`); `now` is in ms.
 */
export function dataVolumeStatus(
  dv: KubeObject,
  pvc: KubeObject | undefined,
  blocker: ClaimBlocker | undefined,
  classes: readonly KubeObject[],
  now: number,
): Record<string, unknown> {
  const status: Record<string, unknown> = clone(dv.status ?? {});
  const storageClass = pvc ? findStorageClass(pvc.spec?.storageClassName, classes) : undefined;
  const phase = phaseOf(dv, pvc, blocker, storageClass);
  status.phase = phase;
  if (pvc) {
    status.claimName = pvc.metadata.name;
    const a = pvc.metadata.annotations ?? {};
    // `restartCount` is `omitempty`: absent until the importer restarted once.
    const restarts = Number(a[CdiAnnotation.PodRestarts]);
    if (Number.isInteger(restarts) && restarts > 0) status.restartCount = restarts;
    else delete status.restartCount;
    status.progress =
      phase === DvPhase.Succeeded
        ? "100.0%"
        : (a[CdiAnnotation.Progress] ?? (status.progress as string | undefined) ?? "N/A");
  }
  const ts = rfc3339(now);
  const running = runningCondition(pvc);
  const ready: DvCondition =
    phase === DvPhase.Succeeded
      ? { type: "Ready", status: "True" }
      : running.status === "True"
        ? { type: "Ready", status: "False", reason: "TransferRunning" }
        : {
            type: "Ready",
            status: "False",
            reason: pvc ? undefined : blocker?.reason,
            message: pvc ? undefined : blocker?.message,
          };
  let conds = (status.conditions as DvCondition[] | undefined) ?? [];
  conds = setDvCondition(conds, boundCondition(pvc, blocker), ts);
  conds = setDvCondition(conds, ready, ts);
  conds = setDvCondition(conds, running, ts);
  status.conditions = conds;
  return status;
}

// ---------------- the PVC's timed life ----------------

/** What a claim stage sees. */
export interface ClaimStageContext {
  pvc: KubeObject;
  /** The DataVolume that owns the PVC, if it is still there. */
  dv?: KubeObject;
  storageClass?: KubeObject;
  /** Whether a pod (the VMI's launcher or KubeVirt's temporary pod) uses the claim: it binds WaitForFirstConsumer. */
  consumer: boolean;
  /** The simulated node the scheduler picks for a WaitForFirstConsumer claim. */
  nodeName: string;
  timings: Timings;
  now: number;
}

/**
 * The phase the claim stages are keyed on: the PVC's phase and CDI's importer pod phase, e.g. `Pending/`,
 * `Bound/`, `Bound/Pending`, `Bound/Running`, `Bound/Succeeded`.
 */
export function claimStagePhase(pvc: KubeObject): string {
  return `${claimPhase(pvc) || "Pending"}/${pvc.metadata.annotations?.[CdiAnnotation.PodPhase] ?? ""}`;
}

/** The number of progress updates of a transfer: "0.00%" and then every 1/steps of it. */
export const PROGRESS_STEPS = 5;

/** The annotation stage name whose delay override is the whole transfer (`import.stage.sim.kubevirt.io/delay`). */
export const TRANSFER_STAGE = "import";

/** The transfer's duration for this claim: the DataVolume's (or PVC's) `import` delay override, else `importMs`. */
export function transferMs(c: ClaimStageContext): number {
  const key = `${TRANSFER_STAGE}.stage.sim.kubevirt.io/delay`;
  const override = c.dv?.metadata.annotations?.[key] ?? c.pvc.metadata.annotations?.[key];
  const n = Number(override);
  return override !== undefined && Number.isFinite(n) ? Math.max(0, n) : c.timings.importMs;
}

/** The importer's last reported progress in percent (0 before it ran). */
function progressOf(pvc: KubeObject): number {
  return Number.parseFloat(pvc.metadata.annotations?.[CdiAnnotation.Progress] ?? "0") || 0;
}

/** The PVC with annotations added (and `drop` removed). */
function annotate(pvc: KubeObject, add: Record<string, string>, drop: string[] = []): KubeObject {
  const out = clone(pvc);
  const a = { ...(out.metadata.annotations ?? {}), ...add };
  for (const k of drop) delete a[k];
  out.metadata.annotations = a;
  return out;
}

/** The importer container's state on the PVC: the `Running` condition annotations. */
const running = (status: boolean, reason: string, message = "") => ({
  [CdiAnnotation.Running]: String(status),
  [CdiAnnotation.RunningReason]: reason,
  [CdiAnnotation.RunningMessage]: message,
});

/** What the claim's DataVolume does ("import" for a claim without one). */
const transfer = (c: ClaimStageContext): Transfer => (c.dv ? transferOf(c.dv) : "import");
const isImportError = (c: ClaimStageContext) =>
  !!c.dv && transfer(c) === "import" && hasFault(Fault.ImportError, c.dv);
/** Whether the transfer reports a progress metric (a failing importer never gets to; snapshot clones do not). */
const reportsProgress = (c: ClaimStageContext) => transfer(c) !== "snapshot-clone" && !isImportError(c);
const isRunning = (c: ClaimStageContext) => c.pvc.metadata.annotations?.[CdiAnnotation.Running] === "true";
const restartsOf = (c: ClaimStageContext) =>
  Number(c.pvc.metadata.annotations?.[CdiAnnotation.PodRestarts] ?? 0);

/** The kubelet's restart back-off after `restarts` restarts: 10 s doubling, at most 5 min (scaled). */
export function restartBackoffMs(restarts: number, timings: Timings): number {
  return Math.min(300, 10 * 2 ** restarts) * 1000 * timings.secondsScale;
}

/** The stages of a DataVolume's PVC, from Pending to populated (or failing). */
export const CLAIM_STAGES: readonly StageRule<ClaimStageContext>[] = [
  {
    name: "pvc-bound",
    description:
      "A volume is provisioned for the claim: Pending → Bound; a WaitForFirstConsumer class waits for a pod using it.",
    weight: 0,
    phases: ["Pending/"],
    deleting: false,
    when: (c) => !!c.storageClass && (!waitsForFirstConsumer(c.storageClass) || c.consumer),
    whenDescription: "its StorageClass exists, and binds at once or a pod uses the claim",
    delayMs: (c) => c.timings.pvcBindMs,
    next: (c) => {
      const wffc = waitsForFirstConsumer(c.storageClass);
      const out = annotate(c.pvc, {
        "pv.kubernetes.io/bind-completed": "yes",
        ...(wffc ? { [CdiAnnotation.SelectedNode]: c.nodeName } : {}),
      });
      const spec = (out.spec ??= {});
      spec.volumeName = `pvc-${c.pvc.metadata.uid ?? ""}`;
      const requested = obj(obj(spec.resources).requests).storage;
      out.status = {
        phase: "Bound",
        accessModes: spec.accessModes,
        ...(requested !== undefined ? { capacity: { storage: requested } } : {}),
      };
      return out;
    },
  },
  {
    name: "importer-scheduled",
    description: "CDI creates the importer (or cloner) pod: ImportScheduled / CloneScheduled.",
    weight: 0,
    phases: ["Bound/"],
    deleting: false,
    when: (c) => !!c.dv,
    whenDescription: "the claim belongs to a DataVolume",
    delayMs: (c) => c.timings.importerScheduledMs,
    next: (c) =>
      annotate(c.pvc, {
        [CdiAnnotation.PodPhase]: "Pending",
        [CdiAnnotation.ImportPod]: `importer-${c.pvc.metadata.name}`,
        ...running(false, "ContainerCreating"),
      }),
  },
  {
    name: "importer-running",
    description:
      'The importer container runs: ImportInProgress / CloneInProgress, Running=True "Pod is running".',
    weight: 0,
    phases: ["Bound/Pending"],
    deleting: false,
    when: (c) => !!c.dv,
    whenDescription: "the claim belongs to a DataVolume",
    delayMs: (c) => c.timings.importerStartMs,
    next: (c) =>
      annotate(c.pvc, {
        [CdiAnnotation.PodPhase]: "Running",
        ...running(true, transfer(c) === "snapshot-clone" ? "Populator is running" : "Pod is running"),
        ...(reportsProgress(c) ? { [CdiAnnotation.Progress]: "0.00%" } : {}),
      }),
  },
  {
    name: "import-progress",
    description: `The transfer reports progress: every 1/${PROGRESS_STEPS} of the transfer time, up to ${(100 * (PROGRESS_STEPS - 1)) / PROGRESS_STEPS}%.`,
    weight: 0,
    phases: ["Bound/Running"],
    deleting: false,
    when: (c) =>
      !!c.dv &&
      isRunning(c) &&
      reportsProgress(c) &&
      progressOf(c.pvc) < (100 * (PROGRESS_STEPS - 1)) / PROGRESS_STEPS,
    whenDescription: "running, reporting progress, not at the last step yet",
    delayMs: (c) => transferMs(c) / PROGRESS_STEPS,
    next: (c) =>
      annotate(c.pvc, {
        [CdiAnnotation.Progress]: `${(progressOf(c.pvc) + 100 / PROGRESS_STEPS).toFixed(2)}%`,
      }),
  },
  {
    name: "import-succeeded",
    description: 'The transfer completes: Succeeded, "100.0%", Running=False "Completed".',
    weight: 0,
    phases: ["Bound/Running"],
    deleting: false,
    when: (c) => !!c.dv && isRunning(c) && !isImportError(c),
    whenDescription:
      "running and not failing; after import-progress's last step (a snapshot clone: after the whole transfer time)",
    delayMs: (c) => (reportsProgress(c) ? transferMs(c) / PROGRESS_STEPS : transferMs(c)),
    next: (c) =>
      annotate(
        c.pvc,
        {
          [CdiAnnotation.PodPhase]: "Succeeded",
          ...running(false, "Completed", TRANSFER_PHASES[transfer(c)].complete),
        },
        [CdiAnnotation.Progress],
      ),
  },
  {
    name: "import-error",
    description:
      "Fault: the http source answers 404, the importer exits 1: Running=False, reason Error, the importer's message.",
    weight: 100,
    phases: ["Bound/Running"],
    deleting: false,
    when: (c) => isImportError(c) && isRunning(c),
    whenDescription: `label/annotation ${Fault.ImportError}="true" on the DataVolume, the importer running`,
    delayMs: (c) => c.timings.importerFailMs,
    next: (c) =>
      annotate(c.pvc, running(false, "Error", CdiMessage.notFound404(importSourceKind(c.dv ?? c.pvc)))),
  },
  {
    name: "import-restart",
    description:
      "Fault: after the kubelet's back-off (10 s doubling, at most 5 min) the importer starts again: restartCount + 1.",
    weight: 100,
    phases: ["Bound/Running"],
    deleting: false,
    when: (c) => isImportError(c) && !isRunning(c),
    whenDescription: `label/annotation ${Fault.ImportError}="true", the importer terminated`,
    delayMs: (c) => restartBackoffMs(restartsOf(c), c.timings),
    next: (c) =>
      annotate(c.pvc, {
        ...running(true, "Pod is running"),
        [CdiAnnotation.PodRestarts]: String(restartsOf(c) + 1),
      }),
  },
];
