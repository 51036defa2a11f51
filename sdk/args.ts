/**
 * Inputs of the `VirtualMachine` component.
 *
 * @module
 */
import type * as pulumi from "@pulumi/pulumi";
import type {
  InstancetypeKind,
  PowerDrift,
  PowerState,
  PreferenceKind,
  RestartPolicy,
  RunStrategy,
  WaitFor,
} from "./enums";
import type { DataVolumeTemplate, VirtualMachineTemplate } from "./template";

/** Name, namespace, labels and annotations of the VirtualMachine object. */
export interface VirtualMachineMetadata {
  /**
   * Object name: a DNS-1123 subdomain (lower-case letters, digits, `-` and `.`, at most 253 characters).
   * Default: an auto-name derived from the Pulumi resource name (resource name plus a random suffix).
   * Changing it replaces the VM (delete, then create).
   */
  name?: pulumi.Input<string>;
  /**
   * Namespace. Default: the namespace of the kubeconfig context in use, else `default`.
   * Changing it replaces the VM.
   */
  namespace?: pulumi.Input<string>;
  /** Labels of the VirtualMachine object (not of its instance: use `template.metadata.labels` for those). Updated in place. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Annotations of the VirtualMachine object. Updated in place. */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The instance type a VM takes its CPU and memory from (`spec.instancetype`).
 *
 * @see https://kubevirt.io/user-guide/user_workloads/instancetypes/
 */
export interface InstancetypeRef {
  /** Name of the instance type (e.g. `"u1.medium"`). It must exist when the VM is created or its instance type changes. */
  name: pulumi.Input<string>;
  /**
   * `VirtualMachineClusterInstancetype` (cluster-wide; the default, as in KubeVirt) or `VirtualMachineInstancetype`
   * (in the VM's namespace).
   */
  kind?: pulumi.Input<InstancetypeKind>;
}

/**
 * The preference a VM takes its defaults from (`spec.preference`), e.g. the preferred CPU topology.
 *
 * @see https://kubevirt.io/user-guide/user_workloads/instancetypes/
 */
export interface PreferenceRef {
  /** Name of the preference (e.g. `"fedora"`). It must exist when the VM is created or its preference changes. */
  name: pulumi.Input<string>;
  /**
   * `VirtualMachineClusterPreference` (cluster-wide; the default, as in KubeVirt) or `VirtualMachinePreference`
   * (in the VM's namespace).
   */
  kind?: pulumi.Input<PreferenceKind>;
}

/** Per-operation time limits, as Go-style durations (`"90s"`, `"10m"`, `"1h30m"`). Default `"10m"` each. */
export interface VirtualMachineTimeouts {
  /** Limit for creating the VM and waiting for `waitFor`. */
  create?: pulumi.Input<string>;
  /** Limit for an update, including any start, stop or restart and the wait afterwards. */
  update?: pulumi.Input<string>;
  /** Limit for deleting the VM and waiting until it and its instance are gone. */
  delete?: pulumi.Input<string>;
}

/**
 * Inputs of a KubeVirt `VirtualMachine`.
 *
 * Power state in short: `runStrategy` says how KubeVirt keeps the VM running; `powerState` says what you
 * want where the strategy leaves it open; `restartPolicy` and `restartTrigger` decide when `pulumi up`
 * restarts a running VM.
 *
 * @see https://kubevirt.io/user-guide/user_workloads/lifecycle/
 */
export interface VirtualMachineArgs {
  /** Name, namespace, labels and annotations of the VirtualMachine object. See {@link VirtualMachineMetadata}. */
  metadata?: pulumi.Input<VirtualMachineMetadata>;

  /**
   * How KubeVirt keeps the VM running (`spec.runStrategy`): `Always`, `RerunOnFailure`, `Once`, `Manual`
   * or `Halted`. Required unless the deprecated `running` is given; setting both is an error
   * (KubeVirt rejects a VirtualMachine without either: "RunStrategy must be specified").
   *
   * Changing it updates the VM in place and KubeVirt converges: e.g. `Always` → `Halted` stops the VM,
   * `Halted` → `Always` starts it, anything → `RerunOnFailure` or `Once` starts a stopped VM.
   *
   * @see https://kubevirt.io/user-guide/compute/run_strategies/
   */
  runStrategy?: pulumi.Input<RunStrategy>;

  /**
   * Deprecated by KubeVirt (since v1.4): use `runStrategy`. `true` = `Always`, `false` = `Halted`.
   * Allowed only when `runStrategy` is not set.
   *
   * @deprecated Use `runStrategy: "Always"` instead of `true` and `runStrategy: "Halted"` instead of `false`.
   */
  running?: pulumi.Input<boolean>;

  /**
   * The power state you want where the run strategy leaves it open:
   * - `Manual`: `Running` starts the VM, `Stopped` stops it; unset leaves it as it is.
   * - `RerunOnFailure`: `Running` starts the VM again after a guest shutdown, `Stopped` stops it; unset
   *   leaves KubeVirt's behaviour (started on create, stays down after a guest shutdown).
   * - `Always`, `Halted`, `Once` and `running`: may only repeat what the strategy implies
   *   (`Always`/`running: true`/`Once` → `Running`; `Halted`/`running: false` → `Stopped`). A contradiction
   *   such as `Halted` + `Running`, `Always` + `Stopped` or `Once` + `Stopped` is an error: change
   *   `runStrategy` instead.
   * - `Paused` goes wherever `Running` does (`Always`, `RerunOnFailure`, `Manual`, `running: true`, and
   *   `Once` while its one run lasts): the VM is started if needed, and once its instance runs (VMI phase
   *   `Running`) the provider calls KubeVirt's `pause` and waits for the VMI condition `Paused`; `Running`
   *   calls `unpause`, `Stopped` stops the paused VM. `Halted` + `Paused` is an error.
   *
   * Default: unset. Out-of-band changes (also a pause or unpause) are handled per `powerDrift`.
   */
  powerState?: pulumi.Input<PowerState>;

