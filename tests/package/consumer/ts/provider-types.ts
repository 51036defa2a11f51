// Type-checked only (not part of the program): the ./provider entry point's types resolve. They include
// zod's, whose declarations need esModuleInterop (implied by module node16/nodenext and by TypeScript 6).
import type { VmOutputs, VmProvider } from "pulumi-kubevirt/provider";

export type ProviderTypes = [VmOutputs, VmProvider];
