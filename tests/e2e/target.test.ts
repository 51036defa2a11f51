import { startFleet, type Fleet } from "../support/fleet";

// What README's "Progress and --target" says of `pulumi up --target` on a component's VMs, through the engine.

describe("pulumi up --target", () => {
  let fleet: Fleet;
  let urns: string[];

  beforeAll(async () => {
    fleet = await startFleet("target");
    await fleet.up({ "t-a": { runStrategy: "Always" }, "t-b": { runStrategy: "Always" } });
    urns = ((await fleet.stack.exportStack()).deployment.resources ?? []).map((r: { urn: string }) => r.urn);
    await fleet.stack.setConfig("vms", {
      value: JSON.stringify({ "t-a": { runStrategy: "Halted" }, "t-b": { runStrategy: "Halted" } }),
    });
  });
  afterAll(async () => {
    await fleet?.dispose();
  });

  const urnOf = (suffix: string) => urns.find((u) => u.endsWith(suffix))!;

  it("should change nothing when given only the component's URN", async () => {
    const mark = fleet.mark();
    const result = await fleet.stack.up({ target: [urnOf("kubevirt:index:VirtualMachine::t-a")] });
    expect(result.summary.resourceChanges).not.toHaveProperty("update");
    fleet.expectPowerCalls(mark, []);
  });

  it("should stop only the VM whose resource URN is targeted", async () => {
    const mark = fleet.mark();
    const result = await fleet.stack.up({
      target: [urnOf("$pulumi-nodejs:dynamic/kubevirt:VirtualMachine::t-a")],
    });
    expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
    fleet.expectPowerCalls(mark, ["t-a/stop"]);
  });

  it("should select the component and its VM resource with a glob", async () => {
    const mark = fleet.mark();
    const result = await fleet.stack.up({ target: ["**t-b"] });
    expect(result.summary.resourceChanges).toMatchObject({ update: 1 });
    fleet.expectPowerCalls(mark, ["t-b/stop"]);
  });
});
