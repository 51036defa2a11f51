/* eslint-disable @typescript-eslint/no-explicit-any -- DataVolumes, claims and volumes are untyped JSON here */
/**
 * The CDI stand-in of the kubevirt test tier: what CDI's DataVolume controllers, its importer pods and the
 * storage provisioner would do for DataVolumes in any namespace, so that KubeVirt's real virt-controller
 * (control-plane.ts) creates, waits for and mounts them as it does with CDI (docs/kubevirt-behaviour.md §11).
 *
 * - Provisioner of the default StorageClass (the simulator's `standard`, installed by install.ts), playing the
 *   PV controller and the pvc-protection controller too (the tier's kube-controller-manager runs neither): a
 *   claim of that class gets a hostPath PersistentVolume made for it and both are bound (`claimRef`,
 *   `volumeName`, phase Bound); a deleted claim is let go once no running pod mounts it, and its volume is
 *   deleted with it.
 * - DataVolume controller, as CDI without volume populators (the class has no CSI driver): the claim (the DV's
 *   name, controller-owned by it; the `storage` API rendered with the StorageProfile's access and volume modes
 *   and CDI's 6 % filesystem overhead), then the phases and the Bound, Ready and Running conditions CDI writes:
 *   `Pending` → `PVCBound` → `ImportScheduled` → `ImportInProgress` (`status.progress` rising) → `Succeeded`
 *   for imports, `CloneScheduled` → `CloneInProgress` → `Succeeded` for pvc clones. Delays are the simulator's
 *   `fast` timings: the transfer takes 1.5 s, or the ms of the DV's annotation
 *   `import.stage.sim.kubevirt.io/delay`.
 * - What CDI reports when it cannot go on: a storage class that does not exist (`ErrClaimNotValid`, or a claim
 *   Pending for good when access modes are given), a clone without its source (`CloneWithoutSource`), and an
 *   importer that fails (the simulator's `Fault.ImportError` on the DV): CDI's message for an http 404, the DV
 *   kept `ImportInProgress`, Running False `Error`, `restartCount` rising with the kubelet's doubling back-off
 *   (scaled as the simulator scales seconds), each new attempt Running for a moment.
 *
 * Upload sources and unresolved `sourceRef`s are left alone (no status), as are CDI's events.
 */
import { makeInformer, type KubeConfig } from "@kubernetes/client-node";
import { request, type RequestOptions } from "../../../simulator/http/testing";
import {
  defaultStorageClass,
  findStorageClass,
  waitsForFirstConsumer,
} from "../../../simulator/kubevirt/storage";
import { TIMING_PROFILES } from "../../../simulator/kubevirt/timings";
import {
  Fault,
  hasFault,
  parseQuantity,
  STAGE_DELAY_ANNOTATION_SUFFIX,
} from "../../../simulator/kubevirt/world";
import type { KubeObject } from "../../../simulator/store/types";
import { now, type Obj } from "./kubelet";

/** The annotation that sets a DataVolume's transfer time (ms from the binding of its claim to `Succeeded`). */
export const IMPORT_DELAY_ANNOTATION = `import${STAGE_DELAY_ANNOTATION_SUFFIX}`;

const CDI_API = "/apis/cdi.kubevirt.io/v1beta1";
const MERGE = "application/merge-patch+json";
const TIMINGS = TIMING_PROFILES.fast;
const PROVISIONER = defaultStorageClass().provisioner as string;
const PVC_PROTECTION = "kubernetes.io/pvc-protection";
const IMPORT_SOURCES = ["http", "registry", "s3", "gcs", "imageio", "vddk", "blank"];
const MIB = 1 << 20;
/** CDI's default filesystem overhead (`DefaultGlobalOverhead`), also in install.ts's CDIConfig. */
const FS_OVERHEAD = 0.06;

/** A DataVolume condition as CDI writes it, without its timestamps. */
export interface DvCondition {
  type: "Bound" | "Ready" | "Running";
  status: "True" | "False";
  reason?: string;
  message?: string;
}

/** The status CDI gives a DataVolume, without timestamps (an absent phase is left as it is). */
export interface DvReport {
  phase?: string;
  progress?: string;
  restartCount?: number;
  claimName?: string;
  conditions: DvCondition[];
}

/** Where a transfer stands: phase, progress, the pod's Running condition, and when that changes next. */
export interface TransferStep {
  phase: string;
  progress: string;
  restartCount: number;
  running: Omit<DvCondition, "type">;
  /** ms after the binding when the step changes next; absent when it is final. */
  next?: number;
}

