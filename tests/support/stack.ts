import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

/** A stack of a local program with its own throwaway file backend and passphrase secrets. */
export interface TestStack {
  stack: Stack;
  /** Removes the stack and its backend directory. */
  dispose(): Promise<void>;
}

/**
 * Creates a fresh stack for the Pulumi program in `workDir`, with state in a temporary `file://` backend,
 * so tests never touch the user's own Pulumi login. `pulumi` must be on PATH (see scripts/with-pulumi.sh).
 */
export async function createTestStack(
  workDir: string,
  stackName: string,
  env: Record<string, string> = {},
): Promise<TestStack> {
  const stateDir = mkdtempSync(join(tmpdir(), "pulumi-kubevirt-state-"));
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, workDir },
    {
      envVars: {
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: "test-passphrase",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_HOME: join(stateDir, ".pulumi-home"),
        ...env,
      },
    },
  );
  return {
    stack,
    async dispose() {
      await stack.workspace.removeStack(stackName, { force: true });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
