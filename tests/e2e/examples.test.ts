import { join } from "node:path";
import { sharedTarget, startWorld, type World } from "../support/world";

// Every example under examples/ that needs only KubeVirt, run through the real Pulumi engine against the target
// (see tests/support/target.ts), from a temporary copy so the engine's stack files never touch the repository.
// examples/fleet, examples/instance-types and examples/datavolume have suites of their own (fleet.test.ts,
// shapes.test.ts), on both tiers.

const EXAMPLES = join(__dirname, "../../examples");
/** One target for every suite of this file. */
const target = sharedTarget();

describe("examples/quickstart", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld(join(EXAMPLES, "quickstart"), "quickstart", true, target);
  });
  afterAll(async () => {
    await w?.dispose();
  });

  it("should create vm-cirros Running, stop it on Halted, and destroy it", async () => {
    const created = await w.stack.up();
    expect(created.outputs.powerState.value).toBe("Running");
    await w.stack.setConfig("runStrategy", { value: "Halted" });
    const mark = w.mark();
    const halted = await w.stack.up();
    w.expectPowerCalls(mark, ["vm-cirros/stop"]);
    expect(halted.outputs.powerState.value).toBe("Stopped");
    expect(halted.outputs.runStrategy.value).toBe("Halted");
    const destroyed = await w.stack.destroy();
    expect(destroyed.summary.resourceChanges).toEqual({ delete: 3 });
  });
});

describe("examples/manual-power", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld(join(EXAMPLES, "manual-power"), "manual", true, target);
  });
  afterAll(async () => {
    await w?.dispose();
  });

  it("should create the VM stopped and start and stop it from stack config, keeping Manual", async () => {
    const created = await w.stack.up();
    expect(created.outputs.powerState.value).toBe("Stopped");
    const name = created.outputs.name.value as string; // auto-named: build-agent-<random>
    expect(name).toMatch(/^build-agent-[0-9a-f]{7}$/);
    await w.stack.setConfig("powerState", { value: "Running" });
    let mark = w.mark();
    const started = await w.stack.up();
    w.expectPowerCalls(mark, [`${name}/start`]);
    expect(started.outputs.powerState.value).toBe("Running");
    await w.stack.setConfig("powerState", { value: "Stopped" });
    mark = w.mark();
    const stopped = await w.stack.up();
    w.expectPowerCalls(mark, [`${name}/stop`]);
    expect(stopped.outputs.powerState.value).toBe("Stopped");
    const vm = await w.target.getVm(name);
    expect(vm?.spec?.runStrategy).toBe("Manual");
    await w.stack.destroy();
  });
});

describe("examples/environments and examples/ci-preview", () => {
  let dev: World;
  let prod: World;
  beforeAll(async () => {
    [dev, prod] = await Promise.all([
      startWorld(join(EXAMPLES, "environments"), "dev", true, target),
      startWorld(join(EXAMPLES, "environments"), "prod", true, target),
    ]);
  });
  afterAll(async () => {
    await Promise.all([dev?.dispose(), prod?.dispose()]);
  });

  it("should create web-dev halted and web-prod running, sized per stack", async () => {
    const [d, p] = await Promise.all([dev.stack.up(), prod.stack.up()]);
    expect([d.outputs.name.value, d.outputs.powerState.value]).toEqual(["web-dev", "Stopped"]);
    expect([p.outputs.name.value, p.outputs.powerState.value]).toEqual(["web-prod", "Running"]);
    const vm = await prod.target.getVm("web-prod");
    expect(vm?.spec?.template).toMatchObject({
      spec: { domain: { cpu: { cores: 2 }, memory: { guest: "1Gi" } } },
    });
  });

  it("should show in `pulumi preview --diff` (the ci-preview workflow) the strategy change and the start, writing nothing", async () => {
    await dev.stack.setConfig("runStrategy", { value: "Always" });
    const mark = dev.mark();
    const preview = await dev.stack.preview({ diff: true });
    expect(preview.stdout).toMatch(/~ runStrategy\s*: "Halted" => "Always"/);
    expect(preview.stdout).toMatch(/~ powerState\s*: "Stopped" => "Running"/);
    // The CLI prints the provider's messages to stderr under --diff (to stdout, under Diagnostics, without).
    expect(preview.stderr).toContain("will start web-dev (runStrategy Halted → Always)");
    expect(preview.changeSummary).toEqual({ same: 2, update: 1 });
    dev.expectNoWrites(mark);
  });

  it("should delete both stacks' VMs on destroy (a shared cluster keeps nothing of this suite)", async () => {
    await Promise.all([dev.stack.destroy(), prod.stack.destroy()]);
    expect(await dev.target.getVm("web-dev")).toBeUndefined();
    expect(await prod.target.getVm("web-prod")).toBeUndefined();
  });
});
