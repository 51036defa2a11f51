/**
 * What the world-event suites share (tests/reliability/world-events.test.ts on the simulator,
 * tests/cluster/world-events.test.ts on KubeVirt's own controller): the run strategies under test, the events,
 * the templates that never run, and the shapes of the provider's messages.
 */

/** The run strategies a world event is tried under (Manual declared Running). */
export const STRATEGIES = {
  Always: { runStrategy: "Always" },
  RerunOnFailure: { runStrategy: "RerunOnFailure" },
  Once: { runStrategy: "Once" },
  Manual: { runStrategy: "Manual", powerState: "Running" },
} as const;
/** One of {@link STRATEGIES}. */
export type Strategy = keyof typeof STRATEGIES;

/** Events that hit the running instance. */
export type WorldEvent = "guest shutdown" | "guest crash" | "infrastructure failure";

/** What KubeVirt promises: the wait ends with a new running instance, with the finished one, or fails. */
export type Outcome = { runs: "new instance" } | { runs: "finished" } | { fails: RegExp };

/** An image no registry of the test worlds knows. */
export const MISSING_IMAGE = "registry.example.com/missing/disk:1.0";

/** A template like `base` whose guest fails before it ever runs (the worlds' crash-loop label). */
export function crashLoopTemplate(base: { spec: object }): Record<string, unknown> {
  return { metadata: { labels: { "sim.kubevirt.io/crash-loop": "true" } }, spec: base.spec };
}

/** A template like `base` whose memory fits no node. */
export function unschedulableTemplate(base: { spec: { domain: object } }): Record<string, unknown> {
  return { spec: { ...base.spec, domain: { ...base.spec.domain, memory: { guest: "512Ti" } } } };
}

/** A template like `base` whose containerDisk image cannot be pulled. */
export function imagePullTemplate(base: { spec: object }): Record<string, unknown> {
  return {
    spec: { ...base.spec, volumes: [{ name: "containerdisk", containerDisk: { image: MISSING_IMAGE } }] },
  };
}

/** The provider's message when the VM stopped and KubeVirt will not restart it. */
export const noRestart = (what: string, strategy: string, after = "") =>
  new RegExp(`^vm-\\d+ stopped: ${what}; KubeVirt does not restart a ${strategy} VM${after}$`);

/** The provider's message when the VM cannot reach AgentConnected. */
export const cannot = (reason: string) => new RegExp(`^vm-\\d+ cannot become AgentConnected: ${reason}`);

/** The provider's message for a VM in KubeVirt's crash-loop backoff after its first failure. */
const CRASH_LOOP = cannot("CrashLoopBackOff: the instance failed 1 time\\(s\\) before reaching Running$");

/** What a crash-looping VM ends the wait with, under each strategy (a Manual VM is never retried). */
export const CRASH_LOOP_OUTCOMES: Record<Strategy, Outcome> = {
  Always: { fails: CRASH_LOOP },
  RerunOnFailure: { fails: CRASH_LOOP },
  Once: { fails: CRASH_LOOP },
  Manual: {
    fails: noRestart(
      "the instance crashed before reaching Running \\(VMI Failed\\)",
      "Manual",
      ", so there is no CrashLoopBackOff retry",
    ),
  },
};
