/**
 * The objects a VM's inputs name that must exist for KubeVirt to start it, found before anything is written:
 * its instance type and preference (docs/kubevirt-behaviour.md §10), and for each DataVolume template the
 * StorageClass it names and the PVC, VolumeSnapshot or DataSource it copies (§11). Without them KubeVirt
 * accepts the VM and then waits for ever (a sync error, a claim that never binds, a clone without a source).
 * Only what is new or changed is named: an existing VM keeps what KubeVirt already made of it.
 */
import { InstancetypeKind, PreferenceKind } from "../sdk/enums";
import type { ReferencedObject } from "./kube/kubevirt-api";
import { jsonEqual } from "./model/merge";
import { formatPath } from "./schema/issues";
import { isObj } from "./schema/objects";
import type { VmOutputs } from "./vm-outputs";

/** One object an input names: the top-level input, the path of the field that names it, and the object. */
export interface Reference {
  property: string;
  path: string;
  ref: ReferencedObject;
}

/** The reference inputs, with the kind KubeVirt uses when none is given. */
const MATCHERS = [
  ["instancetype", InstancetypeKind.VirtualMachineClusterInstancetype],
  ["preference", PreferenceKind.VirtualMachineClusterPreference],
] as const;

/** The new or changed objects `inputs` names (all of them for a new VM). */
export function referencesOf(olds: VmOutputs | undefined, inputs: VmOutputs): Reference[] {
  const ns = inputs.namespace!;
  const isNew = olds?.name === undefined;
  const refs: Reference[] = [];
  for (const [field, defaultKind] of MATCHERS) {
    const declared = inputs[field];
    if (declared === undefined || (!isNew && jsonEqual(olds[field], declared))) continue;
    refs.push({
      property: field,
      path: field,
      ref: { kind: declared.kind ?? defaultKind, name: declared.name, namespace: ns },
    });
  }
  if (isNew || !jsonEqual(olds.dataVolumeTemplates, inputs.dataVolumeTemplates)) {
    (inputs.dataVolumeTemplates ?? []).forEach((dvt, i) =>
      refs.push(...dataVolumeReferences(dvt.spec, i, ns)),
    );
  }
  return refs;
}

/** What one DataVolume template names: its StorageClass, and the source it clones. */
function dataVolumeReferences(spec: unknown, index: number, ns: string): Reference[] {
  if (!isObj(spec)) return [];
  const at = ["dataVolumeTemplates", index, "spec"];
  const ref = (path: PropertyKey[], kind: string, name: unknown, namespace: unknown): Reference[] =>
    typeof name === "string"
      ? [
          {
            property: "dataVolumeTemplates",
            path: formatPath([...at, ...path]),
            ref: { kind, name, namespace: typeof namespace === "string" ? namespace : ns },
          },
        ]
      : [];
  const refs: Reference[] = [];
  for (const claim of ["storage", "pvc"] as const) {
    const value = spec[claim];
    if (isObj(value))
      refs.push(...ref([claim, "storageClassName"], "StorageClass", value.storageClassName, ns));
  }
  const source = isObj(spec.source) ? spec.source : {};
  for (const [key, kind] of [
    ["pvc", "PersistentVolumeClaim"],
    ["snapshot", "VolumeSnapshot"],
  ] as const) {
    const value = source[key];
    if (isObj(value)) refs.push(...ref(["source", key], kind, value.name, value.namespace));
  }
  const sourceRef = spec.sourceRef;
  if (isObj(sourceRef) && sourceRef.kind === "DataSource") {
    refs.push(...ref(["sourceRef"], "DataSource", sourceRef.name, sourceRef.namespace));
  }
  return refs;
}
