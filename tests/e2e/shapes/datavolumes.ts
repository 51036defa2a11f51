import { join } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { KubeObject } from "../../../simulator";
import { operatorRequest } from "../../support/operator";
import type { Target } from "../../support/target";
import { startWorld, type World } from "../../support/world";

// examples/datavolume through the real Pulumi engine: a VM whose disk CDI imports over http. `up` shows the
// import's phase and progress on the VM's row and ends when the VM is Ready; an import that fails makes `up` fail
// at once with CDI's reason (not at the timeout); deleting the VM deletes its DataVolume (KubeVirt owns it).
// On the simulator and on the kubevirt tier (where the node stand-in plays CDI's importer) alike.

const EXAMPLE = join(__dirname, "../../../examples/datavolume");
const DISK = "cirros-root";
const DVS = "/apis/cdi.kubevirt.io/v1beta1/namespaces/default/datavolumes";
/** Long enough for the import to show a few progress lines (ms). */
const IMPORT_DELAY = { "import.stage.sim.kubevirt.io/delay": "4000" };
/** The simulator's (and the node stand-in's) switch: the importer fails as CDI does on an http 404. */
const IMPORT_ERROR = { "sim.kubevirt.io/import-error": "true" };

/** The suite, against the target of the file that runs it (see tests/e2e/shapes.test.ts). */
export function dataVolumesSuite(target: () => Target): void {
  describe("examples/datavolume: a VM booting from a disk CDI imports", () => {
    let w: World;
    beforeAll(async () => {
      w = await startWorld(EXAMPLE, "datavolume", true, target);
    });
    afterAll(async () => {
      await w?.dispose();
    });

    /**
     * Resolves once the DataVolume is gone. Kubernetes' garbage collector deletes it after the VM; on a fresh
     * kubevirt tier it learns of CDI's kinds only at its next discovery (every 30 s), so allow a minute.
     */
    async function dataVolumeDeleted(): Promise<void> {
      const deadline = Date.now() + 60_000;
      while ((await dataVolume()) !== undefined) {
        if (Date.now() > deadline) throw new Error(`DataVolume ${DISK} still there a minute after its VM`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    /** The DataVolume of the example, straight from the API (undefined once it is gone). */
    async function dataVolume(): Promise<KubeObject | undefined> {
      const res = await operatorRequest(w.target.kubeconfig, "GET", `${DVS}/${DISK}`);
      return res.code === 404 ? undefined : (res.body as KubeObject);
    }

    it("should show the import's progress on the VM's row, then be Ready; destroy deletes the disk too", async () => {
      await w.stack.setConfig("diskAnnotations", { value: JSON.stringify(IMPORT_DELAY) });
      const row: string[] = [];
      const onEvent = (e: EngineEvent) => {
        const d = e.diagnosticEvent;
        if (d?.urn?.endsWith("::cirros-dv")) row.push(d.message.trim());
      };
      const up = await w.stack.up({ onEvent });
      const name = up.outputs.name.value as string;
      expect([up.outputs.printableStatus.value, up.outputs.ready.value]).toEqual(["Running", true]);
      // On the VM's row (its diagnostics): at least two progress lines of the import, CDI's phase, a rising percentage.
      const progress = [
        ...row
          .join("\n")
          .matchAll(new RegExp(`Provisioning \\(DataVolume ${DISK} ImportInProgress (\\d+\\.\\d+)%\\)`, "g")),
      ].map((m) => Number(m[1]));
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      // KubeVirt made the DataVolume from the template, owned by the VM; CDI finished it.
      const dv = await dataVolume();
      expect(dv?.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: "VirtualMachine", name, controller: true, blockOwnerDeletion: true }),
      ]);
      expect([dv?.status?.phase, dv?.status?.progress]).toEqual(["Succeeded", "100.0%"]);

      await w.stack.destroy();
      expect(await w.target.getVm(name)).toBeUndefined();
      await dataVolumeDeleted();
    });

    it("should fail at once with CDI's reason when the import fails", async () => {
      await w.stack.setConfig("imageUrl", { value: "https://download.cirros-cloud.net/0.6.2/missing.img" });
      await w.stack.setConfig("diskAnnotations", {
        value: JSON.stringify({ ...IMPORT_DELAY, ...IMPORT_ERROR }),
      });
      const failed = await w.stack.up().then(
        () => undefined,
        (err: Error) => err.message,
      );
      // CDI's reason (docs/kubevirt-behaviour.md §11.3), not the wait's deadline (10 minutes by default).
      expect(failed).toMatch(
        new RegExp(
          `cannot become Ready: DataVolume ${DISK}: Error: Unable to connect to http data source: expected status code 200, got 404\\. Status: 404 Not Found`,
        ),
      );
      expect(failed).not.toMatch(/timed out/);
      const dv = await dataVolume();
      expect(dv?.status?.phase).toBe("ImportInProgress");
      await w.stack.destroy();
      await dataVolumeDeleted();
    });
  });
}
