import { StatusError, type KubeObject } from "../store/types";
import { VM_KEY, VMI_KEY, conditionTrue } from "./api";
import { installKubeVirt, type InstalledKubeVirt } from "./index";
import { INSTANCETYPE_KINDS } from "./instancetype";
import { TestHost } from "./test-host";
import { FakeClock } from "./timings";

function vm(name: string, spec: Record<string, unknown>, domain: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace: "default" },
    spec: {
      runStrategy: "Always",
      template: {
        spec: {
          domain: { devices: {}, ...domain },
          volumes: [{ name: "root", containerDisk: { image: "quay.io/containerdisks/fedora:40" } }],
        },
      },
      ...spec,
    },
  };
}

function instancetype(
  kind: keyof typeof INSTANCETYPE_KINDS,
  name: string,
  spec: Record<string, unknown>,
  namespace?: string,
): [(typeof INSTANCETYPE_KINDS)[typeof kind]["key"], KubeObject] {
  const metadata = namespace === undefined ? { name } : { name, namespace };
  return [
    INSTANCETYPE_KINDS[kind].key,
    { apiVersion: "instancetype.kubevirt.io/v1beta1", kind, metadata, spec },
  ];
}

describe("instance types and preferences (§10)", () => {
  let clock: FakeClock;
  let host: TestHost;
  let kv: InstalledKubeVirt;
  const admit = (object: KubeObject, oldObject?: KubeObject) =>
    host.admitters.get("virtualmachines")!({
      operation: oldObject ? "UPDATE" : "CREATE",
      key: VM_KEY,
      object,
      oldObject,
      dryRun: false,
    });
  const vmOf = (n: string) => host.store.get(VM_KEY, "default", n)!;
  const vmiOf = (n: string) => host.store.get(VMI_KEY, "default", n);

  beforeEach(() => {
    clock = new FakeClock();
    host = new TestHost(() => clock.now());
    kv = installKubeVirt(host, { timings: "fast", clock, timers: clock, seed: 1 });
    host.store.create(
      ...instancetype("VirtualMachineClusterInstancetype", "u1.small", {
        cpu: { guest: 1 },
        memory: { guest: "2Gi" },
      }),
    );
    host.store.create(
      ...instancetype("VirtualMachineClusterInstancetype", "u1.large", {
        cpu: { guest: 4 },
        memory: { guest: "8Gi" },
      }),
    );
  });
  afterEach(() => kv.stop());

  it("should serve the four kinds, cluster-wide and namespaced", () => {
    const kinds = host.resources.filter((r) => r.key.group === "instancetype.kubevirt.io");
    expect(kinds.map((r) => [r.kind, r.key.resource, r.namespaced])).toEqual([
      ["VirtualMachineInstancetype", "virtualmachineinstancetypes", true],
      ["VirtualMachineClusterInstancetype", "virtualmachineclusterinstancetypes", false],
      ["VirtualMachinePreference", "virtualmachinepreferences", true],
      ["VirtualMachineClusterPreference", "virtualmachineclusterpreferences", false],
    ]);
  });

  it("should reject a template that sets what the instance type provides, with KubeVirt's causes", () => {
    const conflicting = vm(
      "c",
      { instancetype: { name: "u1.small" } },
      { cpu: { sockets: 2, cores: 2 }, memory: { guest: "1Gi" } },
    );
    let error: unknown;
    try {
      admit(conflicting);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StatusError);
    const status = error as StatusError;
    expect(status).toMatchObject({
      code: 422,
      reason: "Invalid",
      message:
        'admission webhook "virtualmachine-validator.kubevirt.io" denied the request: ' +
        "VM field(s) spec.template.spec.domain.cpu.sockets conflicts with selected instance type, " +
        "VM field(s) spec.template.spec.domain.cpu.cores conflicts with selected instance type, " +
        "VM field(s) spec.template.spec.domain.memory.guest conflicts with selected instance type",
    });
    expect((status.details?.causes as { field: string }[]).map((c) => c.field)).toEqual([
      "spec.template.spec.domain.cpu.sockets",
      "spec.template.spec.domain.cpu.cores",
      "spec.template.spec.domain.memory.guest",
    ]);
    // The same template without an instance type is fine.
    expect(() => admit(vm("c", {}, { cpu: { sockets: 2 }, memory: { guest: "1Gi" } }))).not.toThrow();
  });

  it("should admit a VM whose instance type is missing, and fail its sync without starting it", () => {
    const missing = vm("m", { instancetype: { name: "u1.nope" } }, { cpu: { sockets: 2 } });
    expect(() => admit(missing)).not.toThrow(); // KubeVirt's admitter ignores a failed lookup
    host.store.create(VM_KEY, missing);
    clock.advance(300);
    expect(vmiOf("m")).toBeUndefined();
    expect(vmOf("m").status?.conditions).toContainEqual(
      expect.objectContaining({
        type: "Failure",
        status: "True",
        reason: "FailedFindInstancetype",
        message: 'virtualmachineclusterinstancetypes.instancetype.kubevirt.io "u1.nope" not found',
      }),
    );
    // Once it exists, the VM starts (the controller watches the instance types).
    host.store.create(
      ...instancetype("VirtualMachineClusterInstancetype", "u1.nope", {
        cpu: { guest: 2 },
        memory: { guest: "1Gi" },
      }),
    );
    clock.advance(300);
    expect(vmiOf("m")?.status?.phase).toBe("Running");
  });

  it("should fail the sync of a VM whose preference is missing", () => {
    host.store.create(VM_KEY, vm("p", { preference: { name: "fedora", kind: "VirtualMachinePreference" } }));
    clock.advance(300);
    expect(vmiOf("p")).toBeUndefined();
    expect(vmOf("p").status?.conditions).toContainEqual(
      expect.objectContaining({
        reason: "FailedFindPreference",
        message: 'virtualmachinepreferences.instancetype.kubevirt.io "fedora" not found',
      }),
    );
  });

  it("should give the VMI the instance type's CPU and memory, on the preference's topology", () => {
    host.store.create(
      ...instancetype(
        "VirtualMachinePreference",
        "cores",
        { cpu: { preferredCPUTopology: "cores" } },
        "default",
      ),
    );
    host.store.create(
      ...instancetype(
        "VirtualMachineInstancetype",
        "mine",
        { cpu: { guest: 3 }, memory: { guest: "3Gi" } },
        "default",
      ),
    );
    host.store.create(VM_KEY, vm("a", { instancetype: { name: "u1.large" } }));
    host.store.create(
      VM_KEY,
      vm("b", {
        instancetype: { name: "mine", kind: "VirtualMachineInstancetype" },
        preference: { name: "cores", kind: "VirtualMachinePreference" },
      }),
    );
    clock.advance(300);
    const domainOf = (n: string) => (vmiOf(n)!.spec as { domain: Record<string, unknown> }).domain;
    expect(domainOf("a")).toMatchObject({
      cpu: { sockets: 4, cores: 1, threads: 1 },
      memory: { guest: "8Gi" },
    });
    expect(domainOf("b")).toMatchObject({
      cpu: { sockets: 1, cores: 3, threads: 1 },
      memory: { guest: "3Gi" },
    });
    // The VM's own template is left as declared.
    expect((vmOf("a").spec!.template as { spec: { domain: unknown } }).spec.domain).toEqual({ devices: {} });
  });

  it("should set RestartRequired when the instance type of a running VM changes, and clear it on restart", async () => {
    host.store.create(VM_KEY, vm("r", { instancetype: { name: "u1.small" } }));
    clock.advance(300);
    const first = vmiOf("r")!;
    expect(first.status?.phase).toBe("Running");
    expect(conditionTrue(vmOf("r"), "RestartRequired")).toBe(false);
    const current = vmOf("r");
    host.store.update(VM_KEY, { ...current, spec: { ...current.spec, instancetype: { name: "u1.large" } } });
    clock.advance(50);
    expect(vmOf("r").status?.conditions).toContainEqual(
      expect.objectContaining({
        type: "RestartRequired",
        status: "True",
        message: "a non-live-updatable field was changed in the template spec",
      }),
    );
    expect(vmiOf("r")!.metadata.uid).toBe(first.metadata.uid); // nothing restarts by itself
    await host.call("virtualmachines", "restart", "default", "r");
    clock.advance(300);
    const second = vmiOf("r")!;
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    expect((second.spec as { domain: unknown }).domain).toMatchObject({
      cpu: { sockets: 4 },
      memory: { guest: "8Gi" },
    });
    expect(conditionTrue(vmOf("r"), "RestartRequired")).toBe(false);
  });

  it("should not set RestartRequired for a change of something else than the template and references", () => {
    host.store.create(VM_KEY, vm("l", { instancetype: { name: "u1.small" } }));
    clock.advance(300);
    const current = vmOf("l");
    host.store.update(VM_KEY, {
      ...current,
      metadata: { ...current.metadata, labels: { team: "a" } },
      spec: {
        ...current.spec,
        instancetype: { name: "u1.small", kind: "VirtualMachineClusterInstancetype" },
      },
    });
    clock.advance(50);
    expect(conditionTrue(vmOf("l"), "RestartRequired")).toBe(false);
  });
});