/** The delays of a transfer after its claim is bound (ms), the simulator's `fast` timings by default. */
export interface TransferTimings {
  /** Bound → the pod created (`ImportScheduled`, `CloneScheduled`). */
  scheduledMs: number;
  /** Pod created → running (`ImportInProgress` at "0.00%"). */
  startMs: number;
  /** Running → `Succeeded`, in five progress steps. */
  transferMs: number;
  /** Running → a failing attempt's exit. */
  failMs: number;
  /** The kubelet's first restart back-off, doubling up to 30 times it (10 s to 5 min, scaled). */
  backoffMs: number;
}

/** The stand-in's timings, with `transferMs` of one DataVolume. */
export function transferTimings(transferMs = TIMINGS.importMs): TransferTimings {
  return {
    scheduledMs: TIMINGS.importerScheduledMs,
    startMs: TIMINGS.importerStartMs,
    transferMs,
    failMs: TIMINGS.importerFailMs,
    backoffMs: 10_000 * TIMINGS.secondsScale,
  };
}

/** What a DataVolume transfers: an import of a source kind, or a clone of a PVC or snapshot. */
type Source =
  | { kind: "Import"; type: string }
  | { kind: "Clone"; namespace: string; name: string }
  | { kind: "Snapshot"; name: string };

/** Why CDI cannot make the claim: the reason and message of the Bound and Ready conditions. */
export interface Blocked {
  reason: string;
  message: string;
}

