/**
 * A real Kubernetes control plane on loopback for the cluster test tier: etcd, kube-apiserver (token auth, RBAC,
 * the aggregation layer with its front-proxy certificates, an audit log of every request) and
 * kube-controller-manager (namespace deletion, garbage collection, service accounts). Programs (and kubectl, for
 * the tests that drive an API with it) come from scripts/ensure-cluster.sh; certificates and the service-account
 * signing key are made with openssl at start. Everything lives in a temporary directory (logs: etcd.log,
 * apiserver.log, kcm.log, audit.log), removed on stop unless PULUMI_KUBEVIRT_KEEP_CLUSTER_DIR is set.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { request } from "../../simulator/http/testing";

/** One request as kube-apiserver's audit log records it (`audit.k8s.io/v1` Event, level Metadata). */
export interface AuditEvent {
  verb: string;
  requestURI: string;
  user: { username: string };
  responseStatus?: { code: number };
  /** When kube-apiserver received the request (RFC 3339 with microseconds). */
  requestReceivedTimestamp: string;
}

/** A running control plane. */
export interface ControlPlane {
  /** The admin kubeconfig (token auth, the cluster CA embedded). */
  kubeconfig: string;
  kubeconfigPath: string;
  /** The admin's bearer token (user `admin`, group `system:masters`). */
  adminToken: string;
  /** A kubeconfig for what plays the node (user `kubevirt`, group `system:masters`), apart from the product's `admin`. */
  kubevirtKubeconfig: string;
  /** https://127.0.0.1:PORT */
  server: string;
  /** Every request completed so far, from the audit log. */
  auditEvents(): AuditEvent[];
  /** A kubeconfig for the same cluster with another bearer token, its context in `namespace` (default `default`). */
  kubeconfigFor(user: string, token: string, namespace?: string): string;
  /** The directory of the control plane's files (certificates, kubeconfigs, logs). */
  dir: string;
  /**
   * Starts a program beside the control plane (e.g. KubeVirt's); stop() stops it first. Its stderr goes to
   * `<dir>/<name>.log` when it exits; {@link StartupError} reports an early exit with its last lines.
   */
  startProgram(name: string, bin: string, args: string[]): ChildProcess;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, "../..");

/**
 * The directory of a tier's programs: the environment variable `envVar` when set, else the last line `script`
 * (scripts/ensure-*.sh, run with `args`) prints, building what is missing.
 */
export function programsDir(script: string, envVar: string, ...args: string[]): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) return fromEnv;
  const out = execFileSync("bash", [join(ROOT, "scripts", script), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return out.trim().split("\n").pop()!;
}

const ensureCluster = (...args: string[]) =>
  programsDir("ensure-cluster.sh", "PULUMI_KUBEVIRT_CLUSTER_BIN", ...args);

/** The directory holding etcd, kube-apiserver, kube-controller-manager and kubectl (built on first use). */
export function clusterBinDir(): string {
  return ensureCluster();
}

/**
 * A program of the cluster tier (e.g. `kubectl`): where scripts/ensure-cluster.sh keeps it, else on PATH;
 * undefined when it is in neither. Builds nothing.
 */
export function findClusterProgram(name: string): string | undefined {
  const dirs = [ensureCluster("--dir"), ...(process.env.PATH ?? "").split(delimiter).filter(Boolean)];
  return dirs.map((dir) => join(dir, name)).find((file) => existsSync(file));
}

/** A TCP port free on 127.0.0.1 just now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA, the apiserver's serving certificate, the front-proxy CA and client, and the service-account keys. */
function makeCertificates(dir: string): void {
  const ca = (name: string) => {
    openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`);
    openssl(
      dir,
      "req",
      "-x509",
      "-new",
      "-key",
      `${name}.key`,
      "-subj",
      `/CN=${name}`,
      "-days",
      "30",
      "-out",
      `${name}.crt`,
    );
  };
  const leaf = (name: string, caName: string, subject: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`);
    openssl(dir, "req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`);
    openssl(
      dir,
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${caName}.crt`,
      "-CAkey",
      `${caName}.key`,
      "-CAcreateserial",
      "-days",
      "30",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.crt`,
    );
  };
  ca("ca");
  leaf(
    "apiserver",
    "ca",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n",
  );
  ca("front-proxy-ca");
  leaf("front-proxy-client", "front-proxy-ca", "/CN=front-proxy-client", "extendedKeyUsage=clientAuth\n");
  openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "sa.key");
  openssl(dir, "pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub");
}

function renderKubeconfig(
  server: string,
  caPem: string,
  user: string,
  token: string,
  namespace = "default",
): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "local",
        cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") },
      },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: "local", context: { cluster: "local", user, namespace } }],
    "current-context": "local",
  });
}

/** What a control-plane program wrote to stderr so far. */
const stderrOf = new WeakMap<ChildProcess, Buffer[]>();

function startProcess(bin: string, args: string[], logFile: string): ChildProcess {
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
  const chunks: Buffer[] = [];
  stderrOf.set(child, chunks);
  child.stderr?.on("data", (c: Buffer) => chunks.push(c));
  child.on("exit", () => writeFileSync(logFile, Buffer.concat(chunks)));
  return child;
}

