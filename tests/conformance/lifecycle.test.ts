/**
 * The VM controller and the VMI lifecycle over HTTP: guest shutdown vs crash per strategy (§2.2, §8),
 * VMI creation (§2.3), status (§2.5), deletion and finalizers (§6), pause, strategy switches (§5).
 */
import {
  NS,
  VM_PATH,
  VMI_PATH,
  control,
  createVM,
  deleteVMI,
  getVM,
  getVMI,
  patchVM,
  simPerFile,
  uniqueName,
  vmAction,
  vmiAction,
  vmManifest,
  vmExists,
  waitFor,
  waitForPrintable,
  waitRunning,
  waitStopped,
  waitVMIPhase,
  watchEvents,
  type Obj,
} from "./harness";

const sim = simPerFile();

async function running(
  runStrategy: string,
  opts: Parameters<typeof createVM>[2] = {},
): Promise<{ name: string; vmi: Obj }> {
  const name = uniqueName(runStrategy.toLowerCase());
  await createVM(sim, name, { runStrategy, ...opts });
  if (runStrategy === "Manual") expect((await vmAction(sim, name, "start")).status).toBe(202);
  return { name, vmi: await waitRunning(sim, name) };
}

async function newVMI(name: string, oldUid: string | undefined): Promise<Obj> {
  return waitFor(`${name}: a new running VMI`, async () => {
    const v = await getVMI(sim, name);
    return v && v.metadata!.uid !== oldUid && v.status?.phase === "Running" ? v : undefined;
  });
}

