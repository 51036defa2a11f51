import type { VmOutputs, VmProvider } from "../../provider";
import { OWNER_ANNOTATION, OWNER_HASH_LABEL, ownerHash } from "../../provider/ownership";
import type { SimulatorHandle } from "../../simulator";
import { operatorRequest } from "../support/operator";
import { providerOnSimulator } from "../support/provider-harness";

// Ownership and recovery, through the provider's methods against the simulator: a VM is taken over, recorded
// or deleted only by the resource that manages it; an interrupted create is resumed, never repeated.

const TEMPLATE = { spec: { domain: { devices: {} }, terminationGracePeriodSeconds: 0 } };
const VMS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";
const urn = (stack: string, name: string) =>
  `urn:pulumi:${stack}::ownership::kubevirt:index:VirtualMachine::${name}`;

// The test changes VMs between the provider's calls, as another tool would: the provider reads with GETs, as a
// host that lives across runs must (tests/integration/watch-reads.test.ts covers the default, watch-served reads).
const harness = providerOnSimulator({}, { reads: "get" });
const lines = harness.lines;
let sim: SimulatorHandle;
let provider: VmProvider;
beforeAll(() => ({ sim, provider } = harness));

const operator = (method: string, path: string, body?: unknown) =>
  operatorRequest(sim.kubeconfig, method, path, body);

/** A VM as an earlier, interrupted create of `owner` (or another tool, without `owner`) left it. */
async function leftBehind(name: string, owner?: string) {
  const metadata = owner
    ? { name, labels: { [OWNER_HASH_LABEL]: ownerHash(owner) }, annotations: { [OWNER_ANNOTATION]: owner } }
    : { name };
  const res = await operator("POST", VMS, {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata,
    spec: { runStrategy: "Halted", template: TEMPLATE },
  });
  expect(res.code).toBe(201);
  return res.body;
}

const raw = (owner: string, args: Record<string, unknown>) => ({
  owner,
  template: TEMPLATE,
  kubeconfig: sim.kubeconfigPath,
  ...args,
});

async function checked(owner: string, args: Record<string, unknown>): Promise<VmOutputs> {
  const result = await provider.check({} as VmOutputs, raw(owner, args));
  expect(result.failures ?? []).toEqual([]);
  return result.inputs as VmOutputs;
}

const posts = (mark: number) =>
  sim.requests.list({ afterSeq: mark, mutating: true }).filter((r) => r.method === "POST");

