import type { Stack } from "@pulumi/pulumi/automation";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import { createTestStack, type TestStack } from "./stack";

/** A simulator plus a stack of a Pulumi program that talks to it (KUBECONFIG points at the simulator). */
export interface World {
  sim: SimulatorHandle;
  stack: Stack;
  /** Power calls (start/stop/restart) the simulator received since `mark`, as `name/action`. */
  powerCalls(mark: number): string[];
  /** How many mutating requests the simulator received since `mark`. */
  writes(mark: number): number;
  /** The stack's state as stored on disk. */
  stateFiles(): string;
  dispose(): Promise<void>;
}

/** Starts a simulator (fast timings) and a fresh stack of the program in `programDir` against it. */
export async function startWorld(programDir: string, stackName: string, copy = false): Promise<World> {
  const sim = await startSimulator({ kubevirt: { timings: "fast" } });
  let t: TestStack;
  try {
    const env = {
      KUBECONFIG: sim.kubeconfigPath,
      // `npm run lint` type-checks the programs; the engine need not do it again on every run.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
    t = await createTestStack(programDir, stackName, env, copy);
  } catch (err) {
    await sim.stop();
    throw err;
  }
  return {
    sim,
    stack: t.stack,
    stateFiles: () => t.stateFiles(),
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
