/**
 * The observed state the provider reports (the `VirtualMachine` component's outputs).
 *
 * @module
 */
import type { ObservedPowerState } from "./enums";

/** A network interface of the running instance. */
export interface VirtualMachineInterface {
  name?: string;
  ipAddress?: string;
  ipAddresses?: string[];
  mac?: string;
}

/** A condition of the VirtualMachine (`Ready`, `Paused`, `RestartRequired`, `Failure`, ...). */
export interface VirtualMachineCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The live state the provider observed after the last update or refresh. */
export interface ObservedVirtualMachine {
  powerState: ObservedPowerState;
  uid: string;
  runStrategy: string;
  printableStatus: string;
  ready: boolean;
  vmiPhase?: string;
  vmiUid?: string;
  nodeName?: string;
  interfaces?: VirtualMachineInterface[];
  observedGeneration?: number;
  desiredGeneration?: number;
  conditions: VirtualMachineCondition[];
}
