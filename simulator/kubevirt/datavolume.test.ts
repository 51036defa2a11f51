/**
 * The pure CDI model (§11.2, §11.3): what blocks a PVC, the PVC a DataVolume gets, the status CDI derives from the
 * PVC, and the claim stage table driven step by step.
 */
import type { KubeObject } from "../store/types";
import {
  claimBlocker,
  claimFor,
  claimStagePhase,
  dataVolumeStatus,
  restartBackoffMs,
  transferMs,
  CdiAnnotation,
  CLAIM_STAGES,
  type ClaimStageContext,
} from "./datavolume";
import { delayFor, selectStage } from "./stages";
import { defaultStorageClass } from "./storage";
import { TIMING_PROFILES } from "./timings";
import { Fault } from "./world";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const CLASSES = [defaultStorageClass()];

function dataVolume(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "cdi.kubevirt.io/v1beta1",
    kind: "DataVolume",
    metadata: { name: "disk", namespace: "ns", uid: "dv-uid", ...meta },
    spec,
  };
}

const httpStorage = (storage: Record<string, unknown> = {}) =>
  dataVolume({
    source: { http: { url: "https://example.org/x.img" } },
    storage: { resources: { requests: { storage: "2Gi" } }, ...storage },
  });

const conditionsOf = (status: Record<string, unknown>) =>
  Object.fromEntries(
    (status.conditions as { type: string; status: string; reason?: string; message?: string }[]).map((c) => [
      c.type,
      [c.status, c.reason ?? "", c.message ?? ""],
    ]),
  );

describe("claimBlocker", () => {
  it.each([
    ["no accessModes and an unknown class", { storageClassName: "nope" }, [], "ErrClaimNotValid"],
    ["no accessModes and no default class", {}, [], "ErrClaimNotValid"],
    [
      "accessModes without a class",
      { accessModes: ["ReadWriteOnce"], storageClassName: "nope" },
      [],
      undefined,
    ],
    ["the default class", {}, CLASSES, undefined],
  ])("should answer %s with %s", (_what, storage, classes, reason) => {
    expect(claimBlocker(httpStorage(storage), classes, true)?.reason).toBe(reason);
  });

  it("should not block a spec.pvc DataVolume on its class", () => {
    const dv = dataVolume({ source: { blank: {} }, pvc: { storageClassName: "nope" } });
    expect(claimBlocker(dv, [], true)).toBeUndefined();
  });

  it.each([
    ["pvc", { pvc: { name: "golden", namespace: "os" } }, "The source pvc golden doesn't exist"],
    ["snapshot", { snapshot: { name: "snap" } }, "The source snapshot snap doesn't exist"],
  ])("should report CloneWithoutSource for a missing %s", (_kind, source, message) => {
    const dv = dataVolume({ source, storage: {} });
    expect(claimBlocker(dv, CLASSES, false)).toEqual({ reason: "CloneWithoutSource", message });
    expect(claimBlocker(dv, CLASSES, true)).toBeUndefined();
  });
});

describe("claimFor", () => {
  it("should make CDI's PVC: the DataVolume's name, labels and annotations, the default class, its owner", () => {
    const dv = httpStorage();
    dv.metadata.labels = { team: "a" };
    dv.metadata.annotations = { note: "x" };
    expect(claimFor(dv, CLASSES)).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: "disk",
        namespace: "ns",
        labels: { app: "containerized-data-importer", team: "a" },
        annotations: {
          note: "x",
          "cdi.kubevirt.io/storage.pod.restarts": "0",
          "cdi.kubevirt.io/createdForDataVolume": "dv-uid",
        },
        ownerReferences: [
          {
            apiVersion: "cdi.kubevirt.io/v1beta1",
            kind: "DataVolume",
            name: "disk",
            uid: "dv-uid",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        resources: { requests: { storage: "2Gi" } },
        storageClassName: "standard",
        accessModes: ["ReadWriteOnce"],
        volumeMode: "Filesystem",
      },
      status: { phase: "Pending" },
    });
  });
});

