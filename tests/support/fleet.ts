import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import { createTestStack, type TestStack } from "./stack";

/** A simulator plus a stack of the `fleet` test program (one VM per entry of its `vms` config). */
export interface Fleet {
  sim: SimulatorHandle;
  stack: Stack;
  /** Sets the VMs and runs `up`; returns the `fleet` output (name → observed state). */
  up(vms: Record<string, object>): Promise<Record<string, FleetVm>>;
  /** Power calls (start/stop/restart) the simulator received since `mark`, as `name/action`. */
  powerCalls(mark: number): string[];
  /** Mutating requests since `mark`. */
  writes(mark: number): number;
  dispose(): Promise<void>;
}

/** What the program exports per VM. */
export interface FleetVm {
  powerState: string;
  runStrategy: string;
  printableStatus: string;
  vmiUid?: string;
  conditions: { type: string; status: string }[];
}

const PROGRAM = join(__dirname, "../e2e/programs/fleet");

/** Starts a simulator (fast timings) and a fresh stack against it. */
export async function startFleet(stackName: string): Promise<Fleet> {
  const sim = await startSimulator({ kubevirt: { timings: "fast" } });
  let t: TestStack;
  try {
    t = await createTestStack(PROGRAM, stackName, {
      KUBECONFIG: sim.kubeconfigPath,
      // `npm run lint` type-checks the program; the engine need not do it again on every run.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    });
  } catch (err) {
    await sim.stop();
    throw err;
  }
  const { stack } = t;
  return {
    sim,
    stack,
    async up(vms) {
      await stack.setConfig("vms", { value: JSON.stringify(vms) });
      const result = await stack.up();
      return result.outputs.fleet.value as Record<string, FleetVm>;
    },
    powerCalls(mark) {
      return sim.requests
        .list({ afterSeq: mark, pathPrefix: "/apis/subresources.kubevirt.io/" })
        .map((r) => r.path.split("/").slice(-2).join("/"));
    },
    writes(mark) {
      return sim.requests.list({ afterSeq: mark, mutating: true }).length;
    },
    async dispose() {
      await t.dispose().catch(() => undefined);
      await sim.stop();
    },
  };
}
