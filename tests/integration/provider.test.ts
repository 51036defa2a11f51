import { createVmProvider, type VmOutputs, type VmProvider } from "../../provider";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import { operatorRequest } from "../support/operator";
import { CIRROS_TEMPLATE, providerOnSimulator } from "../support/provider-harness";

// The provider's methods against the simulator (no Pulumi engine): each test asserts the requests the
// simulator received and the state the VM reached.

const TEMPLATE = CIRROS_TEMPLATE;

// The test changes VMs between the provider's calls, as another tool would: the provider reads with GETs, as a
// host that lives across runs must (tests/integration/watch-reads.test.ts covers the default, watch-served reads).
const harness = providerOnSimulator({}, { reads: "get" });
const lines = harness.lines;
let sim: SimulatorHandle;
let provider: VmProvider;
beforeAll(() => ({ sim, provider } = harness));

let counter = 0;
/** The component's URN for a resource named `name` (what the component passes as `owner`). */
const ownerOf = (name: string) => `urn:pulumi:test::integration::kubevirt:index:VirtualMachine::${name}`;

/** Checked inputs for a new VM, as the engine would pass them after `check`. */
async function inputs(args: Record<string, unknown>, olds: Record<string, unknown> = {}): Promise<VmOutputs> {
  const name = (args.name as string | undefined) ?? `vm-${++counter}`;
  const news = { name, owner: ownerOf(name), template: TEMPLATE, kubeconfig: sim.kubeconfigPath, ...args };
  const result = await provider.check(olds, news);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs as VmOutputs;
}

/** The mutating requests since `mark`, as `METHOD path-tail`. */
function mutations(mark: number): string[] {
  return sim.requests
    .list({ mutating: true, afterSeq: mark })
    .map((r) => `${r.method} ${r.path.replace(/^.*\/namespaces\/[^/]+\//, "")}`);
}