  /**
   * The instance template (`spec.template`): hardware, disks, volumes, networks, scheduling. Required.
   * Changes reach a running VM only through a restart; see `restartPolicy`.
   *
   * @see https://kubevirt.io/api-reference/main/definitions.html#_v1_virtualmachineinstancetemplatespec
   */
  template: pulumi.Input<VirtualMachineTemplate>;

  /**
   * DataVolumes created with the VM and owned by it (`spec.dataVolumeTemplates`). Default: none.
   * KubeVirt waits for them to be populated before it starts the VM; adding one to a running VM takes
   * effect after a restart.
   *
   * @see https://kubevirt.io/user-guide/storage/disks_and_volumes/#datavolume
   */
  dataVolumeTemplates?: pulumi.Input<pulumi.Input<DataVolumeTemplate>[]>;

  /**
   * The instance type that sizes the VM (`spec.instancetype`): KubeVirt applies its `cpu.guest` (as the CPU
   * topology) and `memory.guest` to every instance. The template must then leave `domain.cpu.sockets`,
   * `domain.cpu.cores`, `domain.cpu.threads`, `domain.memory.guest` and CPU and memory requests and limits
   * unset (KubeVirt rejects the VM otherwise; the provider says so at preview). The instance type must exist
   * (checked at preview). Default: none. Changing it reaches a running VM as a template change does: see
   * `restartPolicy`.
   *
   * @see https://kubevirt.io/user-guide/user_workloads/instancetypes/
   */
  instancetype?: pulumi.Input<InstancetypeRef>;

  /**
   * The preference that fills in the VM's defaults (`spec.preference`), such as the preferred CPU topology.
   * It must exist (checked at preview). Default: none. Changing it reaches a running VM as a template change
   * does: see `restartPolicy`.
   *
   * @see https://kubevirt.io/user-guide/user_workloads/instancetypes/
   */
  preference?: pulumi.Input<PreferenceRef>;

  /**
   * What `pulumi up` does when a template change (or a change of `instancetype` or `preference`) reaches a
   * running VM:
   * `Never` (leave KubeVirt's `RestartRequired` condition showing), `IfRequired` (restart only when KubeVirt
   * reports `RestartRequired`; the default) or `Always` (restart after every template change).
   * Never restarts a VM that is stopped or should be.
   */
  restartPolicy?: pulumi.Input<RestartPolicy>;

  /**
   * Any string; changing it restarts the running VM on the next `pulumi up` (e.g. a timestamp or a config
   * hash). Setting it for the first time, or removing it, does not restart. Ignored while the VM is stopped.
   * Default: unset.
   */
  restartTrigger?: pulumi.Input<string>;

  /**
   * Grace period in seconds for stops the provider itself requests (sent as the stop's `gracePeriod`,
   * overriding the template's `terminationGracePeriodSeconds` for that stop). Default: unset, i.e. the
   * template's value (KubeVirt's default 30). `0` forces an immediate stop.
   */
  stopGracePeriodSeconds?: pulumi.Input<number>;

  /**
   * What `pulumi up` does when the VM was started, stopped, paused or unpaused outside Pulumi and no longer
   * matches the desired power state: `Correct` (start, stop, pause or unpause it back; the default) or
   * `Ignore` (leave it, only report). Applies only where a power state is desired (see `powerState`).
   */
  powerDrift?: pulumi.Input<PowerDrift>;

  /**
   * How far create and update wait for a VM that should be running: `Created`, `Running`, `Ready` (the
   * default), `AgentConnected` (needs the QEMU guest agent) or `HasIP`. For a VM that should be stopped,
   * only `Created` applies; for one that should be paused, none: a paused guest is never Ready, so the
   * provider waits for phase `Running`, pauses it and waits for the condition `Paused`.
   */
  waitFor?: pulumi.Input<WaitFor>;

  /** Time limits per operation; Go-style durations such as `"90s"`, `"10m"`, `"1h30m"`. Default `"10m"` each. */
  timeouts?: pulumi.Input<VirtualMachineTimeouts>;

  /**
   * Take over an existing VirtualMachine of the same name and namespace instead of failing with
   * "already exists". Its spec is then updated to these inputs. Default `false`.
   */
  adopt?: pulumi.Input<boolean>;

  /**
   * Kubeconfig to use: a file path, the kubeconfig contents (YAML/JSON) or their base64. Always stored as a
   * secret in Pulumi state, and never shown in error messages. Default: `KUBECONFIG`, then
   * `~/.kube/config`, then the in-cluster service account.
   */
  kubeconfig?: pulumi.Input<string>;

  /** Kubeconfig context to use. Default: the kubeconfig's current context. */
  context?: pulumi.Input<string>;
}