const cond = (
  type: DvCondition["type"],
  status: DvCondition["status"],
  reason?: string,
  message?: string,
) => ({
  type,
  status,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

/** The importer's message for an http 404 (`Unable to connect to %s data source: %v`, CDI's importer). */
export function notFoundMessage(sourceType: string): string {
  const cause = "expected status code 200, got 404. Status: 404 Not Found";
  return `Unable to connect to ${sourceType} data source: ${cause}`;
}

/**
 * The transfer `ms` after its claim was bound: `PVCBound`, the pod scheduled (Running False
 * `ContainerCreating`), running with progress in 20 % steps, then `Succeeded` ("100.0%", Running False
 * `Completed`). With `failure` (the importer's message) every attempt fails and is restarted after the kubelet's
 * back-off, for good.
 */
export function transferStep(
  kind: "Import" | "Clone",
  ms: number,
  t: TransferTimings,
  failure?: string,
): TransferStep {
  const base = { progress: "N/A", restartCount: 0 };
  const started = t.scheduledMs + t.startMs;
  if (ms < t.scheduledMs)
    return { ...base, phase: "PVCBound", running: { status: "False" }, next: t.scheduledMs };
  if (ms < started) {
    const running = { status: "False" as const, reason: "ContainerCreating" };
    return { ...base, phase: `${kind}Scheduled`, running, next: started };
  }
  if (failure) return failingStep(`${kind}InProgress`, ms - started, t, failure, started);
  if (ms >= started + t.transferMs) {
    const running = { status: "False" as const, reason: "Completed", message: `${kind} Complete` };
    return { ...base, phase: "Succeeded", progress: "100.0%", running };
  }
  const stepMs = t.transferMs / 5;
  const step = Math.floor((ms - started) / stepMs);
  return {
    ...base,
    phase: `${kind}InProgress`,
    progress: `${(step * 20).toFixed(2)}%`,
    running: { status: "True", reason: "Pod is running" },
    next: started + (step + 1) * stepMs,
  };
}

/** Attempts that run `failMs` and exit, restarted after a doubling back-off (`ms` from the first attempt). */
function failingStep(
  phase: string,
  ms: number,
  t: TransferTimings,
  message: string,
  offset: number,
): TransferStep {
  let start = 0;
  for (let k = 0; ; k++) {
    const base = { phase, progress: "N/A", restartCount: k };
    const failAt = start + t.failMs;
    if (ms < failAt) {
      return { ...base, running: { status: "True", reason: "Pod is running" }, next: offset + failAt };
    }
    const restartAt = failAt + Math.min(2 ** k, 30) * t.backoffMs;
    if (ms < restartAt) {
      return { ...base, running: { status: "False", reason: "Error", message }, next: offset + restartAt };
    }
    start = restartAt;
  }
}

/** CDI's report while it cannot make the claim: Bound and Ready False with the reason, phase left as it is. */
export function blockedReport(blocked: Blocked): DvReport {
  return {
    conditions: [
      cond("Bound", "False", blocked.reason, blocked.message),
      cond("Ready", "False", blocked.reason, blocked.message),
      cond("Running", "False"),
    ],
  };
}

/** CDI's report for a DV whose claim `claim` exists: Pending until it is bound, then the transfer's `step`. */
export function claimReport(claim: string, step?: TransferStep): DvReport {
  if (!step) {
    return {
      phase: "Pending",
      progress: "N/A",
      claimName: claim,
      conditions: [
        cond("Bound", "False", "Pending", `PVC ${claim} Pending`),
        cond("Ready", "False"),
        cond("Running", "False"),
      ],
    };
  }
  const ready =
    step.phase === "Succeeded"
      ? cond("Ready", "True")
      : cond("Ready", "False", step.running.status === "True" ? "TransferRunning" : undefined);
  return {
    phase: step.phase,
    progress: step.progress,
    ...(step.restartCount ? { restartCount: step.restartCount } : {}),
    claimName: claim,
    conditions: [
      cond("Bound", "True", "Bound", `PVC ${claim} Bound`),
      ready,
      { type: "Running", ...step.running },
    ],
  };
}

/** The conditions of `report` with CDI's times: a transition on a status change, a heartbeat on any change. */
export function timedConditions(current: any[] | undefined, report: DvReport, t: string): any[] {
  return report.conditions.map((c) => {
    const old = current?.find((o) => o.type === c.type);
    const changed = !old || old.status !== c.status || old.reason !== c.reason || old.message !== c.message;
    return {
      ...c,
      lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : t,
      lastHeartbeatTime: changed ? t : old.lastHeartbeatTime,
    };
  });
}

/** The DV's source as the stand-in plays it, or undefined (upload, an unresolved sourceRef). */
function sourceOf(dv: Obj): Source | undefined {
  const source = dv.spec?.source ?? {};
  if (source.pvc) {
    return {
      kind: "Clone",
      namespace: source.pvc.namespace || dv.metadata!.namespace!,
      name: source.pvc.name,
    };
  }
  if (source.snapshot) return { kind: "Snapshot", name: source.snapshot.name };
  const type = IMPORT_SOURCES.find((t) => source[t]);
  return type ? { kind: "Import", type } : undefined;
}

/** CDI's `GetRequiredSpace`: the size aligned to 1 MiB, plus the filesystem overhead. */
export function withFilesystemOverhead(bytes: number): number {
  return Math.ceil(Math.ceil(bytes / MIB) * MIB * (1 + FS_OVERHEAD));
}

/**
 * The claim spec CDI renders for `dv` (`renderPvcSpec`): `pvc` as given; `storage` with the class's (or the
 * default class's) StorageProfile modes and the filesystem overhead, or {@link Blocked} when no class can be
 * found and no access modes are given. A clone without a size takes its source's.
 */
export function claimSpecFor(
  dv: Obj,
  storageClass: Obj | undefined,
  sourceClaim?: Obj,
): { spec: any } | { blocked: Blocked } {
  if (dv.spec?.pvc) return { spec: dv.spec.pvc };
  const storage = dv.spec?.storage ?? {};
  if (!storageClass && !storage.accessModes?.length) {
    const message = "PVC spec is missing accessMode and no storageClass to choose profile";
    return { blocked: { reason: "ErrClaimNotValid", message } };
  }
  const volumeMode = storage.volumeMode ?? (storageClass ? "Filesystem" : undefined);
  const requested = parseQuantity(storage.resources?.requests?.storage);
  const size =
    requested === undefined
      ? sourceClaim?.spec?.resources?.requests?.storage
      : String(volumeMode === "Block" ? requested : withFilesystemOverhead(requested));
  return {
    spec: {
      accessModes: storage.accessModes?.length ? storage.accessModes : ["ReadWriteOnce"],
      ...(volumeMode ? { volumeMode } : {}),
      resources: { requests: { storage: size } },
      ...(storageClass || storage.storageClassName
        ? { storageClassName: storageClass?.metadata?.name ?? storage.storageClassName }
        : {}),
    },
  };
}

/** The claim of a DV as CDI makes it: its name, labels and annotations, controller-owned by the DV. */
function claimFor(dv: Obj, spec: any, source: Source): Obj {
  const md = dv.metadata!;
  const importAnnotations =
    source.kind === "Import"
      ? {
          "cdi.kubevirt.io/storage.import.source": source.type,
          ...(dv.spec.source[source.type]?.url
            ? { "cdi.kubevirt.io/storage.import.endpoint": dv.spec.source[source.type].url }
            : {}),
        }
      : {};
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: md.name,
      namespace: md.namespace,
      labels: { ...md.labels, app: "containerized-data-importer" },
      annotations: {
        ...md.annotations,
        ...importAnnotations,
        "cdi.kubevirt.io/createdForDataVolume": md.uid!,
        "cdi.kubevirt.io/storage.usePopulator": "false",
      },
      ownerReferences: [
        {
          apiVersion: "cdi.kubevirt.io/v1beta1",
          kind: "DataVolume",
          name: md.name!,
          uid: md.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
  };
}

/** The hostPath volume the provisioner makes for `claim`, bound to it. */
function volumeFor(claim: Obj): Obj {
  const md = claim.metadata!;
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name: `pvc-${md.uid}`,
      annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER },
    },
    spec: {
      capacity: { storage: claim.spec.resources.requests.storage },
      accessModes: claim.spec.accessModes,
      volumeMode: claim.spec.volumeMode ?? "Filesystem",
      persistentVolumeReclaimPolicy: "Delete",
      storageClassName: claim.spec.storageClassName,
      claimRef: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        namespace: md.namespace,
        name: md.name,
        uid: md.uid,
      },
      hostPath: { path: `/var/hpvolumes/pvc-${md.uid}`, type: "" },
    },
  };
}

