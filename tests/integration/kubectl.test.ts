/**
 * The kubectl examples of README.md ("From a shell": `kubectl --kubeconfig <that file> get vm,vmi` works, as do
 * `create`, `apply`, `get -w`) and simulator/README.md (`export KUBECONFIG=<the path it prints>`,
 * `kubectl get vm -w`), each run with the kubectl of the cluster tier (scripts/ensure-cluster.sh, v1.37.2)
 * against the simulator's kubeconfig file, asserting what it prints and what the simulator then holds.
 *
 * `kubectl create namespace` sends a protobuf body (client-go's typed clientset prefers protobuf for built-in
 * kinds whatever discovery says); the rest sends JSON.
 */
import { execFile, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import { NAMESPACES } from "../../simulator/http/registry";
import { findClusterProgram } from "../support/control-plane";

const run = promisify(execFile);
const KUBECTL = findClusterProgram("kubectl");
const VM_KEY = { group: "kubevirt.io", version: "v1", resource: "virtualmachines" };

const VM_YAML = `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: vm-cirros
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices: {}
        resources:
          requests:
            memory: 128Mi
`;

let sim: SimulatorHandle;

/** `kubectl --kubeconfig <file> args...`, as README.md writes it; rejects with kubectl's stderr on failure. */
async function kubectl(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(KUBECTL!, ["--kubeconfig", sim.kubeconfigPath, ...args], {
      env: { ...process.env, KUBECONFIG: "" },
      timeout: 30_000,
    });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(" ")}: ${err.stderr || err.message}`);
  }
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (!KUBECTL) throw new Error("kubectl is neither built nor on PATH: run bash scripts/ensure-cluster.sh");
  sim = await startSimulator({ kubevirt: { timings: "fast" } });
});
afterAll(async () => {
  if (sim) await sim.stop();
});

describe("the README's kubectl examples against the simulator", () => {
  it("should create a namespace (a protobuf body), list it and delete it", async () => {
    expect(await kubectl("create", "namespace", "x")).toBe("namespace/x created\n");
    expect(sim.store.get(NAMESPACES.key, "", "x")).toBeDefined();
    const posts = sim.requests
      .list({ mutating: true })
      .filter((r) => r.method === "POST" && r.path === "/api/v1/namespaces");
    expect(posts.map((r) => r.status)).toEqual([201]);
    expect(
      await kubectl("get", "namespaces", "--no-headers", "-o", "custom-columns=NAME:.metadata.name"),
    ).toBe("default\nkube-public\nkube-system\nx\n");
    expect(await kubectl("create", "namespace", "x").catch((e: Error) => e.message)).toContain(
      'namespaces "x" already exists',
    );
    expect(await kubectl("delete", "namespace", "x")).toBe('namespace "x" deleted\n');
    expect(sim.store.get(NAMESPACES.key, "", "x")).toBeUndefined();
  });

  it("should apply a VirtualMachine and show it and its VMI with get vm,vmi", async () => {
    const file = join(sim.kubeconfigPath, "..", "vm.yaml");
    writeFileSync(file, VM_YAML);
    expect(await kubectl("apply", "-f", file)).toBe("virtualmachine.kubevirt.io/vm-cirros created\n");
    expect(sim.store.get(VM_KEY, "default", "vm-cirros")).toBeDefined();
    let out = "";
    await eventually(async () => {
      out = await kubectl("get", "vm,vmi");
      return /vm-cirros\s+\d+s\s+Running\s+True/.test(out) && /virtualmachineinstance/.test(out);
    });
    expect(out).toMatch(
      /^NAME\s+AGE\s+STATUS\s+READY\nvirtualmachine\.kubevirt\.io\/vm-cirros\s+\d+s\s+Running\s+True\n/,
    );
    expect(out).toMatch(
      /\nNAME\s+AGE\s+PHASE\s+IP\s+NODENAME\s+READY\nvirtualmachineinstance\.kubevirt\.io\/vm-cirros\s+\d+s\s+Running\s+\S+\s+\S+\s+True\n$/,
    );
    expect(await kubectl("apply", "-f", file)).toBe("virtualmachine.kubevirt.io/vm-cirros unchanged\n");
    expect(await kubectl("create", "-f", file).catch((e: Error) => e.message)).toContain(
      'virtualmachines.kubevirt.io "vm-cirros" already exists',
    );
  });

  it("should stream a change with KUBECONFIG=<file> kubectl get vm -w", async () => {
    const watch = spawn(KUBECTL!, ["get", "vm", "-w"], {
      env: { ...process.env, KUBECONFIG: sim.kubeconfigPath },
    });
    let out = "";
    watch.stdout.on("data", (c: Buffer) => (out += c.toString()));
    try {
      await eventually(async () => /vm-cirros\s+\d+s\s+Running\s+True/.test(out));
      expect(
        await kubectl("patch", "vm", "vm-cirros", "--type=merge", "-p", '{"spec":{"runStrategy":"Halted"}}'),
      ).toBe("virtualmachine.kubevirt.io/vm-cirros patched\n");
      await eventually(async () => /\nvm-cirros\s+\d+s\s+Stopped\s+False\n/.test(out));
      expect(out).toMatch(/^NAME\s+AGE\s+STATUS\s+READY\nvm-cirros\s+\d+s\s+Running\s+True\n/);
    } finally {
      watch.kill();
    }
  });

  it("should delete the VirtualMachine", async () => {
    expect(await kubectl("delete", "vm", "vm-cirros")).toBe(
      'virtualmachine.kubevirt.io "vm-cirros" deleted from default namespace\n',
    );
    await eventually(async () => (await kubectl("get", "vm,vmi")) === "");
  });
});
