import {
  runOperation,
  startBenchWorld,
  type BenchWorld,
  type Operation,
  type OperationResult,
} from "../../bench/engine/world";

// The engine benchmark (`npm run bench`, bench/engine) at N=10, as a test: the same program, world and
// measurements, asserting correctness and the API request counts the issue sets as targets — never time.
// Runs on the simulator only (it reads the simulator's request log and store).

const N = 10;
const VMS = { group: "kubevirt.io", version: "v1", resource: "virtualmachines" };
const VMIS = { ...VMS, resource: "virtualmachineinstances" };
const NAMES = Array.from({ length: N }, (_, i) => `bench-${String(i).padStart(3, "0")}`);

/** Per VM per change, besides the shared collection lists and watches: at most 2 requests; watches shared. */
function expectChangeRequests(r: OperationResult): void {
  const { perVm, watches, lists } = r.requests;
  expect({ op: r.op, perVm: perVm <= 2 ? "≤ 2" : perVm }).toEqual({ op: r.op, perVm: "≤ 2" });
  // Shared: one watch (and list) per collection, plus at most one relist each; never one per VM. (Discovery
  // GETs are shared too: not counted per VM.)
  expect(watches).toBeLessThanOrEqual(4);
  expect(lists).toBeLessThanOrEqual(4);
}

/** No change: zero writes, at most one list per collection and namespace, no per-VM GETs. */
function expectNoChangeRequests(r: OperationResult): void {
  const { writes, gets, listsByPath } = r.requests;
  expect({ op: r.op, writes, gets }).toEqual({ op: r.op, writes: 0, gets: 0 });
  for (const [path, count] of Object.entries(listsByPath))
    expect({ path, count }).toEqual({ path, count: 1 });
}

function powerStates(r: OperationResult): string[] {
  return NAMES.map((n) => r.outputs?.[n]?.powerState ?? "missing");
}

function uids(r: OperationResult): (string | undefined)[] {
  return NAMES.map((n) => r.outputs?.[n]?.vmiUid);
}

const describeSimulator =
  (process.env.PULUMI_KUBEVIRT_TARGET ?? "simulator") === "simulator" ? describe : describe.skip;

describeSimulator(`engine benchmark smoke (N=${N}): correctness and request counts`, () => {
  let world: BenchWorld;
  const seen = new Map<Operation, OperationResult>();
  const run = async (op: Operation) => {
    const r = await runOperation(world, "product", op, N);
    seen.set(op, r);
    // The figures, for the log of a failing run.
    process.stdout.write(`bench-smoke ${op}: ${JSON.stringify(r.requests)}\n`);
    return r;
  };

  beforeAll(async () => {
    world = await startBenchWorld({ bootDelayMs: 200 });
  });
  afterAll(async () => {
    await world?.dispose();
  });

  it("should create every VM Running, with a VMI, in ≤ 2 requests per VM", async () => {
    const r = await run("create");
    expect(powerStates(r)).toEqual(Array(N).fill("Running"));
    expect(uids(r).every((u) => typeof u === "string" && u.length > 0)).toBe(true);
    expect(r.lag.waits).toBe(N);
    expectChangeRequests(r);
  });

  it("should stop every VM (Stopped, no VMI left), in ≤ 2 requests per VM", async () => {
    const r = await run("stop-all");
    expect(powerStates(r)).toEqual(Array(N).fill("Stopped"));
    expect(world.sim.store.list(VMIS, "default")).toEqual([]);
    expectChangeRequests(r);
  });

  it("should start every VM again, in ≤ 2 requests per VM", async () => {
    const r = await run("start-all");
    expect(powerStates(r)).toEqual(Array(N).fill("Running"));
    expect(new Set(uids(r)).size).toBe(N);
    expectChangeRequests(r);
  });

  it("should restart every VM on a restartTrigger change (new VMI uids), in ≤ 2 requests per VM", async () => {
    const before = uids(seen.get("start-all")!);
    const r = await run("restart-all");
    expect(powerStates(r)).toEqual(Array(N).fill("Running"));
    const after = uids(r);
    expect(after.filter((u, i) => u === undefined || u === before[i])).toEqual([]);
    expectChangeRequests(r);
  });

  it("should restart every VM on a template change under IfRequired, in ≤ 2 requests per VM", async () => {
    const before = uids(seen.get("restart-all")!);
    const r = await run("template");
    expect(powerStates(r)).toEqual(Array(N).fill("Running"));
    expect(uids(r).filter((u, i) => u === undefined || u === before[i])).toEqual([]);
    for (const name of NAMES) {
      const vm = world.sim.store.get(VMS, "default", name) as unknown as {
        spec: { template: { spec: { domain: { memory: { guest: string } } } } };
        status?: { conditions?: { type: string }[] };
      };
      expect(vm.spec.template.spec.domain.memory.guest).toBe("192Mi");
      expect((vm.status?.conditions ?? []).map((c) => c.type)).not.toContain("RestartRequired");
    }
    expectChangeRequests(r);
  });

  it("should preview no change with zero writes, one list per collection and no per-VM GETs", async () => {
    const r = await run("preview");
    expect(Object.keys(r.changes).filter((k) => k !== "same")).toEqual([]);
    expectNoChangeRequests(r);
  });

  it("should refresh with no change, zero writes, one list per collection and no per-VM GETs", async () => {
    const r = await run("refresh");
    expect(Object.keys(r.changes).filter((k) => k !== "same")).toEqual([]);
    expectNoChangeRequests(r);
  });

  it("should destroy every VM, in ≤ 2 requests per VM", async () => {
    const r = await run("destroy");
    expect(world.sim.store.list(VMS, "default")).toEqual([]);
    expectChangeRequests(r);
  });

  it("should run the baseline (no-op resources of the same shape) with no API request and no change on preview", async () => {
    const create = await runOperation(world, "baseline", "create", N);
    expect(powerStates(create)).toEqual(Array(N).fill("Running"));
    const preview = await runOperation(world, "baseline", "preview", N);
    expect(Object.keys(preview.changes).filter((k) => k !== "same")).toEqual([]);
    const destroy = await runOperation(world, "baseline", "destroy", N);
    expect([create, preview, destroy].map((r) => r.requests.total)).toEqual([0, 0, 0]);
  });
});
