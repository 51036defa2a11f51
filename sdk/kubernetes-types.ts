/**
 * The few Kubernetes types the VM template uses (`affinity`, `tolerations`, a DataVolume's `pvc`), declared
 * here so that the package needs no `@pulumi/kubernetes` (26 MB, with an install script) for types alone.
 *
 * Each mirrors the input type of the same name in `@pulumi/kubernetes` (`types.input.core.v1.*` and
 * `types.input.meta.v1.*`, v4), `pulumi.Input`-wrapped like the originals, so values typed with that package
 * fit here and back. `sdk/kubernetes-types.typetest.ts` fails to compile when the two drift apart.
 *
 * @module
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * Scheduling constraints of a pod: node affinity, pod affinity and pod anti-affinity.
 * Mirrors `@pulumi/kubernetes` `types.input.core.v1.Affinity`.
 *
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#affinity-and-anti-affinity
 */
export interface Affinity {
  /** Node affinity scheduling rules for the pod. */
  nodeAffinity?: pulumi.Input<NodeAffinity | undefined>;
  /** Rules to schedule the pod near other pods (same node, zone, …). */
  podAffinity?: pulumi.Input<PodAffinity | undefined>;
  /** Rules to keep the pod away from other pods. */
  podAntiAffinity?: pulumi.Input<PodAntiAffinity | undefined>;
}

/** Node affinity. Mirrors `@pulumi/kubernetes` `types.input.core.v1.NodeAffinity`. */
export interface NodeAffinity {
  /** Nodes the scheduler prefers, by weight. */
  preferredDuringSchedulingIgnoredDuringExecution?: pulumi.Input<
    pulumi.Input<PreferredSchedulingTerm>[] | undefined
  >;
  /** Nodes the pod may run on at all. */
  requiredDuringSchedulingIgnoredDuringExecution?: pulumi.Input<NodeSelector | undefined>;
}

/** Pod affinity. Mirrors `@pulumi/kubernetes` `types.input.core.v1.PodAffinity`. */
export interface PodAffinity {
  /** Pods the scheduler prefers to be near, by weight. */
  preferredDuringSchedulingIgnoredDuringExecution?: pulumi.Input<
    pulumi.Input<WeightedPodAffinityTerm>[] | undefined
  >;
  /** Pods this pod must be near. */
  requiredDuringSchedulingIgnoredDuringExecution?: pulumi.Input<pulumi.Input<PodAffinityTerm>[] | undefined>;
}

/** Pod anti-affinity. Mirrors `@pulumi/kubernetes` `types.input.core.v1.PodAntiAffinity`. */
export interface PodAntiAffinity {
  /** Pods the scheduler prefers to keep away from, by weight. */
  preferredDuringSchedulingIgnoredDuringExecution?: pulumi.Input<
    pulumi.Input<WeightedPodAffinityTerm>[] | undefined
  >;
  /** Pods this pod must keep away from. */
  requiredDuringSchedulingIgnoredDuringExecution?: pulumi.Input<pulumi.Input<PodAffinityTerm>[] | undefined>;
}

/** Terms of which a node must match one. Mirrors `@pulumi/kubernetes` `types.input.core.v1.NodeSelector`. */
export interface NodeSelector {
  /** The terms, ORed. */
  nodeSelectorTerms: pulumi.Input<pulumi.Input<NodeSelectorTerm>[]>;
}

/** Requirements a node must all meet. Mirrors `@pulumi/kubernetes` `types.input.core.v1.NodeSelectorTerm`. */
export interface NodeSelectorTerm {
  /** Requirements on node labels. */
  matchExpressions?: pulumi.Input<pulumi.Input<NodeSelectorRequirement>[] | undefined>;
  /** Requirements on node fields. */
  matchFields?: pulumi.Input<pulumi.Input<NodeSelectorRequirement>[] | undefined>;
}

/**
 * A requirement on a node label or field, e.g. `{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }`.
 * Mirrors `@pulumi/kubernetes` `types.input.core.v1.NodeSelectorRequirement`.
 */
export interface NodeSelectorRequirement {
  /** The label key or field name. */
  key: pulumi.Input<string>;
  /** `In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt` or `Lt`. */
  operator: pulumi.Input<string>;
  /** The values (empty for `Exists` and `DoesNotExist`, one integer for `Gt` and `Lt`). */
  values?: pulumi.Input<pulumi.Input<string>[] | undefined>;
}

/** A weighted node preference. Mirrors `@pulumi/kubernetes` `types.input.core.v1.PreferredSchedulingTerm`. */
export interface PreferredSchedulingTerm {
  /** The nodes preferred. */
  preference: pulumi.Input<NodeSelectorTerm>;
  /** Weight, 1-100. */
  weight: pulumi.Input<number>;
}

/** A set of pods and a topology. Mirrors `@pulumi/kubernetes` `types.input.core.v1.PodAffinityTerm`. */
export interface PodAffinityTerm {
  /** The pods, by label. */
  labelSelector?: pulumi.Input<LabelSelector | undefined>;
  /** Label keys whose values are taken from the incoming pod and must match. */
  matchLabelKeys?: pulumi.Input<pulumi.Input<string>[] | undefined>;
  /** Label keys whose values are taken from the incoming pod and must not match. */
  mismatchLabelKeys?: pulumi.Input<pulumi.Input<string>[] | undefined>;
  /** The namespaces of the pods, by label. */
  namespaceSelector?: pulumi.Input<LabelSelector | undefined>;
  /** The namespaces of the pods, by name. Default: the pod's own. */
  namespaces?: pulumi.Input<pulumi.Input<string>[] | undefined>;
  /** The node label that defines "near", e.g. `kubernetes.io/hostname`. */
  topologyKey: pulumi.Input<string>;
}

