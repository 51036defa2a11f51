import { join } from "node:path";
import type { KubeObject } from "../../../simulator";
import { operatorRequest } from "../../support/operator";
import type { Target } from "../../support/target";
import { startWorld, type World } from "../../support/world";

// examples/instance-types through the real Pulumi engine against the target (see tests/support/target.ts): the
// cluster-wide instance types u1.small and u1.medium and the preference fedora, created as an operator would
// (shapes of KubeVirt's common-instancetypes), a VM sized by u1.small, then resized under each restartPolicy.
// Every step is checked against the restart calls the API received and the instance KubeVirt built from the
// instance type (docs/kubevirt-behaviour.md §10).

const EXAMPLE = join(__dirname, "../../../examples/instance-types");
const API = "/apis/instancetype.kubevirt.io/v1beta1";

/** The guest memory of the instance types, as common-instancetypes' u1 series has them (1 vCPU each). */
const MEMORY = { "u1.small": "2Gi", "u1.medium": "4Gi" } as const;
type Size = keyof typeof MEMORY;

/** A cluster-wide instance type of the u1 (general purpose) series. */
function u1(name: Size) {
  return {
    apiVersion: "instancetype.kubevirt.io/v1beta1",
    kind: "VirtualMachineClusterInstancetype",
    metadata: {
      name,
      labels: {
        "instancetype.kubevirt.io/class": "general.purpose",
        "instancetype.kubevirt.io/cpu": "1",
        "instancetype.kubevirt.io/memory": MEMORY[name],
      },
    },
    spec: { cpu: { guest: 1 }, memory: { guest: MEMORY[name] } },
  };
}

/** common-instancetypes' fedora preference (amd64): virtio devices, secure boot, Fedora's minimum size. */
const FEDORA = {
  apiVersion: "instancetype.kubevirt.io/v1beta1",
  kind: "VirtualMachineClusterPreference",
  metadata: { name: "fedora" },
  spec: {
    devices: { preferredDiskBus: "virtio", preferredInterfaceModel: "virtio", preferredRng: {} },
    features: { preferredSmm: {} },
    firmware: { preferredEfi: { secureBoot: true } },
    requirements: { cpu: { guest: 1 }, memory: { guest: "2Gi" } },
  },
};

interface Condition {
  type: string;
  status: string;
}

const restartRequired = (conditions: Condition[] | undefined) =>
  (conditions ?? []).some((c) => c.type === "RestartRequired" && c.status === "True");