/** A program that exited while starting, with the last lines it wrote. */
export class StartupError extends Error {
  constructor(what: string, child: ChildProcess) {
    const tail = Buffer.concat(stderrOf.get(child) ?? [])
      .toString("utf8")
      .trim()
      .split("\n")
      .slice(-5)
      .join("\n  ");
    super(`${what} exited with code ${child.exitCode} while starting:\n  ${tail}`);
    this.name = "StartupError";
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function waitReady(
  server: string,
  token: string,
  caPem: string,
  child: ChildProcess,
  what: string,
): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new StartupError(what, child);
    const ok = await request({ url: server, token, ca: caPem }, "GET", "/readyz").then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready within 90 s`);
}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager on free loopback ports. A program that exits while
 * starting (e.g. a port taken between choosing and binding it) gets one more try on new ports.
 */
export async function startControlPlane(binDir = clusterBinDir()): Promise<ControlPlane> {
  try {
    return await startControlPlaneOnce(binDir);
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    console.warn(`${err.message}\nstarting the control plane again`);
    return startControlPlaneOnce(binDir);
  }
}

async function startControlPlaneOnce(binDir: string): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), "pulumi-kubevirt-cluster-"));
  const processes: ChildProcess[] = [];
  // Should this process end without stop() (process.exit, an uncaught error), take the control plane with it.
  const killAll = () => {
    processes.forEach((p) => p.kill("SIGKILL"));
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", killAll);
  const stop = async () => {
    process.removeListener("exit", killAll);
    for (const p of [...processes].reverse()) await stopProcess(p);
    if (!process.env.PULUMI_KUBEVIRT_KEEP_CLUSTER_DIR) rmSync(dir, { recursive: true, force: true });
  };
  try {
    makeCertificates(dir);
    const caPem = readFileSync(join(dir, "ca.crt"), "utf8");
    const token = (s: string) => `${s}-${randomBytes(16).toString("hex")}`;
    const adminToken = token("admin");
    const kubevirtToken = token("kubevirt");
    const kcmToken = token("kcm");
    writeFileSync(
      join(dir, "tokens.csv"),
      [
        `${adminToken},admin,uid-admin,"system:masters"`,
        `${kubevirtToken},kubevirt,uid-kubevirt,"system:masters"`,
        `${kcmToken},system:kube-controller-manager,uid-kcm,"system:masters"`,
      ].join("\n") + "\n",
      { mode: 0o600 },
    );
    writeFileSync(
      join(dir, "audit-policy.yaml"),
      "apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n",
    );
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = startProcess(
      join(binDir, "etcd"),
      [
        "--name=default",
        `--data-dir=${join(dir, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
        "--unsafe-no-fsync",
        "--log-level=error",
      ],
      join(dir, "etcd.log"),
    );
    processes.push(etcd);
    const server = `https://127.0.0.1:${apiPort}`;
    const f = (name: string) => join(dir, name);
    const apiserver = startProcess(
      join(binDir, "kube-apiserver"),
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--tls-cert-file=${f("apiserver.crt")}`,
        `--tls-private-key-file=${f("apiserver.key")}`,
        `--client-ca-file=${f("ca.crt")}`,
        `--token-auth-file=${f("tokens.csv")}`,
        "--authorization-mode=RBAC",
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-account-key-file=${f("sa.pub")}`,
        `--service-account-signing-key-file=${f("sa.key")}`,
        "--service-cluster-ip-range=10.96.0.0/24",
        "--endpoint-reconciler-type=none",
        `--cert-dir=${f("certs")}`,
        `--requestheader-client-ca-file=${f("front-proxy-ca.crt")}`,
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        `--proxy-client-cert-file=${f("front-proxy-client.crt")}`,
        `--proxy-client-key-file=${f("front-proxy-client.key")}`,
        `--audit-policy-file=${f("audit-policy.yaml")}`,
        `--audit-log-path=${f("audit.log")}`,
        "--audit-log-format=json",
        "--audit-log-mode=blocking",
        "--v=0",
      ],
      f("apiserver.log"),
    );
    processes.push(apiserver);
    await waitReady(server, adminToken, caPem, apiserver, "kube-apiserver");
    writeFileSync(f("kcm.kubeconfig"), renderKubeconfig(server, caPem, "kcm", kcmToken), { mode: 0o600 });
    const kcm = startProcess(
      join(binDir, "kube-controller-manager"),
      [
        `--kubeconfig=${f("kcm.kubeconfig")}`,
        "--controllers=namespace,garbagecollector,serviceaccount",
        "--leader-elect=false",
        "--secure-port=0",
        "--use-service-account-credentials=false",
      ],
      f("kcm.log"),
    );
    processes.push(kcm);
    const kubeconfig = renderKubeconfig(server, caPem, "admin", adminToken);
    const kubeconfigPath = f("kubeconfig");
    writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
    return {
      kubeconfig,
      kubeconfigPath,
      adminToken,
      kubevirtKubeconfig: renderKubeconfig(server, caPem, "kubevirt", kubevirtToken),
      server,
      kubeconfigFor: (user, t, namespace) => renderKubeconfig(server, caPem, user, t, namespace),
      dir,
      startProgram(name, bin, args) {
        const child = startProcess(bin, args, f(`${name}.log`));
        processes.push(child);
        return child;
      },
      auditEvents() {
        if (!existsSync(f("audit.log"))) return [];
        return readFileSync(f("audit.log"), "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as AuditEvent);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
