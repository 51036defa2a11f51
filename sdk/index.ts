/**
 * pulumi-kubevirt: KubeVirt VirtualMachines with typed run strategies and power-state convergence.
 *
 * @module
 */
export * from "./enums";
export type {
  InstancetypeRef,
  PreferenceRef,
  VirtualMachineArgs,
  VirtualMachineMetadata,
  VirtualMachineTimeouts,
} from "./args";
export type {
  Bootloader,
  Cpu,
  DataVolumeSource,
  DataVolumeSpec,
  DataVolumeStorage,
  DataVolumeTemplate,
  Devices,
  Disk,
  DiskBus,
  DiskTarget,
  DomainSpec,
  Firmware,
  Interface,
  Machine,
  Memory,
  Network,
  Quantity,
  ResourceRequirements,
  SecretRef,
  TemplateMetadata,
  VirtualMachineInstanceSpec,
  VirtualMachineTemplate,
  Volume,
} from "./template";

export { VirtualMachine } from "./virtual-machine";
export { VirtualMachineFleet } from "./fleet";
export type { MaxUnavailable, VirtualMachineFleetArgs, VirtualMachineFleetMetadata } from "./fleet";
export type { ObservedVirtualMachine, VirtualMachineCondition, VirtualMachineInterface } from "./outputs";
export type { VirtualMachineConnection, VirtualMachineGetOptions } from "./get";
export { getVirtualMachine, getVirtualMachineOutput } from "./lookup";
export type { GetVirtualMachineArgs, GetVirtualMachineOutputArgs, GetVirtualMachineResult } from "./lookup";