describe("dataVolumeStatus", () => {
  const pvcWith = (phase: string, annotations: Record<string, string> = {}): KubeObject => {
    const pvc = claimFor(httpStorage(), CLASSES);
    pvc.metadata.annotations = { ...pvc.metadata.annotations, ...annotations };
    pvc.status = { phase };
    return pvc;
  };
  const running = (status: string, reason: string, message = "") => ({
    [CdiAnnotation.Running]: status,
    [CdiAnnotation.RunningReason]: reason,
    [CdiAnnotation.RunningMessage]: message,
  });

  it.each([
    ["no PVC yet", undefined, "Pending", undefined, ["False", "NotFound", "No PVC found"], ["False", "", ""]],
    [
      "PVC Pending",
      pvcWith("Pending"),
      "Pending",
      "N/A",
      ["False", "Pending", "PVC disk Pending"],
      ["False", "", ""],
    ],
    [
      "PVC Bound",
      pvcWith("Bound"),
      "PVCBound",
      "N/A",
      ["True", "Bound", "PVC disk Bound"],
      ["False", "", ""],
    ],
    [
      "importer pod Pending",
      pvcWith("Bound", { [CdiAnnotation.PodPhase]: "Pending", ...running("false", "ContainerCreating") }),
      "ImportScheduled",
      "N/A",
      ["True", "Bound", "PVC disk Bound"],
      ["False", "ContainerCreating", ""],
    ],
    [
      "importer running",
      pvcWith("Bound", {
        [CdiAnnotation.PodPhase]: "Running",
        [CdiAnnotation.Progress]: "40.00%",
        ...running("true", "Pod is running"),
      }),
      "ImportInProgress",
      "40.00%",
      ["True", "Bound", "PVC disk Bound"],
      ["True", "Pod is running", ""],
    ],
    [
      "importer done",
      pvcWith("Bound", {
        [CdiAnnotation.PodPhase]: "Succeeded",
        ...running("false", "Completed", "Import Complete"),
      }),
      "Succeeded",
      "100.0%",
      ["True", "Bound", "PVC disk Bound"],
      ["False", "Completed", "Import Complete"],
    ],
    ["claim lost", pvcWith("Lost"), "Failed", "N/A", ["False", "ClaimLost", "Claim Lost"], ["False", "", ""]],
  ])("should derive the status for %s", (_step, pvc, phase, progress, bound, runningCond) => {
    const status = dataVolumeStatus(httpStorage(), pvc, undefined, CLASSES, NOW);
    expect(status.phase).toBe(phase);
    expect(status.progress).toBe(progress);
    const conds = conditionsOf(status);
    expect(conds.Bound).toEqual(bound);
    expect(conds.Running).toEqual(runningCond);
    const ready =
      phase === "Succeeded"
        ? ["True", "", ""]
        : runningCond[0] === "True"
          ? ["False", "TransferRunning", ""]
          : ["False", "", ""];
    expect(conds.Ready).toEqual(ready);
    expect(Object.keys(conds)).toEqual(["Bound", "Ready", "Running"]);
  });

  it("should report WaitForFirstConsumer for a Pending PVC of such a class", () => {
    const local = {
      ...defaultStorageClass(),
      metadata: { name: "local" },
      volumeBindingMode: "WaitForFirstConsumer",
    };
    const pvc = pvcWith("Pending");
    pvc.spec!.storageClassName = "local";
    expect(dataVolumeStatus(httpStorage(), pvc, undefined, [local], NOW).phase).toBe("WaitForFirstConsumer");
  });

  it("should leave the phase unset and report the blocker on Bound and Ready", () => {
    const blocker = claimBlocker(httpStorage({ storageClassName: "nope" }), CLASSES, true)!;
    const status = dataVolumeStatus(httpStorage(), undefined, blocker, CLASSES, NOW);
    expect(status.phase).toBe("");
    expect(status.progress).toBeUndefined();
    const notValid = [
      "False",
      "ErrClaimNotValid",
      "PVC spec is missing accessMode and no storageClass to choose profile",
    ];
    expect(conditionsOf(status)).toEqual({ Bound: notValid, Ready: notValid, Running: ["False", "", ""] });
  });

  it("should report restartCount only once the importer restarted, and keep condition times while unchanged", () => {
    const pvc = pvcWith("Bound", {
      [CdiAnnotation.PodPhase]: "Running",
      ...running("false", "Error", "boom"),
    });
    const first = dataVolumeStatus(httpStorage(), pvc, undefined, CLASSES, NOW);
    expect(first.restartCount).toBeUndefined();
    pvc.metadata.annotations![CdiAnnotation.PodRestarts] = "2";
    const dv = { ...httpStorage(), status: first };
    const later = dataVolumeStatus(dv, pvc, undefined, CLASSES, NOW + 60_000);
    expect(later.restartCount).toBe(2);
    expect(later.conditions).toEqual(first.conditions);
  });
});

