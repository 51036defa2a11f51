import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import { startSimulator, type SimulatorHandle } from "../index";
import { findClusterProgram } from "../../tests/support/control-plane";
import { WIDGETS } from "./testing";

const run = promisify(execFile);
const KUBECTL = findClusterProgram("kubectl");

describe("plain HTTP", () => {
  it("should serve over HTTP with an insecure-skip-tls-verify kubeconfig when asked", async () => {
    const sim = await startSimulator({ kubevirt: false, http: true });
    try {
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      sim.host.registerResource(WIDGETS);
      const kc = new KubeConfig();
      kc.loadFromString(sim.kubeconfig);
      expect(kc.getCurrentCluster()?.skipTLSVerify).toBe(true);
      const api = KubernetesObjectApi.makeApiClient(kc);
      await api.create({
        apiVersion: "test.sim.io/v1",
        kind: "Widget",
        metadata: { name: "h", namespace: "default" },
      });
      expect(sim.store.get(WIDGETS.key, "default", "h")).toBeDefined();
    } finally {
      await sim.stop();
    }
  });
});

describe("kubectl", () => {
  let sim: SimulatorHandle;
  const kubectl = async (...args: string[]) => {
    try {
      const { stdout } = await run(KUBECTL!, args, {
        env: { ...process.env, KUBECONFIG: sim.kubeconfigPath },
        timeout: 15_000,
      });
      return stdout;
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      return `${err.stdout ?? ""}${err.stderr ?? ""}`;
    }
  };

  beforeAll(async () => {
    if (!KUBECTL) throw new Error("kubectl is neither built nor on PATH: run bash scripts/ensure-cluster.sh");
    sim = await startSimulator({ kubevirt: false });
    sim.host.registerResource({
      ...WIDGETS,
      printerColumns: [
        { name: "Color", type: "string", jsonPath: ".spec.color" },
        { name: "Ready", type: "string", jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
        { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
      ],
    });
  });
  afterAll(async () => {
    if (sim) await sim.stop();
  });

  it("should write a kubeconfig kubectl can use over HTTPS with the token", async () => {
    expect(readFileSync(sim.kubeconfigPath, "utf8")).toBe(sim.kubeconfig);
    expect(await kubectl("api-resources", "--api-group=test.sim.io", "--no-headers")).toMatch(
      /^widgets\s+wd\s+test\.sim\.io\/v1\s+true\s+Widget/m,
    );
    const file = join(sim.kubeconfigPath, "..", "w.yaml");
    writeFileSync(
      file,
      "apiVersion: test.sim.io/v1\nkind: Widget\nmetadata:\n  name: k1\nspec:\n  color: blue\n",
    );
    expect(await kubectl("create", "-f", file)).toContain("widget.test.sim.io/k1 created");
    expect(await kubectl("apply", "-f", file)).toMatch(/widget.test.sim.io\/k1 (configured|unchanged)/);
    expect(await kubectl("patch", "wd", "k1", "--type=merge", "-p", '{"spec":{"color":"red"}}')).toContain(
      "patched",
    );
    expect(await kubectl("patch", "wd", "k1", "-p", '{"spec":{"color":"red"}}')).toContain(
      "application/strategic-merge-patch+json is not supported",
    );
    expect(await kubectl("get", "wd", "k1", "-o", "jsonpath={.spec.color}")).toBe("red");
    const k1 = sim.store.get(WIDGETS.key, "default", "k1")!;
    sim.store.update(
      WIDGETS.key,
      { ...k1, status: { conditions: [{ type: "Ready", status: "True" }] } },
      "status",
    );
    expect(await kubectl("get", "wd")).toMatch(/^NAME\s+COLOR\s+READY\s+AGE\nk1\s+red\s+True\s+\d+s\n$/);
    expect(await kubectl("delete", "wd", "k1")).toContain("deleted");
  });

  it("should stream kubectl get -w", async () => {
    const watching = kubectl("get", "wd", "-w", "--request-timeout=2s");
    await new Promise((r) => setTimeout(r, 700));
    sim.store.create(WIDGETS.key, {
      apiVersion: "test.sim.io/v1",
      kind: "Widget",
      metadata: { name: "watched", namespace: "default" },
    });
    const out = await watching;
    expect(out).toMatch(/^NAME\s+COLOR\s+READY\s+AGE\n/);
    expect(out).toMatch(/\nwatched\s+\d+s\n/); // missing cells print empty
  });
});
