/**
 * The VirtualMachine API as a client sees it: admission (§4), dry-run subresource calls (§1.2, §8
 * scenario 13), optimistic concurrency, the status subresource, watch resume and 410 Gone, discovery,
 * authentication (401) and authorization (403) of the KubeVirt subresources.
 */
import { KubernetesObjectApi } from "@kubernetes/client-node";
import {
  NS,
  VM_PATH,
  createVM,
  expectApiError,
  getVM,
  getVMI,
  kubeconfigFor,
  patchVM,
  raw,
  simPerFile,
  startSim,
  uniqueName,
  vmAction,
  vmManifest,
  waitFor,
  waitRunning,
  waitStopped,
  watchEvents,
  type Obj,
} from "./harness";

const WEBHOOK = 'admission webhook "virtualmachine-validator.kubevirt.io" denied the request: ';

const sim = simPerFile({
  users: [
    {
      name: "viewer",
      token: "viewer-token",
      rules: [
        { verbs: ["get", "list", "watch"], apiGroups: ["kubevirt.io"], resources: ["virtualmachines"] },
      ],
    },
  ],
});

describe("admission: the virtualmachine-validator webhook (§4)", () => {
  const template = vmManifest("x", { runStrategy: "Always" }).spec!.template;
  const table: [string, Record<string, unknown>, string, { reason: string; field: string }[]][] = [
    [
      "both running and runStrategy",
      { running: true, runStrategy: "Always", template },
      "Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead",
      [{ reason: "FieldValueInvalid", field: "spec.running" }],
    ],
    [
      "neither running nor runStrategy",
      { template },
      "RunStrategy must be specified",
      [{ reason: "FieldValueInvalid", field: "spec.running" }],
    ],
    [
      "an invalid runStrategy",
      { runStrategy: "Sometimes", template },
      "Invalid RunStrategy (Sometimes)",
      [{ reason: "FieldValueInvalid", field: "spec.runStrategy" }],
    ],
    [
      "WaitAsReceiver without the DecentralizedLiveMigration gate",
      { runStrategy: "WaitAsReceiver", template },
      "Invalid RunStrategy (WaitAsReceiver), DecentralizedLiveMigration feature gate is not enabled in kubevirt resource",
      [{ reason: "FieldValueInvalid", field: "spec.runStrategy" }],
    ],
  ];
  for (const [what, spec, message, causes] of table) {
    it(`rejects ${what} with 422 Invalid: "${message}"`, async () => {
      const name = uniqueName("adm");
      const err = await expectApiError(() =>
        sim.api.create({
          apiVersion: "kubevirt.io/v1",
          kind: "VirtualMachine",
          metadata: { name, namespace: NS },
          spec,
        }),
      );
      expect(err.code).toBe(422);
      expect(err.body).toMatchObject({
        kind: "Status",
        status: "Failure",
        reason: "Invalid",
        code: 422,
        message: WEBHOOK + message,
      });
      expect(err.body.details.causes).toEqual(causes.map((c) => expect.objectContaining({ ...c, message })));
    });
  }

  it('rejects a missing template in the mutating webhook first: 422 "spec.template in body is required"', async () => {
    const err = await expectApiError(() =>
      sim.api.create({
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        metadata: { name: uniqueName("adm"), namespace: NS },
        spec: { runStrategy: "Always" },
      }),
    );
    expect(err.code).toBe(422);
    expect(err.body).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "Invalid",
      code: 422,
      message:
        'admission webhook "virtualmachines-mutator.kubevirt.io" denied the request: spec.template in body is required',
    });
    expect(err.body.details.causes).toEqual([{ message: "spec.template in body is required" }]);
  });

  it("rejects an update that sets both fields (the webhook runs on UPDATE too)", async () => {
    const name = uniqueName("adm");
    await createVM(sim, name, { runStrategy: "Halted" });
    const err = await expectApiError(() => patchVM(sim, name, { spec: { running: true } }));
    expect(err.code).toBe(422);
    expect(err.body.message).toMatch(
      /^admission webhook "virtualmachine-validator.kubevirt.io" denied the request: Running and RunStrategy are mutually exclusive/,
    );
  });

  it("warns that spec.running is deprecated (Warning header)", async () => {
    const name = uniqueName("legacy");
    const res = await raw(sim.kc, "POST", VM_PATH, vmManifest(name, { running: false }));
    expect(res.status).toBe(201);
    expect(String(res.headers.warning)).toContain(
      '299 - "spec.running is deprecated, please use spec.runStrategy instead."',
    );
  });

  it("rejects a name that is not a DNS-1123 subdomain with Kubernetes' message", async () => {
    const err = await expectApiError(() => sim.api.create(vmManifest("Bad_Name", { runStrategy: "Halted" })));
    expect(err.code).toBe(422);
    expect(err.body.message).toContain(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters",
    );
    expect(err.body.message).toContain('"Bad_Name"');
  });
});

