import { startFleet, type Fleet, type FleetVm } from "../support/fleet";

// Every move between two of the five run strategies, through the real Pulumi engine against the simulator.
// The 20 moves form an Euler circuit of the complete graph on the strategies; five VMs walk four moves each,
// in four rounds of `pulumi up`. For every move the test checks the preview (names the power action, sends
// no writes), the KubeVirt power calls `up` made, and the state the VM reached.

const STRATEGIES = ["Always", "RerunOnFailure", "Once", "Manual", "Halted"] as const;
type Strategy = (typeof STRATEGIES)[number];

/** An Euler circuit over all ordered pairs of distinct strategies (Hierholzer's algorithm). */
function eulerCircuit(): [Strategy, Strategy][] {
  const unused = new Map<Strategy, Strategy[]>(STRATEGIES.map((s) => [s, STRATEGIES.filter((t) => t !== s)]));
  const stack: Strategy[] = [STRATEGIES[0]];
  const path: Strategy[] = [];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = unused.get(top)!.shift();
    if (next) stack.push(next);
    else path.push(stack.pop()!);
  }
  path.reverse();
  return path.slice(1).map((to, i) => [path[i], to]);
}

/** KubeVirt's behaviour per the Run Strategies table (docs/kubevirt-behaviour.md §1.7): the power call a move needs, and the resulting power state. */
function expectedMove(from: Strategy, to: Strategy, power: string): { call?: string; power: string } {
  if (from === "Halted" && to === "Always") return { call: "start", power: "Running" };
  if (from === "Always" && to === "Halted") return { call: "stop", power: "Stopped" };
  switch (to) {
    case "Always":
    case "RerunOnFailure": // KubeVirt starts a VM that is switched to RerunOnFailure
    case "Once": // ... or to Once
      return { power: "Running" };
    case "Halted":
      return { power: "Stopped" };
    case "Manual":
      return { power }; // Manual leaves the power state alone
  }
}

describe("run-strategy transitions through the Pulumi engine", () => {
  let fleet: Fleet;
  const circuit = eulerCircuit();
  const vmNames = STRATEGIES.map((_, i) => `walker-${i}`);
  // Walker i takes moves 4i .. 4i+3 of the circuit.
  const strategyAt = (vm: number, round: number): Strategy =>
    round === 0 ? circuit[4 * vm][0] : circuit[4 * vm + round - 1][1];
  const config = (round: number) =>
    Object.fromEntries(vmNames.map((name, i) => [name, { runStrategy: strategyAt(i, round) }]));
  let state: Record<string, FleetVm>;

  beforeAll(async () => {
    fleet = await startFleet("transitions");
  });
  afterAll(async () => {
    await fleet?.dispose();
  });

  it("should cover all 20 moves between different strategies", () => {
    expect(circuit).toHaveLength(20);
    expect(new Set(circuit.map(([a, b]) => `${a}>${b}`)).size).toBe(20);
  });

  it("should create one VM per strategy in the state the strategy implies", async () => {
    const mark = fleet.mark();
    state = await fleet.up(config(0));
    for (const [i, name] of vmNames.entries()) {
      const strategy = strategyAt(i, 0);
      const running = strategy !== "Halted" && strategy !== "Manual";
      expect([name, state[name].runStrategy, state[name].powerState]).toEqual([
        name,
        strategy,
        running ? "Running" : "Stopped",
      ]);
    }
    fleet.expectPowerCalls(mark, []);
  });

  it.each([1, 2, 3, 4])(
    "should converge every VM in round %d, with a preview that names each power action",
    async (round) => {
      await fleet.stack.setConfig("vms", { value: JSON.stringify(config(round)) });
      let mark = fleet.mark();
      const preview = await fleet.stack.preview();
      fleet.expectNoWrites(mark);

      const expected = vmNames.map((name, i) => ({
        name,
        from: strategyAt(i, round - 1),
        to: strategyAt(i, round),
        ...expectedMove(strategyAt(i, round - 1), strategyAt(i, round), state[name].powerState),
      }));
      for (const e of expected) {
        if (e.call)
          expect(preview.stdout).toContain(`will ${e.call} ${e.name} (runStrategy ${e.from} → ${e.to})`);
      }

      mark = fleet.mark();
      state = await fleet.up(config(round));
      fleet.expectPowerCalls(
        mark,
        expected.filter((e) => e.call).map((e) => `${e.name}/${e.call}`),
      );
      for (const e of expected) {
        expect({
          vm: e.name,
          move: `${e.from} → ${e.to}`,
          runStrategy: state[e.name].runStrategy,
          power: state[e.name].powerState,
        }).toEqual({
          vm: e.name,
          move: `${e.from} → ${e.to}`,
          runStrategy: e.to,
          power: e.power,
        });
      }
    },
  );

  it("should find nothing to change afterwards, in preview and in refresh", async () => {
    const mark = fleet.mark();
    const preview = await fleet.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 1 + 2 * vmNames.length });
    const refresh = await fleet.stack.refresh();
    expect(refresh.summary.resourceChanges).toEqual({ same: 1 + 2 * vmNames.length });
    fleet.expectNoWrites(mark);
  });

  it("should delete every VM and its instance on destroy", async () => {
    const result = await fleet.stack.destroy();
    expect(result.summary.resourceChanges).toEqual({ delete: 1 + 2 * vmNames.length });
    expect(await fleet.target.list("virtualmachines")).toEqual([]);
    expect(await fleet.target.list("virtualmachineinstances")).toEqual([]);
  });
});
