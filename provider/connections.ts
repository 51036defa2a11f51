/**
 * Connections of one provider process: one KubeConfig, API client and set of shared namespace watches per
 * distinct (kubeconfig, context), reused by every VM that names them.
 */
import { createHash } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";
import { contextNamespace, loadKubeConfig, type ConnectionSettings } from "./kube/connection";
import { KubeVirtApi } from "./kube/kubevirt-api";
import { DEFAULT_RETRY } from "./kube/retry";
import { WatchPool, type NamespaceWatch } from "./kube/namespace-watch";
import type { Log } from "./progress/sink";

/** A connection to one cluster. */
export interface Connection {
  /** Identifies the connection's settings (a hash: the kubeconfig itself is never kept). */
  key: string;
  api: KubeVirtApi;
  /** The kubeconfig context's namespace (or `default`). */
  defaultNamespace: string;
  /** The shared watch of a namespace. */
  watch(namespace: string): NamespaceWatch;
  /** Whether reads of a VM are served from the shared watch (else they are GETs). */
  readsFromWatch: boolean;
}

/** Caches connections by a hash of their settings (the kubeconfig itself is never kept as a key). */
export class Connections {
  private readonly cache = new Map<string, Connection>();
  private readonly watches: WatchPool;

  constructor(
    private readonly log: Log,
    watchIdleMs?: number,
    private readonly readsFromWatch = false,
  ) {
    this.watches = new WatchPool(log, watchIdleMs);
  }

  get(settings: ConnectionSettings): Connection {
    const key = createHash("sha256")
      .update(settings.kubeconfig ?? "\u0000default")
      .update("\u0000")
      .update(settings.context ?? "")
      .digest("hex");
    let conn = this.cache.get(key);
    if (!conn) {
      const kc = loadKubeConfig(settings);
      for (const warning of insecureSettings(kc)) this.log(warning, "warning");
      const retry = {
        ...DEFAULT_RETRY,
        onRetry: (err: Error, attempt: number, delayMs: number) =>
          this.log(`API call failed (${err.message}); retry ${attempt} in ${Math.round(delayMs)} ms`),
      };
      const api = new KubeVirtApi(kc, retry, (w) => this.log(`the API server warns: ${w}`, "warning"));
      const watches = this.watches;
      conn = {
        key,
        api,
        defaultNamespace: contextNamespace(kc),
        watch: (ns) => watches.get(api, key, ns),
        readsFromWatch: this.readsFromWatch,
      };
      this.cache.set(key, conn);
    }
    return conn;
  }

  /** Stops all watches (the connections stay usable and start new watches on demand). */
  close(): void {
    this.watches.stop();
  }
}

/** What is unsafe about a kubeconfig's current cluster and user, as warnings (never quoting a credential). */
export function insecureSettings(kc: KubeConfig): string[] {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const warnings: string[] = [];
  if (cluster?.skipTLSVerify) {
    warnings.push(
      `TLS verification is off for cluster "${cluster.name}" (insecure-skip-tls-verify): the API server's identity is not checked`,
    );
  }
  const plainHttp = cluster !== null && new URL(cluster.server).protocol === "http:";
  if (plainHttp && (user?.token || user?.authProvider || user?.exec)) {
    warnings.push(
      `cluster "${cluster.name}" is reached over plain http://: user "${user.name}"'s credentials are sent unencrypted`,
    );
  }
  return warnings;
}