/** The DV's timings: its transfer time from the delay annotation, else the default. */
function timingsOf(dv: Obj): TransferTimings {
  const ms = Number(dv.metadata?.annotations?.[IMPORT_DELAY_ANNOTATION] ?? NaN);
  return transferTimings(Number.isFinite(ms) && ms >= 0 ? ms : undefined);
}

/** A list call for an informer. */
function lister(kc: KubeConfig, path: string) {
  return async () => {
    const res = await request<any>(kc, "GET", path);
    if (res.status !== 200) throw new Error(`CDI stand-in: GET ${path}: ${res.status} ${res.text}`);
    return res.json;
  };
}

/** The CDI stand-in: stop. */
export interface CdiStandIn {
  stop(): Promise<void>;
}

/** Starts the stand-in with the credentials `kc` (DataVolumes, claims, volumes, storage classes, pods). */
export async function startCdiStandIn(kc: KubeConfig): Promise<CdiStandIn> {
  const cdi = new CdiWorld(kc);
  await cdi.start();
  return cdi;
}

class CdiWorld implements CdiStandIn {
  private readonly informers;
  private readonly dvs;
  private readonly claims;
  private readonly volumes;
  private readonly classes;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly busy = new Set<string>();
  /** When each DV's claim was first seen bound (ms), by DV uid. */
  private readonly boundAt = new Map<string, number>();
  /** When each claim was first seen (ms), by claim uid. */
  private readonly seenAt = new Map<string, number>();
  /** The last status written for each DV (its report, and the conditions with their times), by DV uid. */
  private readonly written = new Map<string, { report: string; conditions: any[] }>();
  private stopped = false;
  private kickScheduled = false;

  constructor(private readonly kc: KubeConfig) {
    const informer = (path: string) => makeInformer<Obj>(kc, path, lister(kc, path));
    this.classes = informer("/apis/storage.k8s.io/v1/storageclasses");
    this.claims = informer("/api/v1/persistentvolumeclaims");
    this.volumes = informer("/api/v1/persistentvolumes");
    this.dvs = informer(`${CDI_API}/datavolumes`);
    this.informers = [this.classes, this.claims, this.volumes, this.dvs];
  }

  async start(): Promise<void> {
    for (const informer of this.informers) {
      for (const verb of ["add", "update", "delete"] as const) informer.on(verb, () => this.kick());
      informer.on("error", () => {
        if (!this.stopped) setTimeout(() => void informer.start().catch(() => undefined), 500);
      });
      await informer.start();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach((t) => clearTimeout(t));
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  /** Reconciles everything soon (once, however many events arrive meanwhile). */
  private kick(): void {
    if (this.kickScheduled || this.stopped) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      for (const claim of this.claims.list()) this.reconcileClaim(claim);
      for (const volume of this.volumes.list()) this.reconcileVolume(volume);
      for (const dv of this.dvs.list()) this.reconcileDataVolume(dv);
    });
  }

