import {
  blockedReport,
  claimReport,
  claimSpecFor,
  notFoundMessage,
  timedConditions,
  transferStep,
  transferTimings,
  withFilesystemOverhead,
  type TransferStep,
} from "./importer";

const TIMINGS = { scheduledMs: 10, startMs: 10, transferMs: 100, failMs: 5, backoffMs: 50 };
const STANDARD = { metadata: { name: "standard" } };

/** The steps of a transfer, sampled every ms until it is final or `untilMs`. */
function steps(failure?: string, untilMs = 400): TransferStep[] {
  const out: TransferStep[] = [];
  for (let ms = 0; ms <= untilMs; ms++) {
    const step = transferStep("Import", ms, TIMINGS, failure);
    if (
      JSON.stringify(step.running) !== JSON.stringify(out.at(-1)?.running) ||
      step.progress !== out.at(-1)?.progress
    )
      out.push(step);
    if (step.next === undefined) break;
  }
  return out;
}

describe("CDI stand-in", () => {
  describe("transferStep", () => {
    it("should go through CDI's import phases with the progress rising in steps to 100.0%", () => {
      expect(steps().map((s) => [s.phase, s.progress, s.running.reason])).toEqual([
        ["PVCBound", "N/A", undefined],
        ["ImportScheduled", "N/A", "ContainerCreating"],
        ["ImportInProgress", "0.00%", "Pod is running"],
        ["ImportInProgress", "20.00%", "Pod is running"],
        ["ImportInProgress", "40.00%", "Pod is running"],
        ["ImportInProgress", "60.00%", "Pod is running"],
        ["ImportInProgress", "80.00%", "Pod is running"],
        ["Succeeded", "100.0%", "Completed"],
      ]);
      expect(transferStep("Import", 120, TIMINGS)).toMatchObject({
        running: { status: "False", reason: "Completed", message: "Import Complete" },
      });
      expect(transferStep("Import", 120, TIMINGS).next).toBeUndefined();
    });

    it("should name a clone's phases after the clone", () => {
      expect(transferStep("Clone", 15, TIMINGS).phase).toBe("CloneScheduled");
      expect(transferStep("Clone", 200, TIMINGS).running.message).toBe("Clone Complete");
    });

    it("should tell when the step changes next", () => {
      const step = transferStep("Import", 25, TIMINGS);
      expect(step.next).toBe(40);
      expect(transferStep("Import", step.next!, TIMINGS).progress).toBe("20.00%");
    });

    it("should keep a failing import in progress, restarting with a doubling back-off", () => {
      const message = notFoundMessage("http");
      const failing = steps(message, 500).slice(2);
      expect(failing.map((s) => [s.restartCount, s.running.status])).toEqual([
        [0, "True"],
        [0, "False"],
        [1, "True"],
        [1, "False"],
        [2, "True"],
        [2, "False"],
        [3, "True"],
        [3, "False"],
      ]);
      expect(failing.every((s) => s.phase === "ImportInProgress" && s.progress === "N/A")).toBe(true);
      expect(failing[1].running).toEqual({ status: "False", reason: "Error", message });
      // Exits at 25 ms, restarts 50, 100, 200 ms after each exit.
      expect(failing.map((s) => transferStep("Import", s.next! - 1, TIMINGS, message).next)).toEqual([
        25, 75, 80, 180, 185, 385, 390, 790,
      ]);
    });

    it("should default to the simulator's fast timings", () => {
      expect(transferTimings()).toMatchObject({ transferMs: 1500, backoffMs: 100 });
      expect(transferTimings(30).transferMs).toBe(30);
    });
  });

  describe("reports", () => {
    it("should report a claim that is not bound yet as Pending", () => {
      expect(claimReport("disk")).toEqual({
        phase: "Pending",
        progress: "N/A",
        claimName: "disk",
        conditions: [
          { type: "Bound", status: "False", reason: "Pending", message: "PVC disk Pending" },
          { type: "Ready", status: "False" },
          { type: "Running", status: "False" },
        ],
      });
    });

    it("should report Ready False TransferRunning while the importer runs, True once Succeeded", () => {
      const running = claimReport("disk", transferStep("Import", 50, TIMINGS));
      expect(running.conditions).toEqual([
        { type: "Bound", status: "True", reason: "Bound", message: "PVC disk Bound" },
        { type: "Ready", status: "False", reason: "TransferRunning" },
        { type: "Running", status: "True", reason: "Pod is running" },
      ]);
      expect(claimReport("disk", transferStep("Import", 500, TIMINGS)).conditions[1]).toEqual({
        type: "Ready",
        status: "True",
      });
    });

    it("should count restarts only once there are some", () => {
      const failure = notFoundMessage("http");
      expect(claimReport("disk", transferStep("Import", 30, TIMINGS, failure))).not.toHaveProperty(
        "restartCount",
      );
      expect(claimReport("disk", transferStep("Import", 80, TIMINGS, failure)).restartCount).toBe(1);
    });

    it("should leave the phase alone when CDI cannot make the claim", () => {
      const report = blockedReport({
        reason: "CloneWithoutSource",
        message: "The source pvc x doesn't exist",
      });
      expect(report).not.toHaveProperty("phase");
      expect(report.conditions.map((c) => c.reason)).toEqual([
        "CloneWithoutSource",
        "CloneWithoutSource",
        undefined,
      ]);
    });

    it("should move the transition time only when the status changes", () => {
      const old = [
        {
          type: "Bound",
          status: "False",
          reason: "Pending",
          lastTransitionTime: "t0",
          lastHeartbeatTime: "t0",
        },
      ];
      const [same] = timedConditions(old, claimReport("disk"), "t1");
      expect(same).toMatchObject({ lastTransitionTime: "t0", lastHeartbeatTime: "t1" });
      const [bound] = timedConditions(old, claimReport("disk", transferStep("Import", 0, TIMINGS)), "t2");
      expect(bound).toMatchObject({ lastTransitionTime: "t2", lastHeartbeatTime: "t2" });
    });
  });

  describe("claimSpecFor", () => {
    const dv = (spec: unknown) => ({ metadata: { name: "disk", namespace: "default" }, spec });

    it("should render `storage` with the profile's modes and CDI's filesystem overhead", () => {
      const rendered = claimSpecFor(
        dv({ storage: { resources: { requests: { storage: "1Gi" } } } }),
        STANDARD,
      );
      expect(rendered).toEqual({
        spec: {
          accessModes: ["ReadWriteOnce"],
          volumeMode: "Filesystem",
          resources: { requests: { storage: "1138166334" } },
          storageClassName: "standard",
        },
      });
    });

    it("should not add overhead to a Block volume", () => {
      const storage = { volumeMode: "Block", resources: { requests: { storage: "1Gi" } } };
      expect(claimSpecFor(dv({ storage }), STANDARD)).toMatchObject({
        spec: { resources: { requests: { storage: String(1 << 30) } } },
      });
    });

    it("should take `pvc` as it is", () => {
      const pvc = { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "2Gi" } } };
      expect(claimSpecFor(dv({ pvc }), undefined)).toEqual({ spec: pvc });
    });

    it("should be ErrClaimNotValid without a class and without access modes", () => {
      expect(claimSpecFor(dv({ storage: { storageClassName: "nope" } }), undefined)).toEqual({
        blocked: {
          reason: "ErrClaimNotValid",
          message: "PVC spec is missing accessMode and no storageClass to choose profile",
        },
      });
    });

    it("should keep the unknown class of a claim with access modes (which then stays Pending)", () => {
      const storage = {
        storageClassName: "nope",
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
      };
      expect(claimSpecFor(dv({ storage }), undefined)).toMatchObject({ spec: { storageClassName: "nope" } });
    });

    it("should give a clone without a size its source's", () => {
      const source = { spec: { resources: { requests: { storage: "5Gi" } } } };
      const rendered = claimSpecFor(dv({ source: { pvc: { name: "src" } }, storage: {} }), STANDARD, source);
      expect(rendered).toMatchObject({ spec: { resources: { requests: { storage: "5Gi" } } } });
    });
  });

  it("should align to 1 MiB before adding the overhead", () => {
    expect(withFilesystemOverhead(1)).toBe(Math.ceil((1 << 20) * 1.06));
  });
});