describe("CLAIM_STAGES", () => {
  const timings = TIMING_PROFILES.fast;

  /** Drives a fresh PVC of `dv` through the stages, returning `[stage, delay, phase]` per step. */
  function drive(dv: KubeObject, steps: number): [string, number, string][] {
    let pvc: KubeObject = {
      ...claimFor(dv, CLASSES),
      metadata: { ...claimFor(dv, CLASSES).metadata, uid: "pvc-uid" },
    };
    const out: [string, number, string][] = [];
    for (let i = 0; i < steps; i++) {
      const ctx: ClaimStageContext = {
        pvc,
        dv,
        storageClass: CLASSES[0],
        consumer: false,
        nodeName: "node01",
        timings,
        now: NOW,
      };
      const stage = selectStage(pvc, claimStagePhase(pvc), ctx, CLAIM_STAGES);
      if (!stage) break;
      const delay = delayFor(stage, pvc, ctx);
      pvc = stage.next(ctx);
      out.push([stage.name, delay, dataVolumeStatus(dv, pvc, undefined, CLASSES, NOW).phase as string]);
    }
    return out;
  }

  it("should import in steps over importMs", () => {
    const step = timings.importMs / 5;
    expect(drive(httpStorage(), 20)).toEqual([
      ["pvc-bound", timings.pvcBindMs, "PVCBound"],
      ["importer-scheduled", timings.importerScheduledMs, "ImportScheduled"],
      ["importer-running", timings.importerStartMs, "ImportInProgress"],
      ["import-progress", step, "ImportInProgress"],
      ["import-progress", step, "ImportInProgress"],
      ["import-progress", step, "ImportInProgress"],
      ["import-progress", step, "ImportInProgress"],
      ["import-succeeded", step, "Succeeded"],
    ]);
  });

  it("should fail and restart with the kubelet's back-off under the import-error switch", () => {
    const dv = httpStorage();
    dv.metadata.labels = { [Fault.ImportError]: "true" };
    expect(drive(dv, 8).map(([stage]) => stage)).toEqual([
      "pvc-bound",
      "importer-scheduled",
      "importer-running",
      "import-error",
      "import-restart",
      "import-error",
      "import-restart",
      "import-error",
    ]);
    expect([0, 1, 2, 5, 9].map((r) => restartBackoffMs(r, TIMING_PROFILES.realistic))).toEqual([
      10_000, 20_000, 40_000, 300_000, 300_000,
    ]);
  });

  it("should take the transfer time from the import delay annotation", () => {
    const dv = httpStorage();
    dv.metadata.annotations = { "import.stage.sim.kubevirt.io/delay": "250" };
    const ctx = { pvc: claimFor(dv, CLASSES), dv, consumer: false, nodeName: "n", timings, now: NOW };
    expect(transferMs(ctx)).toBe(250);
    expect(transferMs({ ...ctx, dv: httpStorage(), pvc: claimFor(httpStorage(), CLASSES) })).toBe(
      timings.importMs,
    );
  });

  it("should bind a WaitForFirstConsumer claim only once a pod uses it, on the node", () => {
    const local = { ...defaultStorageClass(), volumeBindingMode: "WaitForFirstConsumer" };
    const dv = httpStorage();
    const pvc = claimFor(dv, CLASSES);
    const ctx = { pvc, dv, storageClass: local, consumer: false, nodeName: "node01", timings, now: NOW };
    expect(selectStage(pvc, claimStagePhase(pvc), ctx, CLAIM_STAGES)).toBeUndefined();
    const stage = selectStage(pvc, claimStagePhase(pvc), { ...ctx, consumer: true }, CLAIM_STAGES)!;
    expect(stage.name).toBe("pvc-bound");
    expect(stage.next({ ...ctx, consumer: true }).metadata.annotations).toMatchObject({
      "volume.kubernetes.io/selected-node": "node01",
    });
  });
});
