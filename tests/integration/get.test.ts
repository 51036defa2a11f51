import { getVirtualMachine, getVirtualMachineOutput } from "../../sdk";
import { operatorRequest } from "../support/operator";
import { CIRROS_TEMPLATE, providerOnSimulator } from "../support/provider-harness";

// Reading VMs the program does not manage: the provider's read of a read-only resource (what the engine calls
// for `VirtualMachine.get`) and the lookup functions, against the simulator. Both may only send GET requests.

const harness = providerOnSimulator();
const VMS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";

/** Creates a VM as kubectl would (no ownership mark) and waits until its instance runs with an IP. */
async function kubectlVm(name: string, runStrategy: string): Promise<void> {
  const { sim } = harness;
  const manifest = { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name } };
  const created = await operatorRequest(sim.kubeconfig, "POST", VMS, {
    ...manifest,
    spec: { runStrategy, template: CIRROS_TEMPLATE },
  });
  expect(created.code).toBe(201);
  if (runStrategy !== "Always") return;
  for (let i = 0; i < 100; i++) {
    const vmi = await operatorRequest(
      sim.kubeconfig,
      "GET",
      `/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances/${name}`,
    );
    const vm = await operatorRequest(sim.kubeconfig, "GET", `${VMS}/${name}`);
    if (vmi.body?.status?.interfaces?.[0]?.ipAddress && vm.body?.status?.printableStatus === "Running")
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start`);
}

/** Every request since `mark` as `METHOD path-tail`, but the API discovery of a new connection. */
function requests(mark: number): string[] {
  return harness.sim.requests
    .list({ afterSeq: mark })
    .filter((r) => !(r.method === "GET" && /^\/apis?(\/[^/]+){0,2}$/.test(r.path)))
    .map((r) => `${r.method} ${r.path.replace(/^.*\/namespaces\/[^/]+\//, "")}`);
}

/** Asserts that no mutating request reached the API since `mark`. */
function expectNoWrites(mark: number): void {
  expect(harness.sim.requests.list({ afterSeq: mark, mutating: true })).toEqual([]);
}

beforeAll(async () => {
  await kubectlVm("running-vm", "Always");
  await kubectlVm("halted-vm", "Halted");
});

describe("the provider's read of a read-only resource (VirtualMachine.get)", () => {
  it("should read the VM and its instance with two GETs and return only the connection, the id and the observed state", async () => {
    const { sim, provider } = harness;
    const mark = sim.requests.mark();
    const props = { readOnly: true, kubeconfig: sim.kubeconfigPath, __provider: "shim" };
    const result = await provider.read("default/running-vm", props as never);
    expectNoWrites(mark);
    expect(requests(mark).sort()).toEqual([
      "GET virtualmachineinstances/running-vm",
      "GET virtualmachines/running-vm",
    ]);
    expect(result.id).toBe("default/running-vm");
    expect(result.inputs).toBeUndefined();
    expect(Object.keys(result.props!).sort()).toEqual([
      "kubeconfig",
      "name",
      "namespace",
      "observed",
      "readOnly",
    ]);
    expect(result.props).toMatchObject({
      name: "running-vm",
      namespace: "default",
      observed: {
        powerState: "Running",
        runStrategy: "Always",
        ready: true,
        interfaces: [{ ipAddress: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) }],
      },
    });
  });

  it("should take a bare name as a VM of the kubeconfig context's namespace, keeping the id as given", async () => {
    const { sim, provider } = harness;
    const result = await provider.read("halted-vm", {
      readOnly: true,
      kubeconfig: sim.kubeconfigPath,
    } as never);
    expect(result.id).toBe("halted-vm");
    expect(result.props).toMatchObject({
      name: "halted-vm",
      namespace: "default",
      observed: { powerState: "Stopped", runStrategy: "Halted" },
    });
  });

  it("should never mark the VM it read", async () => {
    const { sim, provider } = harness;
    await provider.read("default/running-vm", { readOnly: true, kubeconfig: sim.kubeconfigPath } as never);
    const vm = await operatorRequest(sim.kubeconfig, "GET", `${VMS}/running-vm`);
    expect(
      Object.keys(vm.body.metadata.annotations ?? {}).filter((k) => k.startsWith("pulumi-kubevirt/")),
    ).toEqual([]);
    expect(
      Object.keys(vm.body.metadata.labels ?? {}).filter((k) => k.startsWith("pulumi-kubevirt/")),
    ).toEqual([]);
  });

  it("should fail with 'VirtualMachine ns/name not found' for a VM that does not exist", async () => {
    const { sim, provider } = harness;
    await expect(
      provider.read("default/nope", { readOnly: true, kubeconfig: sim.kubeconfigPath } as never),
    ).rejects.toThrow(/^VirtualMachine default\/nope not found$/);
  });

  it("should drop a VM read before that is gone now from state on refresh, as for a managed VM", async () => {
    const { sim, provider } = harness;
    const stored = { readOnly: true, kubeconfig: sim.kubeconfigPath, name: "gone", namespace: "default" };
    const result = await provider.read("default/gone", {
      ...stored,
      observed: { powerState: "Running" },
    } as never);
    expect(result).toEqual({});
  });

  it.each([
    ["a/b/c", /id: expected "namespace\/name" or "name", got "a\/b\/c"/],
    ["", /id: expected "namespace\/name" or "name", got an empty string/],
    ["Default/vm", /id: "Default\/vm": namespace "Default": a lowercase RFC 1123 label/],
    ["default/VM_1", /id: "default\/VM_1": name "VM_1": a lowercase RFC 1123 subdomain/],
  ])("should reject the id %j before any API call", async (id, message) => {
    const { sim, provider } = harness;
    const mark = sim.requests.mark();
    await expect(
      provider.read(id, { readOnly: true, kubeconfig: sim.kubeconfigPath } as never),
    ).rejects.toThrow(message);
    expect(requests(mark)).toEqual([]);
  });

  it("should never quote the kubeconfig when it does not load", async () => {
    const { provider } = harness;
    const kubeconfig = "apiVersion: v1\nclusters: [ this is: not yaml";
    const read = provider.read("default/running-vm", { readOnly: true, kubeconfig } as never);
    await expect(read).rejects.toThrow(/^kubeconfig: cannot load the kubeconfig contents/);
    await expect(read).rejects.not.toThrow(/not yaml/);
  });
});

describe("getVirtualMachine and getVirtualMachineOutput", () => {
  it("should return the VM's name, namespace and observed state, sending only two GETs", async () => {
    const { sim } = harness;
    const mark = sim.requests.mark();
    const vm = await getVirtualMachine({ name: "running-vm", kubeconfig: sim.kubeconfig });
    expectNoWrites(mark);
    expect(requests(mark).sort()).toEqual([
      "GET virtualmachineinstances/running-vm",
      "GET virtualmachines/running-vm",
    ]);
    expect(vm).toMatchObject({
      name: "running-vm",
      namespace: "default",
      powerState: "Running",
      runStrategy: "Always",
      printableStatus: "Running",
      ready: true,
      interfaces: [{ ipAddress: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) }],
    });
    expect(vm.uid).toEqual(expect.any(String));
  });

  it("should read a stopped VM as Stopped", async () => {
    const vm = await getVirtualMachine({
      name: "halted-vm",
      namespace: "default",
      kubeconfig: harness.sim.kubeconfigPath,
    });
    expect(vm).toMatchObject({ powerState: "Stopped", runStrategy: "Halted", ready: false });
    expect(vm.vmiUid).toBeUndefined();
  });

  it("should fail with 'VirtualMachine ns/name not found' for a VM that does not exist", async () => {
    await expect(getVirtualMachine({ name: "nope", kubeconfig: harness.sim.kubeconfigPath })).rejects.toThrow(
      "VirtualMachine default/nope not found",
    );
  });

  it.each([
    [{}, "getVirtualMachine: name: required (the VirtualMachine's name)"],
    [{ name: 42 }, "getVirtualMachine: name: must be a string, got number"],
    [{ name: "" }, "getVirtualMachine: name: must not be empty"],
    [
      { name: "Bad_Name" },
      'getVirtualMachine: name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
    ],
    [
      { name: "vm", namespace: "a.b" },
      'getVirtualMachine: namespace: Invalid value: "a.b": a lowercase RFC 1123 label',
    ],
    [{ name: "vm", kubeconfig: "" }, "getVirtualMachine: kubeconfig: must not be empty"],
    [{ name: "vm", context: null }, "getVirtualMachine: context: must be a string, got null"],
    [
      { name: "vm", namepsace: "x" },
      "getVirtualMachine: namepsace: unknown argument (known: name, namespace, kubeconfig, context)",
    ],
  ])("should reject %j naming the argument, before any API call", async (args, message) => {
    const mark = harness.sim.requests.mark();
    await expect(getVirtualMachine(args as never)).rejects.toThrow(message);
    expect(() => getVirtualMachineOutput(args as never)).toThrow(message);
    expect(requests(mark)).toEqual([]);
  });

  it("should never quote a kubeconfig that does not load", async () => {
    const kubeconfig = "apiVersion: v1\nclusters: [ secret-token-123";
    const read = getVirtualMachine({ name: "vm", kubeconfig });
    await expect(read).rejects.toThrow(/^kubeconfig: /);
    await expect(read).rejects.not.toThrow(/secret-token-123/);
  });

  it("should resolve the Output form from Inputs, not secret when only the kubeconfig is", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const out = getVirtualMachineOutput({
      name: Promise.resolve("running-vm"),
      kubeconfig: pulumi.secret(harness.sim.kubeconfig),
    });
    const [vm, secret] = await Promise.all([
      new Promise((resolve) => out.apply(resolve)),
      (out as unknown as { isSecret: Promise<boolean> }).isSecret,
    ]);
    expect(vm).toMatchObject({ name: "running-vm", powerState: "Running" });
    expect(secret).toBe(false);
  });
});
