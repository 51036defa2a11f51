/**
 * The storage kinds around KubeVirt's DataVolumes: CDI's `datavolumes` (`cdi.kubevirt.io/v1beta1`), the core
 * `persistentvolumeclaims`, `storage.k8s.io/v1` `storageclasses` (with the simulator's default class `standard`)
 * and `snapshot.storage.k8s.io/v1` `volumesnapshots`; their resource definitions and small pure readers
 * (docs/kubevirt-behaviour.md §11).
 */
import type { PrinterColumn, ResourceDefinition } from "../store/extensions";
import type { KubeObject, ResourceKey } from "../store/types";

/** CDI's DataVolume resource. */
export const DATAVOLUME_KEY: ResourceKey = {
  group: "cdi.kubevirt.io",
  version: "v1beta1",
  resource: "datavolumes",
};
/** The core PersistentVolumeClaim resource. */
export const PVC_KEY: ResourceKey = { group: "", version: "v1", resource: "persistentvolumeclaims" };
/** The StorageClass resource (cluster-scoped). */
export const STORAGECLASS_KEY: ResourceKey = {
  group: "storage.k8s.io",
  version: "v1",
  resource: "storageclasses",
};
/** The CSI snapshotter's VolumeSnapshot resource. */
export const VOLUMESNAPSHOT_KEY: ResourceKey = {
  group: "snapshot.storage.k8s.io",
  version: "v1",
  resource: "volumesnapshots",
};

/** The annotation that makes a StorageClass the cluster's default. */
export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
/** The name of the simulator's default StorageClass. */
export const DEFAULT_STORAGE_CLASS = "standard";

/** The `Age` column every kind's table has. */
export const AGE_COLUMN: PrinterColumn = {
  name: "Age",
  type: "date",
  jsonPath: ".metadata.creationTimestamp",
};

/** A resource definition named after its kind (the simulator's KubeVirt and storage kinds alike). */
export function resourceDefinition(
  key: ResourceKey,
  kind: string,
  namespaced: boolean,
  shortNames: string[],
  printerColumns: PrinterColumn[],
  statusSubresource = true,
): ResourceDefinition {
  return {
    key,
    kind,
    listKind: `${kind}List`,
    singular: kind.toLowerCase(),
    shortNames,
    namespaced,
    statusSubresource,
    printerColumns,
  };
}

/** The resource definitions of the four kinds, with the columns `kubectl get` shows on a cluster. */
export function storageResources(): ResourceDefinition[] {
  return [
    {
      ...resourceDefinition(
        DATAVOLUME_KEY,
        "DataVolume",
        true,
        ["dv", "dvs"],
        [
          { name: "Phase", type: "string", jsonPath: ".status.phase" },
          { name: "Progress", type: "string", jsonPath: ".status.progress" },
          { name: "Restarts", type: "integer", jsonPath: ".status.restartCount" },
          AGE_COLUMN,
        ],
      ),
      categories: ["all"],
    },
    resourceDefinition(
      PVC_KEY,
      "PersistentVolumeClaim",
      true,
      ["pvc"],
      [
        { name: "Status", type: "string", jsonPath: ".status.phase" },
        { name: "Volume", type: "string", jsonPath: ".spec.volumeName" },
        { name: "Capacity", type: "string", jsonPath: ".status.capacity.storage" },
        { name: "StorageClass", type: "string", jsonPath: ".spec.storageClassName" },
        AGE_COLUMN,
      ],
    ),
    resourceDefinition(
      STORAGECLASS_KEY,
      "StorageClass",
      false,
      ["sc"],
      [
        { name: "Provisioner", type: "string", jsonPath: ".provisioner" },
        { name: "ReclaimPolicy", type: "string", jsonPath: ".reclaimPolicy" },
        { name: "VolumeBindingMode", type: "string", jsonPath: ".volumeBindingMode" },
        AGE_COLUMN,
      ],
      false,
    ),
    resourceDefinition(
      VOLUMESNAPSHOT_KEY,
      "VolumeSnapshot",
      true,
      ["vs"],
      [
        { name: "ReadyToUse", type: "boolean", jsonPath: ".status.readyToUse" },
        { name: "SourcePVC", type: "string", jsonPath: ".spec.source.persistentVolumeClaimName" },
        AGE_COLUMN,
      ],
    ),
  ];
}

/**
 * The simulator's default StorageClass: `standard`, the cluster default, binding at once (not a CSI driver, so
 * CDI imports without populators and the PVC is bound before the import, §11.2).
 */
export function defaultStorageClass(): KubeObject {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: "true" } },
    provisioner: "sim.kubevirt.io/hostpath",
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
  };
}

/**
 * The StorageClass a claim gets: the one named, or without a name the default class (the newest when several
 * are marked default, as Kubernetes picks); `undefined` when there is none (`getStorageClassByName`).
 */
export function findStorageClass(name: unknown, classes: readonly KubeObject[]): KubeObject | undefined {
  if (typeof name === "string") return classes.find((c) => c.metadata.name === name);
  const defaults = classes.filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
  return defaults.sort((a, b) =>
    String(b.metadata.creationTimestamp ?? "").localeCompare(String(a.metadata.creationTimestamp ?? "")),
  )[0];
}

/** Whether a StorageClass binds only once a pod uses the claim (`volumeBindingMode: WaitForFirstConsumer`). */
export function waitsForFirstConsumer(storageClass: KubeObject | undefined): boolean {
  return storageClass?.volumeBindingMode === "WaitForFirstConsumer";
}

/** The claim's phase (`Pending`, `Bound`, `Lost`); "" before the first status. */
export function claimPhase(pvc: KubeObject | undefined): string {
  return (pvc?.status?.phase as string | undefined) ?? "";
}
