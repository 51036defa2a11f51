/**
 * The start/stop/restart subresources against every run strategy: the Run Strategies doc's table (docs/kubevirt-behaviour.md §1.7)
 * and the per-strategy × VMI-state matrix of docs/kubevirt-behaviour.md §1.4–§1.7, driven over HTTP only.
 */
import {
  conflictMessage,
  control,
  createVM,
  getVM,
  getVMI,
  simPerFile,
  uniqueName,
  vmAction,
  vmiAction,
  waitFor,
  waitForPrintable,
  waitRunning,
  waitStopped,
  waitVMIPhase,
} from "./harness";
import { request } from "../../simulator/http/testing";

const sim = simPerFile();

/** Creates a VM and brings it to the wanted state ("running" or "stopped"). */
async function prepare(runStrategy: string, state: "running" | "stopped"): Promise<string> {
  const name = uniqueName(runStrategy.toLowerCase());
  await createVM(sim, name, { runStrategy });
  if (state === "running") {
    if (runStrategy === "Manual") expect((await vmAction(sim, name, "start")).status).toBe(202);
    if (runStrategy === "Halted") throw new Error("a Halted VM cannot be prepared running");
    await waitRunning(sim, name);
  } else {
    if (runStrategy === "RerunOnFailure") {
      await waitRunning(sim, name);
      expect((await vmAction(sim, name, "stop")).status).toBe(202);
    }
    await waitStopped(sim, name);
  }
  return name;
}

describe("Run Strategies doc table: effect of virtctl start/stop/restart on runStrategy (seed)", () => {
  // [strategy, action, precondition, HTTP code, 409 message, runStrategy afterwards, end state]
  const table: [
    string,
    "start" | "stop" | "restart",
    "running" | "stopped",
    number,
    string | undefined,
    string,
    "running" | "new VMI" | "stopped",
  ][] = [
    ["Always", "start", "running", 409, "VM is already running", "Always", "running"],
    ["Always", "stop", "running", 202, undefined, "Halted", "stopped"],
    ["Always", "restart", "running", 202, undefined, "Always", "new VMI"],
    ["RerunOnFailure", "start", "stopped", 202, undefined, "RerunOnFailure", "running"],
    ["RerunOnFailure", "stop", "running", 202, undefined, "RerunOnFailure", "stopped"],
    ["RerunOnFailure", "restart", "running", 202, undefined, "RerunOnFailure", "new VMI"],
    ["Manual", "start", "stopped", 202, undefined, "Manual", "running"],
    ["Manual", "stop", "running", 202, undefined, "Manual", "stopped"],
    ["Manual", "restart", "running", 202, undefined, "Manual", "new VMI"],
    ["Halted", "start", "stopped", 202, undefined, "Always", "running"],
    ["Halted", "stop", "stopped", 409, "VM is not running", "Halted", "stopped"],
    [
      "Halted",
      "restart",
      "stopped",
      409,
      "RunStategy Halted does not support manual restart requests",
      "Halted",
      "stopped",
    ],
  ];
  for (const [strategy, action, pre, code, message, after, end] of table) {
    it(`${strategy} + ${action} on a ${pre} VM answers ${code} and leaves runStrategy ${after} (${end})`, async () => {
      const name = await prepare(strategy, pre);
      const before = await getVMI(sim, name);
      const res = await vmAction(sim, name, action);
      expect(res.status).toBe(code);
      if (code === 202) expect(res.text).toBe("");
      if (message) {
        expect(res.json).toMatchObject({
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          code: 409,
          reason: "Conflict",
          message: conflictMessage(name, message),
          details: { name, group: "kubevirt.io", kind: "virtualmachine" },
        });
      }
      if (end === "running") await waitRunning(sim, name);
      else if (end === "stopped") await waitStopped(sim, name);
      else {
        await waitFor("a new VMI", async () => {
          const vmi = await getVMI(sim, name);
          return vmi && vmi.metadata!.uid !== before!.metadata!.uid && vmi.status?.phase === "Running";
        });
        await waitRunning(sim, name);
      }
      const vm = await getVM(sim, name);
      expect(vm.spec!.runStrategy).toBe(after);
      expect(vm.status!.stateChangeRequests).toBeUndefined();
    });
  }

  it("legacy spec.running: start sets running=true, stop sets running=false, never runStrategy (§1.3 getRunningPatch)", async () => {
    const name = uniqueName("legacy");
    await createVM(sim, name, { running: false });
    expect((await vmAction(sim, name, "start")).status).toBe(202);
    let vm = await getVM(sim, name);
    expect(vm.spec).toMatchObject({ running: true });
    expect(vm.spec!.runStrategy).toBeUndefined();
    await waitRunning(sim, name);
    expect((await vmAction(sim, name, "stop")).status).toBe(202);
    vm = await getVM(sim, name);
    expect(vm.spec).toMatchObject({ running: false });
    await waitStopped(sim, name);
  });
});

