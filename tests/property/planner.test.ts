/**
 * A property of the planner, checked against the simulator: for a generated triple (the declaration of the
 * last successful update, a live VM driven into some state by the world or an operator, the declaration now),
 * `update` (observe → plan → execute) converges, and planning again against what is then observed yields no
 * actions: no patch, no power call, no wait. Together with the reviewed table of every transition
 * (provider/planner/testdata/transitions.golden.txt) it pins the planner: the table says what each plan is,
 * this says that executing it reaches a state the planner is content with.
 *
 * The default run (part of `npm test`) checks a few dozen cases with a fixed seed, so it is reproducible.
 * To check more, or other, cases:
 *
 *     PLANNER_PROPERTY_CASES=500 PLANNER_PROPERTY_SEED=42 npm run jest -- tests/property
 *
 * A failure prints fast-check's counterexample (shrunk) with the seed and path that replay it.
 */
import fc from "fast-check";
import { desiredOf } from "../../provider/operations/context";
import { describeAction } from "../../provider/planner/actions";
import { plan } from "../../provider/planner/plan";
import type { LiveVm, LiveVmi } from "../../provider/model/kubevirt";
import type { VmOutputs } from "../../provider/vm-outputs";
import type { KubeObject } from "../../simulator";
import { VM_KEY, VMI_KEY } from "../../simulator/kubevirt";
import { operatorRequest } from "../support/operator";
import { CIRROS_TEMPLATE, providerOnSimulator } from "../support/provider-harness";

/** Cases of the default run, and its seed; see the header for running more. */
const CASES = Number(process.env.PLANNER_PROPERTY_CASES ?? 30);
const SEED = Number(process.env.PLANNER_PROPERTY_SEED ?? 20261125);
/** Jest's limit: generous per case, since a failing case is shrunk (re-run) by fast-check. */
const LIMIT_MS = 60_000 + CASES * 5_000;
/** The world counts as settled when the VM and its instance have not changed for this long. */
const QUIET_MS = 300;
/** A world that does not settle within this long fails the case. */
const SETTLE_LIMIT_MS = 15_000;
const NAMESPACE = "default";

const harness = providerOnSimulator();

/** How a program declares its run strategy: the field `runStrategy` (with `powerState`), or legacy `running`. */
const strategyArgs: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constantFrom("Always", "Once", "Halted").map((runStrategy) => ({ runStrategy })),
  fc.record({
    runStrategy: fc.constantFrom("Manual", "RerunOnFailure"),
    powerState: fc.constantFrom(undefined, "Running", "Stopped"),
  }),
  fc.boolean().map((running) => ({ running })),
);

/** The instance template: the cirros one, or the same with more memory (a template change). */
const templates = {
  small: CIRROS_TEMPLATE,
  big: {
    spec: {
      ...CIRROS_TEMPLATE.spec,
      domain: { ...CIRROS_TEMPLATE.spec.domain, memory: { guest: "256Mi" } },
    },
  },
};

/** What happens to the live VM between the last update and this one. */
type WorldEvent = "none" | "guest shutdown" | "guest crash" | "virtctl stop" | "virtctl start";

const declaration = fc.record({
  strategy: strategyArgs,
  template: fc.constantFrom("small", "big") as fc.Arbitrary<keyof typeof templates>,
  restartTrigger: fc.constantFrom(undefined, "a", "b"),
});

const triple = fc.record({
  previous: declaration,
  event: fc.constantFrom<WorldEvent>(
    "none",
    "guest shutdown",
    "guest crash",
    "virtctl stop",
    "virtctl start",
  ),
  declared: declaration,
  restartPolicy: fc.constantFrom("Always", "IfRequired", "Never"),
  powerDrift: fc.constantFrom("Correct", "Ignore"),
});

type Triple = typeof triple extends fc.Arbitrary<infer T> ? T : never;
type Declaration = Triple["previous"];

let counter = 0;

