/**
 * `npm run demo`: the quickstart (examples/quickstart) through the real Pulumi engine, against the embedded
 * KubeVirt simulator: create vm-cirros (Always), stop it (Halted), start it (Always), destroy the stack.
 * State lives in a temporary local backend; nothing outside this machine is touched.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { startSimulator, type SimulatorHandle } from "../simulator";

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function heading(step: string): void {
  process.stdout.write(`\n${bold(`━━ ${step}`)}\n`);
}

/** The power calls the simulator received since `mark`, e.g. `PUT .../vm-cirros/stop`. */
function powerCalls(sim: SimulatorHandle, mark: number): string {
  const calls = sim.requests
    .list({ afterSeq: mark, pathPrefix: "/apis/subresources.kubevirt.io/" })
    .map(
      (r) => `${r.method} ${r.path.replace(/^.*\/virtualmachines\//, "…/virtualmachines/")} → ${r.status}`,
    );
  return calls.length > 0 ? calls.join(", ") : "none";
}

const print = (line: string) => process.stdout.write(line);

async function up(stack: Stack, sim: SimulatorHandle, runStrategy: string, preview: boolean): Promise<void> {
  await stack.setConfig("runStrategy", { value: runStrategy });
  if (preview) {
    const mark = sim.requests.mark();
    await stack.preview({ onOutput: print });
    const writes = sim.requests.list({ afterSeq: mark, mutating: true }).length;
    process.stdout.write(`\n${bold("preview:")} mutating requests sent to the cluster: ${writes}\n\n`);
  }
  const mark = sim.requests.mark();
  const result = await stack.up({ onOutput: print });
  const o = result.outputs;
  process.stdout.write(
    `\n${bold("result:")} vm-cirros is ${o.powerState.value} (runStrategy ${o.runStrategy.value}, ` +
      `printableStatus ${o.printableStatus.value}); KubeVirt power calls: ${powerCalls(sim, mark)}\n`,
  );
}

async function main(): Promise<void> {
  const sim = await startSimulator({ kubevirt: { timings: "realistic" } });
  const stateDir = mkdtempSync(join(tmpdir(), "pulumi-kubevirt-demo-"));
  process.stdout.write(
    `${bold("pulumi-kubevirt demo")}: KubeVirt simulator at ${sim.url} (kubeconfig ${sim.kubeconfigPath})\n`,
  );
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "demo", workDir: join(__dirname, "../../examples/quickstart") },
    {
      envVars: {
        KUBECONFIG: sim.kubeconfigPath,
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: "demo",
        PULUMI_HOME: join(stateDir, ".pulumi-home"),
      },
    },
  );
  try {
    heading("1/4 pulumi up with runStrategy Always: create vm-cirros and wait until it is Ready");
    await up(stack, sim, "Always", false);
    heading(
      "2/4 runStrategy Halted: pulumi preview names the stop; pulumi up calls KubeVirt's stop subresource",
    );
    await up(stack, sim, "Halted", true);
    heading(
      "3/4 runStrategy Always: pulumi preview names the start; pulumi up calls KubeVirt's start subresource",
    );
    await up(stack, sim, "Always", true);
    heading("4/4 pulumi destroy: delete vm-cirros and wait until it and its instance are gone");
    await stack.destroy({ onOutput: print });
    const left = sim.store.list({ group: "kubevirt.io", version: "v1", resource: "virtualmachines" }).length;
    process.stdout.write(
      `\n${bold("done:")} the stack is destroyed; VirtualMachines left on the cluster: ${left}\n`,
    );
  } finally {
    await stack.workspace.removeStack("demo", { force: true }).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
    await sim.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