describe("ownership and recovery", () => {
  it("should mark a created VM with the owner's URN and its hash", async () => {
    const owner = urn("dev", "marked");
    const { outs } = await provider.create(await checked(owner, { name: "marked", runStrategy: "Halted" }));
    const vm = (await operator("GET", `${VMS}/marked`)).body;
    expect(vm.metadata.annotations[OWNER_ANNOTATION]).toBe(owner);
    expect(vm.metadata.labels[OWNER_HASH_LABEL]).toBe(ownerHash(owner));
    expect(outs.observed?.uid).toBe(vm.metadata.uid);
  });

  it("should resume an interrupted create of a fixed name: preview says so, create sends no second POST", async () => {
    const owner = urn("dev", "resumed");
    const before = await leftBehind("resumed", owner);
    const inputs = await checked(owner, { name: "resumed", runStrategy: "Always" });
    expect(lines).toContain("resumed: will resume the interrupted create of VirtualMachine default/resumed");
    const mark = sim.requests.mark();
    const { outs } = await provider.create(inputs);
    expect(posts(mark)).toEqual([]);
    expect(outs.observed).toMatchObject({
      uid: before.metadata.uid,
      powerState: "Running",
      runStrategy: "Always",
    });
  });

  it("should give an auto-named resource the name of the VM its interrupted create left, not a second VM", async () => {
    const owner = urn("dev", "web");
    await leftBehind("web-1a2b3c4", owner);
    const inputs = await checked(owner, { autoNamePrefix: "web", runStrategy: "Halted" });
    expect(inputs.name).toBe("web-1a2b3c4");
    const mark = sim.requests.mark();
    await provider.create(inputs);
    expect(posts(mark)).toEqual([]);
    const names = ((await operator("GET", VMS)).body.items as { metadata: { name: string } }[])
      .map((vm) => vm.metadata.name)
      .filter((n) => n.startsWith("web-"));
    expect(names).toEqual(["web-1a2b3c4"]);
  });

  it("should refuse a VM another stack manages, naming it, and take it over only with adopt", async () => {
    const winner = urn("prod", "shared");
    await leftBehind("shared", winner);
    const loser = urn("dev", "shared");
    const refused = await provider.check(
      {} as VmOutputs,
      raw(loser, { name: "shared", runStrategy: "Halted" }),
    );
    expect(refused.failures).toEqual([
      expect.objectContaining({
        property: "name",
        reason: expect.stringContaining(`is managed by ${winner}`),
      }),
    ]);
    await expect(
      provider.create({ ...(refused.inputs as VmOutputs), timeouts: { create: 60, update: 60, delete: 60 } }),
    ).rejects.toThrow(
      `VirtualMachine default/shared already exists and is managed by ${winner}; not creating or taking over it`,
    );

    const adopted = await provider.create(
      await checked(loser, { name: "shared", runStrategy: "Halted", adopt: true }),
    );
    const vm = (await operator("GET", `${VMS}/shared`)).body;
    expect(vm.metadata.annotations[OWNER_ANNOTATION]).toBe(loser);
    // The first owner's destroy now refuses to delete what it no longer manages.
    const winnerState = { ...adopted.outs, owner: winner };
    await expect(provider.delete(adopted.id, winnerState)).rejects.toThrow(
      `VirtualMachine default/shared is managed by ${loser}; not deleting it`,
    );
    expect((await operator("GET", `${VMS}/shared`)).code).toBe(200);
  });

  it("should never record the winner's VM when a create loses the race (AlreadyExists after check)", async () => {
    const loser = urn("dev", "raced");
    const inputs = await checked(loser, { name: "raced", runStrategy: "Halted" });
    // The loser's POST is held back; the other stack's create lands first.
    sim.faults.add({ verb: "POST", path: VMS, count: 1, action: { kind: "latency", ms: 300 } });
    const mark = sim.requests.mark();
    const creating = provider.create(inputs).then(
      () => undefined,
      (e: unknown) => e as Error & { id?: string },
    );
    while (posts(mark).length === 0) await new Promise((r) => setTimeout(r, 5));
    await leftBehind("raced", urn("prod", "raced"));
    const err = await creating;
    expect(
      sim.requests
        .list({ afterSeq: mark, mutating: true })
        .map((r) => r.status)
        .sort(),
    ).toEqual([201, 409]);
    expect(err?.message).toMatch(/already exists/);
    expect(err?.message).toContain(`managed by ${urn("prod", "raced")}`);
    expect(err?.id).toBeUndefined(); // no partial state: the engine records nothing
  });

  it("should not delete an unmarked VM that is not the one in state", async () => {
    const owner = urn("dev", "swapped");
    const { id, outs } = await provider.create(
      await checked(owner, { name: "swapped", runStrategy: "Halted" }),
    );
    expect((await operator("DELETE", `${VMS}/swapped`)).code).toBe(200);
    await leftBehind("swapped"); // someone else's VM, same name
    await expect(provider.delete(id, outs)).rejects.toThrow(
      /not marked as managed by this resource.*not deleting it/,
    );
    expect((await operator("GET", `${VMS}/swapped`)).code).toBe(200);
  });

  it("should count a create whose answer was lost as done: one POST, no AlreadyExists", async () => {
    const owner = urn("dev", "lost");
    sim.faults.add({ verb: "POST", path: VMS, count: 1, action: { kind: "lose-response" } });
    const mark = sim.requests.mark();
    const { outs } = await provider.create(await checked(owner, { name: "lost", runStrategy: "Halted" }));
    expect(posts(mark)).toHaveLength(1);
    expect(outs.observed).toMatchObject({ powerState: "Stopped" });
  });

  it("should not restart twice when the answer to a restart was lost", async () => {
    const owner = urn("dev", "rebooted");
    const first = await checked(owner, { name: "rebooted", runStrategy: "Always", waitFor: "Running" });
    const { id, outs } = await provider.create(first);
    const news = await provider.check(
      outs,
      raw(owner, { name: "rebooted", runStrategy: "Always", waitFor: "Running", restartTrigger: "1" }),
    );
    sim.faults.add({
      verb: "PUT",
      path: `/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/rebooted/restart`,
      count: 1,
      action: { kind: "lose-response" },
    });
    const mark = sim.requests.mark();
    const updated = await provider.update(id, outs, news.inputs as VmOutputs);
    const restarts = sim.requests.list({ afterSeq: mark, path: /\/restart$/ });
    expect(restarts).toHaveLength(1);
    expect(updated.outs!.observed!.vmiUid).not.toBe(outs.observed!.vmiUid);
    expect(updated.outs!.observed!.powerState).toBe("Running");
  });
});
