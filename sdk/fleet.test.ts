import * as pulumi from "@pulumi/pulumi";
import type { MockResourceArgs } from "@pulumi/pulumi/runtime";
import { VirtualMachineFleet, type VirtualMachineFleetArgs } from "./fleet";

// The component under Pulumi's mocks: the mock monitor answers a registration when the test says so, as the
// engine answers one when the resource's create or update (and the provider's wait for Ready) has finished.
// So what these tests see registered is what the engine would be asked to change, and when. (That the engine
// then leaves the batches after a failed VM alone is shown with the real engine: tests/e2e/fleet.test.ts.)

const VM_TYPE = "pulumi-nodejs:dynamic/kubevirt:VirtualMachine";

/** A VM registration the test answers: `finish` as a create that reached Ready. */
interface Registration {
  inputs: Record<string, unknown>;
  finish(): void;
}

/** The VM registrations seen so far, by resource name, in the order they arrived. */
let registered: Map<string, Registration>;
/** Whether the mocks answer VM registrations at once. */
let autoFinish: boolean;
/** `pulumi.log.info`, recorded instead of printed. */
let info: jest.SpiedFunction<typeof pulumi.log.info>;

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args: MockResourceArgs) => {
        if (args.type !== VM_TYPE) return { id: undefined, state: {} };
        return new Promise((resolve) => {
          const finish = () => resolve({ id: `default/${args.name}`, state: { observed: {} } });
          registered.set(args.name, { inputs: args.inputs, finish });
          if (autoFinish) finish();
        });
      },
      call: () => ({}),
    },
    "fleet-test",
    "test",
    false,
  );
});

beforeEach(() => {
  registered = new Map();
  autoFinish = false;
  info = jest.spyOn(pulumi.log, "info").mockImplementation(async () => undefined);
});

afterEach(() => {
  info.mockRestore();
});

/** Lets the SDK's pending registrations run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

const ARGS: VirtualMachineFleetArgs = {
  count: 5,
  maxUnavailable: 2,
  runStrategy: "Always",
  restartTrigger: "r1",
  metadata: { namespace: "apps", labels: { app: "web" } },
  template: { spec: { domain: { devices: {} } } },
};

describe("VirtualMachineFleet", () => {
  it("should register batch k+1 only once every VM of batch k finished", async () => {
    const fleet = new VirtualMachineFleet("web", ARGS);
    expect(fleet.batches.map((b) => b.length)).toEqual([2, 2, 1]);
    await settle();
    expect([...registered.keys()]).toEqual(["web-0", "web-1"]);
    registered.get("web-0")!.finish();
    await settle();
    expect([...registered.keys()]).toEqual(["web-0", "web-1"]); // web-1 is still on its way to Ready
    registered.get("web-1")!.finish();
    await settle();
    expect([...registered.keys()]).toEqual(["web-0", "web-1", "web-2", "web-3"]);
    registered.get("web-2")!.finish();
    registered.get("web-3")!.finish();
    await settle();
    expect([...registered.keys()]).toEqual(["web-0", "web-1", "web-2", "web-3", "web-4"]);
    registered.get("web-4")!.finish();
    await promiseOf(fleet.vms[4].name);
    expect(await promiseOf(fleet.batchCount)).toBe(3);
    expect(await promiseOf(fleet.maxUnavailable)).toBe(2);
  });

  it("should give every member the shared inputs under its own name", async () => {
    autoFinish = true;
    const fleet = new VirtualMachineFleet("db", {
      ...ARGS,
      count: undefined,
      names: ["db-b", "db-a"],
      metadata: pulumi.output({ namespace: "apps", labels: { app: "web" } }),
    });
    await promiseOf(fleet.vms[1].name);
    expect([...registered.keys()]).toEqual(["db-b", "db-a"]);
    expect(registered.get("db-a")!.inputs).toMatchObject({
      name: "db-a",
      namespace: "apps",
      labels: { app: "web" },
      runStrategy: "Always",
      restartTrigger: "r1",
      template: { spec: { domain: { devices: {} } } },
    });
  });

  it("should say on the component how the roll is cut", async () => {
    autoFinish = true;
    const fleet = new VirtualMachineFleet("web", { ...ARGS, count: 20, maxUnavailable: "25%" });
    expect(info).toHaveBeenCalledWith("rolls 20 VMs in 4 batches of at most 5 (maxUnavailable 25%)", fleet);
    await promiseOf(fleet.vms[19].name);
    expect(registered.size).toBe(20);
  });

  it("should throw on a bad maxUnavailable before registering anything", async () => {
    expect(() => new VirtualMachineFleet("web", { ...ARGS, maxUnavailable: "30" as never })).toThrow(
      'VirtualMachineFleet web: maxUnavailable: "30" is not allowed; expected a whole number of VMs, at least 1',
    );
    await settle();
    expect(registered.size).toBe(0);
    expect(info).not.toHaveBeenCalled();
  });
});

/** An output's value (the SDK's internal promise; fine in a test). */
function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}
