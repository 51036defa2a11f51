import { startFleet, type Fleet } from "../support/fleet";

// What the CLI shows when the cluster fails the provider outside create/update: the real cause, not gRPC's
// `cardinality violation: received no response message` (the dynamic provider host hands check/diff/read/delete
// errors to gRPC as they are, and a numeric `code` property would be taken as the gRPC status).

describe("engine-facing errors", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet("engine-errors");
  });
  afterAll(async () => {
    await fleet?.dispose();
  });

  const sim = () => {
    if (fleet.target.name !== "simulator")
      throw new Error("this suite injects faults: simulator target only");
    return fleet.target.faults!;
  };

  it("should name the network failure when refresh and destroy cannot reach the VM, then recover", async () => {
    await fleet.up({ flaky: { runStrategy: "Halted" } });
    const faults = sim();
    // Every read of the namespace's VMs: the watch's list and watch, and the GETs the provider falls back to.
    faults.add({
      verb: "GET",
      path: "/apis/kubevirt.io/v1/namespaces/default/virtualmachines*",
      action: { kind: "drop" },
    });

    const refresh = await fleet.stack.refresh().then(
      () => undefined,
      (err: Error) => err,
    );
    expect(refresh?.message).toMatch(
      /error: GET \/apis\/kubevirt\.io\/v1\/namespaces\/default\/virtualmachines\/flaky: (socket hang up|read ECONNRESET)/,
    );
    expect(refresh?.message).not.toMatch(/cardinality violation/);

    const destroy = await fleet.stack.destroy().then(
      () => undefined,
      (err: Error) => err,
    );
    expect(destroy?.message).toMatch(
      /GET \/apis\/kubevirt\.io\/v1\/namespaces\/default\/virtualmachines\/flaky: (socket hang up|read ECONNRESET)/,
    );
    expect(destroy?.message).not.toMatch(/cardinality violation/);
    faults.clear();
    expect(await fleet.target.getVm("flaky")).toBeDefined(); // the failed destroy deleted nothing
    await fleet.stack.destroy();
    expect(await fleet.target.list("virtualmachines")).toEqual([]);
  });
});
