import type { Stack } from "@pulumi/pulumi/automation";
import { createTestStack, type TestStack } from "./stack";
import { startTarget, type Target } from "./target";

/** A target (see target.ts) plus a stack of a Pulumi program that talks to it (KUBECONFIG points at it). */
export interface World {
  target: Target;
  stack: Stack;
  /** A position in the target's request record, for the assertions below. */
  mark(): number;
  /** Asserts the power calls (start/stop/restart, as `name/action`, in any order) since `mark`, where the target can tell. */
  expectPowerCalls(mark: number, expected: string[]): void;
  /** Asserts that no mutating request reached the API since `mark`, where the target can tell. */
  expectNoWrites(mark: number): void;
  /** The stack's state as stored on disk. */
  stateFiles(): string;
  dispose(): Promise<void>;
}

/** Starts the target and a fresh stack of the program in `programDir` against it. */
export async function startWorld(programDir: string, stackName: string, copy = false): Promise<World> {
  const target = await startTarget();
  let t: TestStack;
  try {
    const env = {
      KUBECONFIG: target.kubeconfigPath,
      // `npm run lint` type-checks the programs; the engine need not do it again on every run.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
    t = await createTestStack(programDir, stackName, env, copy);
  } catch (err) {
    await target.stop();
    throw err;
  }
  return {
    target,
    stack: t.stack,
    stateFiles: () => t.stateFiles(),
    mark: () => target.mark(),
    expectPowerCalls(mark, expected) {
      const seen = target.requests(mark);
      if (!seen) return;
      const calls = seen
        .filter((r) => r.path.startsWith("/apis/subresources.kubevirt.io/"))
        .map((r) => r.path.split("/").slice(-2).join("/"));
      expect(calls.sort()).toEqual([...expected].sort());
    },
    expectNoWrites(mark) {
      const seen = target.requests(mark);
      if (!seen) return;
      expect(seen.filter((r) => r.mutating).map((r) => r.path)).toEqual([]);
    },
    async dispose() {
      await t.dispose().catch(() => undefined);
      await target.stop();
    },
  };
}
