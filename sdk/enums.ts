/**
 * Closed string sets of the public API.
 *
 * Each set is an `as const` object (use it as a value: `RunStrategy.Always`) plus a same-named union type
 * (use it as a type: `runStrategy: RunStrategy`). Plain string literals work too (`runStrategy: "Always"`).
 *
 * This module has no imports on purpose: the provider's validation schemas (`provider/schema/`) read the
 * allowed values from here, so the public types and the run-time checks cannot drift apart.
 *
 * @module
 */

/**
 * How KubeVirt keeps the VirtualMachine's instance (VMI) running. Maps to `spec.runStrategy`.
 *
 * The provider declares the strategy and lets KubeVirt's VM controller converge; it calls the
 * start/stop/restart subresources only where the strategy leaves the power state to the user
 * (`Manual`, and `RerunOnFailure` after a guest shutdown).
 *
 * `WaitAsReceiver` (decentralized live migration, feature-gated) is deliberately not offered.
 *
 * @see https://kubevirt.io/user-guide/compute/run_strategies/
 */
export const RunStrategy = {
  /**
   * Keep the VM running: KubeVirt re-creates the instance whenever it ends, whether the guest shut itself
   * down or it crashed. Same as the deprecated `running: true`.
   */
  Always: "Always",
  /**
   * Like `Always`, but the instance is re-created only after a failure (VMI phase `Failed`, e.g. node crash,
   * OOM-killed launcher). A shutdown from inside the guest (phase `Succeeded`) leaves the VM stopped.
   * KubeVirt starts the VM when it is created or switched to this strategy.
   */
  RerunOnFailure: "RerunOnFailure",
  /**
   * Run the VM once: KubeVirt starts it when it is created (or switched to `Once`) and never re-creates it
   * after it ends, whether it succeeded or failed. It cannot be started or restarted through the API
   * afterwards; change the strategy (e.g. to `Halted` and back) to run it again.
   */
  Once: "Once",
  /**
   * KubeVirt never starts or stops the VM by itself; the user (here: the provider, driven by `powerState`)
   * issues start/stop/restart requests. A VM whose guest shut down stays stopped.
   */
  Manual: "Manual",
  /** Keep the VM stopped: KubeVirt deletes any running instance. Same as the deprecated `running: false`. */
  Halted: "Halted",
} as const;
/** How KubeVirt keeps the VM running (`spec.runStrategy`). See the {@link RunStrategy} constants. */
export type RunStrategy = (typeof RunStrategy)[keyof typeof RunStrategy];

/**
 * The power state you want, where the run strategy leaves it open (`Manual`; `RerunOnFailure` after a
 * guest shutdown). For the other strategies it may only repeat what the strategy implies, except that a
 * strategy that runs the VM (`Always`, `RerunOnFailure`, `Manual`, `Once` while its run lasts) may also keep
 * it `Paused`.
 */
export const PowerState = {
  /** The VM should have a running instance that is not paused. */
  Running: "Running",
  /** The VM should have no running instance. */
  Stopped: "Stopped",
  /**
   * The VM should have a running instance that is paused (KubeVirt's VMI condition `Paused`): the provider
   * starts it if needed, waits for phase `Running`, calls the VMI's `pause` subresource and waits for the
   * condition; `Running` calls `unpause`. Not allowed with `Halted` (or `running: false`), which keeps the VM
   * stopped. A paused guest is not `Ready` (KubeVirt marks its pod unready), so `waitFor` does not apply.
   */
  Paused: "Paused",
} as const;
/** Desired power state. See the {@link PowerState} constants. */
export type PowerState = (typeof PowerState)[keyof typeof PowerState];

/** The power state the provider observed on the cluster (an output, never an input). */
export const ObservedPowerState = {
  /** An instance exists and is in phase `Running` (not paused). */
  Running: "Running",
  /** No instance, or the instance has ended (`Succeeded`/`Failed`). */
  Stopped: "Stopped",
  /** The instance runs but is paused (VMI condition `Paused`). */
  Paused: "Paused",
  /** Anything else: starting, stopping, migrating, VMI phase `Unknown`, or the VM could not be read. */
  Unknown: "Unknown",
} as const;
/** Observed power state. See the {@link ObservedPowerState} constants. */
export type ObservedPowerState = (typeof ObservedPowerState)[keyof typeof ObservedPowerState];