/** A weighted pod (anti-)affinity term. Mirrors `@pulumi/kubernetes` `types.input.core.v1.WeightedPodAffinityTerm`. */
export interface WeightedPodAffinityTerm {
  /** The term. */
  podAffinityTerm: pulumi.Input<PodAffinityTerm>;
  /** Weight, 1-100. */
  weight: pulumi.Input<number>;
}

/**
 * A label query. Mirrors `@pulumi/kubernetes` `types.input.meta.v1.LabelSelector`.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 */
export interface LabelSelector {
  /** Requirements on labels, ANDed. */
  matchExpressions?: pulumi.Input<pulumi.Input<LabelSelectorRequirement>[] | undefined>;
  /** Labels that must all be present with these values. */
  matchLabels?: pulumi.Input<{ [key: string]: pulumi.Input<string> } | undefined>;
}

/** A requirement on a label. Mirrors `@pulumi/kubernetes` `types.input.meta.v1.LabelSelectorRequirement`. */
export interface LabelSelectorRequirement {
  /** The label key. */
  key: pulumi.Input<string>;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist`. */
  operator: pulumi.Input<string>;
  /** The values (empty for `Exists` and `DoesNotExist`). */
  values?: pulumi.Input<pulumi.Input<string>[] | undefined>;
}

/**
 * Lets a pod be scheduled onto nodes with a matching taint, e.g.
 * `{ key: "dedicated", operator: "Equal", value: "vms", effect: "NoSchedule" }`.
 * Mirrors `@pulumi/kubernetes` `types.input.core.v1.Toleration`.
 *
 * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 */
export interface Toleration {
  /** The taint effect to match: `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty matches all. */
  effect?: pulumi.Input<string | undefined>;
  /** The taint key; empty (with `Exists`) matches all taints. */
  key?: pulumi.Input<string | undefined>;
  /** `Exists` or `Equal` (the default). */
  operator?: pulumi.Input<string | undefined>;
  /** For `NoExecute`: seconds the pod stays bound after the taint appears. Default: forever. */
  tolerationSeconds?: pulumi.Input<number | undefined>;
  /** The taint value, for `Equal`. */
  value?: pulumi.Input<string | undefined>;
}

/**
 * A PersistentVolumeClaim spec. Mirrors `@pulumi/kubernetes` `types.input.core.v1.PersistentVolumeClaimSpec`.
 *
 * @see https://kubernetes.io/docs/concepts/storage/persistent-volumes/#persistentvolumeclaims
 */
export interface PersistentVolumeClaimSpec {
  /** Access modes, e.g. `["ReadWriteOnce"]` (`ReadWriteMany` for live migration). */
  accessModes?: pulumi.Input<pulumi.Input<string>[] | undefined>;
  /** An existing object to populate the volume from (a VolumeSnapshot, a PVC, …). */
  dataSource?: pulumi.Input<TypedLocalObjectReference | undefined>;
  /** An object to populate the volume from, possibly in another namespace or a custom populator. */
  dataSourceRef?: pulumi.Input<TypedObjectReference | undefined>;
  /** The storage requested, e.g. `{ requests: { storage: "10Gi" } }`. */
  resources?: pulumi.Input<VolumeResourceRequirements | undefined>;
  /** Persistent volumes to bind to, by label. */
  selector?: pulumi.Input<LabelSelector | undefined>;
  /** The StorageClass. Default: the cluster's default class. */
  storageClassName?: pulumi.Input<string | undefined>;
  /** The VolumeAttributesClass. */
  volumeAttributesClassName?: pulumi.Input<string | undefined>;
  /** `Filesystem` (the default) or `Block`. */
  volumeMode?: pulumi.Input<string | undefined>;
  /** The PersistentVolume to bind to, by name. */
  volumeName?: pulumi.Input<string | undefined>;
}

/** An object in the same namespace. Mirrors `@pulumi/kubernetes` `types.input.core.v1.TypedLocalObjectReference`. */
export interface TypedLocalObjectReference {
  /** API group of the object; empty for the core group. */
  apiGroup?: pulumi.Input<string | undefined>;
  /** Kind of the object. */
  kind: pulumi.Input<string>;
  /** Name of the object. */
  name: pulumi.Input<string>;
}

/** An object, possibly in another namespace. Mirrors `@pulumi/kubernetes` `types.input.core.v1.TypedObjectReference`. */
export interface TypedObjectReference {
  /** API group of the object; empty for the core group. */
  apiGroup?: pulumi.Input<string | undefined>;
  /** Kind of the object. */
  kind: pulumi.Input<string>;
  /** Name of the object. */
  name: pulumi.Input<string>;
  /** Namespace of the object. Default: the claim's. */
  namespace?: pulumi.Input<string | undefined>;
}

/** Storage requests and limits of a volume. Mirrors `@pulumi/kubernetes` `types.input.core.v1.VolumeResourceRequirements`. */
export interface VolumeResourceRequirements {
  /** Upper bounds, e.g. `{ storage: "20Gi" }`. */
  limits?: pulumi.Input<{ [key: string]: pulumi.Input<string> } | undefined>;
  /** What is requested, e.g. `{ storage: "10Gi" }`. */
  requests?: pulumi.Input<{ [key: string]: pulumi.Input<string> } | undefined>;
}
