/** The kubeconfig that points clients (kubectl, @kubernetes/client-node) at the simulator. */
import { dumpYaml, KubeConfig } from "@kubernetes/client-node";

/** What goes into the kubeconfig. */
export interface KubeconfigInput {
  server: string;
  token: string;
  /** PEM of the CA that signed the server certificate; absent for plain HTTP (then `insecure-skip-tls-verify`). */
  caCert?: string;
  /** Default `kubevirt-simulator`. */
  name?: string;
  /** Default `default`. */
  namespace?: string;
  /** Default `admin`. */
  user?: string;
}

/** Renders a single-cluster, single-user kubeconfig as YAML (client-node builds and exports it). */
export function renderKubeconfig(input: KubeconfigInput): string {
  const name = input.name ?? "kubevirt-simulator";
  const user = input.user ?? "admin";
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name,
        server: input.server,
        caData: input.caCert && Buffer.from(input.caCert).toString("base64"),
        skipTLSVerify: !input.caCert,
      },
    ],
    users: [{ name: user, token: input.token }],
    contexts: [{ name, cluster: name, user, namespace: input.namespace ?? "default" }],
    currentContext: name,
  });
  return dumpYaml(JSON.parse(kc.exportConfig()));
}
