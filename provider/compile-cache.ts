/**
 * Node's on-disk compile cache (`module.enableCompileCache`) for the dynamic provider host: the engine starts a
 * fresh host for every operation, which would otherwise compile the provider, zod and @kubernetes/client-node
 * anew each time. Imported first by `./index`, so it covers everything that loads. Only in the host (programs,
 * tests and tools are left as they are); `NODE_DISABLE_COMPILE_CACHE=1` turns it off, `NODE_COMPILE_CACHE`
 * chooses its directory (default: the OS's temporary directory).
 */
import { enableCompileCache } from "node:module";
import { isDynamicProviderHost } from "./lifetime";

if (isDynamicProviderHost()) enableCompileCache();
