import { startFleet, type Fleet } from "../support/fleet";
import { operatorRequest } from "../support/operator";

// Drift, adoption, restarts and failures, through the real Pulumi engine against the simulator.

const VMS = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";

describe("convergence through the Pulumi engine", () => {
  let fleet: Fleet;

  beforeAll(async () => {
    fleet = await startFleet("convergence");
  });
  afterAll(async () => {
    await fleet?.dispose();
  });

  const operator = async (method: string, path: string, body?: unknown) =>
    (await operatorRequest(fleet.target.kubeconfig, method, path, body)).code;

  it("should repair a virtctl stop of an Always VM: refresh shows it, preview names the start, up starts it", async () => {
    const vms = {
      "drift-always": { runStrategy: "Always" },
      "drift-manual": { runStrategy: "Manual", powerState: "Running" },
    };
    const before = await fleet.up(vms);
    expect(before["drift-always"].powerState).toBe("Running");
    expect(before["drift-manual"].powerState).toBe("Running");

    // `virtctl stop` on both; on the Manual VM it changes only status, on the Always VM it rewrites spec.
    expect(
      await operator(
        "PUT",
        `/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/drift-always/stop`,
      ),
    ).toBe(202);
    expect(
      await operator(
        "PUT",
        `/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/drift-manual/stop`,
      ),
    ).toBe(202);
    await waitUntil(async () =>
      (await fleet.target.list("virtualmachineinstances")).every(
        (vmi) => !String(vmi.metadata.name).startsWith("drift-"),
      ),
    );

    const refresh = await fleet.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 2 });
    const mark = fleet.mark();
    const preview = await fleet.stack.preview({ diff: true });
    fleet.expectNoWrites(mark);
    // Under --diff the CLI prints the provider's messages to stderr.
    expect(preview.stderr).toContain("will start drift-always (runStrategy Halted → Always)");
    expect(preview.stderr).toContain("will start drift-manual (Manual VM is stopped, powerState Running)");
    expect(preview.stdout).toMatch(/powerState\s*:\s*"Stopped" => "Running"/);

    const after = await fleet.up(vms);
    fleet.expectPowerCalls(mark, ["drift-always/start", "drift-manual/start"]);
    expect(after["drift-always"]).toMatchObject({ powerState: "Running", runStrategy: "Always" });
    expect(after["drift-manual"]).toMatchObject({ powerState: "Running", runStrategy: "Manual" });
  });

  it("should fail without adopt on an existing VM, and take it over with adopt", async () => {
    const vm = {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name: "existing" },
      spec: {
        runStrategy: "Halted",
        template: { spec: { domain: { devices: {} } } },
      },
    };
    expect(await operator("POST", VMS, vm)).toBe(201);
    const mark = fleet.mark();
    await expect(fleet.up({ existing: { runStrategy: "Always" } })).rejects.toThrow(
      /VirtualMachine default\/existing already exists and is not marked as managed by this resource .*set adopt: true/,
    );
    fleet.expectNoWrites(mark);

    const adopted = await fleet.up({ existing: { runStrategy: "Always", adopt: true } });
    expect(adopted.existing).toMatchObject({ powerState: "Running", runStrategy: "Always" });
    const live = (await fleet.target.getVm("existing"))!;
    expect(live.metadata.annotations).toHaveProperty(["pulumi-kubevirt/adopted-at"]);
  });

  it("should apply a template change under each restartPolicy, proving restarts by a new instance uid", async () => {
    const vms = (memory: string) => ({
      "restart-never": { runStrategy: "Always", restartPolicy: "Never", memory },
      "restart-ifrequired": { runStrategy: "Always", restartPolicy: "IfRequired", memory },
      "restart-always": { runStrategy: "Always", restartPolicy: "Always", memory },
    });
    const before = await fleet.up(vms("128Mi"));
    const mark = fleet.mark();
    const after = await fleet.up(vms("256Mi"));
    fleet.expectPowerCalls(mark, ["restart-always/restart", "restart-ifrequired/restart"]);
    expect(after["restart-always"].vmiUid).not.toBe(before["restart-always"].vmiUid);
    expect(after["restart-ifrequired"].vmiUid).not.toBe(before["restart-ifrequired"].vmiUid);
    expect(after["restart-never"].vmiUid).toBe(before["restart-never"].vmiUid);
    expect(after["restart-never"].conditions).toContainEqual(
      expect.objectContaining({ type: "RestartRequired", status: "True" }),
    );
    for (const name of Object.keys(after)) expect(after[name].powerState).toBe("Running");
  });

  it("should fail within seconds with KubeVirt's reason when a VM cannot be scheduled", async () => {
    const started = Date.now();
    await expect(fleet.up({ huge: { runStrategy: "Always", memory: "512Ti" } })).rejects.toThrow(
      /huge cannot become Ready: ErrorUnschedulable: .*Insufficient memory/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    // The VM exists, so it is in state (partially created) and destroy removes it.
    const state = await fleet.stack.exportStack();
    expect(state.deployment.resources.map((r: { urn: string }) => r.urn)).toContainEqual(
      expect.stringMatching(/VirtualMachine::huge$/),
    );
  });

  it("should keep kubeconfig contents and tokens out of plaintext state", async () => {
    await fleet.stack.setConfig("kubeconfig", { value: fleet.target.kubeconfig, secret: true });
    await fleet.up({ secretive: { runStrategy: "Halted", kubeconfigFromConfig: true } });
    const state = fleet.stateFiles();
    expect(state).toContain("secretive");
    expect(state).not.toContain(fleet.target.secret);
    expect(state).not.toContain("certificate-authority-data");
    const vm = (await fleet.stack.exportStack()).deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("dynamic/kubevirt:VirtualMachine::secretive"),
    );
    // The serialized provider is the small shim, not a copy of the provider (and holds no credentials).
    expect(vm.inputs.__provider.length).toBeLessThan(3_000);
    expect(vm.inputs.__provider).toContain('require("pulumi-kubevirt/provider")');
  });

  it("should delete every VM on destroy", async () => {
    await fleet.stack.destroy();
    expect(await fleet.target.list("virtualmachines")).toEqual([]);
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}
