import { KubeConfig } from "@kubernetes/client-node";
import { createVmProvider, type VmOutputs, type VmProvider } from "../../provider/vm-provider";
import type { KubeObject } from "../../simulator";
import { request } from "../../simulator/http/testing";
import { AGENT_DELAY_ANNOTATION } from "../support/kubevirt/node";
import { CIRROS_TEMPLATE } from "../support/provider-harness";
import { startTarget, targetName, type Target } from "../support/target";
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

// tests/reliability/world-events.test.ts on KubeVirt's real virt-controller (the `kubevirt` target): what the
// world does to a VM while `up` waits for AgentConnected must end the wait as KubeVirt does, and a hopeless wait
// must fail within seconds of the event (or of the create call), never at the timeout.

const TIMEOUT = "60s";
const FAIL_WITHIN_MS = 15_000;
const CASE_LIMIT_MS = 90_000;
const BASE = "/apis/kubevirt.io/v1/namespaces/default";

// The agent connects 1.5 s after Running (as in the reliability suite), so the wait is open when an event hits.
const TEMPLATE = {
  metadata: { annotations: { [AGENT_DELAY_ANNOTATION]: "1500" } },
  spec: CIRROS_TEMPLATE.spec,
};
const UNSCHEDULABLE = unschedulableTemplate(TEMPLATE);
const CRASH_LOOP = crashLoopTemplate(TEMPLATE);
const IMAGE_PULL = imagePullTemplate(TEMPLATE);

const SHUT_DOWN = "the guest shut down \\(VMI Succeeded\\)";
const CRASHED = "the guest crashed \\(VMI Failed\\)";
const AFTER_CRASH: Record<Strategy, Outcome> = {
  Always: { runs: "new instance" },
  RerunOnFailure: { runs: "new instance" },
  Once: { fails: noRestart(CRASHED, "Once") },
  Manual: { fails: noRestart(CRASHED, "Manual") },
};

const EXPECTED: Record<WorldEvent, Record<Strategy, Outcome>> = {
  "guest shutdown": {
    Always: { runs: "new instance" },
    RerunOnFailure: { fails: noRestart(SHUT_DOWN, "RerunOnFailure", " after a guest shutdown") },
    Once: { runs: "finished" },
    Manual: { fails: noRestart(SHUT_DOWN, "Manual") },
  },
  "guest crash": AFTER_CRASH,
  // The simulator fails the VMI with reason NodeUnresponsive; KubeVirt's virt-handler fails it without a reason.
  "infrastructure failure": AFTER_CRASH,
};

let target: Target;
let provider: VmProvider;
let kc: KubeConfig;
beforeAll(async () => {
  if (targetName() !== "kubevirt") throw new Error("tests/cluster need PULUMI_KUBEVIRT_TARGET=kubevirt");
  target = await startTarget();
  kc = new KubeConfig();
  kc.loadFromString(target.kubeconfig);
  provider = createVmProvider(() => undefined);
}, 180_000);
afterAll(async () => {
  provider?.close();
  await target?.stop();
});

// Deletes every VM and waits (up to 20 s) until their instances are gone, so the node's capacity is free.
afterEach(async () => {
  for (const vm of await target.list("virtualmachines"))
    await request(kc, "DELETE", `${BASE}/virtualmachines/${vm.metadata.name}`);
  for (let i = 0; i < 400 && (await target.list("virtualmachineinstances")).length > 0; i++)
    await new Promise((r) => setTimeout(r, 50));
  expect(await target.list("virtualmachineinstances")).toEqual([]);
}, 30_000);

let counter = 0;
async function inputs(strategy: Strategy, template: object, more: object = {}): Promise<VmOutputs> {
  const name = `vm-${++counter}`;
  const result = await provider.check(
    {},
    {
      name,
      owner: `urn:pulumi:test::cluster::kubevirt:index:VirtualMachine::${name}`,
      template,
      kubeconfig: target.kubeconfigPath,
      waitFor: "AgentConnected",
      timeouts: { create: TIMEOUT, update: TIMEOUT },
      ...STRATEGIES[strategy],
      ...more,
    },
  );
  expect(result.failures ?? []).toEqual([]);
  return result.inputs as VmOutputs;
}

