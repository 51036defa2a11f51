/**
 * KubeVirt's own control plane on the loopback cluster (tests/support/control-plane.ts): virt-api and
 * virt-controller built from `kubevirt.io/kubevirt` (scripts/ensure-kubevirt.sh), KubeVirt's install objects
 * (install.ts), and the node stand-in (node.ts) for what kubelet, the scheduler and virt-handler would do.
 * virt-operator is not run; what it would create is created here. CDI's CRDs are installed too, and the CDI
 * stand-in (importer.ts) plays CDI for DataVolumes.
 */
import { execFileSync, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { generateCertificateAuthority, generateServerCertificates } from "../../../simulator/http/tls";
import { freePort, programsDir, StartupError, type ControlPlane } from "../control-plane";
import {
  generatedObjects,
  installCdi,
  installKubeVirtCa,
  installKubeVirtObjects,
  KUBEVIRT_NAMESPACE,
  registerVirtApi,
  SERVICE_ACCOUNTS,
  serviceAccountToken,
  until,
  type Manifest,
} from "./install";
import { startNodeStandIn, type NodeStandIn } from "./node";
import { startCdiStandIn } from "./importer";
import { handlerClientCertificate, type ConsoleEndpoint } from "./handler";
import { request } from "../../../simulator/http/testing";

/** KubeVirt running on a control plane. */
export interface KubeVirt {
  /** The node stand-in: its world events (guest shutdown, crash, node failure, ...). */
  node: NodeStandIn;
  /** Stops the node and CDI stand-ins (KubeVirt's programs stop with the control plane). */
  stop(): Promise<void>;
}

/** The directory of KubeVirt's programs: PULUMI_KUBEVIRT_KUBEVIRT_BIN, or what scripts/ensure-kubevirt.sh prints. */
export const kubevirtBinDir = () => programsDir("ensure-kubevirt.sh", "PULUMI_KUBEVIRT_KUBEVIRT_BIN");

/** A kubeconfig file in the control plane's directory for a KubeVirt service account. */
async function serviceAccountKubeconfig(
  cp: ControlPlane,
  admin: KubeConfig,
  account: string,
): Promise<string> {
  const token = await serviceAccountToken(admin, account);
  const path = join(cp.dir, `${account}.kubeconfig`);
  writeFileSync(
    path,
    cp.kubeconfigFor(`system:serviceaccount:${KUBEVIRT_NAMESPACE}:${account}`, token, KUBEVIRT_NAMESPACE),
    {
      mode: 0o600,
    },
  );
  return path;
}

/** Fails with the program's last lines if it has exited. */
function checkAlive(child: ChildProcess, what: string): void {
  if (child.exitCode !== null) throw new StartupError(what, child);
}

/**
 * Starts virt-api and registers it; resolves once its APIServices are Available. It reaches virt-handler's
 * console server (pause, unpause) at `handlerServer.port` with a client certificate of the KubeVirt CA.
 */
async function startVirtApi(
  cp: ControlPlane,
  admin: KubeConfig,
  bin: string,
  objects: readonly Manifest[],
  handlerServer: ConsoleEndpoint,
) {
  const certs = generateServerCertificates([
    `virt-api.${KUBEVIRT_NAMESPACE}.svc`,
    `virt-api.${KUBEVIRT_NAMESPACE}.svc.cluster.local`,
  ]);
  const file = (name: string, text: string) => {
    writeFileSync(join(cp.dir, name), text, { mode: 0o600 });
    return join(cp.dir, name);
  };
  const cert = file("virt-api.crt", certs.cert);
  const key = file("virt-api.key", certs.key);
  const handlerCerts = handlerClientCertificate(handlerServer.ca);
  const port = await freePort();
  const child = cp.startProgram("virt-api", join(bin, "virt-api"), [
    `--kubeconfig=${await serviceAccountKubeconfig(cp, admin, SERVICE_ACCOUNTS.api)}`,
    "--listen=127.0.0.1",
    `--port=${port}`,
    `--tls-cert-file=${cert}`,
    `--tls-key-file=${key}`,
    `--handler-cert-file=${file("virt-api-handler.crt", handlerCerts.cert)}`,
    `--handler-key-file=${file("virt-api-handler.key", handlerCerts.key)}`,
    `--console-server-port=${handlerServer.port}`,
  ]);
  await until(async () => {
    checkAlive(child, "virt-api");
    return (
      (await request({ url: `https://127.0.0.1:${port}`, ca: certs.caCert }, "GET", "/healthz")).status < 500
    );
  }, "virt-api to listen");
  await registerVirtApi(admin, objects, { port, caCert: certs.caCert });
  checkAlive(child, "virt-api");
}

/** Starts virt-controller; resolves once it holds its leader lease. */
async function startVirtController(cp: ControlPlane, admin: KubeConfig, bin: string): Promise<void> {
  const certs = generateServerCertificates();
  writeFileSync(join(cp.dir, "virt-controller.crt"), certs.cert, { mode: 0o600 });
  writeFileSync(join(cp.dir, "virt-controller.key"), certs.key, { mode: 0o600 });
  const child = cp.startProgram("virt-controller", join(bin, "virt-controller"), [
    `--kubeconfig=${await serviceAccountKubeconfig(cp, admin, SERVICE_ACCOUNTS.controller)}`,
    "--launcher-image=quay.io/kubevirt/virt-launcher:v1.7.0",
    "--exporter-image=quay.io/kubevirt/virt-exportserver:v1.7.0",
    "--listen=127.0.0.1",
    `--port=${await freePort()}`,
    `--prom-cert-file=${join(cp.dir, "virt-controller.crt")}`,
    `--prom-key-file=${join(cp.dir, "virt-controller.key")}`,
  ]);
  const lease = `/apis/coordination.k8s.io/v1/namespaces/${KUBEVIRT_NAMESPACE}/leases/virt-controller`;
  await until(async () => {
    checkAlive(child, "virt-controller");
    const res = await request<{ spec?: { holderIdentity?: string } }>(admin, "GET", lease);
    return res.status === 200 && !!res.json.spec?.holderIdentity;
  }, "virt-controller to take its leader lease");
}

/** Installs KubeVirt on `cp` and starts virt-api, virt-controller and the node stand-in. */
export async function startKubeVirt(cp: ControlPlane, bin = kubevirtBinDir()): Promise<KubeVirt> {
  const admin = new KubeConfig();
  admin.loadFromString(cp.kubeconfig);
  const objects = (
    JSON.parse(
      execFileSync(join(bin, "kubevirt-install"), [KUBEVIRT_NAMESPACE], {
        encoding: "utf8",
        maxBuffer: 64 << 20,
      }),
    ) as {
      items: Manifest[];
    }
  ).items;
  await installKubeVirtObjects(admin, objects);
  // Before virt-controller starts: it looks for CDI's DataVolume CRD once, at start.
  await installCdi(admin, generatedObjects(bin, "cdi-crds"));
  // The KubeVirt CA (virt-operator's `kubevirt-ca`): virt-api and the node's virt-handler trust each other by it.
  const consoleEndpoint = { port: await freePort(), ca: generateCertificateAuthority("kubevirt.io") };
  await installKubeVirtCa(admin, consoleEndpoint.ca.cert);
  const handler = new KubeConfig();
  handler.loadFromFile(await serviceAccountKubeconfig(cp, admin, SERVICE_ACCOUNTS.handler));
  // The node plays kubelet and the scheduler as a user of its own, so that the product's requests (user `admin`,
  // in the audit log) stay apart.
  const kubelet = new KubeConfig();
  kubelet.loadFromString(cp.kubevirtKubeconfig);
  const node = await startNodeStandIn({ kubelet, handler, console: consoleEndpoint });
  const cdi = await startCdiStandIn(kubelet);
  const stop = async () => {
    await Promise.all([node.stop(), cdi.stop()]);
  };
  try {
    await Promise.all([
      startVirtApi(cp, admin, bin, objects, consoleEndpoint),
      startVirtController(cp, admin, bin),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { node, stop };
}
