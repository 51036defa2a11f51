import type { VmOutputs, VmProvider } from "../../provider";
import { createVmProvider } from "../../provider";
import type { SimulatorHandle } from "../../simulator";
import { CIRROS_TEMPLATE, providerOnSimulator } from "../support/provider-harness";

// The provider's default reads: served by the namespace's shared watch, listed once per namespace, so a run over
// many VMs sends no read per VM; and what the provider itself wrote is seen at once (read your writes).

const VMS = 5;
const harness = providerOnSimulator();
let sim: SimulatorHandle;
let provider: VmProvider;
beforeAll(() => ({ sim, provider } = harness));

const ownerOf = (name: string) => `urn:pulumi:test::reads::kubevirt:index:VirtualMachine::${name}`;

/** Checked inputs, as the engine passes them after `check`, through `p`. */
async function inputs(p: VmProvider, name: string, args: Record<string, unknown>): Promise<VmOutputs> {
  const news = {
    name,
    owner: ownerOf(name),
    template: CIRROS_TEMPLATE,
    kubeconfig: sim.kubeconfigPath,
    ...args,
  };
  const result = await p.check({}, news);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs as VmOutputs;
}

/** The requests since `mark` by kind: reads of one object, lists, watch streams and writes. */
function census(mark: number) {
  const seen = sim.requests.list({ afterSeq: mark }).filter((r) => r.path.includes("/namespaces/default/"));
  return {
    gets: seen.filter((r) => r.verb === "get").map((r) => r.path.split("/").slice(-2).join("/")),
    lists: seen.filter((r) => r.verb === "list").map((r) => r.path.split("/").pop()),
    watches: seen.filter((r) => r.verb === "watch").length,
    writes: seen.filter((r) => r.mutating).map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`),
  };
}

describe("reads served by the shared watch", () => {
  it("should create, diff and refresh many VMs with one list per collection and no read per VM", async () => {
    const names = Array.from({ length: VMS }, (_, i) => `reads-${i}`);
    const mark = sim.requests.mark();
    const created = await Promise.all(
      names.map(async (name) => {
        const news = await inputs(provider, name, { runStrategy: "Halted" });
        return { news, ...(await provider.create(news)) };
      }),
    );
    const refreshed = await Promise.all(created.map((c) => provider.read(c.id, c.outs)));
    const diffs = await Promise.all(created.map((c, i) => provider.diff(c.id, refreshed[i].props!, c.news)));
    expect(diffs.map((d) => d.changes)).toEqual(names.map(() => false));
    const seen = census(mark);
    expect(seen.gets.filter((g) => /virtualmachine/.test(g))).toEqual([]);
    expect(seen.lists.sort()).toEqual(["virtualmachineinstances", "virtualmachines"]);
    expect(seen.writes).toEqual(names.map(() => "POST default/virtualmachines"));
    expect(refreshed.map((r) => r.props!.observed.powerState)).toEqual(names.map(() => "Stopped"));
  });

  it("should see its own write at once: a create then an update of the same VM sends no second POST", async () => {
    // A provider of its own, whose watch has not listed the VM before it creates it.
    const own = createVmProvider(() => undefined);
    try {
      const off = await inputs(own, "reads-own", { runStrategy: "Manual", powerState: "Stopped" });
      const { id, outs } = await own.create(off);
      const on = { ...off, powerState: "Running" } as VmOutputs;
      const mark = sim.requests.mark();
      const running = await own.update(id, outs, on);
      expect(census(mark).writes).toEqual(["PUT reads-own/start"]);
      expect(running.outs!.observed).toMatchObject({ powerState: "Running", runStrategy: "Manual" });
    } finally {
      own.close();
    }
  });

  it("should read with GETs where the watch cannot list", async () => {
    const noList = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";
    const own = createVmProvider(() => undefined);
    try {
      sim.faults.add({ verb: "list", path: noList, count: 1, action: { kind: "status", code: 403 } });
      const mark = sim.requests.mark();
      const news = await inputs(own, "reads-refused", { runStrategy: "Halted" });
      // check's read of the VM fell back to GETs (the list was refused) ...
      expect(census(mark).gets).toEqual(
        expect.arrayContaining(["virtualmachines/reads-refused", "virtualmachineinstances/reads-refused"]),
      );
      const { outs } = await own.create(news);
      expect(outs.observed).toMatchObject({ powerState: "Stopped" });
      expect(census(mark).writes).toEqual(["POST default/virtualmachines"]);
    } finally {
      own.close();
    }
  });
});
