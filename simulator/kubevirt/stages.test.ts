import type { KubeObject } from "../store/types";
import { matchStage, stageDelayMs, VMI_STAGES, type StageContext } from "./stages";
import { TIMING_PROFILES } from "./timings";
import {
  defaultWorldSettings,
  unschedulableMessage,
  parseQuantity,
  isKnownImage,
  DEFAULT_KNOWN_IMAGES,
} from "./world";

function vmi(
  phase: string,
  opts: {
    deleting?: boolean;
    conditions?: unknown[];
    memory?: string;
    image?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    tgps?: number;
    finalizers?: string[];
  } = {},
): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: {
      name: "a",
      namespace: "default",
      uid: "uid-a",
      labels: opts.labels,
      annotations: opts.annotations,
      finalizers: opts.finalizers,
      ...(opts.deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec: {
      domain: { memory: { guest: opts.memory ?? "1Gi" } },
      volumes: [{ name: "d", containerDisk: { image: opts.image ?? "quay.io/containerdisks/fedora:40" } }],
      ...(opts.tgps !== undefined ? { terminationGracePeriodSeconds: opts.tgps } : {}),
    },
    status: phase === "" ? {} : { phase, conditions: opts.conditions ?? [] },
  };
}
const scheduled = [{ type: "PodScheduled", status: "True" }];

function ctx(v: KubeObject, timings = TIMING_PROFILES.realistic): StageContext {
  return { vmi: v, allVmis: () => [v], settings: defaultWorldSettings(), timings, now: 0, ordinal: 0 };
}

describe("VMI stage table (realistic profile)", () => {
  // [case, vmi, expected stage, expected delay ms]
  const table: [string, KubeObject, string | undefined, number | undefined][] = [
    ["a new VMI", vmi(""), "vmi-pending", 50],
    ["Pending", vmi("Pending"), "vmi-scheduling", 200],
    ["Scheduling, fits", vmi("Scheduling"), "vmi-pod-scheduled", 200],
    ["Scheduling, too big", vmi("Scheduling", { memory: "64Gi" }), "vmi-unschedulable", 200],
    [
      "Scheduling, unschedulable condition already set",
      vmi("Scheduling", {
        memory: "64Gi",
        conditions: [
          {
            type: "PodScheduled",
            status: "False",
            reason: "Unschedulable",
            message: unschedulableMessage(vmi("", { memory: "64Gi" }), [], defaultWorldSettings().node),
          },
        ],
      }),
      undefined,
      undefined,
    ],
    ["pod scheduled, image known", vmi("Scheduling", { conditions: scheduled }), "vmi-scheduled", 500],
    [
      "pod scheduled, image unknown",
      vmi("Scheduling", { conditions: scheduled, image: "example.com/nope:1" }),
      "vmi-err-image-pull",
      500,
    ],
    [
      "after ErrImagePull",
      vmi("Scheduling", {
        image: "example.com/nope:1",
        conditions: [...scheduled, { type: "Synchronized", status: "False", reason: "ErrImagePull" }],
      }),
      "vmi-image-pull-backoff",
      5000,
    ],
    [
      "per-object image-pull fault",
      vmi("Scheduling", {
        conditions: scheduled,
        annotations: { "sim.kubevirt.io/image-pull-error": "true" },
      }),
      "vmi-err-image-pull",
      500,
    ],
    ["Scheduled", vmi("Scheduled"), "vmi-running", 800],
    [
      "Scheduled with the crash-loop label",
      vmi("Scheduled", { labels: { "sim.kubevirt.io/crash-loop": "true" } }),
      "vmi-crash-before-running",
      1500,
    ],
    ["Running without agent", vmi("Running"), "vmi-agent-connected", 2500],
    [
      "Running with agent",
      vmi("Running", { conditions: [{ type: "AgentConnected", status: "True" }] }),
      undefined,
      undefined,
    ],
    [
      "Running, no-guest-agent",
      vmi("Running", { annotations: { "sim.kubevirt.io/no-guest-agent": "true" } }),
      undefined,
      undefined,
    ],
    ["Running and deleted", vmi("Running", { deleting: true }), "vmi-graceful-shutdown", 1500],
    [
      "Running and deleted with TGPS 0",
      vmi("Running", { deleting: true, tgps: 0 }),
      "vmi-graceful-shutdown",
      0,
    ],
    [
      "ignoring ACPI",
      vmi("Running", { deleting: true, labels: { "sim.kubevirt.io/ignore-acpi": "true" } }),
      "vmi-grace-period-expired",
      30000,
    ],
    ["deleted before running", vmi("Scheduling", { deleting: true }), "vmi-deleted-before-running", 500],
    [
      "final with the VMI finalizer",
      vmi("Succeeded", { finalizers: ["kubevirt.io/foregroundDeleteVirtualMachine"] }),
      "vmi-pod-gone",
      500,
    ],
    ["final without finalizers", vmi("Failed"), undefined, undefined],
    [
      "per-object delay override",
      vmi("Pending", { annotations: { "vmi-scheduling.stage.sim.kubevirt.io/delay": "7" } }),
      "vmi-scheduling",
      7,
    ],
  ];
  for (const [what, v, stage, delay] of table) {
    it(`should pick ${stage ?? "no stage"} for ${what}`, () => {
      const c = ctx(v);
      const s = matchStage(c);
      expect(s?.name).toBe(stage);
      if (s) expect(stageDelayMs(s, c)).toBe(delay);
    });
  }
  it("should scale grace periods in the fast profile", () => {
    const v = vmi("Running", {
      deleting: true,
      tgps: 600,
      labels: { "sim.kubevirt.io/ignore-acpi": "true" },
    });
    const c = ctx(v, TIMING_PROFILES.fast);
    expect(stageDelayMs(matchStage(c)!, c)).toBe(6000);
  });
  it("should give every stage a unique name and a description", () => {
    expect(new Set(VMI_STAGES.map((s) => s.name)).size).toBe(VMI_STAGES.length);
    for (const s of VMI_STAGES) expect(s.description.length).toBeGreaterThan(10);
  });
});

describe("node capacity", () => {
  it("should count VMIs that hold the node", () => {
    const node = { name: "n", cpu: 2, memory: "4Gi" };
    const running = {
      ...vmi("Running", { memory: "3Gi", conditions: scheduled }),
      metadata: { name: "b", uid: "b" },
    };
    expect(unschedulableMessage(vmi("Scheduling", { memory: "1Gi" }), [running], node)).toBeUndefined();
    expect(unschedulableMessage(vmi("Scheduling", { memory: "2Gi" }), [running], node)).toBe(
      "0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    );
  });
  it.each([
    ["512Mi", 512 * 2 ** 20],
    ["1G", 1e9],
    ["500m", 0.5],
    ["2", 2],
    ["1e3", 1000],
  ])("should parse quantity %s", (q, n) => expect(parseQuantity(q)).toBeCloseTo(n));
  it.each([
    ["quay.io/containerdisks/fedora:40", true],
    ["quay.io/kubevirt/cirros-container-disk-demo@sha256:abc", true],
    ["example.com/nope:1", false],
  ])("should know image %s: %s", (img, known) => expect(isKnownImage(img, DEFAULT_KNOWN_IMAGES)).toBe(known));
});
