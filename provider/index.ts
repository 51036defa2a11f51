/**
 * The dynamic provider's implementation, loaded at run time by the small serialized shim in
 * `sdk/provider-shim.ts` (so Pulumi state never carries a copy of this code).
 */
import "./compile-cache";
import { exitWithEngine, isDynamicProviderHost } from "./lifetime";
import { engineAddress, engineSink } from "./progress/engine-log";
import { consoleSink } from "./progress/sink";
import { createVmProvider } from "./vm-provider";

export { createVmProvider } from "./vm-provider";
export type { VmOutputs, VmProvider } from "./vm-provider";
export type { ObservedVm } from "./model/observed";

const engine = engineAddress(process.argv, isDynamicProviderHost());

/**
 * The provider of this process; the shim delegates every call to it. In Pulumi's provider host its progress goes
 * to the engine, on each VM's own row; anywhere else to the console.
 */
export const vmProvider = createVmProvider(engine ? engineSink(engine, consoleSink) : consoleSink);

// In Pulumi's provider host: stop the watches and exit when the engine that started the host is gone.
if (isDynamicProviderHost()) exitWithEngine(() => vmProvider.close());
