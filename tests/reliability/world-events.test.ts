import type { VmOutputs, VmProvider } from "../../provider/vm-provider";
import type { KubeObject, SimulatorHandle } from "../../simulator";
import { VM_KEY, VMI_KEY } from "../../simulator/kubevirt";
import { CIRROS_TEMPLATE, providerOnSimulator } from "../support/provider-harness";
import {
  cannot,
  CRASH_LOOP_OUTCOMES,
  crashLoopTemplate,
  imagePullTemplate,
  MISSING_IMAGE,
  noRestart,
  STRATEGIES,
  unschedulableTemplate,
  type Outcome,
  type Strategy,
  type WorldEvent,
} from "../support/world-events";

// What the world does to a VM while `up` waits for it to run, under each run strategy: the provider must
// end the wait as KubeVirt's promise says (Always re-creates the instance, RerunOnFailure re-runs failed
// ones, Once and Manual never restart), and a hopeless wait must fail within seconds with what KubeVirt
// did, never at the timeout. Each case prints its line of a table `| event | strategy | outcome | seconds |`
// (seconds from the event, or from the create call when the template causes it, to the end of the wait).

/** The wait's timeout; every failure must come long before it. */
const TIMEOUT = "60s";
/** Upper bound for a failure, counted from the event (or from the create call when the template causes it). */
const FAIL_WITHIN_MS = 10_000;
/** The guest agent connects this long after Running, so a wait for AgentConnected is open when an event hits. */
const AGENT_CONNECT_MS = 1_500;
/** Jest's limit per case: beyond the wait's timeout, so a regression shows as the provider's timeout message. */
const CASE_LIMIT_MS = 75_000;

const TEMPLATE = CIRROS_TEMPLATE;

/** Templates that never run (events that hit the running instance come through the simulator's world). */
type TemplateEvent = "crash loop" | "unschedulable" | "image pull error";

const TEMPLATES: Record<TemplateEvent, Record<string, unknown>> = {
  "crash loop": crashLoopTemplate(TEMPLATE),
  unschedulable: unschedulableTemplate(TEMPLATE),
  "image pull error": imagePullTemplate(TEMPLATE),
};

const UNSCHEDULABLE = cannot("ErrorUnschedulable: 0/1 nodes are available: 1 Insufficient memory\\.");
const IMAGE_PULL = cannot(`(ErrImagePull|ImagePullBackOff): .*"${MISSING_IMAGE.replace(/\./g, "\\.")}"`);

const EXPECTED: Record<WorldEvent | TemplateEvent, Record<Strategy, Outcome>> = {
  "guest shutdown": {
    Always: { runs: "new instance" },
    RerunOnFailure: {
      fails: noRestart(
        "the guest shut down \\(VMI Succeeded\\)",
        "RerunOnFailure",
        " after a guest shutdown",
      ),
    },
    Once: { runs: "finished" },
    Manual: { fails: noRestart("the guest shut down \\(VMI Succeeded\\)", "Manual") },
  },
  "guest crash": {
    Always: { runs: "new instance" },
    RerunOnFailure: { runs: "new instance" },
    Once: { fails: noRestart("the guest crashed \\(VMI Failed\\)", "Once") },
    Manual: { fails: noRestart("the guest crashed \\(VMI Failed\\)", "Manual") },
  },
  "infrastructure failure": {
    Always: { runs: "new instance" },
    RerunOnFailure: { runs: "new instance" },
    Once: { fails: noRestart("the instance failed \\(VMI Failed: NodeUnresponsive\\)", "Once") },
    Manual: { fails: noRestart("the instance failed \\(VMI Failed: NodeUnresponsive\\)", "Manual") },
  },
  "crash loop": CRASH_LOOP_OUTCOMES,
  unschedulable: {
    Always: { fails: UNSCHEDULABLE },
    RerunOnFailure: { fails: UNSCHEDULABLE },
    Once: { fails: UNSCHEDULABLE },
    Manual: { fails: UNSCHEDULABLE },
  },
  "image pull error": {
    Always: { fails: IMAGE_PULL },
    RerunOnFailure: { fails: IMAGE_PULL },
    Once: { fails: IMAGE_PULL },
    Manual: { fails: IMAGE_PULL },
  },
};

const harness = providerOnSimulator({
  kubevirt: { timings: { base: "fast", agentConnectMs: AGENT_CONNECT_MS } },
});
let sim: SimulatorHandle;
let provider: VmProvider;
beforeAll(() => ({ sim, provider } = harness));

let counter = 0;
/** Checked inputs for a new VM that `up` waits for until its guest agent connects. */
async function inputs(strategy: Strategy, template: Record<string, unknown>): Promise<VmOutputs> {
  const name = `vm-${++counter}`;
  const news = {
    name,
    owner: `urn:pulumi:test::reliability::kubevirt:index:VirtualMachine::${name}`,
    template,
    kubeconfig: sim.kubeconfigPath,
    waitFor: "AgentConnected",
    timeouts: { create: TIMEOUT, update: TIMEOUT },
    ...STRATEGIES[strategy],
  };
  const result = await provider.check({}, news);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs as VmOutputs;
}

/** The instance `event` hit: its uid, and when (epoch ms). */
interface Hit {
  uid: string;
  at: number;
}

