import { createServer } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { createVmProvider, type VmOutputs, type VmProvider } from "../../provider";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import { providerOnSimulator } from "../support/provider-harness";

// What `check` (preview) and the waits say about a cluster that cannot be used: unreachable, refusing the
// credentials, an untrusted certificate, a missing namespace, a watch that is refused or goes silent, two
// resources naming one VM.

const TEMPLATE = { spec: { domain: { devices: {} }, terminationGracePeriodSeconds: 0 } };
const urn = (name: string) => `urn:pulumi:dev::preview::kubevirt:index:VirtualMachine::${name}`;

const harness = providerOnSimulator({}, { watchIdleMs: 1_000 });
const lines = harness.lines;
let sim: SimulatorHandle;
let provider: VmProvider;
beforeAll(() => ({ sim, provider } = harness));

/** The simulator's kubeconfig changed by `edit`, as contents. */
function kubeconfigWith(
  edit: (kc: {
    clusters: { cluster: Record<string, unknown> }[];
    users: { user: Record<string, unknown> }[];
  }) => void,
): string {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  const obj = JSON.parse(kc.exportConfig());
  edit(obj);
  return JSON.stringify(obj);
}

const check = (name: string, args: Record<string, unknown>, p: VmProvider = provider) =>
  p.check({} as VmOutputs, {
    name,
    owner: urn(name),
    template: TEMPLATE,
    runStrategy: "Halted",
    kubeconfig: sim.kubeconfigPath,
    ...args,
  });

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe("preview tells the truth about the cluster", () => {
  it("should fail when the cluster cannot be reached, with the connection error", async () => {
    const port = await closedPort();
    const kubeconfig = kubeconfigWith((kc) => (kc.clusters[0]!.cluster.server = `https://127.0.0.1:${port}`));
    const result = await check("unreachable", { kubeconfig });
    expect(result.failures).toEqual([
      expect.objectContaining({
        property: "kubeconfig",
        reason: expect.stringMatching(/cannot reach the cluster \(.*ECONNREFUSED/),
      }),
    ]);
  });

  it("should fail at once (no retries) when the cluster refuses the credentials", async () => {
    const kubeconfig = kubeconfigWith((kc) => (kc.users[0]!.user.token = "wrong-token"));
    const mark = sim.requests.mark();
    const result = await check("unauthorized", { kubeconfig });
    expect(result.failures?.[0]?.reason).toMatch(/the cluster refused the credentials \(401 Unauthorized/);
    expect(result.failures?.[0]?.reason).not.toContain("wrong-token");
    expect(sim.requests.list({ afterSeq: mark })).toHaveLength(1);
  });

  it("should fail at once, without retrying, when the server's certificate is not trusted", async () => {
    const other = await startSimulator({ kubevirt: { timings: "fast" } });
    try {
      // The simulator's address with another simulator's CA: a TLS failure, not a transient one.
      const kubeconfig = kubeconfigWith((kc) => {
        const otherKc = new KubeConfig();
        otherKc.loadFromString(other.kubeconfig);
        kc.clusters[0]!.cluster["certificate-authority-data"] = otherKc.getCurrentCluster()!.caData;
      });
      lines.length = 0;
      const started = Date.now();
      const result = await check("untrusted", { kubeconfig });
      expect(result.failures?.[0]?.reason).toMatch(/cannot connect to the cluster securely/);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(lines.filter((l) => /retry/.test(l))).toEqual([]);
    } finally {
      await other.stop();
    }
  });

  it("should fail when the namespace does not exist", async () => {
    const result = await check("nowhere", { namespace: "no-such-namespace" });
    expect(result.failures).toEqual([
      { property: "namespace", reason: 'namespace: "no-such-namespace" does not exist on the cluster' },
    ]);
  });

  it("should fail when two resources of the program name the same VM", async () => {
    const first = await check("twin", {});
    expect(first.failures ?? []).toEqual([]);
    const second = await provider.check({} as VmOutputs, {
      name: "twin",
      owner: urn("twin-copy"),
      template: TEMPLATE,
      runStrategy: "Halted",
      kubeconfig: sim.kubeconfigPath,
    });
    expect(second.failures).toEqual([
      expect.objectContaining({
        property: "name",
        reason: expect.stringContaining(`is also declared by ${urn("twin")}`),
      }),
    ]);
  });

  it("should warn when TLS verification is off", async () => {
    const kubeconfig = kubeconfigWith((kc) => {
      delete kc.clusters[0]!.cluster["certificate-authority-data"];
      kc.clusters[0]!.cluster["insecure-skip-tls-verify"] = true;
    });
    lines.length = 0;
    const result = await check("insecure", { kubeconfig });
    expect(result.failures ?? []).toEqual([]);
    expect(lines).toContainEqual(expect.stringMatching(/warning: TLS verification is off for cluster/));
  });
});

describe("waits that cannot hang", () => {
  it("should see a VM become Running through a watch that delivers nothing (relist after silence)", async () => {
    sim.faults.add({ verb: "watch", action: { kind: "silent-watch" }, count: 4 });
    const checked = await check("quiet", { runStrategy: "Always", waitFor: "Running" });
    const started = Date.now();
    const { outs } = await provider.create(checked.inputs as VmOutputs);
    expect(outs.observed).toMatchObject({ powerState: "Running" });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("should fail a wait at once when the credentials may not watch, naming what was refused", async () => {
    const limited = await startSimulator({
      kubevirt: { timings: "fast" },
      users: [
        {
          name: "nowatch",
          token: "nowatch-token",
          rules: [
            {
              verbs: ["get", "list", "create", "update", "patch", "delete"],
              apiGroups: ["*"],
              resources: ["*"],
            },
          ],
        },
      ],
    });
    const p = createVmProvider(() => undefined);
    try {
      const path = join(limited.kubeconfigPath + ".nowatch");
      writeFileSync(path, limited.kubeconfig.replace(limited.token, "nowatch-token"));
      const result = await p.check({} as VmOutputs, {
        name: "blind",
        owner: urn("blind"),
        template: TEMPLATE,
        runStrategy: "Always",
        kubeconfig: path,
      });
      expect(result.failures ?? []).toEqual([]);
      const started = Date.now();
      await expect(p.create({ ...(result.inputs as VmOutputs) })).rejects.toThrow(
        /refused to watch virtualmachine(instance)?s\.kubevirt\.io in namespace default \(403 Forbidden\)/,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      p.close();
      await limited.stop();
    }
  });
});
