/**
 * The simulated world's faults, each switched on per object (label/annotation) or globally (control API):
 * unschedulable templates (§9, printableStatus ErrorUnschedulable), unknown images (ErrImagePull /
 * ImagePullBackOff), crash loops with KubeVirt's backoff (§2.5, §8 scenario 21), a missing guest agent,
 * infrastructure failure, and the API layer's HTTP fault injection.
 */
import {
  NS,
  VM_PATH,
  control,
  createVM,
  getVM,
  getVMI,
  patchVM,
  raw,
  simPerFile,
  uniqueName,
  vmAction,
  waitFor,
  waitForPrintable,
  waitRunning,
  waitStopped,
} from "./harness";

const sim = simPerFile();
const failCount = async (name: string) =>
  ((await getVM(sim, name)).status?.startFailure?.consecutiveFailCount ?? 0) as number;

describe("node capacity: ErrorUnschedulable (§2.5 printableStatus 8, §8 scenario 25)", () => {
  it("a template asking for more memory than the node has is ErrorUnschedulable with the scheduler's message; more capacity schedules it", async () => {
    const name = uniqueName("big");
    await createVM(sim, name, { runStrategy: "Always", memory: "4Ti" });
    const vm = await waitForPrintable(sim, name, "ErrorUnschedulable");
    const cond = vm.status!.conditions.find((c: { type: string }) => c.type === "PodScheduled");
    expect(cond).toMatchObject({ status: "False", reason: "Unschedulable" });
    expect(cond.message).toMatch(/^0\/1 nodes are available: 1 Insufficient memory\./);
    expect((await getVMI(sim, name))!.status!.phase).toBe("Scheduling");
    const r = await control(sim, "kubevirt/settings", { node: { memory: "8Ti" } });
    expect(r.status).toBe(200);
    expect(r.json.node.memory).toBe("8Ti");
    await waitRunning(sim, name);
    await control(sim, "kubevirt/settings", { node: { memory: "1Ti" } });
    await patchVM(sim, name, { spec: { runStrategy: "Halted" } });
    await waitStopped(sim, name);
  });
});

describe("unknown containerDisk images: ErrImagePull then ImagePullBackOff (§2.5 printableStatus 11/12)", () => {
  it("an unknown image shows ErrImagePull, then ImagePullBackOff; adding it to the known images lets the VM run", async () => {
    const name = uniqueName("img");
    await createVM(sim, name, { runStrategy: "Always", image: "registry.example.com/nope/disk:1" });
    const vm = await waitForPrintable(sim, name, "ErrImagePull");
    expect(vm.status!.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "Synchronized", status: "False", reason: "ErrImagePull" }),
      ]),
    );
    await waitForPrintable(sim, name, "ImagePullBackOff");
    const settings = (await control(sim, "kubevirt/settings", {})).json;
    await control(sim, "kubevirt/settings", {
      knownImages: [...settings.knownImages, "registry.example.com/nope/*"],
    });
    await waitRunning(sim, name);
  });

  it("the per-object annotation sim.kubevirt.io/image-pull-error fails a known image", async () => {
    const name = uniqueName("imgfault");
    await createVM(sim, name, {
      runStrategy: "Always",
      annotations: { "sim.kubevirt.io/image-pull-error": "true" },
    });
    await waitForPrintable(sim, name, "ErrImagePull");
  });
});