describe("§1.7 START matrix beyond the doc table", () => {
  it("Once with an active VMI answers 409 VM is already running (VMI check precedes the strategy check, §1.4 step 3)", async () => {
    const name = uniqueName("once");
    await createVM(sim, name, { runStrategy: "Once" });
    await waitRunning(sim, name);
    const res = await vmAction(sim, name, "start");
    expect(res.status).toBe(409);
    expect(res.json.message).toBe(conflictMessage(name, "VM is already running"));
  });

  it("Once with a Succeeded VMI answers 409 Once does not support manual start requests (§8 scenario 16)", async () => {
    const name = uniqueName("once");
    await createVM(sim, name, { runStrategy: "Once" });
    await waitRunning(sim, name);
    expect((await control(sim, "kubevirt/guest-shutdown", { namespace: "default", name })).status).toBe(200);
    await waitVMIPhase(sim, name, "Succeeded");
    const res = await vmAction(sim, name, "start");
    expect(res.status).toBe(409);
    expect(res.json.message).toBe(conflictMessage(name, "Once does not support manual start requests"));
  });

  for (const [event, phase] of [
    ["guest-shutdown", "Succeeded"],
    ["guest-crash", "Failed"],
  ] as const) {
    it(`Manual with a ${phase} VMI: start writes [Stop{uid}, Start] and a new VMI runs (§1.4 needsRestart)`, async () => {
      const name = await prepare("Manual", "running");
      const old = (await getVMI(sim, name))!;
      await control(sim, `kubevirt/${event}`, { namespace: "default", name });
      await waitVMIPhase(sim, name, phase);
      await waitForPrintable(sim, name, "Stopped");
      expect((await vmAction(sim, name, "start")).status).toBe(202);
      const vmi = await waitRunning(sim, name);
      expect(vmi.metadata!.uid).not.toBe(old.metadata!.uid);
      expect((await getVM(sim, name)).spec!.runStrategy).toBe("Manual");
    });
  }

  it("Halted start with paused=true queues Start{paused}; the controller flips spec to Always and the VMI starts paused (§1.4, §8 scenario 3)", async () => {
    const name = await prepare("Halted", "stopped");
    expect((await vmAction(sim, name, "start", { paused: true })).status).toBe(202);
    const vm = await waitForPrintable(sim, name, "Paused");
    expect(vm.spec!.runStrategy).toBe("Always");
    expect(vm.status!.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: "Paused", status: "True" })]),
    );
    expect((await getVMI(sim, name))!.spec!.startStrategy).toBe("Paused");
  });

  it("start answers 404 for an unknown VM with KubeVirt's NotFound message (§1.1)", async () => {
    const res = await vmAction(sim, "does-not-exist", "start");
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({
      reason: "NotFound",
      message: 'virtualmachine.kubevirt.io "does-not-exist" not found',
    });
  });

  it("a malformed body answers 400 Can not unmarshal Request body to struct (§1.1 decodeBody)", async () => {
    const name = await prepare("Manual", "stopped");
    const res = await vmAction(sim, name, "start", "{not json");
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^Can not unmarshal Request body to struct, error: /);
  });

  it("the v1alpha3 subresource version is served too (§1.1)", async () => {
    const name = await prepare("Manual", "stopped");
    expect((await vmAction(sim, name, "start", undefined, "", "v1alpha3")).status).toBe(202);
    await waitRunning(sim, name);
  });
});

describe("§1.7 STOP matrix beyond the doc table", () => {
  it("Once running: stop flips spec to Halted (§1.5)", async () => {
    const name = uniqueName("once");
    await createVM(sim, name, { runStrategy: "Once" });
    await waitRunning(sim, name);
    expect((await vmAction(sim, name, "stop")).status).toBe(202);
    expect((await getVM(sim, name)).spec!.runStrategy).toBe("Halted");
    await waitStopped(sim, name);
  });

  it("Once with a Succeeded VMI: stop still answers 202 and flips to Halted (§1.5)", async () => {
    const name = uniqueName("once");
    await createVM(sim, name, { runStrategy: "Once" });
    await waitRunning(sim, name);
    await control(sim, "kubevirt/guest-shutdown", { namespace: "default", name });
    await waitVMIPhase(sim, name, "Succeeded");
    expect((await vmAction(sim, name, "stop")).status).toBe(202);
    expect((await getVM(sim, name)).spec!.runStrategy).toBe("Halted");
    await waitStopped(sim, name);
  });

  it("Manual with no VMI: stop answers 409 VM is not running (§1.5)", async () => {
    const name = await prepare("Manual", "stopped");
    const res = await vmAction(sim, name, "stop");
    expect(res.status).toBe(409);
    expect(res.json.message).toBe(conflictMessage(name, "VM is not running"));
  });

  it("RerunOnFailure with no VMI: stop answers 409 VM is not running (§1.5)", async () => {
    const name = await prepare("RerunOnFailure", "stopped");
    const res = await vmAction(sim, name, "stop");
    expect(res.status).toBe(409);
    expect(res.json.message).toBe(conflictMessage(name, "VM is not running"));
  });

  it("stopping an Always VM twice while it shuts down answers 409 Halted only supports manual stop requests with a shorter graceperiod (§1.5)", async () => {
    const name = uniqueName("twice");
    await createVM(sim, name, {
      runStrategy: "Always",
      annotations: { "sim.kubevirt.io/ignore-acpi": "true" },
      tgps: 100,
    });
    await waitRunning(sim, name);
    expect((await vmAction(sim, name, "stop")).status).toBe(202);
    await waitForPrintable(sim, name, "Stopping");
    const res = await vmAction(sim, name, "stop");
    expect(res.status).toBe(409);
    expect(res.json.message).toBe(
      conflictMessage(name, "Halted only supports manual stop requests with a shorter graceperiod"),
    );
    // force stop with a shorter grace period is accepted and ends it quickly (§8 scenario 8)
    expect((await vmAction(sim, name, "stop", { gracePeriod: 0 })).status).toBe(202);
    expect((await getVMI(sim, name))?.spec?.terminationGracePeriodSeconds ?? 0).toBe(0);
    await waitStopped(sim, name);
    const again = await vmAction(sim, name, "stop");
    expect(again.status).toBe(409);
    expect(again.json.message).toBe(conflictMessage(name, "VM is not running"));
  });
});

