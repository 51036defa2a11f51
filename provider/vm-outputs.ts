/**
 * What the provider stores for a VM: the checked inputs, the managing resource's identity and the observed state.
 */
import type { ObservedVm } from "./model/observed";
import type { VmInputs } from "./schema";

/**
 * The checked inputs plus the owner (the component's URN), the URN of the VM resource itself (where its progress
 * is shown), the auto-name prefix and the observed state.
 */
export type VmOutputs = VmInputs & {
  owner?: string;
  resourceUrn?: string;
  observed?: ObservedVm;
  autoNamePrefix?: string;
};
