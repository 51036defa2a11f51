/**
 * The parts of KubeVirt's VirtualMachine and VirtualMachineInstance objects the provider reads, typed loosely:
 * everything else passes through untouched.
 */

/** A Kubernetes condition as KubeVirt writes it on VMs and VMIs. */
export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown" | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string | null;
  lastProbeTime?: string | null;
}

/** Object metadata as read from the API. */
export interface LiveMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
}

/** A live `kubevirt.io/v1` VirtualMachine. */
export interface LiveVm {
  apiVersion: string;
  kind: string;
  metadata: LiveMeta;
  spec: {
    runStrategy?: string;
    running?: boolean;
    template?: Record<string, unknown>;
    dataVolumeTemplates?: unknown[];
    [key: string]: unknown;
  };
  status?: {
    printableStatus?: string;
    ready?: boolean;
    created?: boolean;
    runStrategy?: string;
    observedGeneration?: number;
    desiredGeneration?: number;
    conditions?: Condition[];
    stateChangeRequests?: { action: string; uid?: string }[];
    startFailure?: { consecutiveFailCount?: number; lastFailedVMIUID?: string; retryAfterTimestamp?: string };
    [key: string]: unknown;
  };
}

/** A network interface as reported on the VMI. */
export interface VmiInterface {
  name?: string;
  ipAddress?: string;
  ipAddresses?: string[];
  mac?: string;
  interfaceName?: string;
  [key: string]: unknown;
}

/** A live `kubevirt.io/v1` VirtualMachineInstance. */
export interface LiveVmi {
  apiVersion: string;
  kind: string;
  metadata: LiveMeta;
  spec?: Record<string, unknown>;
  status?: {
    phase?: string;
    nodeName?: string;
    interfaces?: VmiInterface[];
    conditions?: Condition[];
    [key: string]: unknown;
  };
}

/** VMI phases that count as "the VM is running or on its way" (KubeVirt's start handler says "VM is already running"). */
export const ACTIVE_VMI_PHASES: readonly string[] = [
  "Pending",
  "Scheduling",
  "Scheduled",
  "Running",
  "WaitingForSync",
];

/** True when the VMI has ended (`Succeeded` or `Failed`); KubeVirt never moves it out of these phases. */
export function isFinal(vmi: LiveVmi | undefined): boolean {
  const phase = vmi?.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** True when a VMI exists, is not being deleted and is in an active phase. */
export function isActive(vmi: LiveVmi | undefined): boolean {
  return !!vmi && !vmi.metadata.deletionTimestamp && ACTIVE_VMI_PHASES.includes(vmi.status?.phase ?? "");
}

/**
 * True when the instance runs paused: active, in phase `Running` and with the condition `Paused=True`, which
 * virt-handler sets once the domain is paused and removes once it runs again (docs/kubevirt-behaviour.md §1.8).
 */
export function isPaused(vmi: LiveVmi | undefined): boolean {
  return isActive(vmi) && vmi?.status?.phase === "Running" && conditionTrue(vmi.status.conditions, "Paused");
}

/** Finds a condition by type. */
export function condition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** True when the condition of that type has status `True`. */
export function conditionTrue(conditions: Condition[] | undefined, type: string): boolean {
  return condition(conditions, type)?.status === "True";
}

/**
 * The strategy KubeVirt applies (its `VirtualMachine.RunStrategy()`): `running: true` → Always,
 * `running: false` → Halted, else `runStrategy`, else Halted.
 */
export function effectiveStrategy(vm: Pick<LiveVm, "spec">): string {
  if (vm.spec.running !== undefined && vm.spec.running !== null) return vm.spec.running ? "Always" : "Halted";
  return vm.spec.runStrategy ?? "Halted";
}
