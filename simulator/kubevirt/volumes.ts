/**
 * KubeVirt's view of DataVolumes and PVCs as pure functions (docs/kubevirt-behaviour.md §11.1, §11.4): the
 * DataVolumes the VM controller makes from `spec.dataVolumeTemplates` (`CreateDataVolumeManifest`), when they are
 * ready for a VMI (`handleDataVolumes`) and for its launcher pod (`areDataVolumesReady`), and the checks behind
 * `printableStatus` (`HasDataVolumeErrors`, `HasDataVolumeProvisioning`, `HasUnboundPVC` in pkg/storage/types).
 */
import type { KubeObject } from "../store/types";
import { isObject } from "../store/json";
import { clone, controllerRefTo } from "./api";
import { DvPhase } from "./datavolume";
import { claimPhase, DATAVOLUME_KEY } from "./storage";

/** The DataVolumes and PVCs a VM's templates and volumes name, by name (from the VM's namespace). */
export interface VolumeState {
  dataVolumes: ReadonlyMap<string, KubeObject>;
  claims: ReadonlyMap<string, KubeObject>;
}

/** No DataVolumes and no PVCs. */
export const NO_VOLUMES: VolumeState = { dataVolumes: new Map(), claims: new Map() };

/** The VM annotation that defers creating the DataVolumes to the first start when `"false"`. */
export const IMMEDIATE_DV_CREATION_ANNOTATION = "kubevirt.io/immediate-data-volume-creation";
/** The label KubeVirt puts on what it creates for a VM: the VM's uid. */
export const CREATED_BY_LABEL = "kubevirt.io/created-by";
/** The annotation that lets CDI adopt an existing PVC of the DataVolume's name. */
export const ALLOW_CLAIM_ADOPTION_ANNOTATION = "cdi.kubevirt.io/allowClaimAdoption";

const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.map(obj) : []);

/** The VM's `spec.dataVolumeTemplates`. */
export function dataVolumeTemplates(vm: KubeObject): Record<string, unknown>[] {
  return list(vm.spec?.dataVolumeTemplates);
}

/** The volumes of a VMI spec (or of the VM's template spec). */
function volumesOf(spec: unknown): Record<string, unknown>[] {
  return list(obj(spec).volumes);
}

/** The names of the DataVolumes the volumes use (`volume.dataVolume.name`). */
export function dataVolumeNames(spec: unknown): string[] {
  return volumesOf(spec)
    .map((v) => obj(v.dataVolume).name)
    .filter((n): n is string => typeof n === "string");
}

/** The names of the PVCs the volumes use: a `dataVolume`'s (its PVC has its name) or a `persistentVolumeClaim`'s. */
export function claimNames(spec: unknown): string[] {
  return volumesOf(spec)
    .map((v) => obj(v.dataVolume).name ?? obj(v.persistentVolumeClaim).claimName)
    .filter((n): n is string => typeof n === "string");
}

/** Everything a VM's status and reconcile look up: its templates' DataVolumes, and its volumes' DataVolumes and PVCs. */
export function referencedNames(vm: KubeObject): { dataVolumes: string[]; claims: string[] } {
  const templateSpec = obj(vm.spec?.template).spec;
  const templates = dataVolumeTemplates(vm)
    .map((t) => obj(t.metadata).name)
    .filter((n): n is string => typeof n === "string");
  return {
    dataVolumes: [...new Set([...templates, ...dataVolumeNames(templateSpec)])],
    claims: [...new Set(claimNames(templateSpec))],
  };
}

/**
 * Pure: the DataVolume the VM controller creates from one template (`CreateDataVolumeManifest`): the template's
 * metadata and spec, the `kubevirt.io/created-by` label, `cdi.kubevirt.io/allowClaimAdoption`, the template's
 * priority class, and the VM as controller owner.
 */
export function dataVolumeFromTemplate(vm: KubeObject, template: Record<string, unknown>): KubeObject {
  const meta = obj(template.metadata);
  const spec = clone(obj(template.spec));
  const priorityClassName = obj(obj(vm.spec?.template).spec).priorityClassName;
  if (!spec.priorityClassName && typeof priorityClassName === "string" && priorityClassName)
    spec.priorityClassName = priorityClassName;
  return {
    apiVersion: `${DATAVOLUME_KEY.group}/${DATAVOLUME_KEY.version}`,
    kind: "DataVolume",
    metadata: {
      name: String(meta.name ?? ""),
      namespace: vm.metadata.namespace,
      labels: { ...(obj(meta.labels) as Record<string, string>), [CREATED_BY_LABEL]: vm.metadata.uid ?? "" },
      annotations: {
        ...(obj(meta.annotations) as Record<string, string>),
        [ALLOW_CLAIM_ADOPTION_ANNOTATION]: "true",
      },
      ownerReferences: [controllerRefTo(vm)],
    },
    spec,
  };
}

/** The DataVolume's phase ("" when it has none yet). */
function dvPhase(dv: KubeObject): string {
  return (dv.status?.phase as string | undefined) ?? "";
}

/** The DataVolume's condition of `type`. */
function dvCondition(dv: KubeObject, type: string): Record<string, unknown> | undefined {
  return list(dv.status?.conditions).find((c) => c.type === type);
}

