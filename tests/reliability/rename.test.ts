import { join } from "node:path";
import { OWNER_ANNOTATION } from "../../provider/ownership";
import { startWorld, type World } from "../support/world";

// A stack rename changes every URN, so the identity the VMs are marked with: the provider must keep managing
// (and finally delete) the VMs it created under the old name, and re-mark them when it next updates them.

const FLEET = join(__dirname, "../e2e/programs/fleet");

describe("a renamed stack keeps its VMs", () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld(FLEET, "before-rename", true);
  });
  afterAll(async () => {
    await world?.dispose();
  });

  const up = async (vms: Record<string, object>) => {
    await world.stack.setConfig("vms", { value: JSON.stringify(vms) });
    return world.stack.up();
  };

  it("should re-mark its VMs after a rename (no power call, same VMs) and delete them on destroy", async () => {
    const vms = { "renamed-a": { runStrategy: "Always" }, "renamed-b": { runStrategy: "Halted" } };
    await up(vms);
    const before = await world.target.getVm("renamed-a");
    expect(before!.metadata.annotations![OWNER_ANNOTATION]).toMatch(/^urn:pulumi:before-rename::/);

    await world.stack.rename({ stackName: "after-rename" });
    // The marks name the old stack: the preview says they will be rewritten (a new stack of the old name
    // must never find these VMs marked as its own).
    const mark = world.mark();
    const preview = await world.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 3, update: 2 });
    world.expectNoWrites(mark);

    const updated = await up(vms);
    expect(updated.summary.resourceChanges).toMatchObject({ update: 2, same: 3 });
    world.expectPowerCalls(mark, []);
    for (const name of Object.keys(vms)) {
      const vm = await world.target.getVm(name);
      expect(vm!.metadata.annotations![OWNER_ANNOTATION]).toMatch(/^urn:pulumi:after-rename::/);
    }
    expect((await world.target.getVm("renamed-a"))!.metadata.uid).toBe(before!.metadata.uid);
    expect((await world.stack.preview()).changeSummary).toEqual({ same: 5 });

    const destroyed = await world.stack.destroy();
    expect(destroyed.summary.resourceChanges).toMatchObject({ delete: 5 });
    expect(await world.target.list("virtualmachines")).toEqual([]);
  });
});