/** The suite, against the target of the file that runs it (see tests/e2e/shapes.test.ts). */
export function instanceTypesSuite(target: () => Target): void {
  describe("examples/instance-types: a VM sized by an instance type", () => {
    let w: World;
    let name: string;

    /** The objects this suite created (a cluster of one's own may have common-instancetypes already). */
    const seeded: string[] = [];

    beforeAll(async () => {
      w = await startWorld(EXAMPLE, "instance-types", true, target);
      for (const [path, body] of [
        [`${API}/virtualmachineclusterinstancetypes`, u1("u1.small")],
        [`${API}/virtualmachineclusterinstancetypes`, u1("u1.medium")],
        [`${API}/virtualmachineclusterpreferences`, FEDORA],
      ] as const) {
        const res = await operatorRequest(w.target.kubeconfig, "POST", path, body);
        if (res.code === 201) seeded.push(`${path}/${body.metadata.name}`);
        else if (w.target.name !== "kubeconfig" || res.code !== 409) {
          throw new Error(`creating ${body.metadata.name}: ${res.code} ${res.body.message}`);
        }
      }
    });
    afterAll(async () => {
      // A cluster of one's own is left as it was found; the other targets end with the test file.
      if (w?.target.name === "kubeconfig") {
        await w.stack.destroy();
        for (const path of seeded) await operatorRequest(w.target.kubeconfig, "DELETE", path);
      }
      await w?.dispose();
    });

    /** The VM's instance, straight from the API. */
    async function instance(): Promise<KubeObject> {
      const vmi = (await w.target.list("virtualmachineinstances")).find((i) => i.metadata.name === name);
      expect({ vmi: name, exists: vmi !== undefined }).toEqual({ vmi: name, exists: true });
      return vmi!;
    }

    /** Asserts that the instance has the instance type's size: 1 vCPU and its guest memory. */
    function expectSize(vmi: KubeObject, size: Size): void {
      const domain = vmi.spec?.domain as { cpu?: Record<string, number>; memory?: { guest?: string } };
      const { sockets = 1, cores = 1, threads = 1 } = domain.cpu ?? {};
      expect({ size, vCPUs: sockets * cores * threads, memory: domain.memory?.guest }).toEqual({
        size,
        vCPUs: 1,
        memory: MEMORY[size],
      });
    }

    /**
     * Runs `up` with the instance type and restartPolicy in stack config; asserts the restart calls the API
     * received (one, or none) and returns the outputs and the instance before and after.
     */
    async function resize(size: Size, restartPolicy: string, restarts: boolean) {
      const before = await instance();
      await w.stack.setAllConfig({ instancetype: { value: size }, restartPolicy: { value: restartPolicy } });
      const mark = w.mark();
      const up = await w.stack.up();
      w.expectPowerCalls(mark, restarts ? [`${name}/restart`] : []);
      const after = await instance();
      expect({ restartPolicy, newInstance: after.metadata.uid !== before.metadata.uid }).toEqual({
        restartPolicy,
        newInstance: restarts,
      });
      expect(up.outputs.vmiUid.value).toBe(after.metadata.uid);
      expect(up.outputs.powerState.value).toBe("Running");
      return { conditions: up.outputs.conditions.value as Condition[], after };
    }

    it("should create the VM Running with u1.small's 1 vCPU and 2Gi", async () => {
      const mark = w.mark();
      const up = await w.stack.up();
      expect(up.summary.resourceChanges).toEqual({ create: 3 }); // stack, component, VM
      name = up.outputs.name.value as string; // auto-named: fedora-<random>
      expect(name).toMatch(/^fedora-[0-9a-f]{7}$/);
      expect(up.outputs.powerState.value).toBe("Running");
      w.expectPowerCalls(mark, []);
      const vm = await w.target.getVm(name);
      expect(vm?.spec?.instancetype).toMatchObject({ name: "u1.small" });
      expect(vm?.spec?.preference).toMatchObject({ name: "fedora" });
      expectSize(await instance(), "u1.small");
    });

    // One instance type change per restartPolicy, each from the instance the case before left: u1.small →
    // u1.medium (IfRequired), back to u1.small (Always), u1.small → u1.medium again (Never). Always restarts
    // whichever way the size goes; going back to u1.small there keeps the suite at one `up` per case.
    it("should restart the VM once on u1.small → u1.medium under restartPolicy IfRequired: a new instance with 4Gi", async () => {
      const { conditions, after } = await resize("u1.medium", "IfRequired", true);
      expectSize(after, "u1.medium");
      expect(restartRequired(conditions)).toBe(false);
    });

    it("should restart the VM once on u1.medium → u1.small under restartPolicy Always: a new instance with 2Gi", async () => {
      const { conditions, after } = await resize("u1.small", "Always", true);
      expectSize(after, "u1.small");
      expect(restartRequired(conditions)).toBe(false);
    });

    it("should leave the VM running on u1.small → u1.medium under restartPolicy Never, with RestartRequired", async () => {
      const { conditions, after } = await resize("u1.medium", "Never", false);
      expectSize(after, "u1.small");
      expect(restartRequired(conditions)).toBe(true);
      const vm = await w.target.getVm(name);
      expect(vm?.spec?.instancetype).toMatchObject({ name: "u1.medium" });
      expect(restartRequired(vm?.status?.conditions as Condition[])).toBe(true);
    });

    it("should fail a preview against an instance type that does not exist, naming the field, before any write", async () => {
      await w.stack.setConfig("instancetype", { value: "u1.nope" });
      const mark = w.mark();
      await expect(w.stack.preview()).rejects.toThrow(
        /instancetype: VirtualMachineClusterInstancetype "u1\.nope" not found/,
      );
      w.expectNoWrites(mark);
    });
  });
}
