/**
 * The VirtualMachine object the provider declares, built from validated inputs.
 */
import { ownerMarks } from "../ownership";
import type { VmInputs } from "../schema";

/** API version and kind of KubeVirt VirtualMachines. */
export const VM_API_VERSION = "kubevirt.io/v1";
/** The API version of CDI's DataVolumes (`dataVolumeTemplates` and the DataVolumes KubeVirt makes of them). */
export const DATA_VOLUME_API_VERSION = "cdi.kubevirt.io/v1beta1";

/** The declared parts of a VirtualMachine. */
export interface VmManifest {
  apiVersion: typeof VM_API_VERSION;
  kind: "VirtualMachine";
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: {
    runStrategy?: string;
    running?: boolean;
    template: Record<string, unknown>;
    dataVolumeTemplates?: Record<string, unknown>[];
    /** `instancetype.kubevirt.io/v1beta1` references, as declared (KubeVirt adds `revisionName`). */
    instancetype?: MatcherManifest;
    preference?: MatcherManifest;
  };
}

/** A declared `spec.instancetype` or `spec.preference`: name and, when declared, kind. */
export interface MatcherManifest {
  name: string;
  kind?: string;
}

/**
 * Builds the declared VirtualMachine; `namespace` is the already-resolved namespace. With an `owner` (the
 * managing resource's URN), the VM carries its ownership label and annotation (see `ownership.ts`).
 */
export function vmManifest(inputs: VmInputs & { owner?: string }, namespace: string): VmManifest {
  const spec: VmManifest["spec"] = { template: inputs.template as Record<string, unknown> };
  if (inputs.runStrategy !== undefined) spec.runStrategy = inputs.runStrategy;
  if (inputs.running !== undefined) spec.running = inputs.running;
  if (inputs.dataVolumeTemplates !== undefined) {
    spec.dataVolumeTemplates = inputs.dataVolumeTemplates as Record<string, unknown>[];
  }
  if (inputs.instancetype !== undefined) spec.instancetype = { ...inputs.instancetype };
  if (inputs.preference !== undefined) spec.preference = { ...inputs.preference };
  const metadata: VmManifest["metadata"] = { name: inputs.name, namespace };
  const marks = inputs.owner === undefined ? undefined : ownerMarks(inputs.owner);
  if (inputs.labels !== undefined || marks) metadata.labels = { ...inputs.labels, ...marks?.labels };
  if (inputs.annotations !== undefined || marks) {
    metadata.annotations = { ...inputs.annotations, ...marks?.annotations };
  }
  return { apiVersion: VM_API_VERSION, kind: "VirtualMachine", metadata, spec };
}

/** The strategy KubeVirt will apply for the declared spec (`running: true` → Always, `false` → Halted). */
export function declaredStrategy(inputs: Pick<VmInputs, "runStrategy" | "running">): string {
  if (inputs.runStrategy !== undefined) return inputs.runStrategy;
  return inputs.running ? "Always" : "Halted";
}