describe("§1.7 RESTART matrix beyond the doc table", () => {
  it("Once answers 409 RunStategy Once does not support manual restart requests (§1.6)", async () => {
    const name = uniqueName("once");
    await createVM(sim, name, { runStrategy: "Once" });
    await waitRunning(sim, name);
    const res = await vmAction(sim, name, "restart");
    expect(res.status).toBe(409);
    expect(res.json.message).toBe(
      conflictMessage(name, "RunStategy Once does not support manual restart requests"),
    );
  });

  it("Manual with no VMI answers 409 VM is not running: Halted (§1.6 step 7)", async () => {
    const name = await prepare("Manual", "stopped");
    const res = await vmAction(sim, name, "restart");
    expect(res.status).toBe(409);
    expect(res.json.message).toBe(conflictMessage(name, "VM is not running: Halted"));
  });

  it("gracePeriodSeconds > 0 answers 400, < 0 answers 400 (§1.6 step 2)", async () => {
    const name = await prepare("Manual", "stopped");
    const a = await vmAction(sim, name, "restart", { gracePeriodSeconds: 5 });
    expect(a.status).toBe(400);
    expect(a.json).toMatchObject({
      reason: "BadRequest",
      message: "For force restart, only gracePeriod=0 is supported for now",
    });
    const b = await vmAction(sim, name, "restart", { gracePeriodSeconds: -1 });
    expect(b.status).toBe(400);
    expect(b.json.message).toBe("gracePeriod has to be greater or equal to 0");
  });

  it("force restart (gracePeriodSeconds 0) of a VMI with TGPS 600 sets TGPS 1 and replaces it quickly (§8 scenario 7)", async () => {
    const name = uniqueName("force");
    await createVM(sim, name, {
      runStrategy: "Always",
      tgps: 600,
      annotations: { "sim.kubevirt.io/ignore-acpi": "true" },
    });
    const old = await waitRunning(sim, name);
    expect((await vmAction(sim, name, "restart", { gracePeriodSeconds: 0 })).status).toBe(202);
    const vmi = await waitFor(
      "a new VMI",
      async () => {
        const v = await getVMI(sim, name);
        return v && v.metadata!.uid !== old.metadata!.uid ? v : undefined;
      },
      3000,
    );
    expect(vmi.spec!.terminationGracePeriodSeconds).toBe(600);
  });

  it("restart of a paused VM gives a new VMI that is not paused (§8 scenario 12)", async () => {
    const name2 = uniqueName("pausedrestart");
    await createVM(sim, name2, { runStrategy: "Always" });
    const first = await waitRunning(sim, name2);
    expect((await vmiAction(sim, name2, "pause")).status).toBe(200);
    await waitForPrintable(sim, name2, "Paused");
    expect((await vmAction(sim, name2, "restart")).status).toBe(202);
    const second = await waitFor("a new running VMI", async () => {
      const v = await getVMI(sim, name2);
      return v && v.metadata!.uid !== first.metadata!.uid && v.status?.phase === "Running" ? v : undefined;
    });
    expect((second.status!.conditions ?? []).some((c: { type: string }) => c.type === "Paused")).toBe(false);
    await waitForPrintable(sim, name2, "Running");
  });
});

describe("§1.1 the Accept header of start/stop/restart", () => {
  const path = (name: string) =>
    `/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/${name}/stop`;
  it("answers 406 before the handler when Accept names JSON alone, and 202 for client-go's `application/json, */*`", async () => {
    const name = await prepare("Always", "running");
    const json = await request(sim.kc, "PUT", path(name), { headers: { Accept: "application/json" } });
    expect([json.status, json.headers["content-type"], json.text]).toEqual([
      406,
      "text/plain",
      "406: Not Acceptable\n\nAvailable representations: ",
    ]);
    expect((await getVM(sim, name)).spec?.runStrategy).toBe("Always");
    const any = await request(sim.kc, "PUT", path(name), { headers: { Accept: "application/json, */*" } });
    expect(any.status).toBe(202);
    await waitStopped(sim, name);
  });
});
