import { join } from "node:path";
import { operatorRequest } from "../../support/operator";
import type { Target } from "../../support/target";
import { startWorld, type World } from "../../support/world";

// examples/manual-power with `powerState: "Paused"`, through the real Pulumi engine: pause, repair of an
// out-of-band unpause, unpause. On the kubevirt tier, KubeVirt's virt-api hands pause and unpause to virt-handler's
// console server on the VMI's node (docs/kubevirt-behaviour.md §1.8), which the node stand-in plays
// (tests/support/kubevirt/handler.ts).

const EXAMPLE = join(__dirname, "../../../examples/manual-power");
const VMIS = "/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachineinstances";

/** The suite, against the target of the file that runs it (see tests/e2e/shapes.test.ts). */
export function pausedSuite(target: () => Target): void {
  describe("examples/manual-power with powerState Paused", () => {
    let w: World;
    beforeAll(async () => {
      w = await startWorld(EXAMPLE, "paused", true, target);
    });
    afterAll(async () => {
      await w?.dispose();
    });

    it("should start and pause the VM, pause it again after an out-of-band unpause, and unpause it", async () => {
      await w.stack.setConfig("powerState", { value: "Paused" });
      let mark = w.mark();
      const paused = await w.stack.up();
      const name = paused.outputs.name.value as string;
      // Started as for Running (Manual), then paused once its instance runs.
      w.expectPowerCalls(mark, [`${name}/start`, `${name}/pause`]);
      expect([paused.outputs.powerState.value, paused.outputs.printableStatus.value]).toEqual([
        "Paused",
        "Paused",
      ]);

      // Unpaused behind Pulumi's back: the preview names the pause and writes nothing; `up` pauses it again.
      expect((await operatorRequest(w.target.kubeconfig, "PUT", `${VMIS}/${name}/unpause`, {})).code).toBe(
        200,
      );
      mark = w.mark();
      const preview = await w.stack.preview({ diff: true });
      w.expectNoWrites(mark);
      expect(preview.stderr).toContain(`will pause ${name} (powerState Paused)`);
      const repaired = await w.stack.up();
      w.expectPowerCalls(mark, [`${name}/pause`]);
      expect(repaired.outputs.powerState.value).toBe("Paused");

      await w.stack.setConfig("powerState", { value: "Running" });
      mark = w.mark();
      const running = await w.stack.up();
      w.expectPowerCalls(mark, [`${name}/unpause`]);
      expect([running.outputs.powerState.value, running.outputs.printableStatus.value]).toEqual([
        "Running",
        "Running",
      ]);
      const vm = await w.target.getVm(name);
      expect(vm?.spec?.runStrategy).toBe("Manual");
    });
  });
}
