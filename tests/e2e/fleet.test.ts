import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startSimulator, type KubeObject } from "../../simulator";
import { apiRequest } from "../../provider/kube/http";
import { isAvailable, recordAvailability, type AvailabilityRecord } from "../support/availability";
import { operatorRequest } from "../support/operator";
import { createTestStack, type TestStack } from "../support/stack";
import { simulatorRequests, startTarget, targetName, type SeenRequest, type Target } from "../support/target";

// examples/fleet through the real Pulumi engine against the target (see tests/support/target.ts): the creates,
// a rolling restart, a roll that stops at a VM that cannot become Ready (the image-pull switch of the simulator
// and of the kubevirt tier's node stand-in), and the
// destroy, each checked against the requests the API received (which VM was written to, and when) and watches
// on the VMs and their instances through the API (when each VM was available again). On the simulator the
// example's defaults, 20 VMs 5 at a time; on the kubevirt tier 8 VMs 2 at a time (stack config `count` and
// `maxUnavailable`): the same four batches, to keep within that tier's time.

const TARGET = targetName();
const SIMULATOR = TARGET === "simulator";
const COUNT = SIMULATOR ? 20 : 8;
const MAX_UNAVAILABLE = SIMULATOR ? 5 : 2;
const EXAMPLE = join(__dirname, "../../examples/fleet");
const NAMES = Array.from({ length: COUNT }, (_, i) => `web-${i}`);
const BATCHES = Array.from({ length: COUNT / MAX_UNAVAILABLE }, (_, k) =>
  NAMES.slice(MAX_UNAVAILABLE * k, MAX_UNAVAILABLE * (k + 1)),
);
const RESOURCES = 2 + 2 * COUNT; // stack, fleet, and a component and a VM per member
const NAMESPACE = "/apis/kubevirt.io/v1/namespaces/default";
const VM_PATH =
  /^\/apis\/(?:subresources\.)?kubevirt\.io\/v1\/namespaces\/default\/virtualmachines\/(web-\d+)/;
/** The simulator's switch that makes a VM's images unknown: its next instance cannot pull them. */
const IMAGE_PULL_ERROR = "sim.kubevirt.io/image-pull-error";
/**
 * Scheduled → Running on the simulator: long enough that the VMs of a batch are down at the same time
 * (KubeVirt's own controllers take longer than that by themselves).
 */
const BOOT_MS = 300;

/** What this suite needs of a target: the API and the requests it received. */
type FleetTarget = Pick<Target, "kubeconfig" | "kubeconfigPath" | "mark" | "requests" | "stop">;

/** The target; on the simulator, one whose guests take {@link BOOT_MS} to boot. */
async function startFleetTarget(): Promise<FleetTarget> {
  if (!SIMULATOR) return startTarget();
  const sim = await startSimulator({ kubevirt: { timings: { base: "fast", runningMs: BOOT_MS } } });
  return {
    kubeconfig: sim.kubeconfig,
    kubeconfigPath: sim.kubeconfigPath,
    ...simulatorRequests(sim),
    stop: () => sim.stop(),
  };
}

// Not on the kubeconfig target: who was restarted when is read from the requests the API received, which a
// cluster of one's own does not tell.
const describeWithRequests = TARGET === "kubeconfig" ? describe.skip : describe;

