import type { VmOutputs } from "../../provider";
import { operatorRequest } from "../support/operator";
import { CIRROS_TEMPLATE, providerOnSimulator } from "../support/provider-harness";

// Instance types and preferences (docs/kubevirt-behaviour.md §10): the provider's methods against the
// simulator, asserting the requests the simulator received and the state the VM reached.

const harness = providerOnSimulator({}, { reads: "get" });

/** The cirros template without the memory the instance type provides. */
const TEMPLATE = {
  spec: { ...CIRROS_TEMPLATE.spec, domain: { devices: CIRROS_TEMPLATE.spec.domain.devices } },
};
const API = "/apis/instancetype.kubevirt.io/v1beta1";
const CLUSTER_TYPES = `${API}/virtualmachineclusterinstancetypes`;

const ownerOf = (name: string) => `urn:pulumi:test::integration::kubevirt:index:VirtualMachine::${name}`;
let counter = 0;

/** The raw inputs of a VM: an Always cirros without its memory, with `args`. */
function news(args: Record<string, unknown>): Record<string, unknown> {
  const name = (args.name as string | undefined) ?? `it-${++counter}`;
  return {
    name,
    owner: ownerOf(name),
    runStrategy: "Always",
    template: TEMPLATE,
    kubeconfig: harness.sim.kubeconfigPath,
    ...args,
  };
}

/** Checked inputs, as the engine passes them after a `check` without failures. */
async function checked(
  args: Record<string, unknown>,
  olds: Record<string, unknown> = {},
): Promise<VmOutputs> {
  const result = await harness.provider.check(olds, news(args));
  expect(result.failures ?? []).toEqual([]);
  return result.inputs as VmOutputs;
}

/** The requests since `mark`, as `METHOD path`, VM paths from the resource on (only the mutating ones with `mutating`). */
function requests(mark: number, mutating?: true): string[] {
  return harness.sim.requests
    .list({ afterSeq: mark, ...(mutating ? { mutating } : {}) })
    .map(
      (r) =>
        `${r.method} ${r.path.replace(/^\/apis\/(subresources\.)?kubevirt\.io\/v1\/namespaces\/[^/]+\//, "")}`,
    );
}

async function get(path: string) {
  return (await operatorRequest(harness.sim.kubeconfig, "GET", path)).body as {
    spec: { domain: Record<string, unknown> };
    status?: { conditions?: { type: string; status: string }[] };
  };
}

beforeAll(async () => {
  for (const [name, cpus, memory] of [
    ["it.small", 1, "128Mi"],
    ["it.big", 2, "256Mi"],
  ] as const) {
    await operatorRequest(harness.sim.kubeconfig, "POST", CLUSTER_TYPES, {
      apiVersion: "instancetype.kubevirt.io/v1beta1",
      kind: "VirtualMachineClusterInstancetype",
      metadata: { name },
      spec: { cpu: { guest: cpus }, memory: { guest: memory } },
    });
  }
});

describe("instance types against the simulator", () => {
  it("should create a VM with an instance type whose instance has its CPU and memory, looking it up once", async () => {
    let mark = harness.sim.requests.mark();
    const big = await checked({ instancetype: { name: "it.big" } });
    expect(requests(mark).filter((r) => r.includes("instancetype"))).toEqual([`GET ${CLUSTER_TYPES}/it.big`]);
    mark = harness.sim.requests.mark();
    await checked({ instancetype: { name: "it.big", kind: "VirtualMachineClusterInstancetype" } });
    expect(requests(mark).filter((r) => r.includes("instancetype"))).toEqual([]); // cached
    mark = harness.sim.requests.mark();
    const created = await harness.provider.create(big);
    expect(requests(mark, true)).toEqual(["POST virtualmachines"]);
    expect(created.outs.observed).toMatchObject({ powerState: "Running", ready: true });
    const vmi = await get(`/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances/${big.name}`);
    expect(vmi.spec.domain).toMatchObject({
      cpu: { sockets: 2, cores: 1, threads: 1 },
      memory: { guest: "256Mi" },
    });
  });

  it("should fail check for a missing instance type or preference, before any write", async () => {
    const mark = harness.sim.requests.mark();
    const result = await harness.provider.check(
      {},
      news({
        instancetype: { name: "it.nope" },
        preference: { name: "linux", kind: "VirtualMachinePreference" },
      }),
    );
    expect(result.failures).toEqual([
      {
        property: "instancetype",
        reason: 'instancetype: VirtualMachineClusterInstancetype "it.nope" not found',
      },
      {
        property: "preference",
        reason: 'preference: VirtualMachinePreference "linux" in namespace "default" not found',
      },
    ]);
    expect(requests(mark)).toEqual(
      expect.arrayContaining([
        `GET ${CLUSTER_TYPES}/it.nope`,
        `GET ${API}/namespaces/default/virtualmachinepreferences/linux`,
      ]),
    );
    expect(requests(mark, true)).toEqual([]);
  });

  it("should reject a template that sets the instance type's CPU or memory in check, without any API call", async () => {
    const mark = harness.sim.requests.mark();
    const result = await harness.provider.check(
      {},
      news({ instancetype: { name: "it.small" }, template: CIRROS_TEMPLATE }),
    );
    expect(result.failures).toEqual([
      {
        property: "template.spec.domain.memory.guest",
        reason: expect.stringMatching(
          /^template\.spec\.domain\.memory\.guest: must not be set with an instance type: .*VM field\(s\) spec\.template\.spec\.domain\.memory\.guest conflicts with selected instance type/,
        ),
      },
    ]);
    expect(requests(mark)).toEqual([]);
  });

  it.each([
    ["Always", true],
    ["IfRequired", true],
    ["Never", false],
  ] as const)(
    "should apply a change of instance type to a running VM under restartPolicy %s (restart: %s)",
    async (restartPolicy, restarts) => {
      const before = await checked({ instancetype: { name: "it.small" }, restartPolicy });
      const { id, outs } = await harness.provider.create(before);
      const after = await checked(
        { name: before.name, instancetype: { name: "it.big" }, restartPolicy },
        before,
      );
      const mark = harness.sim.requests.mark();
      const updated = await harness.provider.update(id, outs, after);
      const vmPath = `virtualmachines/${before.name}`;
      expect(requests(mark, true)).toEqual(
        restarts ? [`PATCH ${vmPath}`, `PUT ${vmPath}/restart`] : [`PATCH ${vmPath}`],
      );
      const vmi = await get(`/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances/${before.name}`);
      expect(vmi.spec.domain).toMatchObject(
        restarts
          ? { cpu: { sockets: 2 }, memory: { guest: "256Mi" } }
          : { cpu: { sockets: 1 }, memory: { guest: "128Mi" } },
      );
      expect(updated.outs!.observed.vmiUid === outs.observed!.vmiUid).toBe(!restarts);
      const vm = await get(`/apis/kubevirt.io/v1/namespaces/default/${vmPath}`);
      expect(vm.status?.conditions?.some((c) => c.type === "RestartRequired" && c.status === "True")).toBe(
        !restarts,
      );
    },
  );
});
