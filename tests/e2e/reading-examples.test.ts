import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadYaml } from "@kubernetes/client-node";
import { operatorRequest } from "../support/operator";
import { settle } from "../support/settle";
import { startWorld, type World } from "../support/world";

// examples/adopt and examples/lookup (VMs made outside Pulumi, adopted or read), run through the real Pulumi
// engine from a temporary copy. On the simulator only (scripts/test-cluster.sh): adoption and reads on the
// kubevirt tier are covered by tests/e2e/convergence.test.ts's adoption case and the other suites' refreshes.

const EXAMPLES = join(__dirname, "../../examples");
const VMS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";

/** Creates a VM straight through the API, as `kubectl apply` would (no Pulumi, no ownership mark). */
async function kubectlCreate(w: World, manifest: unknown): Promise<void> {
  const created = await operatorRequest(w.target.kubeconfig, "POST", VMS, manifest);
  expect(created.code).toBe(201);
}

/** The VM `name` and its instance once they have settled (Running with an IP, or Stopped). */
async function settled(w: World, name: string, running: boolean) {
  const { state, settled: calm } = await settle(async () => {
    const vm = await operatorRequest(w.target.kubeconfig, "GET", `${VMS}/${name}`);
    const vmi = await operatorRequest(
      w.target.kubeconfig,
      "GET",
      `/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances/${name}`,
    );
    const ip: string | undefined = vmi.body?.status?.interfaces?.[0]?.ipAddress;
    const status: string | undefined = vm.body?.status?.printableStatus;
    const state = { uid: vm.body?.metadata?.uid as string, status, ip };
    return { state, calm: running ? status === "Running" && ip !== undefined : status === "Stopped" };
  }, 60_000);
  expect(calm).toBe(true);
  return state;
}

describe("examples/adopt", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld(join(EXAMPLES, "adopt"), "adopt", true);
    await kubectlCreate(w, loadYaml(readFileSync(join(EXAMPLES, "adopt/legacy-web.yaml"), "utf8")));
    await settled(w, "legacy-web", false);
  });
  afterAll(async () => {
    await w?.dispose();
  });

  it("should say in preview that it will adopt the halted legacy-web VM and start it, writing nothing", async () => {
    const mark = w.mark();
    const preview = await w.stack.preview({ diff: true });
    expect(preview.stderr + preview.stdout).toContain(
      "legacy-web: will adopt the existing VirtualMachine default/legacy-web",
    );
    // ... and what adopting it will do.
    expect(preview.stderr + preview.stdout).toContain("will start legacy-web (runStrategy Halted → Always)");
    expect(preview.stdout).toMatch(/runStrategy\s*: "Always"/);
    expect(preview.changeSummary).toEqual({ create: 3 });
    w.expectNoWrites(mark);
  });

  it("should take over legacy-web (same uid), mark it and start it with one start call", async () => {
    const before = await w.target.getVm("legacy-web");
    const mark = w.mark();
    const up = await w.stack.up();
    w.expectPowerCalls(mark, ["legacy-web/start"]);
    expect(up.outputs.uid.value).toBe(before?.metadata.uid);
    expect(up.outputs.powerState.value).toBe("Running");
    expect(up.outputs.runStrategy.value).toBe("Always");
    const vm = await w.target.getVm("legacy-web");
    expect(Object.keys(vm?.metadata.annotations ?? {})).toEqual(
      expect.arrayContaining(["pulumi-kubevirt/owner", "pulumi-kubevirt/adopted-at"]),
    );
    const again = await w.stack.preview();
    expect(again.changeSummary).toEqual({ same: 3 });
  });

  it("should delete the adopted VM on destroy: it is this stack's now", async () => {
    const destroyed = await w.stack.destroy();
    expect(destroyed.summary.resourceChanges).toEqual({ delete: 3 });
    expect(await w.target.getVm("legacy-web")).toBeUndefined();
  });
});

describe("examples/lookup", () => {
  let w: World;
  let live: { uid: string; ip?: string };
  beforeAll(async () => {
    w = await startWorld(join(EXAMPLES, "lookup"), "lookup", true);
    // db-vm belongs to someone else: created outside this program, running.
    const manifest = loadYaml(readFileSync(join(EXAMPLES, "adopt/legacy-web.yaml"), "utf8")) as {
      metadata: { name: string; labels?: Record<string, string> };
      spec: { runStrategy: string };
    };
    manifest.metadata = { name: "db-vm" };
    manifest.spec.runStrategy = "Always";
    await kubectlCreate(w, manifest);
    live = await settled(w, "db-vm", true);
  });
  afterAll(async () => {
    await operatorRequest(w.target.kubeconfig, "DELETE", `${VMS}/db-vm`).catch(() => undefined);
    await w?.dispose();
  });

  it("should read db-vm in preview and up with VirtualMachine.get and the lookup functions, sending only GETs", async () => {
    const mark = w.mark();
    const preview = await w.stack.preview();
    // The read is no change (the stack and the component are new); preview shows the live state already.
    expect(preview.changeSummary).toEqual({ create: 2 });
    expect(preview.stdout).toMatch(/lookedUpPowerState\s*: "Running"/);
    expect(preview.stdout).toMatch(/\bpowerState\s*: "Running"/);
    const up = await w.stack.up();
    const out = Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value]));
    expect(out).toMatchObject({
      name: "db-vm",
      namespace: "default",
      uid: live.uid,
      powerState: "Running",
      runStrategy: "Always",
      ips: [live.ip],
      lookedUpIp: live.ip,
      lookedUpPowerState: "Running",
      isRunning: true,
    });
    expect(typeof out.nodeName).toBe("string");
    const refreshed = await w.stack.refresh();
    expect(refreshed.summary.result).toBe("succeeded");
    // A second `up` reads the VM again; the engine counts no change (reads are not "same" either).
    const again = await w.stack.up();
    expect(again.summary.resourceChanges).toEqual({ same: 2 });
    w.expectNoWrites(mark);
  });

  it("should keep a kubeconfig given as contents out of state in plaintext", async () => {
    await w.stack.setConfig("kubeconfig", { value: w.target.kubeconfig, secret: true });
    try {
      const up = await w.stack.up();
      expect(up.outputs.uid.value).toBe(live.uid);
      expect(w.stateFiles()).not.toContain(w.target.secret);
      expect(w.stateFiles()).toContain("readOnly");
    } finally {
      await w.stack.removeConfig("kubeconfig");
    }
  });

  it("should fail naming the VM when it does not exist", async () => {
    await w.stack.setConfig("vmName", { value: "missing-vm" });
    try {
      await expect(w.stack.preview()).rejects.toThrow(/VirtualMachine default\/missing-vm not found/);
    } finally {
      await w.stack.removeConfig("vmName");
    }
  });

  it("should leave db-vm as it was on destroy", async () => {
    const mark = w.mark();
    await w.stack.destroy();
    w.expectNoWrites(mark);
    const vm = await w.target.getVm("db-vm");
    expect(vm?.metadata.uid).toBe(live.uid);
    expect(
      Object.keys(vm?.metadata.annotations ?? {}).filter((k) => k.startsWith("pulumi-kubevirt/")),
    ).toEqual([]);
  });
});
