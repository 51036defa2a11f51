/**
 * Kubernetes connection settings, loaded with @kubernetes/client-node: the `kubeconfig` input (a path or the
 * file's contents), else the usual defaults (KUBECONFIG, ~/.kube/config, in-cluster service account), with
 * an optional `context`. Error messages never quote kubeconfig contents (they hold credentials).
 */
import { KubeConfig } from "@kubernetes/client-node";

/** Where to connect. */
export interface ConnectionSettings {
  /** A kubeconfig path, or its contents (YAML or JSON). */
  kubeconfig?: string;
  /** A context name in that kubeconfig. */
  context?: string;
}

/** True when the string is kubeconfig contents rather than a path. */
export function isKubeconfigContents(value: string): boolean {
  return value.includes("\n") || /^\s*(\{|apiVersion\s*:)/.test(value);
}

/** Loads the kubeconfig the settings name and selects the context. */
export function loadKubeConfig(settings: ConnectionSettings): KubeConfig {
  const kc = new KubeConfig();
  const { kubeconfig, context } = settings;
  try {
    if (kubeconfig === undefined) kc.loadFromDefault();
    else if (isKubeconfigContents(kubeconfig)) kc.loadFromString(kubeconfig);
    else kc.loadFromFile(kubeconfig);
  } catch (err) {
    const where =
      kubeconfig === undefined
        ? "the default kubeconfig"
        : isKubeconfigContents(kubeconfig)
          ? "the kubeconfig contents"
          : `kubeconfig file ${kubeconfig}`;
    // Parser messages can quote the offending lines: name the problem, never the contents.
    const kind =
      err instanceof Error && /ENOENT/.test(err.message) ? "file not found" : "not a valid kubeconfig";
    throw new Error(`kubeconfig: cannot load ${where}: ${kind}`);
  }
  if (context !== undefined) {
    if (!kc.getContextObject(context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new Error(
        `context: "${context}" is not in the kubeconfig (contexts: ${known.join(", ") || "none"})`,
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
