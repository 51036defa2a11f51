/**
 * `npm run demo`: runs a Pulumi program through the real engine (Automation API, local file backend),
 * showing the engine's own output, then destroys the stack.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), "pulumi-kubevirt-demo-"));
  const workDir = join(__dirname, "../../tests/e2e/engine-proof");
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "demo", workDir },
    {
      envVars: {
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: "demo",
        PULUMI_HOME: join(stateDir, ".pulumi-home"),
      },
    },
  );
  const onOutput = (line: string) => process.stdout.write(line);
  try {
    await stack.setConfig("who", { value: "kubevirt" });
    await stack.up({ onOutput });
    await stack.destroy({ onOutput });
  } finally {
    await stack.workspace.removeStack("demo", { force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