/** Stays true for `ms`: the VM does not come back. */
async function staysWithout(name: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await getVMI(sim, name);
    expect(v === undefined || v.status?.phase !== "Running").toBe(true);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("guest shutdown vs crash per run strategy (§2.2 and the Run Strategies table, §1.7)", () => {
  it("Always: a guest shutdown is followed by a new VMI (§8 scenario 14)", async () => {
    const { name, vmi } = await running("Always");
    await control(sim, "kubevirt/guest-shutdown", { namespace: NS, name });
    await newVMI(name, vmi.metadata!.uid);
    await waitRunning(sim, name);
  });

  it("Always: a guest crash is followed by a new VMI", async () => {
    const { name, vmi } = await running("Always");
    await control(sim, "kubevirt/guest-crash", { namespace: NS, name });
    await newVMI(name, vmi.metadata!.uid);
  });

  it("RerunOnFailure: a guest shutdown deletes the VMI and does not restart it (§8 scenario 17)", async () => {
    const { name } = await running("RerunOnFailure");
    await control(sim, "kubevirt/guest-shutdown", { namespace: NS, name });
    await waitStopped(sim, name);
    await staysWithout(name, 300);
    expect((await getVM(sim, name)).spec!.runStrategy).toBe("RerunOnFailure");
  });

  it("RerunOnFailure: an infrastructure failure restarts the VM with a new VMI (§8 scenario 18)", async () => {
    const { name, vmi } = await running("RerunOnFailure");
    const r = await control(sim, "kubevirt/infrastructure-failure", { namespace: NS, name });
    expect(r.json.status).toMatchObject({ phase: "Failed", reason: "NodeUnresponsive" });
    await newVMI(name, vmi.metadata!.uid);
    await waitForPrintable(sim, name, "Running");
  });

  it("Once: a guest shutdown leaves the VMI Succeeded, VM Stopped with created=true (§8 scenario 16)", async () => {
    const { name, vmi } = await running("Once");
    await control(sim, "kubevirt/guest-shutdown", { namespace: NS, name });
    const vm = await waitForPrintable(sim, name, "Stopped");
    expect(vm.status).toMatchObject({ created: true, ready: false });
    await staysWithout(name, 200);
    const after = (await getVMI(sim, name))!;
    expect(after.metadata!.uid).toBe(vmi.metadata!.uid);
    expect(after.status!.phase).toBe("Succeeded");
  });

  it("Once: a guest crash leaves the VMI Failed and does not restart (§8 scenario 20)", async () => {
    const { name, vmi } = await running("Once");
    await control(sim, "kubevirt/guest-crash", { namespace: NS, name });
    await waitVMIPhase(sim, name, "Failed");
    await staysWithout(name, 200);
    expect((await getVMI(sim, name))!.metadata!.uid).toBe(vmi.metadata!.uid);
    expect((await getVM(sim, name)).status!.printableStatus).toBe("Stopped");
  });

  it("Manual: a guest shutdown leaves the VMI Succeeded; start brings it back and clears requests (§8 scenario 16)", async () => {
    const { name, vmi } = await running("Manual");
    await control(sim, "kubevirt/guest-shutdown", { namespace: NS, name });
    await waitForPrintable(sim, name, "Stopped");
    await staysWithout(name, 200);
    expect((await getVMI(sim, name))!.status!.phase).toBe("Succeeded");
    expect((await vmAction(sim, name, "start")).status).toBe(202);
    await newVMI(name, vmi.metadata!.uid);
    await waitRunning(sim, name);
  });

  it("Manual: a guest crash leaves the VMI Failed and nothing restarts it", async () => {
    const { name } = await running("Manual");
    await control(sim, "kubevirt/guest-crash", { namespace: NS, name });
    await waitVMIPhase(sim, name, "Failed");
    await staysWithout(name, 200);
    expect((await getVMI(sim, name))!.status!.phase).toBe("Failed");
  });

  it("Always: deleting the VMI recreates it with a new uid (§8 scenario 15)", async () => {
    const { name, vmi } = await running("Always");
    await deleteVMI(sim, name);
    await newVMI(name, vmi.metadata!.uid);
  });
});

describe("VMI creation and VM status (§2.3, §2.5)", () => {
  it("the VMI is named like the VM, owned by it, labelled from the template and annotated with the VM generation (§2.3)", async () => {
    const { name, vmi } = await running("Always", { labels: { app: "demo" } });
    const vm = await getVM(sim, name);
    expect(vmi.metadata).toMatchObject({
      name,
      labels: { app: "demo", "kubevirt.io/vm": name },
      annotations: { "kubevirt.io/vm-generation": String(vm.metadata!.generation) },
      ownerReferences: [
        {
          apiVersion: "kubevirt.io/v1",
          kind: "VirtualMachine",
          name,
          uid: vm.metadata!.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(vmi.metadata!.finalizers).toEqual(
      expect.arrayContaining([
        "kubevirt.io/virtualMachineControllerFinalize",
        "kubevirt.io/foregroundDeleteVirtualMachine",
      ]),
    );
    expect(vm.metadata!.finalizers).toEqual(["kubevirt.io/virtualMachineControllerFinalize"]);
  });

  it("a running VM reports created, ready, runStrategy, generations, Ready copied from the VMI, node and IP after the agent connects (§2.5)", async () => {
    const { name } = await running("Always");
    const vm = await waitFor("agent", async () => {
      const v = await getVM(sim, name);
      return v.status?.conditions?.some((c: { type: string }) => c.type === "AgentConnected") ? v : undefined;
    });
    expect(vm.status).toMatchObject({
      created: true,
      ready: true,
      runStrategy: "Always",
      printableStatus: "Running",
      observedGeneration: vm.metadata!.generation,
      desiredGeneration: vm.metadata!.generation,
    });
    expect(vm.status!.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "Ready", status: "True" }),
        expect.objectContaining({ type: "AgentConnected", status: "True" }),
      ]),
    );
    const vmi = (await getVMI(sim, name))!;
    expect(vmi.status!.nodeName).toBe("node01");
    expect(vmi.status!.interfaces[0].ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });

  it("a stopped VM reports Ready=False reason VMINotExists and no runStrategy before its first start (§2.5)", async () => {
    const name = uniqueName("halted");
    await createVM(sim, name, { runStrategy: "Halted" });
    const vm = await waitFor("status", async () => {
      const v = await getVM(sim, name);
      return v.status?.conditions ? v : undefined;
    });
    expect(vm.status).toMatchObject({ printableStatus: "Stopped", created: false, ready: false });
    expect(vm.status!.runStrategy).toBeUndefined();
    expect(vm.status!.conditions).toEqual([
      expect.objectContaining({
        type: "Ready",
        status: "False",
        reason: "VMINotExists",
        message: "VMI does not exist",
      }),
    ]);
  });

  it("VMI phases go Pending → Scheduling → Scheduled → Running; the VM goes Stopped/Starting → Running (§3, §2.5)", async () => {
    const name = uniqueName("phases");
    const vmiWatch = await watchEvents(sim, VMI_PATH, { fieldSelector: `metadata.name=${name}` });
    const vmWatch = await watchEvents(sim, VM_PATH, { fieldSelector: `metadata.name=${name}` });
    await createVM(sim, name, { runStrategy: "Always" });
    await waitRunning(sim, name);
    await new Promise((r) => setTimeout(r, 50));
    vmiWatch.stop();
    vmWatch.stop();
    const phases = dedupe(vmiWatch.events.map((e) => e.object.status?.phase).filter(Boolean));
    expect(phases).toEqual(["Pending", "Scheduling", "Scheduled", "Running"]);
    const printable = dedupe(vmWatch.events.map((e) => e.object.status?.printableStatus).filter(Boolean));
    expect(printable.indexOf("Starting")).toBeGreaterThanOrEqual(0);
    expect(printable[printable.length - 1]).toBe("Running");
  });

  it("changing the template of a running VM sets RestartRequired; a restart clears it (§2.5, §4 note)", async () => {
    const { name, vmi } = await running("Always");
    await patchVM(sim, name, { spec: { template: { spec: { domain: { memory: { guest: "256Mi" } } } } } });
    await waitFor("RestartRequired", async () => {
      const v = await getVM(sim, name);
      return v.status?.conditions?.some(
        (c: { type: string; status: string }) => c.type === "RestartRequired" && c.status === "True",
      );
    });
    expect((await vmAction(sim, name, "restart")).status).toBe(202);
    const fresh = await newVMI(name, vmi.metadata!.uid);
    expect(fresh.spec!.domain.memory.guest).toBe("256Mi");
    await waitFor("RestartRequired cleared", async () => {
      const v = await getVM(sim, name);
      return !v.status?.conditions?.some((c: { type: string }) => c.type === "RestartRequired");
    });
  });

  it("changing only runStrategy bumps the VMI's vm-generation annotation and observedGeneration (§2.1 step 4)", async () => {
    const { name } = await running("Always");
    const vm = await patchVM(sim, name, { spec: { runStrategy: "RerunOnFailure" } });
    await waitFor("observedGeneration", async () => {
      const v = await getVM(sim, name);
      return (
        v.status?.observedGeneration === vm.metadata!.generation &&
        v.status?.desiredGeneration === vm.metadata!.generation
      );
    });
    expect((await getVMI(sim, name))!.metadata!.annotations!["kubevirt.io/vm-generation"]).toBe(
      String(vm.metadata!.generation),
    );
  });
});

describe("pause and unpause (§8 scenario 11)", () => {
  it("pause sets Paused=True on the VMI and VM (printableStatus Paused); unpause removes it", async () => {
    const { name } = await running("Always");
    expect((await vmiAction(sim, name, "pause")).status).toBe(200);
    const vm = await waitForPrintable(sim, name, "Paused");
    expect(vm.status!.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "Paused", status: "True", reason: "PausedByUser" }),
      ]),
    );
    const again = await vmiAction(sim, name, "pause");
    expect(again.status).toBe(409);
    expect(again.json.message).toBe(
      `Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "${name}": VMI is already paused`,
    );
    expect((await vmAction(sim, name, "start")).json.message).toMatch(/VM is already running$/); // §8 scenario 10
    expect((await vmiAction(sim, name, "unpause")).status).toBe(200);
    const after = await waitForPrintable(sim, name, "Running");
    expect(after.status!.conditions.some((c: { type: string }) => c.type === "Paused")).toBe(false);
  });

  it("stopping a paused VM removes its VMI; a second stop answers VM is not running (§8 scenario 9)", async () => {
    const name = uniqueName("paused");
    await createVM(sim, name, { runStrategy: "Always", startStrategy: "Paused" });
    await waitForPrintable(sim, name, "Paused");
    expect((await vmAction(sim, name, "stop")).status).toBe(202);
    await waitStopped(sim, name);
    expect((await getVM(sim, name)).status!.ready).toBe(false);
    expect((await vmAction(sim, name, "stop")).json.message).toMatch(/VM is not running$/);
  });
});