describe("crash loop (§2.5 startFailure, §8 scenarios 5 and 21)", () => {
  it("a VMI failing before Running gives CrashLoopBackOff with startFailure and KubeVirt's backoff; stop clears it (§8 scenario 5)", async () => {
    const name = uniqueName("crash");
    await createVM(sim, name, { runStrategy: "Always", labels: { "sim.kubevirt.io/crash-loop": "true" } });
    const vm = await waitForPrintable(sim, name, "CrashLoopBackOff");
    expect(vm.status!.startFailure).toMatchObject({
      consecutiveFailCount: 1,
      lastFailedVMIUID: expect.any(String),
    });
    expect(Date.parse(vm.status!.startFailure.retryAfterTimestamp)).toBeGreaterThan(
      Date.parse(vm.metadata!.creationTimestamp as unknown as string),
    );
    // backoff 10·n² s (+ jitter) scaled to 1/100: within 1 s at most 3 failures are counted (KubeVirt's "≤ 3 per minute" check)
    await new Promise((r) => setTimeout(r, 1000));
    const n = await failCount(name);
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(3);
    expect((await vmAction(sim, name, "stop")).status).toBe(202);
    const stopped = await waitStopped(sim, name);
    expect(stopped.status!.startFailure).toBeUndefined();
  });

  it("start on an Always VM waiting out its backoff answers 409 Always does not support manual start requests (§1.7 START, no VMI)", async () => {
    const name = uniqueName("crashstart");
    await createVM(sim, name, { runStrategy: "Always", labels: { "sim.kubevirt.io/crash-loop": "true" } });
    await waitFor("second failure", async () => (await failCount(name)) >= 2);
    await waitFor("no VMI during backoff", async () => !(await getVMI(sim, name)));
    const res = await vmAction(sim, name, "start");
    expect(res.status).toBe(409);
    expect(res.json.message).toMatch(/Always does not support manual start requests$/);
    await patchVM(sim, name, { spec: { runStrategy: "Halted" } });
  });

  it("fixing the template ends the crash loop: the next VMI runs and startFailure is cleared (§8 scenario 21)", async () => {
    const name = uniqueName("crashfix");
    await createVM(sim, name, { runStrategy: "Always", labels: { "sim.kubevirt.io/crash-loop": "true" } });
    await waitForPrintable(sim, name, "CrashLoopBackOff");
    await patchVM(sim, name, {
      spec: { template: { metadata: { labels: { "sim.kubevirt.io/crash-loop": null } } } },
    });
    const vm = await waitForPrintable(sim, name, "Running", 5000);
    expect(vm.status!.startFailure).toBeUndefined();
  });

  it("RerunOnFailure in a crash loop keeps a pending Start; a manual start answers 500 stop/start already underway (§1.3)", async () => {
    const name = uniqueName("rofcrash");
    await createVM(sim, name, {
      runStrategy: "RerunOnFailure",
      labels: { "sim.kubevirt.io/crash-loop": "true" },
    });
    await waitFor("second failure", async () => (await failCount(name)) >= 2);
    const vm = await waitFor("pending Start, no VMI", async () => {
      const v = await getVM(sim, name);
      return !(await getVMI(sim, name)) && v.status?.stateChangeRequests?.[0]?.action === "Start"
        ? v
        : undefined;
    });
    expect(vm.status!.printableStatus).toBe("CrashLoopBackOff");
    const res = await vmAction(sim, name, "start");
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({
      reason: "InternalError",
      message: "Internal error occurred: unable to complete request: stop/start already underway",
    });
    await patchVM(sim, name, { spec: { runStrategy: "Halted" } });
  });

  it("the global crashLoop setting makes every new VMI fail; turning it off lets them run", async () => {
    await control(sim, "kubevirt/settings", { crashLoop: true });
    const name = uniqueName("globalcrash");
    try {
      await createVM(sim, name, { runStrategy: "Always" });
      await waitForPrintable(sim, name, "CrashLoopBackOff");
    } finally {
      await control(sim, "kubevirt/settings", { crashLoop: false });
    }
    await waitRunning(sim, name);
  });
});

describe("guest agent and infrastructure", () => {
  it("with sim.kubevirt.io/no-guest-agent the VM runs and never reports AgentConnected, only the pod's IP", async () => {
    const name = uniqueName("noagent");
    await createVM(sim, name, {
      runStrategy: "Always",
      annotations: { "sim.kubevirt.io/no-guest-agent": "true" },
    });
    await waitRunning(sim, name);
    await new Promise((r) => setTimeout(r, 150));
    const vmi = (await getVMI(sim, name))!;
    expect(vmi.status!.conditions.some((c: { type: string }) => c.type === "AgentConnected")).toBe(false);
    // The pod network's IP comes from the pod, not the agent (§3.1).
    expect(vmi.status!.interfaces[0]).toMatchObject({
      ipAddress: expect.stringMatching(/^10\.244\.0\./),
      infoSource: "domain",
    });
  });

  it("guest events on a VMI that is not running answer 409, and unknown VMIs 404", async () => {
    const name = uniqueName("halted");
    await createVM(sim, name, { runStrategy: "Halted" });
    expect((await control(sim, "kubevirt/guest-shutdown", { namespace: NS, name })).status).toBe(404);
    const pulling = uniqueName("pulling");
    await createVM(sim, pulling, { runStrategy: "Always", image: "registry.example.com/never/disk:1" });
    await waitForPrintable(sim, pulling, "ErrImagePull");
    const res = await control(sim, "kubevirt/guest-shutdown", { namespace: NS, name: pulling });
    expect(res.status).toBe(409);
    expect(res.json.message).toMatch(/is Scheduling; expected Running$/);
    const bad = await control(sim, "kubevirt/settings", { crashLoop: "yes" });
    expect(bad.status).toBe(400);
  });
});

describe("HTTP fault injection of the API layer, seen by a KubeVirt client", () => {
  it("an injected 500 on the start subresource is answered once, then the retry succeeds", async () => {
    const name = uniqueName("httpfault");
    await createVM(sim, name, { runStrategy: "Manual" });
    const add = await control(sim, "faults/add", {
      verb: "PUT",
      path: `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachines/${name}/start`,
      count: 1,
      action: { kind: "status", code: 500, message: "injected" },
    });
    expect(add.status).toBe(200);
    expect((await vmAction(sim, name, "start")).status).toBe(500);
    expect((await vmAction(sim, name, "start")).status).toBe(202);
    await waitRunning(sim, name);
  });

  it("an injected 429 with Retry-After on VM reads", async () => {
    await control(sim, "faults/add", {
      verb: "list",
      path: VM_PATH,
      count: 1,
      action: { kind: "status", code: 429, retryAfterSeconds: 1 },
    });
    const r = await raw(sim.kc, "GET", VM_PATH);
    expect(r.status).toBe(429);
    expect(r.headers["retry-after"]).toBe("1");
    expect((await raw(sim.kc, "GET", VM_PATH)).status).toBe(200);
  });
});
