import { asText } from "../../provider/progress/sink";
import { createVmProvider, type VmProvider, type VmProviderOptions } from "../../provider/vm-provider";
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from "../../simulator";

/** The instance template of the suites that drive the provider directly: a cirros containerDisk VM. */
export const CIRROS_TEMPLATE = {
  spec: {
    domain: {
      devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }] },
      memory: { guest: "128Mi" },
    },
    volumes: [
      { name: "containerdisk", containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" } },
    ],
    terminationGracePeriodSeconds: 0,
  },
};

/** A simulator and a provider against it, for one test file (set up and torn down by jest hooks). */
export interface ProviderHarness {
  readonly sim: SimulatorHandle;
  readonly provider: VmProvider;
  /** The provider's progress lines since the current test began. */
  readonly lines: string[];
}

/**
 * Registers beforeAll/afterAll/beforeEach hooks that start a simulator (fast timings unless `simulator` says
 * otherwise) and a provider logging into `lines`; the returned object's fields are valid inside tests.
 */
export function providerOnSimulator(
  simulator: SimulatorOptions = {},
  provider: VmProviderOptions = {},
): ProviderHarness {
  const lines: string[] = [];
  let sim: SimulatorHandle | undefined;
  let p: VmProvider | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ kubevirt: { timings: "fast" }, ...simulator });
    p = createVmProvider((l, where) => lines.push(asText(l, where.kind)), provider);
  });
  afterAll(async () => {
    p?.close();
    await sim?.stop();
  });
  beforeEach(() => {
    lines.length = 0;
  });
  return {
    get sim() {
      return sim!;
    },
    get provider() {
      return p!;
    },
    lines,
  };
}
