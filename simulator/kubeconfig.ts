/** The kubeconfig (YAML) that points clients (kubectl, @kubernetes/client-node) at the simulator. */

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

/** Renders a single-cluster, single-user kubeconfig as YAML. */
export function renderKubeconfig(input: KubeconfigInput): string {
  const name = input.name ?? "kubevirt-simulator";
  const user = input.user ?? "admin";
  const q = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML scalar
  const clusterLines = input.caCert
    ? [`    certificate-authority-data: ${Buffer.from(input.caCert).toString("base64")}`]
    : ["    insecure-skip-tls-verify: true"];
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- cluster:",
    ...clusterLines,
    `    server: ${q(input.server)}`,
    `  name: ${q(name)}`,
    "contexts:",
    "- context:",
    `    cluster: ${q(name)}`,
    `    namespace: ${q(input.namespace ?? "default")}`,
    `    user: ${q(user)}`,
    `  name: ${q(name)}`,
    `current-context: ${q(name)}`,
    "preferences: {}",
    "users:",
    `- name: ${q(user)}`,
    "  user:",
    `    token: ${q(input.token)}`,
    "",
  ].join("\n");
}