/** Polls the VMI every 50 ms; when it first is Running, fires `event` at it. Returns its uid and when (epoch ms). */
async function whenRunning(name: string, event: WorldEvent): Promise<{ uid: string; at: number }> {
  const node = target.node!;
  const fire = {
    "guest shutdown": () => node.guestShutdown("default", name),
    "guest crash": () => node.guestCrash("default", name),
    "infrastructure failure": () => node.infrastructureFailure("default", name),
  }[event];
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const res = await request<KubeObject>(kc, "GET", `${BASE}/virtualmachineinstances/${name}`);
    if (res.status === 200 && res.json.status?.phase === "Running") {
      const at = Date.now();
      await fire();
      return { uid: res.json.metadata.uid!, at };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`VMI ${name} never reached Running`);
}

const settle = (p: Promise<{ outs?: VmOutputs }>) =>
  p.then(
    (r) => ({ ok: true as const, outs: r.outs! }),
    (err: Error) => ({ ok: false as const, message: err.message }),
  );

describe("world events while up waits for a VM to run, on KubeVirt's controller", () => {
  const cases = (Object.keys(EXPECTED) as WorldEvent[]).flatMap((event) =>
    (Object.keys(STRATEGIES) as Strategy[]).map((s) => [event, s, EXPECTED[event][s]] as const),
  );
  it.each(cases)(
    "%s under %s",
    async (event, strategy, outcome) => {
      const args = await inputs(strategy, TEMPLATE);
      const result = settle(provider.create(args));
      const { uid, at } = await whenRunning(args.name, event);
      const settled = await result;
      const seconds = (Date.now() - at) / 1000;
      const observed = settled.ok ? settled.outs.observed : undefined;
      console.log(
        `| ${event} | ${strategy} | ${settled.ok ? observed?.vmiPhase : settled.message} | ${seconds} |`,
      );

      if ("fails" in outcome) {
        expect(settled).toEqual({ ok: false, message: expect.stringMatching(outcome.fails) });
        expect(seconds * 1000).toBeLessThan(FAIL_WITHIN_MS);
        return;
      }
      expect(settled).toMatchObject({ ok: true });
      if (outcome.runs === "new instance") {
        expect(observed).toMatchObject({ powerState: "Running", vmiPhase: "Running" });
        expect(observed?.vmiUid).not.toBe(uid);
      } else {
        expect(observed).toMatchObject({ vmiPhase: "Succeeded", vmiUid: uid });
      }
    },
    CASE_LIMIT_MS,
  );

  const templateCases = [
    ...(Object.keys(STRATEGIES) as Strategy[]).map(
      (s) => ["crash loop", s, CRASH_LOOP, (CRASH_LOOP_OUTCOMES[s] as { fails: RegExp }).fails] as const,
    ),
    [
      "unschedulable",
      "Always",
      UNSCHEDULABLE,
      cannot("ErrorUnschedulable: 0/1 nodes are available: 1 Insufficient memory\\."),
    ] as const,
    [
      "image pull error",
      "Always",
      IMAGE_PULL,
      cannot(`(ErrImagePull|ImagePullBackOff): .*"${MISSING_IMAGE.replace(/\./g, "\\.")}"`),
    ] as const,
  ];
  it.each(templateCases)(
    "%s under %s",
    async (event, strategy, template, fails) => {
      const args = await inputs(strategy, template);
      const started = Date.now();
      const message = await provider.create(args).then(
        () => "created",
        (err: Error) => err.message,
      );
      const seconds = (Date.now() - started) / 1000;
      console.log(`| ${event} | ${strategy} | ${message} | ${seconds} |`);
      expect(message).toMatch(fails);
      expect(seconds * 1000).toBeLessThan(FAIL_WITHIN_MS);
    },
    CASE_LIMIT_MS,
  );

  it(
    "never ready (the launcher's readiness failing): up waits for Ready and fails at its timeout, naming the state",
    async () => {
      const args = await inputs("Always", TEMPLATE, { waitFor: "Ready", timeouts: { create: "4s" } });
      target.node!.neverReady("default", args.name);
      const message = await provider.create(args).then(
        () => "created",
        (err: Error) => err.message,
      );
      expect(message).toMatch(
        new RegExp(
          `^timed out after 4s waiting for ${args.name} to be Ready \\(last status: Running \\(VMI Running\\)\\)$`,
        ),
      );
      const vm = await target.getVm(args.name);
      // KubeVirt's controller copies the pod's Ready=False: the VM runs but is not ready.
      expect([vm?.status?.printableStatus, vm?.status?.ready ?? false]).toEqual(["Running", false]);
    },
    CASE_LIMIT_MS,
  );
});