describe("dry-run subresource calls persist nothing (§1.2, §8 scenario 13)", () => {
  it("dry-run start of a Manual VM never creates a VMI (test_id:7530)", async () => {
    const name = uniqueName("dry");
    await createVM(sim, name, { runStrategy: "Manual" });
    await waitStopped(sim, name);
    expect((await vmAction(sim, name, "start", { dryRun: ["All"] })).status).toBe(202);
    expect((await vmAction(sim, name, "start", undefined, "?dryRun=All")).status).toBe(202);
    await new Promise((r) => setTimeout(r, 150));
    expect(await getVMI(sim, name)).toBeUndefined();
    expect((await getVM(sim, name)).status!.stateChangeRequests).toBeUndefined();
  });

  it("dry-run stop (with gracePeriod 10) of an Always VM changes neither strategy nor the VMI's grace period (test_id:7529)", async () => {
    const name = uniqueName("dry");
    await createVM(sim, name, { runStrategy: "Always", tgps: 30 });
    const vmi = await waitRunning(sim, name);
    expect((await vmAction(sim, name, "stop", { gracePeriod: 10, dryRun: ["All"] })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 100));
    const after = (await getVMI(sim, name))!;
    expect(after.metadata!.uid).toBe(vmi.metadata!.uid);
    expect(after.metadata!.deletionTimestamp).toBeUndefined();
    expect(after.spec!.terminationGracePeriodSeconds).toBe(30);
    expect((await getVM(sim, name)).spec!.runStrategy).toBe("Always");
  });

  it("dry-run restart keeps the same VMI uid and no deletionTimestamp (test_id:7528)", async () => {
    const name = uniqueName("dry");
    await createVM(sim, name, { runStrategy: "Always" });
    const vmi = await waitRunning(sim, name);
    expect((await vmAction(sim, name, "restart", { dryRun: ["All"] })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 150));
    const after = (await getVMI(sim, name))!;
    expect(after.metadata!.uid).toBe(vmi.metadata!.uid);
    expect(after.metadata!.creationTimestamp).toEqual(vmi.metadata!.creationTimestamp);
    expect(after.metadata!.deletionTimestamp).toBeUndefined();
  });
});

