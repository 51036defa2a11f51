/**
 * Kubernetes connection settings, loaded with @kubernetes/client-node: the `kubeconfig` input (a path, the
 * file's contents or their base64), else the usual defaults (KUBECONFIG, ~/.kube/config, in-cluster service
 * account), with an optional `context`. Error messages never quote the `kubeconfig` input, not even a
 * path: it is a secret.
 */
import { KubeConfig } from "@kubernetes/client-node";
import {
  KUBECONFIG_NOT_SHOWN,
  kubeconfigSource,
  kubeconfigTypeMessage,
  MESSAGE_KUBECONFIG_INVALID,
} from "../schema/kubeconfig";

/** Where to connect. */
export interface ConnectionSettings {
  /** A kubeconfig path, or its contents (YAML or JSON, or their base64). */
  kubeconfig?: string;
  /** A context name in that kubeconfig. */
  context?: string;
}

/**
 * Loads the kubeconfig the settings name and selects the context.
 *
 * @throws Error whose message starts with `kubeconfig:` or `context:` and never includes the kubeconfig.
 */
export function loadKubeConfig(settings: ConnectionSettings): KubeConfig {
  const kc = new KubeConfig();
  const { kubeconfig, context } = settings;
  if (kubeconfig === undefined) {
    try {
      kc.loadFromDefault();
    } catch (err) {
      const kind =
        err instanceof Error && /ENOENT/.test(err.message) ? "file not found" : "not a valid kubeconfig";
      throw new Error(`kubeconfig: cannot load the default kubeconfig: ${kind}`);
    }
  } else {
    // Plain JavaScript may pass anything here: name only its type.
    if (typeof kubeconfig !== "string") throw new Error(`kubeconfig: ${kubeconfigTypeMessage(kubeconfig)}`);
    const source = kubeconfigSource(kubeconfig);
    if (source.kind === "invalid") throw new Error(`kubeconfig: ${MESSAGE_KUBECONFIG_INVALID}`);
    try {
      if (source.kind === "file") kc.loadFromFile(source.path);
      else kc.loadFromString(source.text);
    } catch {
      // Parser messages can quote the offending lines: name the problem, never the contents.
      const where =
        source.kind === "file"
          ? "the kubeconfig file"
          : source.base64
            ? "the base64-encoded kubeconfig contents"
            : "the kubeconfig contents";
      throw new Error(`kubeconfig: cannot load ${where}: not a valid kubeconfig ${KUBECONFIG_NOT_SHOWN}`);
    }
  }
  if (context !== undefined) {
    if (!kc.getContextObject(context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new Error(
        `context: ${JSON.stringify(context)} is not in the kubeconfig (contexts: ${known.join(", ") || "none"})`,
      );
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) {
    throw new Error("kubeconfig: the current context names no cluster; set 'context' or fix the kubeconfig");
  }
  return kc;
}

/** The namespace of the kubeconfig's current context, else `default`. */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace || "default";
}