/** Fires `event` at the VM's instance as soon as it first reaches Running. */
function whenRunning(name: string, event: WorldEvent): Promise<Hit> {
  const world = sim.kubevirt!.world;
  const fire = {
    "guest shutdown": world.guestShutdown,
    "guest crash": world.guestCrash,
    "infrastructure failure": world.infrastructureFailure,
  }[event];
  return new Promise((resolve, reject) => {
    const unsubscribe = sim.store.subscribe(VMI_KEY, ({ object }: { object: KubeObject }) => {
      if (object.metadata.name !== name || object.status?.phase !== "Running") return;
      unsubscribe();
      // Outside the store's notification, as an event of the world would come.
      setImmediate(() => {
        try {
          fire(object.metadata.namespace!, name);
          resolve({ uid: object.metadata.uid!, at: Date.now() });
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  });
}

function describeOutcome(outcome: Outcome): string {
  return "fails" in outcome ? "fails with the reason" : `succeeds (${outcome.runs})`;
}

const cases = (events: (WorldEvent | TemplateEvent)[]) =>
  events.flatMap((event) =>
    (Object.keys(STRATEGIES) as Strategy[]).map((strategy) => {
      const outcome = EXPECTED[event][strategy];
      return [event, strategy, describeOutcome(outcome), outcome] as const;
    }),
  );

afterEach(() => {
  for (const vm of sim.store.list(VM_KEY)) sim.store.delete(VM_KEY, vm.metadata.namespace!, vm.metadata.name);
});

describe("world events while up waits for a VM to run", () => {
  it.each(cases(["guest shutdown", "guest crash", "infrastructure failure"]))(
    "%s under %s: %s",
    async (event, strategy, _words, outcome) => {
      const args = await inputs(strategy, TEMPLATE);
      const hit = whenRunning(args.name, event as WorldEvent);
      const result = provider.create(args).then(
        (r) => ({ ok: true as const, outs: r.outs }),
        (err: Error) => ({ ok: false as const, message: err.message }),
      );
      const { uid, at } = await hit;
      const settled = await result;
      const seconds = (Date.now() - at) / 1000;
      report(event, strategy, settled, seconds);

      if ("fails" in outcome) {
        expect(settled).toEqual({ ok: false, message: expect.stringMatching(outcome.fails) });
        expect(seconds * 1000).toBeLessThan(FAIL_WITHIN_MS);
      } else {
        expect(settled.ok).toBe(true);
        const observed = settled.ok ? settled.outs.observed : undefined;
        if (outcome.runs === "new instance") {
          expect(observed).toMatchObject({ powerState: "Running", vmiPhase: "Running" });
          expect(observed?.vmiUid).not.toBe(uid);
        } else {
          expect(observed).toMatchObject({ vmiPhase: "Succeeded", vmiUid: uid });
        }
      }
    },
    CASE_LIMIT_MS,
  );

  it.each(cases(["crash loop", "unschedulable", "image pull error"]))(
    "%s under %s: %s",
    async (event, strategy, _words, outcome) => {
      const args = await inputs(strategy, TEMPLATES[event as TemplateEvent]);
      const mark = sim.requests.mark();
      const started = Date.now();
      const message = await provider.create(args).then(
        () => "created",
        (err: Error) => err.message,
      );
      const seconds = (Date.now() - started) / 1000;
      report(event, strategy, { ok: false, message }, seconds);

      expect(message).toMatch((outcome as { fails: RegExp }).fails);
      expect(seconds * 1000).toBeLessThan(FAIL_WITHIN_MS);
      const calls = sim.requests
        .list({ mutating: true, afterSeq: mark })
        .map((r) => `${r.method} ${r.path.replace(/^.*\/namespaces\/[^/]+\//, "")}`);
      const start = strategy === "Manual" ? [`PUT virtualmachines/${args.name}/start`] : [];
      expect(calls).toEqual(["POST virtualmachines", ...start]);
    },
    CASE_LIMIT_MS,
  );
});

describe("after a world event", () => {
  it("should start a Manual VM again past the finished instance its guest shut down", async () => {
    const args = await inputs("Manual", TEMPLATE);
    const hit = whenRunning(args.name, "guest shutdown");
    const failed = await provider.create(args).then(
      () => undefined,
      (err: Error & { id?: string; properties?: VmOutputs }) => err,
    );
    const { uid } = await hit;
    expect(failed?.message).toMatch(/stopped: the guest shut down/);
    expect(failed?.properties?.observed).toMatchObject({ vmiPhase: "Succeeded", vmiUid: uid });

    // The next `up` starts it; KubeVirt replaces the finished instance, which the wait must not count.
    const mark = sim.requests.mark();
    const updated = await provider.update(failed!.id!, failed!.properties!, args);
    expect(sim.requests.list({ mutating: true, afterSeq: mark }).map((r) => r.method + " " + r.path)).toEqual(
      [`PUT /apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/${args.name}/start`],
    );
    expect(updated.outs!.observed).toMatchObject({ powerState: "Running", vmiPhase: "Running" });
    expect(updated.outs!.observed!.vmiUid).not.toBe(uid);
  });
});

/** Prints the case's line of the table `| event | strategy | outcome | seconds |`. */
function report(
  event: string,
  strategy: string,
  settled: { ok: true; outs: VmOutputs } | { ok: false; message: string },
  seconds: number,
): void {
  const outcome = settled.ok
    ? `done: ${settled.outs.observed?.vmiPhase === "Succeeded" ? "the instance finished" : "AgentConnected with a new instance"}`
    : `failed: ${settled.message.replace(/^vm-\d+ /, "")}`;
  console.log(`| ${event} | ${strategy} | ${outcome} | ${seconds.toFixed(2)} |`);
}
