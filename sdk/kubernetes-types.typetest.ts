/**
 * Type-level tests of `sdk/kubernetes-types.ts`, checked by `npm run lint` (`tsc --noEmit`; see
 * `sdk/args.typetest.ts`): each local Kubernetes type and its `@pulumi/kubernetes` original (a
 * devDependency, never needed by users) are mutually assignable, and, once resolved, have the same fields at
 * every depth (same names, same optionality, same leaf types), so the copies cannot drift from the originals.
 *
 * @module
 */
import type * as k8s from "@pulumi/kubernetes";
import type { Resolved } from "../provider/schema/resolved";
import type { Equals, ExpectNone, Mismatches } from "./args.typetest";
import type * as local from "./kubernetes-types";

/**
 * The paths at which `L` (the local type) and `K` (the original) differ once resolved (see {@link Mismatches}),
 * or the type's name when the two are not mutually assignable; `never` when they match.
 */
type Differences<L, K, Name extends string> =
  Equals<L, K> extends true
    ? Mismatches<Resolved<L>, Resolved<K>, Name>
    : `${Name} (not mutually assignable)`;

/** Every local Kubernetes type against its original. */
export type KubernetesTypesMatch = ExpectNone<
  | Differences<local.Affinity, k8s.types.input.core.v1.Affinity, "Affinity">
  | Differences<local.NodeAffinity, k8s.types.input.core.v1.NodeAffinity, "NodeAffinity">
  | Differences<local.PodAffinity, k8s.types.input.core.v1.PodAffinity, "PodAffinity">
  | Differences<local.PodAntiAffinity, k8s.types.input.core.v1.PodAntiAffinity, "PodAntiAffinity">
  | Differences<local.NodeSelector, k8s.types.input.core.v1.NodeSelector, "NodeSelector">
  | Differences<local.NodeSelectorTerm, k8s.types.input.core.v1.NodeSelectorTerm, "NodeSelectorTerm">
  | Differences<
      local.NodeSelectorRequirement,
      k8s.types.input.core.v1.NodeSelectorRequirement,
      "NodeSelectorRequirement"
    >
  | Differences<
      local.PreferredSchedulingTerm,
      k8s.types.input.core.v1.PreferredSchedulingTerm,
      "PreferredSchedulingTerm"
    >
  | Differences<local.PodAffinityTerm, k8s.types.input.core.v1.PodAffinityTerm, "PodAffinityTerm">
  | Differences<
      local.WeightedPodAffinityTerm,
      k8s.types.input.core.v1.WeightedPodAffinityTerm,
      "WeightedPodAffinityTerm"
    >
  | Differences<local.Toleration, k8s.types.input.core.v1.Toleration, "Toleration">
  | Differences<
      local.PersistentVolumeClaimSpec,
      k8s.types.input.core.v1.PersistentVolumeClaimSpec,
      "PersistentVolumeClaimSpec"
    >
  | Differences<
      local.TypedLocalObjectReference,
      k8s.types.input.core.v1.TypedLocalObjectReference,
      "TypedLocalObjectReference"
    >
  | Differences<
      local.TypedObjectReference,
      k8s.types.input.core.v1.TypedObjectReference,
      "TypedObjectReference"
    >
  | Differences<
      local.VolumeResourceRequirements,
      k8s.types.input.core.v1.VolumeResourceRequirements,
      "VolumeResourceRequirements"
    >
  | Differences<local.LabelSelector, k8s.types.input.meta.v1.LabelSelector, "LabelSelector">
  | Differences<
      local.LabelSelectorRequirement,
      k8s.types.input.meta.v1.LabelSelectorRequirement,
      "LabelSelectorRequirement"
    >
>;