describe("deletion and finalizers (§6)", () => {
  it("deleting a VM shows Terminating, deletes the VMI, then the VM disappears (§6, §8 scenario 22/23)", async () => {
    const { name } = await running("Always", {
      tgps: 30,
      annotations: { "sim.kubevirt.io/ignore-acpi": "true" },
    });
    await sim.api.delete({
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name, namespace: NS },
    });
    await waitForPrintable(sim, name, "Terminating");
    expect((await getVMI(sim, name))!.metadata!.deletionTimestamp).toBeDefined();
    await waitFor("VM gone", async () => !(await vmExists(sim, name)));
    expect(await getVMI(sim, name)).toBeUndefined();
  });

  it("orphan-deleting a VM leaves its VMI running without ownerReferences (§8 scenario 23)", async () => {
    const { name, vmi } = await running("Always");
    await sim.api.delete(
      { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name, namespace: NS } },
      undefined,
      undefined,
      undefined,
      undefined,
      "Orphan",
    );
    await waitFor("VM gone", async () => !(await vmExists(sim, name)));
    const after = await waitFor("VMI orphaned", async () => {
      const v = await getVMI(sim, name);
      return v && !v.metadata!.ownerReferences ? v : undefined;
    });
    expect(after.metadata!.uid).toBe(vmi.metadata!.uid);
    expect(after.status!.phase).toBe("Running");
    expect(after.metadata!.finalizers ?? []).not.toContain("kubevirt.io/virtualMachineControllerFinalize");
  });

  it("a custom finalizer keeps the VM around after the controller removed its own (§8 scenario 22)", async () => {
    const name = uniqueName("custom");
    await createVM(sim, name, { runStrategy: "Halted" });
    await waitFor(
      "controller finalizer",
      async () => (await getVM(sim, name)).metadata!.finalizers?.length === 1,
    );
    const vm = await getVM(sim, name);
    await patchVM(sim, name, { metadata: { finalizers: [...vm.metadata!.finalizers!, "example.com/keep"] } });
    await sim.api.delete({
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name, namespace: NS },
    });
    await waitFor("only the custom finalizer left", async () => {
      const v = await getVM(sim, name);
      return v.metadata!.finalizers?.length === 1 && v.metadata!.finalizers[0] === "example.com/keep";
    });
    expect((await getVM(sim, name)).status!.printableStatus).toBe("Terminating");
    await patchVM(sim, name, { metadata: { finalizers: null } });
    await waitFor("VM gone", async () => !(await vmExists(sim, name)));
  });

  it("a guest that ignores ACPI keeps the VMI for the (scaled) grace period, shows Stopping and ends Failed (§3, §6)", async () => {
    const { name } = await running("Always", {
      tgps: 20,
      annotations: { "sim.kubevirt.io/ignore-acpi": "true" },
    });
    const watch = await watchEvents(sim, VMI_PATH, { fieldSelector: `metadata.name=${name}` });
    const t0 = Date.now();
    await vmAction(sim, name, "stop");
    await waitForPrintable(sim, name, "Stopping");
    await waitStopped(sim, name);
    watch.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200 * 0.9); // 20 s × 0.01
    expect(watch.events.map((e) => e.object.status?.phase)).toContain("Failed");
  });
});