describeWithRequests(`examples/fleet: ${COUNT} VMs rolled ${MAX_UNAVAILABLE} at a time`, () => {
  let target: FleetTarget;
  let t: TestStack;
  let availability: AvailabilityRecord;

  beforeAll(async () => {
    target = await startFleetTarget();
    availability = await recordAvailability(target.kubeconfig);
    t = await createTestStack(
      EXAMPLE,
      "fleet",
      { KUBECONFIG: target.kubeconfigPath, PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
      true,
    );
    if (!SIMULATOR) {
      await t.stack.setAllConfig({
        count: { value: String(COUNT) },
        maxUnavailable: { value: String(MAX_UNAVAILABLE) },
      });
    }
  });
  afterAll(async () => {
    await availability?.stop();
    await t?.dispose().catch(() => undefined);
    await target?.stop();
  });

  /** The writes to each VM since `mark` (including its start/stop/restart calls), by VM name. */
  function writes(mark: number): Map<string, SeenRequest[]> {
    const byVm = new Map<string, SeenRequest[]>();
    for (const r of target.requests(mark)!) {
      const name = VM_PATH.exec(r.path)?.[1];
      if (!r.mutating || name === undefined) continue;
      byVm.set(name, [...(byVm.get(name) ?? []), r]);
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

  /** Asserts that the batches went in order: each one only once the one before was available again. */
  function expectBatchesInOrder(startedAt: (name: string) => number): void {
    for (let k = 1; k < BATCHES.length; k++) expectAfter(BATCHES[k - 1]!, BATCHES[k]!, startedAt);
  }

  /** The objects of a KubeVirt resource in `default`, straight from the API. */
  async function list(resource: "virtualmachines" | "virtualmachineinstances"): Promise<KubeObject[]> {
    return (await operatorRequest(target.kubeconfig, "GET", `${NAMESPACE}/${resource}`)).body.items;
  }

  /** The UID of each VM's instance, by VM name. */
  async function vmiUids(): Promise<Map<string, string>> {
    return new Map(
      (await list("virtualmachineinstances")).map((vmi) => [vmi.metadata.name, vmi.metadata.uid!]),
    );
  }

  /**
   * Asserts that every VM has a Running and Ready instance, read from the API once `up` returned (the VMs'
   * own `ready` outputs are not: on the kubevirt tier virt-controller writes the VM's `status.ready` a moment
   * after its `printableStatus`, and `up` may return in between).
   */
  async function expectAllReady(): Promise<void> {
    const vmis = new Map((await list("virtualmachineinstances")).map((vmi) => [vmi.metadata.name, vmi]));
    expect(NAMES.filter((name) => !isAvailable(vmis.get(name) ?? {}))).toEqual([]);
  }

  it(`should say in preview that it rolls ${COUNT} VMs in ${BATCHES.length} batches, then create them ${MAX_UNAVAILABLE} at a time`, async () => {
    let mark = target.mark();
    const preview = await t.stack.preview();
    expect(preview.stdout).toContain(
      `rolls ${COUNT} VMs in ${BATCHES.length} batches of at most ${MAX_UNAVAILABLE} (maxUnavailable ${MAX_UNAVAILABLE})`,
    );
    expect(target.requests(mark)!.filter((r) => r.mutating)).toEqual([]);

    mark = target.mark();
    const since = Date.now();
    const up = await t.stack.up();
    expect(up.outputs.names.value).toEqual(NAMES);
    expect(up.outputs.batchCount.value).toBe(BATCHES.length);
    await expectAllReady();
    // A VM is created when it first becomes unavailable (it exists, without a Ready instance).
    expectBatchesInOrder((name) => availability.changes.find((c) => c.name === name && !c.available)!.time);
    expect(availability.peakUnavailable(since)).toBeLessThanOrEqual(MAX_UNAVAILABLE);
    expect((await list("virtualmachines")).map((vm) => vm.metadata.name).sort()).toEqual([...NAMES].sort());
    expect(up.summary.resourceChanges).toEqual({ create: RESOURCES });
  });

  it(`should restart them ${MAX_UNAVAILABLE} at a time when restartTrigger changes: never more than ${MAX_UNAVAILABLE} down`, async () => {
    const before = await vmiUids();
    await t.stack.setConfig("restartTrigger", { value: "2" });
    const mark = target.mark();
    const since = Date.now();
    const up = await t.stack.up();
    const restarted = restarts(mark);
    expect([...restarted.keys()].sort()).toEqual([...NAMES].sort());
    expectBatchesInOrder((name) => restarted.get(name)!);
    const peak = availability.peakUnavailable(since);
    process.stdout.write(`fleet rolling restart: at most ${peak} VMs unavailable at once\n`);
    expect(peak).toBeLessThanOrEqual(MAX_UNAVAILABLE);
    // The VMs of a batch are restarted together, not one by one.
    expect(peak).toBeGreaterThan(1);
    const after = up.outputs.vmiUids.value as string[];
    after.forEach((uid, i) =>
      expect({ vm: NAMES[i], renewed: uid !== before.get(NAMES[i]!) }).toEqual({
        vm: NAMES[i],
        renewed: true,
      }),
    );
    await expectAllReady();
  });

  describe("a VM that cannot pull its image", () => {
    const failing = BATCHES[1]![1]!; // the second VM of batch 2
    const untouched = BATCHES.slice(2).flat();

    /** Sets or removes the image-pull switch on a VM, as an operator would annotate it. */
    async function setImagePullError(name: string, on: boolean): Promise<void> {
      const kc = new KubeConfig();
      kc.loadFromString(target.kubeconfig);
      await apiRequest(kc, "PATCH", `${NAMESPACE}/virtualmachines/${name}`, {
        body: { metadata: { annotations: { [IMAGE_PULL_ERROR]: on ? "true" : null } } },
        contentType: "application/merge-patch+json",
      });
    }

    it(`should stop the roll at ${failing} of batch 2, leave the later batches alone, and finish on the next up`, async () => {
      const before = await vmiUids();
      await setImagePullError(failing, true);
      await t.stack.setConfig("restartTrigger", { value: "3" });
      let mark = target.mark();
      await expect(t.stack.up()).rejects.toThrow(
        new RegExp(`${failing} cannot become Ready with a new instance: (ErrImagePull|ImagePullBackOff)`),
      );
      const failed = writes(mark);
      const restartedInFailedRun = [...restarts(mark).keys()];
      expect(restartedInFailedRun).toEqual(expect.arrayContaining([...BATCHES[0]!, failing]));
      expect(restartedInFailedRun.every((name) => [...BATCHES[0]!, ...BATCHES[1]!].includes(name))).toBe(
        true,
      );
      expect(untouched.filter((name) => failed.has(name))).toEqual([]);
      const afterFailure = await vmiUids();
      expect(untouched.filter((name) => afterFailure.get(name) !== before.get(name))).toEqual([]);

      // The image can be pulled again: the next `up` restarts the failed VM (its failed update was not
      // recorded) and only then the later batches.
      await setImagePullError(failing, false);
      mark = target.mark();
      const since = Date.now();
      await t.stack.up();
      const resumed = restarts(mark);
      expect([...resumed.keys()]).toEqual(expect.arrayContaining([failing, ...untouched]));
      expect(BATCHES[0]!.filter((name) => resumed.has(name))).toEqual([]);
      expectAfter([failing], BATCHES[2]!, (name) => resumed.get(name)!);
      for (let k = 3; k < BATCHES.length; k++) {
        expectAfter(BATCHES[k - 1]!, BATCHES[k]!, (name) => resumed.get(name)!);
      }
      // The failed VM was down when this `up` began (it failed to boot): counted too.
      expect(availability.peakUnavailable(since)).toBeLessThanOrEqual(MAX_UNAVAILABLE);
      await expectAllReady();
    });
  });

  it("should destroy the last batch first, then the one before", async () => {
    const mark = target.mark();
    const destroyed = await t.stack.destroy();
    expect(destroyed.summary.resourceChanges).toEqual({ delete: RESOURCES });
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
    expect(await list("virtualmachines")).toEqual([]);
  });
});