describe("optimistic concurrency and the status subresource", () => {
  it("a replace with a stale resourceVersion answers 409 Conflict", async () => {
    const name = uniqueName("occ");
    const created = (await createVM(sim, name, { runStrategy: "Halted" })) as Obj;
    await waitFor(
      "controller finalizer",
      async () => (await getVM(sim, name)).metadata!.finalizers?.length === 1,
    );
    const stale = { ...created, spec: { ...created.spec, runStrategy: "Manual" } };
    const err = await expectApiError(() => sim.api.replace(stale));
    expect(err.code).toBe(409);
    expect(err.body.reason).toBe("Conflict");
    expect(err.body.message).toContain(`virtualmachines.kubevirt.io "${name}"`);
  });

  it("spec changes bump metadata.generation, controller status writes do not; status sent to the main resource is ignored", async () => {
    const name = uniqueName("gen");
    await createVM(sim, name, { runStrategy: "Halted" });
    const vm = await waitStopped(sim, name);
    expect(vm.metadata!.generation).toBe(1);
    const patched = await patchVM(sim, name, {
      spec: { runStrategy: "Manual" },
      status: { printableStatus: "Hacked" },
    });
    expect(patched.metadata!.generation).toBe(2);
    expect(patched.status!.printableStatus).toBe("Stopped");
  });
});

describe("watches", () => {
  it("a watch resumed from a resourceVersion gets every later change of the VM, in order", async () => {
    const name = uniqueName("watch");
    const created = await createVM(sim, name, { runStrategy: "Halted" });
    await waitStopped(sim, name);
    const w = await watchEvents(sim, VM_PATH, {
      resourceVersion: created.metadata!.resourceVersion,
      fieldSelector: `metadata.name=${name}`,
    });
    await waitFor("events", async () => w.events.some((e) => e.object.status?.printableStatus === "Stopped"));
    w.stop();
    const rvs = w.events.map((e) => Number(e.object.metadata!.resourceVersion));
    expect(rvs.every((rv) => rv > Number(created.metadata!.resourceVersion))).toBe(true);
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
  });

  it("a watch from a compacted resourceVersion gets 410 Expired", async () => {
    const small = await startSim({ historySize: 3 });
    try {
      const name = "w";
      const created = await createVM(small, name, { runStrategy: "Always" });
      await waitRunning(small, name);
      const w = await watchEvents(small, VM_PATH, { resourceVersion: created.metadata!.resourceVersion });
      await waitFor("410", async () => w.finished || w.events.some((e) => e.type === "ERROR"));
      const errorEvent = w.events.find((e) => e.type === "ERROR");
      const code = errorEvent
        ? (errorEvent.object as unknown as { code: number }).code
        : (w.error as { code?: number })?.code;
      expect(code).toBe(410);
    } finally {
      await small.stop();
    }
  });
});

describe("discovery", () => {
  it("serves VirtualMachine and VirtualMachineInstance with their short names and status subresources", async () => {
    const res = await raw(sim.kc, "GET", "/apis/kubevirt.io/v1");
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.json.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.virtualmachines).toMatchObject({
      kind: "VirtualMachine",
      namespaced: true,
      shortNames: ["vm", "vms"],
    });
    expect(byName.virtualmachineinstances).toMatchObject({
      kind: "VirtualMachineInstance",
      shortNames: ["vmi", "vmis"],
    });
    expect(byName["virtualmachines/status"]).toBeDefined();
  });
});

describe("authentication and authorization", () => {
  it("answers 401 Unauthorized without a valid token", async () => {
    const res = await raw(kubeconfigFor(sim, "wrong-token"), "GET", VM_PATH);
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
  });

  it("answers 403 Forbidden to a viewer calling the start subresource, but lets it read VMs", async () => {
    const name = uniqueName("authz");
    await createVM(sim, name, { runStrategy: "Manual" });
    const kc = kubeconfigFor(sim, "viewer-token");
    const api = KubernetesObjectApi.makeApiClient(kc);
    const read = await api.read({
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: { name, namespace: NS },
    });
    expect(read.metadata!.name).toBe(name);
    const res = await raw(
      kc,
      "PUT",
      `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachines/${name}/start`,
    );
    expect(res.status).toBe(403);
    expect(res.json.reason).toBe("Forbidden");
    expect(res.json.message).toContain(
      'User "viewer" cannot update resource "virtualmachines/start" in API group "subresources.kubevirt.io"',
    );
    expect(await getVMI(sim, name)).toBeUndefined();
  });
});