/** Checked inputs of a declaration, as the engine passes them after `check`. */
async function inputs(
  name: string,
  d: Declaration,
  settings: Record<string, unknown>,
  olds: Record<string, unknown> = {},
): Promise<VmOutputs> {
  const news = {
    name,
    owner: `urn:pulumi:test::property::kubevirt:index:VirtualMachine::${name}`,
    kubeconfig: harness.sim.kubeconfigPath,
    template: templates[d.template],
    restartTrigger: d.restartTrigger,
    ...d.strategy,
    ...settings,
  };
  const result = await harness.provider.check(olds, news);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs as VmOutputs;
}

/** The VM and its instance as the simulator stores them (copies). */
function live(name: string): { vm?: LiveVm; vmi?: LiveVmi } {
  const copy = (o: KubeObject | undefined) => (o === undefined ? undefined : structuredClone(o));
  return {
    vm: copy(harness.sim.store.get(VM_KEY, NAMESPACE, name)) as LiveVm | undefined,
    vmi: copy(harness.sim.store.get(VMI_KEY, NAMESPACE, name)) as LiveVmi | undefined,
  };
}

/** Waits until KubeVirt is done with the VM: neither it nor its instance changed for {@link QUIET_MS}. */
async function settled(name: string): Promise<{ vm?: LiveVm; vmi?: LiveVmi }> {
  const version = () => {
    const { vm, vmi } = live(name);
    return `${vm?.metadata.resourceVersion}/${vmi?.metadata.resourceVersion}`;
  };
  const limit = Date.now() + SETTLE_LIMIT_MS;
  let last = version();
  let since = Date.now();
  while (Date.now() - since < QUIET_MS) {
    if (Date.now() > limit) throw new Error(`${name} did not settle within ${SETTLE_LIMIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = version();
    if (now !== last) [last, since] = [now, Date.now()];
  }
  return live(name);
}

/**
 * Makes `event` happen to the VM. An event that does not apply to its state (a guest shutdown without a
 * running instance, `virtctl start` of a running VM) is refused by the simulator as by KubeVirt, and then
 * nothing happens: that is a state worth planning from too.
 */
async function happen(name: string, event: WorldEvent): Promise<void> {
  const world = harness.sim.kubevirt!.world;
  const fire: Record<WorldEvent, () => unknown> = {
    none: () => undefined,
    "guest shutdown": () => world.guestShutdown(NAMESPACE, name),
    "guest crash": () => world.guestCrash(NAMESPACE, name),
    "virtctl stop": () => virtctl(name, "stop"),
    "virtctl start": () => virtctl(name, "start"),
  };
  try {
    await fire[event]();
  } catch {
    // refused: the VM stays as it was
  }
}

function virtctl(name: string, action: "start" | "stop") {
  const path = `/apis/subresources.kubevirt.io/v1/namespaces/${NAMESPACE}/virtualmachines/${name}/${action}`;
  return operatorRequest(harness.sim.kubeconfig, "PUT", path, {});
}

/** Runs one case; resolves to the actions a second plan still wants (the property: none). */
async function replanAfterUpdate(t: Triple): Promise<string[]> {
  const name = `prop-${++counter}`;
  const settings = { restartPolicy: t.restartPolicy, powerDrift: t.powerDrift };
  try {
    const before = await inputs(name, t.previous, settings);
    const created = await harness.provider.create(before);
    await settled(name);
    await happen(name, t.event);
    await settled(name);
    const news = await inputs(name, t.declared, settings, created.outs);
    const { outs } = await harness.provider.update(created.id, created.outs, news);
    const observed = await settled(name);
    const again = plan({ desired: desiredOf(outs!), previous: desiredOf(outs!), observed });
    return again.actions.map((a) => describeAction(a, name));
  } finally {
    harness.sim.store.delete(VM_KEY, NAMESPACE, name);
  }
}

describe("planner property: executing a plan leaves nothing to plan", () => {
  it(
    `should plan no actions after an update, for ${CASES} generated cases (seed ${SEED})`,
    async () => {
      await fc.assert(
        fc.asyncProperty(triple, async (t) => {
          expect(await replanAfterUpdate(t)).toEqual([]);
        }),
        { numRuns: CASES, seed: SEED, endOnFailure: false },
      );
    },
    LIMIT_MS,
  );
});
