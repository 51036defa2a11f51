/**
 * The KubeVirt API simulator: a Kubernetes API server on 127.0.0.1 with KubeVirt's VirtualMachine API on top.
 * `startSimulator()` starts it and writes a kubeconfig that kubectl and @kubernetes/client-node can use.
 * See simulator/README.md for what it does and where it differs from a real kube-apiserver.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mkdirSync } from "node:fs";
import type { ExtensionHost } from "./store/extensions";
import { MemoryStore } from "./store/memory-store";
import type { SimulatorUser } from "./http/auth";
import { FaultInjector } from "./http/faults";
import { RequestLog } from "./http/request-log";
import { ApiServer } from "./http/server";
import { generateServerCertificates } from "./http/tls";
import { renderKubeconfig } from "./kubeconfig";
import { installKubeVirt, type InstalledKubeVirt, type KubeVirtOptions } from "./kubevirt";

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** Port on 127.0.0.1. Default 0: a free port. */
  port?: number;
  /** Serve plain HTTP instead of HTTPS (the kubeconfig then says `insecure-skip-tls-verify`; kubectl will not send the token). Default false. */
  http?: boolean;
  /** Where to write the kubeconfig. Default: a new temporary directory, removed by `stop()`. */
  kubeconfigPath?: string;
  /** The admin's bearer token. Default: random. */
  token?: string;
  /** More users with their own tokens and rules (the admin is always there). */
  users?: SimulatorUser[];
  /** Namespace of the kubeconfig's context. Default `default`. */
  namespace?: string;
  /** Milliseconds between watch BOOKMARKs. Default 10 000. */
  bookmarkIntervalMs?: number;
  /** Events kept per resource for watch resume (older resourceVersions get 410 Gone). Default 1000. */
  historySize?: number;
  /** KubeVirt's options (timings, clock, world...), or `false` for a bare Kubernetes API server. Default `{}`. */
  kubevirt?: KubeVirtOptions | false;
  /** Log lines (KubeVirt controller events). Default: none. */
  log?: (message: string) => void;
}

/** A running simulator. */
export interface SimulatorHandle {
  /** Base URL, e.g. `https://127.0.0.1:43123`. */
  url: string;
  /** The kubeconfig as YAML (`KubeConfig.loadFromString(handle.kubeconfig)`). */
  kubeconfig: string;
  /** The file the kubeconfig was written to (`KUBECONFIG=... kubectl get vm`). */
  kubeconfigPath: string;
  /** The admin's bearer token. */
  token: string;
  /** PEM of the CA that signed the server certificate (undefined over plain HTTP). */
  caCert?: string;
  /** The object store behind the API (direct reads and writes skip auth, admission and the request log). */
  store: MemoryStore;
  /** Where extensions plug in (resources, admission, subresources, control routes). */
  host: ExtensionHost;
  /** Fault injection rules. */
  faults: FaultInjector;
  /** The request log. */
  requests: RequestLog;
  /** KubeVirt's in-process handle (world settings, guest events), when installed. */
  kubevirt?: InstalledKubeVirt;
  /** Stops the controller, ends watches, closes connections, stops listening and removes a temporary kubeconfig. */
  stop(): Promise<void>;
}

/** Listens; when that fails, stops KubeVirt and closes the server before rethrowing. */
async function listenOrClose(server: ApiServer, kubevirt: InstalledKubeVirt | undefined): Promise<string> {
  try {
    return await server.listen();
  } catch (e) {
    kubevirt?.stop();
    await server.close();
    throw e;
  }
}

/**
 * Writes the kubeconfig (owner-only) to `path`, or to a new temporary directory without one; returns the file
 * and the temporary directory to remove on stop.
 */
function writeKubeconfig(kubeconfig: string, path: string | undefined): { path: string; tempDir?: string } {
  let tempDir: string | undefined;
  if (!path) {
    tempDir = mkdtempSync(join(tmpdir(), "kubevirt-sim-"));
    path = join(tempDir, "kubeconfig");
  } else mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfig, { mode: 0o600 });
  return { path, tempDir };
}

/** Starts the simulator. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const token = options.token ?? randomBytes(24).toString("base64url");
  const tls = options.http ? undefined : generateServerCertificates();
  const store = new MemoryStore({ historySize: options.historySize });
  const faults = new FaultInjector();
  const requests = new RequestLog();
  const server = new ApiServer({
    store,
    users: [{ name: "admin", token }, ...(options.users ?? [])],
    tls,
    port: options.port,
    bookmarkIntervalMs: options.bookmarkIntervalMs,
    faults,
    requests,
  });
  // The one place KubeVirt is plugged in; `kubevirt: false` serves only the generic API.
  const kubevirt =
    options.kubevirt === false
      ? undefined
      : installKubeVirt(server, { log: options.log, ...(options.kubevirt ?? {}) });
  const url = await listenOrClose(server, kubevirt);
  const kubeconfig = renderKubeconfig({
    server: url,
    token,
    caCert: tls?.caCert,
    namespace: options.namespace,
  });
  const { path: kubeconfigPath, tempDir } = writeKubeconfig(kubeconfig, options.kubeconfigPath);

  let stopped: Promise<void> | undefined;
  return {
    url,
    kubeconfig,
    kubeconfigPath,
    token,
    caCert: tls?.caCert,
    store,
    host: server,
    faults,
    requests,
    kubevirt,
    stop() {
      stopped ??= (async () => {
        kubevirt?.stop();
        await server.close();
        if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

export { ApiServer, type ApiServerOptions } from "./http/server";
export { MemoryStore, type MemoryStoreOptions } from "./store/memory-store";
export { FaultInjector, type FaultRule, type FaultAction } from "./http/faults";
export { RequestLog, type RequestRecord, type RequestFilter } from "./http/request-log";
export type { SimulatorUser, AccessRule } from "./http/auth";
export { renderKubeconfig } from "./kubeconfig";
export { generateServerCertificates } from "./http/tls";
export * as statusErrors from "./store/errors";
export type * from "./store/types";
export type * from "./store/extensions";
export { StatusError } from "./store/types";