describe("provider against the simulator", () => {
  it("should create an Always VM with one POST and wait until it is Ready", async () => {
    const mark = sim.requests.mark();
    const created = await provider.create(await inputs({ runStrategy: "Always" }));
    expect(mutations(mark)).toEqual([`POST virtualmachines`]);
    expect(created.outs.observed).toMatchObject({
      powerState: "Running",
      ready: true,
      runStrategy: "Always",
    });
    expect(created.id).toBe(`default/vm-${counter}`);
    expect(lines.some((l) => /Starting|Running/.test(l))).toBe(true);
  });

  it("should stop an Always VM with the stop subresource when it becomes Halted, and start it again", async () => {
    const always = await inputs({ runStrategy: "Always" });
    const { id, outs } = await provider.create(always);
    const halted = await inputs({ name: always.name, runStrategy: "Halted" }, always);
    let mark = sim.requests.mark();
    const stopped = await provider.update(id, outs, halted);
    expect(mutations(mark)).toEqual([`PUT virtualmachines/${always.name}/stop`]);
    expect(stopped.outs!.observed).toMatchObject({ powerState: "Stopped", runStrategy: "Halted" });

    mark = sim.requests.mark();
    const started = await provider.update(id, stopped.outs!, always);
    expect(mutations(mark)).toEqual([`PUT virtualmachines/${always.name}/start`]);
    expect(started.outs!.observed).toMatchObject({ powerState: "Running", runStrategy: "Always" });
  });

  it("should start a RerunOnFailure VM that was stopped before it ever ran, despite KubeVirt's crash-loop record", async () => {
    // KubeVirt counts an instance stopped before Running as a failed start (printableStatus CrashLoopBackOff);
    // the start request clears that record (docs/kubevirt-behaviour.md §2.5), so the wait must not fail on it.
    const off = await inputs({ runStrategy: "RerunOnFailure", powerState: "Stopped" });
    const { id, outs } = await provider.create(off);
    expect(outs.observed).toMatchObject({ powerState: "Stopped", runStrategy: "RerunOnFailure" });
    const before = (await fetchAs(
      "GET",
      `/apis/kubevirt.io/v1/namespaces/default/virtualmachines/${off.name}`,
    )) as {
      status: { printableStatus: string; startFailure?: { consecutiveFailCount: number } };
    };
    expect(before.status).toMatchObject({
      printableStatus: "CrashLoopBackOff",
      startFailure: { consecutiveFailCount: 1 },
    });
    const on = await inputs({ name: off.name, runStrategy: "RerunOnFailure", powerState: "Running" }, off);
    const mark = sim.requests.mark();
    const running = await provider.update(id, outs, on);
    expect(mutations(mark)).toEqual([`PUT virtualmachines/${off.name}/start`]);
    expect(running.outs!.observed).toMatchObject({ powerState: "Running", runStrategy: "RerunOnFailure" });
  });

  it("should start and stop a Manual VM through the subresources without touching its strategy", async () => {
    const off = await inputs({ runStrategy: "Manual", powerState: "Stopped" });
    const { id, outs } = await provider.create(off);
    expect(outs.observed).toMatchObject({ powerState: "Stopped", runStrategy: "Manual" });
    const on = await inputs({ name: off.name, runStrategy: "Manual", powerState: "Running" }, off);
    let mark = sim.requests.mark();
    const running = await provider.update(id, outs, on);
    expect(mutations(mark)).toEqual([`PUT virtualmachines/${off.name}/start`]);
    expect(running.outs!.observed).toMatchObject({ powerState: "Running", runStrategy: "Manual" });
    mark = sim.requests.mark();
    const again = await provider.update(id, running.outs!, off);
    expect(mutations(mark)).toEqual([`PUT virtualmachines/${off.name}/stop`]);
    expect(again.outs!.observed).toMatchObject({ powerState: "Stopped", runStrategy: "Manual" });
  });

  it("should pause and unpause a Manual VM through the VMI subresources, and pause it again after an out-of-band unpause", async () => {
    const paused = await inputs({ runStrategy: "Manual", powerState: "Paused" });
    const vmi = `virtualmachineinstances/${paused.name}`;
    let mark = sim.requests.mark();
    const { id, outs } = await provider.create(paused);
    // Started as for Running, then paused once the instance runs (docs/kubevirt-behaviour.md §1.8).
    expect(mutations(mark)).toEqual([
      "POST virtualmachines",
      `PUT virtualmachines/${paused.name}/start`,
      `PUT ${vmi}/pause`,
    ]);
    expect(outs.observed).toMatchObject({
      powerState: "Paused",
      printableStatus: "Paused",
      runStrategy: "Manual",
    });

    // Someone unpauses it: refresh shows the drift, diff names the pause without writing, update pauses again.
    await fetchAs("PUT", `/apis/subresources.kubevirt.io/v1/namespaces/default/${vmi}/unpause`, {});
    const refreshed = await provider.read(id, outs);
    expect(refreshed.inputs).toMatchObject({ powerState: "Running" });
    mark = sim.requests.mark();
    const diff = await provider.diff(id, refreshed.props!, paused);
    expect(diff.changes).toBe(true);
    expect(mutations(mark)).toEqual([]);
    expect(lines).toContain(`will pause ${paused.name} (powerState Paused)`);
    const repaired = await provider.update(id, refreshed.props!, paused);
    expect(mutations(mark)).toEqual([`PUT ${vmi}/pause`]);
    expect(repaired.outs!.observed).toMatchObject({ powerState: "Paused", printableStatus: "Paused" });

    const running = await inputs({ name: paused.name, runStrategy: "Manual", powerState: "Running" }, paused);
    mark = sim.requests.mark();
    const unpaused = await provider.update(id, repaired.outs!, running);
    expect(mutations(mark)).toEqual([`PUT ${vmi}/unpause`]);
    expect(unpaused.outs!.observed).toMatchObject({
      powerState: "Running",
      printableStatus: "Running",
      ready: true,
      vmiUid: outs.observed!.vmiUid,
    });
  });

  it("should see an out-of-band stop in diff (no writes) and repair it in update", async () => {
    const always = await inputs({ runStrategy: "Always" });
    const { id, outs } = await provider.create(always);
    await fetchAs(
      "PUT",
      `/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/${always.name}/stop`,
    );
    const refreshed = await provider.read(id, outs);
    expect(refreshed.props!.observed.runStrategy).toBe("Halted");
    expect(refreshed.inputs).toMatchObject({ runStrategy: "Halted" });

    const mark = sim.requests.mark();
    const diff = await provider.diff(id, refreshed.props!, always);
    expect(diff.changes).toBe(true);
    expect(mutations(mark)).toEqual([]);
    expect(lines).toContain(`will start ${always.name} (runStrategy Halted → Always)`);

    const repaired = await provider.update(id, refreshed.props!, always);
    expect(mutations(mark)).toEqual([`PUT virtualmachines/${always.name}/start`]);
    expect(repaired.outs!.observed).toMatchObject({ powerState: "Running", runStrategy: "Always" });
  });

  it("should restart on a template change when KubeVirt reports RestartRequired, with a new instance", async () => {
    const before = await inputs({ runStrategy: "Always", restartPolicy: "IfRequired" });
    const { id, outs } = await provider.create(before);
    const bigger = {
      spec: { ...TEMPLATE.spec, domain: { ...TEMPLATE.spec.domain, memory: { guest: "256Mi" } } },
    };
    const after = await inputs({ name: before.name, runStrategy: "Always", template: bigger }, before);
    const mark = sim.requests.mark();
    const updated = await provider.update(id, outs, after);
    expect(mutations(mark)).toEqual([
      `PATCH virtualmachines/${before.name}`,
      `PUT virtualmachines/${before.name}/restart`,
    ]);
    expect(updated.outs!.observed.vmiUid).not.toBe(outs.observed!.vmiUid);
    expect(updated.outs!.observed.powerState).toBe("Running");
  });

  it("should fail fast with KubeVirt's reason when the VM cannot be scheduled", async () => {
    const huge = {
      spec: { ...TEMPLATE.spec, domain: { ...TEMPLATE.spec.domain, memory: { guest: "512Ti" } } },
    };
    const started = Date.now();
    await expect(
      provider.create(await inputs({ runStrategy: "Always", template: huge })),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/ErrorUnschedulable.*Insufficient memory/),
      id: `default/vm-${counter}`,
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("should reject powerState Paused with runStrategy Halted in check, without any API call", async () => {
    const mark = sim.requests.mark();
    const result = await provider.check(
      {},
      {
        name: "halted-paused",
        owner: ownerOf("halted-paused"),
        runStrategy: "Halted",
        powerState: "Paused",
        template: TEMPLATE,
        kubeconfig: sim.kubeconfigPath,
      },
    );
    expect(result.failures).toEqual([
      {
        property: "powerState",
        reason: expect.stringMatching(
          /^powerState: "Paused" contradicts runStrategy "Halted" .*with "Halted" powerState may only be "Stopped"/,
        ),
      },
    ]);
    expect(sim.requests.list({ afterSeq: mark })).toEqual([]);
  });

  it("should reject bad input in check, naming the field and the allowed values, without any API call", async () => {
    const mark = sim.requests.mark();
    const result = await provider.check(
      {},
      {
        name: "bad",
        owner: ownerOf("bad"),
        runStrategy: "Sometimes",
        template: TEMPLATE,
        kubeconfig: sim.kubeconfigPath,
      },
    );
    expect(result.failures).toEqual([
      expect.objectContaining({
        property: "runStrategy",
        reason: expect.stringMatching(/Always, RerunOnFailure, Once, Manual, Halted/),
      }),
    ]);
    expect(sim.requests.list({ afterSeq: mark })).toEqual([]);
  });

  it("should refuse to take over an existing VM unless adopt is set, and record the adoption", async () => {
    const name = `vm-${++counter}`;
    await fetchAs("POST", "/apis/kubevirt.io/v1/namespaces/default/virtualmachines", {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name },
      spec: { runStrategy: "Halted", template: TEMPLATE },
    });
    const refused = await provider.check(
      {},
      {
        name,
        owner: ownerOf(name),
        runStrategy: "Halted",
        template: TEMPLATE,
        kubeconfig: sim.kubeconfigPath,
      },
    );
    expect(refused.failures?.[0]?.reason).toMatch(
      /already exists and is not marked as managed by this resource.*set adopt: true/,
    );
    const adopted = await provider.create(await inputs({ name, runStrategy: "Always", adopt: true }));
    expect(adopted.outs.observed).toMatchObject({ powerState: "Running", runStrategy: "Always" });
    const vm = await fetchAs("GET", `/apis/kubevirt.io/v1/namespaces/default/virtualmachines/${name}`);
    expect(Object.keys(vm.metadata.annotations)).toContain("pulumi-kubevirt/adopted-at");
  });

  it("should delete the VM and wait until it and its instance are gone", async () => {
    const created = await provider.create(await inputs({ runStrategy: "Always" }));
    const mark = sim.requests.mark();
    await provider.delete(created.id, created.outs);
    expect(mutations(mark)).toEqual([`DELETE virtualmachines/${created.outs.name}`]);
    const gone = await provider.read(created.id, created.outs);
    expect(gone.id).toBeUndefined();
  });
});

describe("provider against API failures", () => {
  it("should retry a 503 on the stop call and a 429 (honouring Retry-After) on a read, and report the retries", async () => {
    const always = await inputs({ runStrategy: "Always" });
    const { id, outs } = await provider.create(always);
    const stop = `/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/${always.name}/stop`;
    const vmi = `/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances/${always.name}`;
    sim.faults.add({ verb: "PUT", path: stop, count: 1, action: { kind: "status", code: 503 } });
    sim.faults.add({
      verb: "GET",
      path: vmi,
      count: 1,
      action: { kind: "status", code: 429, retryAfterSeconds: 1 },
    });
    const mark = sim.requests.mark();
    const started = Date.now();
    const halted = await inputs({ name: always.name, runStrategy: "Halted" }, always);
    const updated = await provider.update(id, outs, halted);
    expect(sim.requests.list({ afterSeq: mark, path: stop }).map((r) => r.status)).toEqual([503, 202]);
    expect(
      sim.requests
        .list({ afterSeq: mark, path: vmi })
        .map((r) => r.status)
        .slice(0, 2),
    ).toEqual([429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(updated.outs!.observed.powerState).toBe("Stopped");
    expect(lines.filter((l) => /API call failed .*retry 1/.test(l))).toHaveLength(2);
  });

  it("should not pause twice: a pause whose answer was lost is checked on the VMI first, and a re-run finds it paused", async () => {
    const running = await inputs({ runStrategy: "Always" });
    const { id, outs } = await provider.create(running);
    const pause = `/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachineinstances/${running.name}/pause`;
    sim.faults.add({ verb: "PUT", path: pause, count: 1, action: { kind: "lose-response" } });
    const paused = await inputs({ name: running.name, runStrategy: "Always", powerState: "Paused" }, running);
    let mark = sim.requests.mark();
    const updated = await provider.update(id, outs, paused);
    // One pause (carried out, its answer lost), then a read of the VMI instead of a second pause.
    expect(sim.requests.list({ afterSeq: mark, path: pause })).toHaveLength(1);
    expect(updated.outs!.observed).toMatchObject({ powerState: "Paused", vmiUid: outs.observed!.vmiUid });
    // An `up` interrupted after the pause left the old declaration in state: the next one observes, and leaves it.
    mark = sim.requests.mark();
    const again = await provider.update(id, outs, paused);
    expect(mutations(mark)).toEqual([]);
    expect(again.outs!.observed).toMatchObject({ powerState: "Paused" });
  });

  it("should not pause an instance that was paused after the plan was made: it observes first", async () => {
    const running = await inputs({ runStrategy: "Manual", powerState: "Running" });
    const { id, outs } = await provider.create(running);
    const vm = `/apis/kubevirt.io/v1/namespaces/default/virtualmachines/${running.name}`;
    const pause = `/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachineinstances/${running.name}/pause`;
    // The plan patches a label, then pauses; the patch is slow, and meanwhile an operator pauses the VM.
    sim.faults.add({ verb: "PATCH", path: vm, count: 1, action: { kind: "latency", ms: 300 } });
    const paused = await inputs(
      { name: running.name, runStrategy: "Manual", powerState: "Paused", labels: { tier: "paused" } },
      running,
    );
    const mark = sim.requests.mark();
    const updating = provider.update(id, outs, paused);
    await until(() => sim.requests.list({ afterSeq: mark, path: vm, verb: "patch" }).length > 0);
    await fetchAs("PUT", pause, {});
    const updated = await updating;
    expect(sim.requests.list({ afterSeq: mark, path: pause })).toHaveLength(1); // the operator's
    expect(lines).toContain(`${running.name}: pause: the instance is already paused (nothing to do)`);
    expect(updated.outs!.observed).toMatchObject({ powerState: "Paused", printableStatus: "Paused" });
  });

  it("should resume waiting after the watch stream is cut: list again, then watch from the list's version", async () => {
    const path = "/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances";
    // A provider of its own, so that its namespace cache opens the VMI watch (which is cut) during this create.
    const fresh = createVmProvider(() => undefined);
    sim.faults.add({ verb: "watch", path, count: 1, action: { kind: "cut-watch", afterEvents: 1 } });
    const mark = sim.requests.mark();
    try {
      const created = await fresh.create(await inputs({ runStrategy: "Always" }));
      expect(created.outs.observed).toMatchObject({ powerState: "Running" });
    } finally {
      fresh.close();
    }
    const vmiRequests = sim.requests.list({ afterSeq: mark, path });
    const cut = vmiRequests.findIndex(
      (r) => r.verb === "watch" && (r.faults ?? []).some((f) => /cut-watch/.test(f)),
    );
    expect(cut).toBeGreaterThanOrEqual(0);
    const after = vmiRequests
      .slice(cut + 1)
      .map((r) => ({ verb: r.verb, rv: r.query.resourceVersion ?? "" }));
    const relist = after.findIndex((r) => r.verb === "list");
    expect(relist).toBeGreaterThanOrEqual(0);
    expect(after.slice(relist + 1).find((r) => r.verb === "watch")?.rv).toMatch(/^\d+$/);
  });

  it("should fail at once with the API server's forbidden message when the subresource is not granted", async () => {
    const limited = await startSimulator({
      kubevirt: { timings: "fast" },
      users: [
        {
          name: "deployer",
          token: "deployer-token",
          rules: [
            {
              verbs: ["*"],
              apiGroups: ["kubevirt.io"],
              resources: ["virtualmachines", "virtualmachineinstances"],
            },
          ],
        },
      ],
    });
    const p = createVmProvider(() => undefined);
    try {
      const kubeconfig = limited.kubeconfig.replace(limited.token, "deployer-token");
      const checked = await p.check(
        {},
        {
          name: "manual",
          owner: ownerOf("manual"),
          runStrategy: "Manual",
          powerState: "Running",
          template: TEMPLATE,
          kubeconfig,
        },
      );
      expect(checked.failures ?? []).toEqual([]);
      await expect(p.create(checked.inputs as VmOutputs)).rejects.toThrow(
        /virtualmachines.subresources.kubevirt.io "manual" is forbidden: User "deployer" cannot update resource "virtualmachines\/start" in API group "subresources.kubevirt.io" in the namespace "default"/,
      );
      expect(limited.requests.list({ path: /\/start$/ })).toHaveLength(1);
    } finally {
      p.close();
      await limited.stop();
    }
  });
});

/** Resolves once `condition` holds (checked every 5 ms, for at most 5 s). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A request with the simulator's own token, as an operator with virtctl or kubectl would make. */
async function fetchAs(method: string, path: string, body?: unknown) {
  return (await operatorRequest(sim.kubeconfig, method, path, body)).body;
}
