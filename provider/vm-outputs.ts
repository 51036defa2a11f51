/**
 * What the provider stores for a VM: the checked inputs, the managing resource's identity and the observed state.
 */
import type { ObservedVm } from "./model/observed";
import type { VmInputs } from "./schema";

/** The checked inputs plus the owner (the component's URN), the auto-name prefix and the observed state. */
export type VmOutputs = VmInputs & { owner?: string; observed?: ObservedVm; autoNamePrefix?: string };
