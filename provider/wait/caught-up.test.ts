import { WaitFor } from "../../sdk/enums";
import type { NamespaceWatch } from "../kube/namespace-watch";
import type { LiveVm, LiveVmi } from "../model/kubevirt";
import type { WaitTarget } from "../planner/actions";
import { caughtUpAfter, onPodNetwork } from "./caught-up";

const vmi = (spec: object): LiveVmi => ({ metadata: { name: "vm", resourceVersion: "1" }, spec }) as LiveVmi;

describe("onPodNetwork", () => {
  it.each<[string, object, boolean]>([
    ["no networks (KubeVirt attaches the pod network)", { domain: {} }, true],
    ["no networks, autoattach off", { domain: { devices: { autoattachPodInterface: false } } }, false],
    ["a pod network", { networks: [{ name: "default", pod: {} }] }, true],
    ["only a multus network", { networks: [{ name: "br", multus: { networkName: "br" } }] }, false],
  ])("%s → %s", (_what, spec, expected) => {
    expect(onPodNetwork(vmi(spec))).toBe(expected);
  });

  it("should be false without an instance spec", () => {
    expect(onPodNetwork(undefined)).toBe(false);
  });
});

/** A namespace watch holding one VM and its instance, which the test changes. */
function watchOf(status: string, initial: LiveVmi) {
  let current = { vm: vmWith(status), vmi: initial };
  const listeners = new Set<() => void>();
  const watch = {
    get: () => current,
    onChange: (_name: string, l: () => void) => (listeners.add(l), () => listeners.delete(l)),
  } as unknown as NamespaceWatch;
  return {
    watch,
    seen: current,
    set(next: string, vmi: LiveVmi) {
      current = { vm: vmWith(next), vmi };
      for (const l of listeners) l();
    },
  };
}

const vmWith = (printableStatus: string) =>
  ({ metadata: { name: "vm", resourceVersion: "1" }, status: { ready: true, printableStatus } }) as LiveVm;
const READY = { type: "Ready", status: "True" };
const PAUSED = { type: "Paused", status: "True" };
const running = (interfaces: object[]): LiveVmi =>
  ({
    ...vmi({ domain: {} }),
    status: { phase: "Running", conditions: [READY], interfaces },
  }) as LiveVmi;
const IP = [{ name: "default", ipAddress: "10.0.0.7" }];
const NO_IP = [{ name: "default" }];
const readyTarget: WaitTarget = { state: "running", level: WaitFor.Ready, strategy: "Always" };
const later = (fn: () => void) => setTimeout(fn, 20);

describe("caughtUpAfter", () => {
  it("should wait after Ready until the pod network's IP and the VM's Running status are reported", async () => {
    const w = watchOf("Starting", running(NO_IP));
    later(() => w.set("Starting", running(IP)));
    setTimeout(() => w.set("Running", running(IP)), 40);
    const seen = await caughtUpAfter(w.watch, "vm", readyTarget, w.seen, Date.now() + 5_000);
    expect(seen.vmi?.status?.interfaces?.[0].ipAddress).toBe("10.0.0.7");
    expect(seen.vm?.status?.printableStatus).toBe("Running");
  });

  it("should wait after Paused until the VM's printableStatus says Paused, and after an unpause for Running", async () => {
    const paused = {
      ...running(IP),
      status: { ...running(IP).status, conditions: [READY, PAUSED] },
    } as LiveVmi;
    const w = watchOf("Running", paused);
    later(() => w.set("Paused", paused));
    const seen = await caughtUpAfter(w.watch, "vm", { state: "paused" }, w.seen, Date.now() + 5_000);
    expect(seen.vm?.status?.printableStatus).toBe("Paused");
    const unpaused = watchOf("Paused", running(IP));
    later(() => unpaused.set("Running", running(IP)));
    const after = await caughtUpAfter(unpaused.watch, "vm", readyTarget, unpaused.seen, Date.now() + 5_000);
    expect(after.vm?.status?.printableStatus).toBe("Running");
  });

  it("should wait after Ready until the VM's own `ready` follows the instance's", async () => {
    const w = watchOf("Running", running(IP));
    const notYet = { ...w.seen, vm: { ...w.seen.vm, status: { printableStatus: "Running", ready: false } } };
    later(() => w.set("Running", running(IP)));
    const seen = await caughtUpAfter(w.watch, "vm", readyTarget, notYet as typeof w.seen, Date.now() + 5_000);
    expect(seen.vm?.status?.ready).toBe(true);
  });

  it("should give up quietly at its deadline, with what is observed", async () => {
    const w = watchOf("Running", running(NO_IP));
    const seen = await caughtUpAfter(w.watch, "vm", readyTarget, w.seen, Date.now() + 30);
    expect(seen.vmi?.status?.interfaces).toEqual(NO_IP);
  });

  it("should not wait for an IP below Ready, nor at all for other targets or when all is there", async () => {
    const deadline = Date.now() + 60_000;
    const noIp = watchOf("Running", running(NO_IP));
    const runningTarget: WaitTarget = { ...readyTarget, level: WaitFor.Running };
    expect(await caughtUpAfter(noIp.watch, "vm", runningTarget, noIp.seen, deadline)).toBe(noIp.seen);
    expect(await caughtUpAfter(noIp.watch, "vm", { state: "stopped" }, noIp.seen, deadline)).toBe(noIp.seen);
    const all = watchOf("Running", running(IP));
    expect(await caughtUpAfter(all.watch, "vm", readyTarget, all.seen, deadline)).toBe(all.seen);
  });
});
