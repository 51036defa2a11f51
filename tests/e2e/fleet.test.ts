import { join } from "node:path";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import { recordAvailability, type AvailabilityRecord } from "../support/availability";
import { createTestStack, type TestStack } from "../support/stack";

// examples/fleet (20 VMs, maxUnavailable 5) through the real Pulumi engine against the simulator: the creates,
// a rolling restart, a roll that stops at a VM that cannot become Ready, and the destroy, each checked against
// the simulator's request log (which VM was written to, and when) and its store (when each VM was available).
// Simulator only: it reads the simulator's request log and store.

const describeSimulator =
  (process.env.PULUMI_KUBEVIRT_TARGET ?? "simulator") === "simulator" ? describe : describe.skip;

const EXAMPLE = join(__dirname, "../../examples/fleet");
const NAMES = Array.from({ length: 20 }, (_, i) => `web-${i}`);
const BATCHES = [0, 1, 2, 3].map((k) => NAMES.slice(5 * k, 5 * k + 5));
const VMS = { group: "kubevirt.io", version: "v1", resource: "virtualmachines" };
const VMIS = { ...VMS, resource: "virtualmachineinstances" };
const VM_PATH =
  /^\/apis\/(?:subresources\.)?kubevirt\.io\/v1\/namespaces\/default\/virtualmachines\/(web-\d+)/;
/** The simulator's switch that makes a VM's images unknown: its next instance cannot pull them. */
const IMAGE_PULL_ERROR = "sim.kubevirt.io/image-pull-error";
/** Scheduled → Running: long enough that the VMs of a batch are down at the same time. */
const BOOT_MS = 300;

