/**
 * Test helpers for the API layer, shared by the simulator's tests, its benchmarks and the project's suites: a
 * throwaway resource, and the one HTTP client for calls @kubernetes/client-node has no method for.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { sendRequest, type HttpResponse, type SendOptions } from "../../provider/kube/http";
import type { ResourceDefinition } from "../store/extensions";

/** A namespaced test resource with a status subresource: `widgets.test.sim.io/v1`. */
export const WIDGETS: ResourceDefinition = {
  key: { group: "test.sim.io", version: "v1", resource: "widgets" },
  kind: "Widget",
  listKind: "WidgetList",
  singular: "widget",
  shortNames: ["wd"],
  namespaced: true,
  statusSubresource: true,
};

/** Where a {@link request} goes: an API server's URL, with the bearer token and the CA of its certificate. */
export interface Endpoint {
  url: string;
  token?: string;
  /** PEM; without it, Node's default CAs. */
  ca?: string;
}

/** A kubeconfig (cluster, user, context) for `endpoint`; plain HTTP servers get `insecure-skip-tls-verify`. */
function kubeconfigOf(endpoint: Endpoint): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    {
      name: "endpoint",
      server: endpoint.url,
      skipTLSVerify: endpoint.url.startsWith("http:"),
      caData: endpoint.ca === undefined ? undefined : Buffer.from(endpoint.ca).toString("base64"),
    },
    { name: "endpoint", token: endpoint.token },
  );
  return kc;
}

/**
 * One HTTP call, to the cluster of a kubeconfig (its TLS and credentials) or to an {@link Endpoint}; any status
 * is an answer (see {@link sendRequest}). For what @kubernetes/client-node has no call for: custom
 * subresources, JSON patch, malformed bodies, the simulator's control API.
 */
export function request<T = unknown>(
  to: KubeConfig | Endpoint,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<HttpResponse<T>> {
  return sendRequest<T>("url" in to ? kubeconfigOf(to) : to, method, path, options);
}