/** The phases in which `handleDataVolumes` lets the VM start. */
const READY_FOR_VMI: readonly string[] = [
  DvPhase.Succeeded,
  DvPhase.WaitForFirstConsumer,
  DvPhase.PendingPopulation,
];

/**
 * Pure: `handleDataVolumes`: the templates whose DataVolume does not exist yet (to create), and whether every
 * template's DataVolume is ready for the VMI (`Succeeded`, `WaitForFirstConsumer` or `PendingPopulation`).
 */
export function templateDataVolumes(
  vm: KubeObject,
  volumes: VolumeState,
): { missing: KubeObject[]; ready: boolean } {
  const missing: KubeObject[] = [];
  let ready = true;
  for (const t of dataVolumeTemplates(vm)) {
    const dv = volumes.dataVolumes.get(String(obj(t.metadata).name ?? ""));
    if (!dv) missing.push(dataVolumeFromTemplate(vm, t));
    if (!dv || !READY_FOR_VMI.includes(dvPhase(dv))) ready = false;
  }
  return { missing, ready };
}

/** The DataVolumes of the volumes that use one (the ones that exist). */
function volumeDataVolumes(vm: KubeObject, volumes: VolumeState): KubeObject[] {
  return dataVolumeNames(obj(vm.spec?.template).spec)
    .map((n) => volumes.dataVolumes.get(n))
    .filter((dv): dv is KubeObject => !!dv);
}

/**
 * Pure: `HasDataVolumeErrors`: the error of the first DataVolume a volume uses that is `Failed` or whose importer
 * stopped with reason `Error` or `ImagePullFailed` (printableStatus `DataVolumeError`); `undefined` when none.
 */
export function dataVolumeError(vm: KubeObject, volumes: VolumeState): string | undefined {
  for (const dv of volumeDataVolumes(vm, volumes)) {
    const name = dv.metadata.name;
    if (dvPhase(dv) === DvPhase.Failed) return `DataVolume ${name} is in Failed phase`;
    const running = dvCondition(dv, "Running");
    if (running?.status === "False" && (running.reason === "Error" || running.reason === "ImagePullFailed")) {
      return `DataVolume ${name} importer has stopped running due to an error: ${String(running.message ?? "")}`;
    }
  }
  return undefined;
}

/**
 * Pure: `HasDataVolumeProvisioning`: a DataVolume a volume uses is neither `Succeeded` nor `PendingPopulation`,
 * and is bound or not `WaitForFirstConsumer` (printableStatus `Provisioning`).
 */
export function dataVolumeProvisioning(vm: KubeObject, volumes: VolumeState): boolean {
  return volumeDataVolumes(vm, volumes).some((dv) => {
    const phase = dvPhase(dv);
    if (phase === DvPhase.Succeeded || phase === DvPhase.PendingPopulation) return false;
    return dvCondition(dv, "Bound")?.status === "True" || phase !== DvPhase.WaitForFirstConsumer;
  });
}

/** Pure: `HasUnboundPVC`: a PVC the volumes use exists and is not `Bound` (printableStatus `WaitingForVolumeBinding`). */
export function hasUnboundClaim(vm: KubeObject, volumes: VolumeState): boolean {
  return claimNames(obj(vm.spec?.template).spec).some((n) => {
    const pvc = volumes.claims.get(n);
    return !!pvc && claimPhase(pvc) !== "Bound";
  });
}

/** The claims the VMI's launcher pod mounts: its `dataVolume` and `persistentVolumeClaim` volumes, not hotplugged. */
function podClaimNames(vmi: KubeObject): string[] {
  return volumesOf(vmi.spec)
    .map((v) => obj(v.dataVolume ?? v.persistentVolumeClaim))
    .filter((source) => source.hotpluggable !== true)
    .map((source) => source.name ?? source.claimName)
    .filter((n): n is string => typeof n === "string");
}

/**
 * Pure: the first PVC the VMI's launcher pod needs that does not exist (KubeVirt's `FailedPvcNotFound`, "PVC
 * <ns>/<name> does not exist, waiting for it to appear"); `undefined` when all exist.
 */
export function missingClaim(vmi: KubeObject, volumes: VolumeState): string | undefined {
  return podClaimNames(vmi).find((n) => !volumes.claims.has(n));
}

/**
 * Pure: `areDataVolumesReady` for the VMI's launcher pod: every claim it mounts exists, and the DataVolume that
 * owns one is `Succeeded` or `PendingPopulation`. (A `WaitForFirstConsumer` DataVolume gets KubeVirt's temporary
 * pod instead, which the simulator does not create: the VMI's existence is what binds the claim.)
 */
export function volumesReadyForPod(vmi: KubeObject, volumes: VolumeState): boolean {
  return podClaimNames(vmi).every((n) => {
    const pvc = volumes.claims.get(n);
    if (!pvc) return false;
    const owner = pvc.metadata.ownerReferences?.find((r) => r.kind === "DataVolume" && r.controller);
    if (!owner) return true;
    const dv = volumes.dataVolumes.get(owner.name);
    return !!dv && (dvPhase(dv) === DvPhase.Succeeded || dvPhase(dv) === DvPhase.PendingPopulation);
  });
}
