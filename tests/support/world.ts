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

/**
 * One target for the worlds of a whole test file, started before its first suite and stopped after its last: on
 * the kubevirt tier each target is a control plane of its own, about 25 s to start and stop. Call it at the
 * file's top level (it registers the hooks); the suites pass what it returns to {@link startWorld} and name
 * their VMs apart from one another's (what a suite leaves behind stays until the target stops).
 */
export function sharedTarget(): () => Target {
  let target: Target | undefined;
  beforeAll(async () => {
    target = await startTarget();
  }, 300_000);
  afterAll(async () => {
    await target?.stop();
  });
  return () => {
    if (!target) throw new Error("sharedTarget: the target has not started (its beforeAll failed)");
    return target;
  };
}

/**
 * A fresh stack of the program in `programDir` against `shared` (see {@link sharedTarget}), or against a target of
 * its own, started here and stopped by `dispose`.
 */
export async function startWorld(
  programDir: string,
  stackName: string,
  copy = false,
  shared?: () => Target,
): Promise<World> {
  const target = shared ? shared() : await startTarget();
  const stopTarget = () => (shared ? Promise.resolve() : target.stop());
  let t: TestStack;
  try {
    const env = {
      KUBECONFIG: target.kubeconfigPath,
      // `npm run lint` type-checks the programs; the engine need not do it again on every run.
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
    t = await createTestStack(programDir, stackName, env, copy);
  } catch (err) {
    await stopTarget();
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
      await stopTarget();
    },
  };
}