/**
 * What `pulumi up` does when a change to the VM template reaches a VM that is running. KubeVirt applies
 * template changes only to the next instance; until then it shows the VM condition `RestartRequired`
 * (unless the change could be live-updated).
 *
 * @see https://kubevirt.io/user-guide/user_workloads/vm_rollout_strategies/
 */
export const RestartPolicy = {
  /** Never restart; leave KubeVirt's `RestartRequired` condition showing until someone restarts the VM. */
  Never: "Never",
  /** Restart only when KubeVirt reports `RestartRequired` after the update (the default). */
  IfRequired: "IfRequired",
  /** Restart the running VM after every template change, even one KubeVirt could apply live. */
  Always: "Always",
} as const;
/** Restart behaviour on template changes. See the {@link RestartPolicy} constants. */
export type RestartPolicy = (typeof RestartPolicy)[keyof typeof RestartPolicy];

/**
 * What `pulumi up` does when the observed power state differs from the desired one because someone
 * started, stopped, paused or unpaused the VM outside Pulumi (virtctl, console, a guest shutdown).
 */
export const PowerDrift = {
  /** Start, stop, pause or unpause the VM back to the desired state (the default). */
  Correct: "Correct",
  /** Leave the power state as found; only report it. */
  Ignore: "Ignore",
} as const;
/** Out-of-band power change handling. See the {@link PowerDrift} constants. */
export type PowerDrift = (typeof PowerDrift)[keyof typeof PowerDrift];

/**
 * The kind of instance type a VM references (`spec.instancetype.kind`): a cluster-wide one (KubeVirt's default)
 * or one in the VM's namespace.
 *
 * @see https://kubevirt.io/user-guide/user_workloads/instancetypes/
 */
export const InstancetypeKind = {
  /** A cluster-wide `VirtualMachineClusterInstancetype` (the default). */
  VirtualMachineClusterInstancetype: "VirtualMachineClusterInstancetype",
  /** A `VirtualMachineInstancetype` in the VM's namespace. */
  VirtualMachineInstancetype: "VirtualMachineInstancetype",
} as const;
/** Kind of a referenced instance type. See the {@link InstancetypeKind} constants. */
export type InstancetypeKind = (typeof InstancetypeKind)[keyof typeof InstancetypeKind];

/**
 * The kind of preference a VM references (`spec.preference.kind`): a cluster-wide one (KubeVirt's default) or
 * one in the VM's namespace.
 *
 * @see https://kubevirt.io/user-guide/user_workloads/instancetypes/
 */
export const PreferenceKind = {
  /** A cluster-wide `VirtualMachineClusterPreference` (the default). */
  VirtualMachineClusterPreference: "VirtualMachineClusterPreference",
  /** A `VirtualMachinePreference` in the VM's namespace. */
  VirtualMachinePreference: "VirtualMachinePreference",
} as const;
/** Kind of a referenced preference. See the {@link PreferenceKind} constants. */
export type PreferenceKind = (typeof PreferenceKind)[keyof typeof PreferenceKind];

/**
 * How far `pulumi up` waits for a VM that should be running before it reports success. Levels are ordered
 * (see {@link WAIT_FOR_LEVELS}); the provider waits for the chosen level and every level before it. For a
 * VM that should be stopped, only `Created` applies; one that should be paused is waited for until it is
 * (see `PowerState.Paused`).
 */
export const WaitFor = {
  /** The VirtualMachine object was accepted by the API server. */
  Created: "Created",
  /** The instance reached phase `Running` (VM `printableStatus` `Running`). */
  Running: "Running",
  /** The VM condition `Ready` is `True` (the default). */
  Ready: "Ready",
  /** The QEMU guest agent is connected (condition `AgentConnected`); needs the agent in the guest. */
  AgentConnected: "AgentConnected",
  /** The instance reports at least one IP address in `status.interfaces`. */
  HasIP: "HasIP",
} as const;
/** Readiness level to wait for. See the {@link WaitFor} constants. */
export type WaitFor = (typeof WaitFor)[keyof typeof WaitFor];

/** The {@link WaitFor} levels from weakest to strongest. */
export const WAIT_FOR_LEVELS: readonly WaitFor[] = [
  WaitFor.Created,
  WaitFor.Running,
  WaitFor.Ready,
  WaitFor.AgentConnected,
  WaitFor.HasIP,
];

/** Position of a {@link WaitFor} level in {@link WAIT_FOR_LEVELS} (0 = `Created`). */
export function waitForRank(level: WaitFor): number {
  return WAIT_FOR_LEVELS.indexOf(level);
}