describeSimulator("examples/fleet: 20 VMs rolled 5 at a time", () => {
  let sim: SimulatorHandle;
  let t: TestStack;
  let availability: AvailabilityRecord;

  beforeAll(async () => {
    sim = await startSimulator({ kubevirt: { timings: { base: "fast", runningMs: BOOT_MS } } });
    availability = recordAvailability(sim);
    t = await createTestStack(
      EXAMPLE,
      "fleet",
      { KUBECONFIG: sim.kubeconfigPath, PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
      true,
    );
  });
  afterAll(async () => {
    availability?.stop();
    await t?.dispose().catch(() => undefined);
    await sim?.stop();
  });

  /** The writes to each VM since `mark` (including its start/stop/restart calls), by VM name. */
  function writes(
    mark: number,
  ): Map<string, { time: number; method: string; path: string; status: number }[]> {
    const byVm = new Map<string, { time: number; method: string; path: string; status: number }[]>();
    for (const r of sim.requests.list({ afterSeq: mark, mutating: true })) {
      const name = VM_PATH.exec(r.path)?.[1];
      if (name === undefined) continue;
      byVm.set(name, [...(byVm.get(name) ?? []), { ...r, time: Date.parse(r.time) }]);
    }
    return byVm;
  }

  /** When each VM was restarted since `mark` (KubeVirt's `restart` subresource, accepted), by VM name. */
  function restarts(mark: number): Map<string, number> {
    const times = new Map<string, number>();
    for (const [name, ws] of writes(mark)) {
      const restart = ws.filter((w) => w.path.endsWith("/restart"));
      expect({ name, restarts: restart.map((r) => r.status) }).toEqual({ name, restarts: [202] });
      times.set(name, restart[0]!.time);
    }
    return times;
  }

  /** Asserts that every VM of `later` was first written to only after every VM of `earlier` was available again. */
  function expectAfter(earlier: string[], later: string[], startedAt: (name: string) => number): void {
    const laterStart = Math.min(...later.map(startedAt));
    for (const name of earlier) {
      const backAt = availability.availableAt(name, laterStart);
      expect({ name, availableBeforeTheNextBatch: backAt !== undefined && backAt <= laterStart }).toEqual({
        name,
        availableBeforeTheNextBatch: true,
      });
    }
  }

  const vmiUid = (name: string) => sim.store.get(VMIS, "default", name)?.metadata.uid;

  /** Sets or removes the image-pull fault switch on a VM (straight into the store: not a request). */
  function setImagePullError(name: string, on: boolean): void {
    const vm = sim.store.get(VMS, "default", name)!;
    const annotations = { ...vm.metadata.annotations };
    if (on) annotations[IMAGE_PULL_ERROR] = "true";
    else delete annotations[IMAGE_PULL_ERROR];
    sim.store.update(VMS, { ...vm, metadata: { ...vm.metadata, annotations } });
  }

  it("should say in preview that it rolls 20 VMs in 4 batches, then create them 5 at a time", async () => {
    let mark = sim.requests.mark();
    const preview = await t.stack.preview();
    expect(preview.stdout).toContain("rolls 20 VMs in 4 batches of at most 5 (maxUnavailable 5)");
    expect(sim.requests.list({ afterSeq: mark, mutating: true })).toEqual([]);

    mark = sim.requests.mark();
    const since = Date.now();
    const up = await t.stack.up();
    expect(up.outputs.names.value).toEqual(NAMES);
    expect(up.outputs.batchCount.value).toBe(4);
    expect(up.outputs.ready.value).toEqual(NAMES.map(() => true));
    // A VM is created when it first becomes unavailable (it exists, without a Ready instance).
    const createdAt = (name: string) =>
      availability.changes.find((c) => c.name === name && !c.available)!.time;
    for (let k = 1; k < BATCHES.length; k++) expectAfter(BATCHES[k - 1]!, BATCHES[k]!, createdAt);
    expect(availability.peakUnavailable(since)).toBeLessThanOrEqual(5);
    expect(sim.store.list(VMS, "default").map((vm) => vm.metadata.name)).toHaveLength(20);
    expect(up.summary.resourceChanges).toEqual({ create: 42 }); // stack, fleet, 20 × (component + VM)
  });

  it("should restart them 5 at a time when restartTrigger changes: never more than 5 down", async () => {
    const before = NAMES.map(vmiUid);
    await t.stack.setConfig("restartTrigger", { value: "2" });
    const mark = sim.requests.mark();
    const since = Date.now();
    const up = await t.stack.up();
    const restarted = restarts(mark);
    expect([...restarted.keys()].sort()).toEqual([...NAMES].sort());
    for (let k = 1; k < BATCHES.length; k++) {
      expectAfter(BATCHES[k - 1]!, BATCHES[k]!, (name) => restarted.get(name)!);
    }
    const peak = availability.peakUnavailable(since);
    process.stdout.write(`fleet rolling restart: at most ${peak} VMs unavailable at once\n`);
    expect(peak).toBeLessThanOrEqual(5);
    // The VMs of a batch are restarted together, not one by one.
    expect(peak).toBeGreaterThan(1);
    const after = up.outputs.vmiUids.value as string[];
    after.forEach((uid, i) =>
      expect({ vm: NAMES[i], renewed: uid !== before[i] }).toEqual({ vm: NAMES[i], renewed: true }),
    );
    expect(up.outputs.ready.value).toEqual(NAMES.map(() => true));
  });

  it("should stop the roll at a VM of batch 2 that cannot become Ready, leave batches 3 and 4 alone, and finish on the next up", async () => {
    const untouched = [...BATCHES[2]!, ...BATCHES[3]!];
    const before = new Map(untouched.map((name) => [name, vmiUid(name)]));
    setImagePullError("web-6", true);
    await t.stack.setConfig("restartTrigger", { value: "3" });
    let mark = sim.requests.mark();
    await expect(t.stack.up()).rejects.toThrow(
      /web-6 cannot become Ready with a new instance: (ErrImagePull|ImagePullBackOff)/,
    );
    const failed = writes(mark);
    const restartedInFailedRun = [...restarts(mark).keys()];
    expect(restartedInFailedRun).toEqual(expect.arrayContaining([...BATCHES[0]!, "web-6"]));
    expect(restartedInFailedRun.every((name) => [...BATCHES[0]!, ...BATCHES[1]!].includes(name))).toBe(true);
    expect(untouched.filter((name) => failed.has(name))).toEqual([]);
    expect(untouched.filter((name) => vmiUid(name) !== before.get(name))).toEqual([]);

    // The image can be pulled again: the next `up` restarts web-6 (its failed update was not recorded) and
    // only then batches 3 and 4.
    setImagePullError("web-6", false);
    mark = sim.requests.mark();
    const since = Date.now();
    const up = await t.stack.up();
    const resumed = restarts(mark);
    expect([...resumed.keys()]).toEqual(expect.arrayContaining(["web-6", ...untouched]));
    expect(BATCHES[0]!.filter((name) => resumed.has(name))).toEqual([]);
    expectAfter(["web-6"], BATCHES[2]!, (name) => resumed.get(name)!);
    expectAfter(BATCHES[2]!, BATCHES[3]!, (name) => resumed.get(name)!);
    // web-6 was down when this `up` began (it failed to boot): counted too.
    expect(availability.peakUnavailable(since)).toBeLessThanOrEqual(5);
    expect(up.outputs.ready.value).toEqual(NAMES.map(() => true));
  });

  it("should destroy the last batch first, then the one before", async () => {
    const mark = sim.requests.mark();
    const destroyed = await t.stack.destroy();
    expect(destroyed.summary.resourceChanges).toEqual({ delete: 42 });
    const deletedAt = new Map(
      [...writes(mark)].map(([name, ws]) => [
        name,
        ws.filter((w) => w.method === "DELETE").map((w) => w.time),
      ]),
    );
    expect([...deletedAt.keys()].sort()).toEqual([...NAMES].sort());
    for (let k = 1; k < BATCHES.length; k++) {
      const earlierFirst = Math.min(...BATCHES[k - 1]!.flatMap((name) => deletedAt.get(name)!));
      const laterLast = Math.max(...BATCHES[k]!.flatMap((name) => deletedAt.get(name)!));
      expect({ batch: k + 1, deletedBeforeBatch: k, ok: laterLast <= earlierFirst }).toEqual({
        batch: k + 1,
        deletedBeforeBatch: k,
        ok: true,
      });
    }
    expect(sim.store.list(VMS, "default")).toEqual([]);
  });
});