describe("standalone VirtualMachineInstances (§3, §6)", () => {
  it("a VMI created without a VM gets the VMI finalizer, runs, and a delete shuts it down and removes it", async () => {
    const name = uniqueName("standalone");
    const template = vmManifest(name, { runStrategy: "Always" }).spec!.template;
    await sim.api.create({
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: { name, namespace: NS },
      spec: template.spec,
    });
    const vmi = await waitVMIPhase(sim, name, "Running");
    expect(vmi.metadata!.finalizers).toEqual(["kubevirt.io/foregroundDeleteVirtualMachine"]);
    expect(vmi.metadata!.ownerReferences).toBeUndefined();
    await deleteVMI(sim, name);
    await waitFor("VMI gone", async () => !(await getVMI(sim, name)));
  });
});

describe("strategy switches by spec update (§5)", () => {
  it("Manual → Always starts; Always → Halted stops; Halted → RerunOnFailure starts; → Once keeps running", async () => {
    const name = uniqueName("switch");
    await createVM(sim, name, { runStrategy: "Manual" });
    await waitStopped(sim, name);
    await patchVM(sim, name, { spec: { runStrategy: "Always" } });
    await waitRunning(sim, name);
    await patchVM(sim, name, { spec: { runStrategy: "Halted" } });
    await waitStopped(sim, name);
    await patchVM(sim, name, { spec: { runStrategy: "RerunOnFailure" } });
    // status.runStrategy is Halted, so RerunOnFailure counts as just switched and starts (§2.2)
    await waitRunning(sim, name);
    await patchVM(sim, name, { spec: { runStrategy: "Once" } });
    await waitFor(
      "status.runStrategy Once",
      async () => (await getVM(sim, name)).status?.runStrategy === "Once",
    );
    expect((await getVM(sim, name)).status!.printableStatus).toBe("Running");
  });

  it("start and stop five times in a row work (§8 scenario 24)", async () => {
    const name = uniqueName("cycle");
    await createVM(sim, name, { runStrategy: "Halted" });
    await waitStopped(sim, name);
    for (let i = 0; i < 5; i++) {
      expect((await vmAction(sim, name, "start")).status).toBe(202);
      await waitRunning(sim, name);
      expect((await vmAction(sim, name, "stop")).status).toBe(202);
      await waitStopped(sim, name);
    }
  });
});

function dedupe<T>(xs: T[]): T[] {
  return xs.filter((x, i) => i === 0 || xs[i - 1] !== x);
}
