/**
 * The parts of CDI's DataVolume (`cdi.kubevirt.io/v1beta1`) the provider reads while a VM waits for its disks,
 * and pure verdicts on them: ready, still provisioning (with CDI's phase and progress), or failed with CDI's
 * reason (docs/kubevirt-behaviour.md §11).
 */
import { condition, type Condition, type LiveMeta, type LiveVm } from "./kubevirt";

/** A live DataVolume. */
export interface LiveDataVolume {
  apiVersion: string;
  kind: string;
  metadata: LiveMeta & {
    ownerReferences?: { kind: string; name: string; uid?: string; controller?: boolean }[];
  };
  spec?: Record<string, unknown>;
  status?: {
    phase?: string;
    /** e.g. `"45.20%"`, or `"N/A"`. */
    progress?: string;
    restartCount?: number;
    conditions?: Condition[];
    [key: string]: unknown;
  };
}

/** Phases in which KubeVirt starts the VM's instance (`handleDataVolumes` in KubeVirt's VM controller). */
const READY_PHASES: readonly string[] = ["Succeeded", "WaitForFirstConsumer", "PendingPopulation"];

/** Running-condition reasons KubeVirt counts as a DataVolume error (`HasDataVolumeErrors`). */
const ERROR_REASONS: readonly string[] = ["Error", "ImagePullFailed"];

/**
 * Bound-condition reasons of a DataVolume CDI cannot provision as it is (§11.3): a clone whose source does not
 * exist, a claim it cannot render (no such storage class, no default one), a quota it exceeds. KubeVirt shows
 * these as `Provisioning` for ever.
 */
const STUCK_REASONS: readonly string[] = ["CloneWithoutSource", "ErrClaimNotValid", "ErrExceededQuota"];

/** The names of the DataVolumes the VM's instance template mounts (`volumes[].dataVolume.name`). */
export function referencedDataVolumes(vm: Pick<LiveVm, "spec"> | undefined): string[] {
  const spec = (vm?.spec.template as { spec?: { volumes?: unknown } } | undefined)?.spec;
  const volumes = Array.isArray(spec?.volumes) ? (spec.volumes as { dataVolume?: { name?: unknown } }[]) : [];
  return volumes.flatMap((v) => (typeof v?.dataVolume?.name === "string" ? [v.dataVolume.name] : []));
}

/** The name of the VM that controls `dv` (KubeVirt sets it on the DataVolumes of `dataVolumeTemplates`). */
export function controllingVm(dv: LiveDataVolume): string | undefined {
  return dv.metadata.ownerReferences?.find((o) => o.controller && o.kind === "VirtualMachine")?.name;
}

/** Whether KubeVirt would start the instance with this DataVolume (populated, or bound by its first consumer). */
export function dataVolumeReady(dv: LiveDataVolume): boolean {
  return READY_PHASES.includes(dv.status?.phase ?? "");
}

/**
 * CDI's reason why the DataVolume will not become ready by waiting, or undefined: phase Failed, or the
 * importer stopped on an error (what KubeVirt reports as printableStatus DataVolumeError), or CDI cannot provision
 * it (see {@link STUCK_REASONS}).
 */
export function dataVolumeFailure(dv: LiveDataVolume): string | undefined {
  const name = dv.metadata.name;
  const running = condition(dv.status?.conditions, "Running");
  const restarts = dv.status?.restartCount ? ` (restarted ${dv.status.restartCount} time(s))` : "";
  if (running?.status === "False" && ERROR_REASONS.includes(running.reason ?? "")) {
    return `DataVolume ${name}: ${running.reason}: ${running.message ?? "the importer stopped"}${restarts}`;
  }
  const bound = condition(dv.status?.conditions, "Bound");
  if (bound && bound.status !== "True" && STUCK_REASONS.includes(bound.reason ?? "")) {
    return `DataVolume ${name}: ${bound.reason}: ${bound.message ?? "CDI cannot provision it"}`;
  }
  if (dv.status?.phase === "Failed") {
    const why = [running, condition(dv.status?.conditions, "Ready")].find((c) => c?.message)?.message;
    return `DataVolume ${name} failed${why ? `: ${why}` : ""}`;
  }
  return undefined;
}

/** `rootdisk ImportInProgress 45.20%`, or with the Bound condition's reason while the claim waits. */
export function dataVolumeLine(dv: LiveDataVolume): string {
  const phase = dv.status?.phase || "Pending";
  const progress = dv.status?.progress && dv.status.progress !== "N/A" ? ` ${dv.status.progress}` : "";
  const bound = condition(dv.status?.conditions, "Bound");
  const waiting = bound && bound.status !== "True" && bound.message ? ` (${bound.message})` : "";
  return `${dv.metadata.name} ${phase}${progress}${waiting}`;
}
