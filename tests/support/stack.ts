import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";

/** A stack of a local program with its own throwaway file backend and passphrase secrets. */
export interface TestStack {
  stack: Stack;
  /** The raw contents of every file of the stack's backend (its state as stored on disk). */
  stateFiles(): string;
  /** Removes the stack and its backend directory. */
  dispose(): Promise<void>;
}

/** The repository's root (for its node_modules). */
const ROOT = join(__dirname, "../..");

/**
 * Creates a fresh stack for the Pulumi program in `programDir`, with state in a temporary `file://` backend,
 * so tests never touch the user's own Pulumi login. `pulumi` must be on PATH (see scripts/with-pulumi.sh).
 * With `copy`, the program runs from a temporary copy (the engine writes stack files such as
 * `Pulumi.<stack>.yaml` next to the program; committed ones must stay as they are).
 */
export async function createTestStack(
  programDir: string,
  stackName: string,
  env: Record<string, string> = {},
  copy = false,
): Promise<TestStack> {
  const stateDir = mkdtempSync(join(tmpdir(), "pulumi-kubevirt-state-"));
  let workDir = programDir;
  if (copy) {
    workDir = join(stateDir, "program");
    cpSync(programDir, workDir, { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(workDir, "node_modules"));
  }
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
    stateFiles: () => readTree(join(stateDir, ".pulumi")),
    async dispose() {
      await stack.workspace.removeStack(stackName, { force: true });
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

function readTree(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), "utf8"))
    .join("\n");
}