  /** Kicks again at `at` (ms since the epoch) for `id`, unless an earlier kick is pending. */
  private wakeAt(id: string, at: number): void {
    if (this.timers.has(id) || this.stopped) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(id);
        this.kick();
      },
      Math.max(0, at - Date.now()),
    );
    this.timers.set(id, timer);
  }

  /** Runs `step` for `id` unless one runs already; a failure is reported and retried after a pause. */
  private run(id: string, step: () => Promise<unknown>): void {
    if (this.busy.has(id) || this.stopped) return;
    this.busy.add(id);
    step().then(
      () => {
        this.busy.delete(id);
        this.kick();
      },
      (err: Error) => {
        console.warn(`CDI stand-in: ${id}: ${err.message}`);
        setTimeout(() => {
          this.busy.delete(id);
          this.kick();
        }, 1_000);
      },
    );
  }

  /** A write a later pass may redo: false on 409 (changed meanwhile) or 404 (gone); other failures throw. */
  private async write(method: string, path: string, options: RequestOptions = {}): Promise<boolean> {
    const res = await request(this.kc, method, path, options);
    if (res.status === 409 || res.status === 404) return false;
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return true;
  }

  private patch(path: string, body: unknown): Promise<boolean> {
    return this.write("PATCH", path, { body, contentType: MERGE });
  }

  /** The provisioner and the pvc-protection controller: binds claims of the class, lets deleted ones go. */
  private reconcileClaim(claim: Obj): void {
    const md = claim.metadata!;
    if (md.deletionTimestamp) {
      if (md.finalizers?.includes(PVC_PROTECTION)) this.run(`release/${md.uid}`, () => this.release(claim));
      return;
    }
    if (claim.spec?.volumeName || claim.status?.phase === "Bound") return;
    const storageClass = this.classes.get(claim.spec?.storageClassName ?? "") as KubeObject | undefined;
    if (storageClass?.provisioner !== PROVISIONER || waitsForFirstConsumer(storageClass)) return;
    const due = this.firstSeen(md.uid!) + TIMINGS.pvcBindMs;
    if (Date.now() < due) return this.wakeAt(`provision/${md.uid}`, due);
    this.run(`provision/${md.uid}`, () => this.provision(claim));
  }

  /** When the claim of `uid` was first seen (ms). */
  private firstSeen(uid: string): number {
    const seen = this.seenAt.get(uid) ?? Date.now();
    this.seenAt.set(uid, seen);
    return seen;
  }

  /** Creates the claim's volume and binds both, as the provisioner and the PV controller would. */
  private async provision(claim: Obj): Promise<void> {
    const md = claim.metadata!;
    const volume = volumeFor(claim);
    const res = await request(this.kc, "POST", "/api/v1/persistentvolumes", { body: volume });
    if (res.status >= 300 && res.status !== 409)
      throw new Error(`creating ${volume.metadata!.name}: ${res.text}`);
    await this.patch(`/api/v1/persistentvolumes/${volume.metadata!.name}/status`, {
      status: { phase: "Bound" },
    });
    const path = `/api/v1/namespaces/${md.namespace}/persistentvolumeclaims/${md.name}`;
    const bound = await this.patch(path, {
      metadata: {
        annotations: {
          "pv.kubernetes.io/bind-completed": "yes",
          "pv.kubernetes.io/bound-by-controller": "yes",
          "volume.beta.kubernetes.io/storage-provisioner": PROVISIONER,
          "volume.kubernetes.io/storage-provisioner": PROVISIONER,
        },
      },
      spec: { volumeName: volume.metadata!.name },
    });
    if (!bound) return;
    await this.patch(`${path}/status`, {
      status: { phase: "Bound", accessModes: volume.spec.accessModes, capacity: volume.spec.capacity },
    });
  }

  /** Removes the protection finalizer of a deleted claim once no running pod mounts it (else retries soon). */
  private async release(claim: Obj): Promise<void> {
    const md = claim.metadata!;
    const pods = await request<{ items: Obj[] }>(this.kc, "GET", `/api/v1/namespaces/${md.namespace}/pods`);
    const mounted = pods.json.items.some(
      (p) =>
        !["Succeeded", "Failed"].includes(p.status?.phase) &&
        (p.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === md.name),
    );
    if (mounted) return this.wakeAt(`release/${md.uid}`, Date.now() + 500);
    const finalizers = md.finalizers!.filter((f) => f !== PVC_PROTECTION);
    await this.patch(`/api/v1/namespaces/${md.namespace}/persistentvolumeclaims/${md.name}`, {
      metadata: { finalizers, resourceVersion: md.resourceVersion },
    });
  }

  /** Deletes a volume of the provisioner whose claim is gone (reclaim policy Delete). */
  private reconcileVolume(volume: Obj): void {
    const md = volume.metadata!;
    if (md.annotations?.["pv.kubernetes.io/provisioned-by"] !== PROVISIONER) return;
    const ref = volume.spec?.claimRef;
    const claim = ref && this.claims.get(ref.name, ref.namespace);
    if (claim?.metadata?.uid === ref?.uid) return;
    this.run(`delete/${md.name}`, async () => {
      await this.write("DELETE", `/api/v1/persistentvolumes/${md.name}`);
      await this.patch(`/api/v1/persistentvolumes/${md.name}`, { metadata: { finalizers: null } });
    });
  }

  /** CDI's DataVolume controller and importer for one DV. */
  private reconcileDataVolume(dv: Obj): void {
    const md = dv.metadata!;
    const source = sourceOf(dv);
    if (md.deletionTimestamp || !source) return;
    const claim = this.claims.get(md.name!, md.namespace);
    if (!claim) return this.startClaim(dv, source);
    if (claim.metadata?.deletionTimestamp) return;
    if (claim.status?.phase !== "Bound") return this.report(dv, claimReport(md.name!));
    const boundAt = this.boundAt.get(md.uid!) ?? Date.now();
    this.boundAt.set(md.uid!, boundAt);
    const failure =
      source.kind === "Import" && hasFault(Fault.ImportError, dv as KubeObject)
        ? notFoundMessage(source.type)
        : undefined;
    const kind = source.kind === "Import" ? "Import" : "Clone";
    const step = transferStep(kind, Date.now() - boundAt, timingsOf(dv), failure);
    this.report(dv, claimReport(md.name!, step));
    if (step.next !== undefined) this.wakeAt(`dv/${md.uid}`, boundAt + step.next);
  }

  /** Creates the DV's claim, or reports why CDI cannot (no clone source, no storage class to render it). */
  private startClaim(dv: Obj, source: Source): void {
    const md = dv.metadata!;
    let sourceClaim: Obj | undefined;
    if (source.kind === "Snapshot") {
      const message = `The source snapshot ${source.name} doesn't exist`;
      return this.report(dv, blockedReport({ reason: "CloneWithoutSource", message }));
    }
    if (source.kind === "Clone") {
      sourceClaim = this.claims.get(source.name, source.namespace);
      if (!sourceClaim) {
        const message = `The source pvc ${source.name} doesn't exist`;
        return this.report(dv, blockedReport({ reason: "CloneWithoutSource", message }));
      }
    }
    const rendered = claimSpecFor(dv, this.storageClassOf(dv), sourceClaim);
    if ("blocked" in rendered) return this.report(dv, blockedReport(rendered.blocked));
    const claim = claimFor(dv, rendered.spec, source);
    this.run(`dv/${md.uid}`, async () => {
      const path = `/api/v1/namespaces/${md.namespace}/persistentvolumeclaims`;
      const res = await request(this.kc, "POST", path, { body: claim });
      if (res.status >= 300 && res.status !== 409) throw new Error(`creating claim ${md.name}: ${res.text}`);
    });
  }

  /** The DV's storage class: the one it names, else the default class; undefined when there is none. */
  private storageClassOf(dv: Obj): Obj | undefined {
    const name = dv.spec?.storage?.storageClassName ?? dv.spec?.pvc?.storageClassName;
    return findStorageClass(name, this.classes.list() as KubeObject[]) as Obj | undefined;
  }

  /** Writes `report` as the DV's status unless it is what was written last. */
  private report(dv: Obj, report: DvReport): void {
    const md = dv.metadata!;
    const comparable = JSON.stringify(report);
    const last = this.written.get(md.uid!);
    if (last?.report === comparable) return;
    this.run(`dv/${md.uid}`, async () => {
      const { conditions: _, ...fields } = report;
      const conditions = timedConditions(last?.conditions ?? dv.status?.conditions, report, now());
      const path = `${CDI_API}/namespaces/${md.namespace}/datavolumes/${md.name}/status`;
      if (await this.patch(path, { status: { ...fields, conditions } })) {
        this.written.set(md.uid!, { report: comparable, conditions });
      }
    });
  }
}
