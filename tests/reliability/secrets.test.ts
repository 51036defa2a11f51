import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GlobalOpts, Stack } from "@pulumi/pulumi/automation";
import { runPulumi } from "../support/pulumi-cli";
import { kubeconfigSecrets, Texts } from "../support/secret-scan";
import { createTestStack, type TestStack } from "../support/stack";
import { startTarget, type Target } from "../support/target";

// Credentials never leave the secret they were given in: through the real engine, a stack whose VM connects
// with the kubeconfig as a secret config value goes through up, previews and ups with the engine's logging
// turned all the way up, a failing up, a refresh, a destroy and three previews of bad kubeconfig inputs; then
// everything those runs printed or left behind (output, errors, `pulumi stack export`, the backend's files,
// the engine's log files) is searched for the token, the certificate-authority-data and the kubeconfig's
// base64.

const PROGRAM = join(__dirname, "../e2e/programs/fleet");
const RUN_TIMEOUT_MS = 180_000;

/** The engine's logging turned up as far as it goes, flowed to the plugins (the dynamic provider's host). */
const VERBOSE: GlobalOpts = { logVerbosity: 9, logFlow: true, debug: true };

let target: Target;
let testStack: TestStack;
let stack: Stack;
/** Where the engine writes its log files (its TMPDIR). */
let logDir: string;
const texts = new Texts();

beforeAll(async () => {
  target = await startTarget();
  logDir = mkdtempSync(join(tmpdir(), "pulumi-kubevirt-logs-"));
  // KUBECONFIG names no file: the VM can reach the cluster only through the secret config value.
  testStack = await createTestStack(
    PROGRAM,
    "secrets",
    { PULUMI_NODEJS_TRANSPILE_ONLY: "true", TMPDIR: logDir, KUBECONFIG: join(logDir, "absent") },
    true,
  );
  stack = testStack.stack;
  await stack.setConfig("kubeconfig", { value: target.kubeconfig, secret: true });
}, RUN_TIMEOUT_MS);

afterAll(async () => {
  await testStack?.dispose().catch(() => undefined);
  rmSync(logDir, { recursive: true, force: true });
  await target?.stop();
});

/** Sets the VMs of the fleet program (each connecting with the secret kubeconfig unless it says otherwise). */
async function declare(vms: Record<string, object>): Promise<void> {
  const withSecret = Object.fromEntries(
    Object.entries(vms).map(([name, spec]) => [name, { kubeconfigFromConfig: true, ...spec }]),
  );
  await stack.setConfig("vms", { value: JSON.stringify(withSecret) });
}

/** Keeps a run's stdout and stderr (or its error's message, which carries both) for the search. */
async function captured<T extends { stdout: string; stderr: string }>(
  name: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    const result = await run();
    texts.add(`${name} stdout`, result.stdout);
    texts.add(`${name} stderr`, result.stderr);
    return result;
  } catch (err) {
    texts.add(`${name} error`, err instanceof Error ? `${err.message}\n${err.stack ?? ""}` : String(err));
    throw err;
  }
}

describe("credentials through the real engine", () => {
  it(
    "should create the VM through the secret kubeconfig",
    async () => {
      await declare({ "vm-secret": { runStrategy: "Always" } });
      const up = await captured("up", () => stack.up());
      expect(up.outputs.fleet.value["vm-secret"]).toMatchObject({ powerState: "Running" });
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "should preview with engine logs in files, and stop the VM with engine logs on stderr",
    async () => {
      const preview = await captured("verbose preview", () => stack.preview(VERBOSE));
      expect(preview.changeSummary).toEqual({ same: 3 });
      await declare({ "vm-secret": { runStrategy: "Halted" } });
      const up = await captured("verbose up", () => stack.up({ ...VERBOSE, logToStdErr: true }));
      expect(up.outputs.fleet.value["vm-secret"]).toMatchObject({ powerState: "Stopped" });
      // The engine's logs on stderr show the resource's inputs, with the kubeconfig masked.
      expect(up.stderr).toContain("kubeconfig:{[secret]}");
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "should fail an up of an unschedulable VM with KubeVirt's reason",
    async () => {
      await declare({
        "vm-secret": { runStrategy: "Halted" },
        "vm-huge": { runStrategy: "Always", memory: "512Ti" },
      });
      await expect(captured("failing up", () => stack.up({ ...VERBOSE, logToStdErr: true }))).rejects.toThrow(
        /vm-huge cannot become Ready: ErrorUnschedulable/,
      );
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "should refresh and destroy both VMs",
    async () => {
      const refresh = await captured("refresh", () => stack.refresh());
      expect(refresh.summary.result).toBe("succeeded");
      // The plain CLI export (the Automation API's exportStack shows secrets).
      const exported = await runPulumi(stack, ["stack", "export"]);
      texts.add("pulumi stack export", exported.output);
      expect(exported.code).toBe(0);
      expect(exported.output).toMatch(/"urn": ".*VirtualMachine::vm-huge"/);
      const destroy = await captured("destroy", () => stack.destroy());
      expect(destroy.summary.result).toBe("succeeded");
      expect(await target.list("virtualmachines")).toEqual([]);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "should preview a VM whose kubeconfig is the base64 of the kubeconfig",
    async () => {
      await stack.setConfig("kubeconfig", {
        value: Buffer.from(target.kubeconfig).toString("base64"),
        secret: true,
      });
      await declare({ "vm-base64": { runStrategy: "Always" } });
      const preview = await captured("base64 preview", () => stack.preview(VERBOSE));
      expect(preview.changeSummary).toMatchObject({ create: 3 });
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "should reject a bare token as the kubeconfig without quoting it",
    async () => {
      await stack.setConfig("kubeconfig", { value: target.secret, secret: true });
      await expect(captured("token preview", () => stack.preview(VERBOSE))).rejects.toThrow(
        /kubeconfig: not a path to an existing file, nor kubeconfig contents .*\(the value is a secret and is not shown\)/,
      );
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "should reject a context the kubeconfig does not have, naming the contexts it has",
    async () => {
      await stack.setConfig("kubeconfig", { value: target.kubeconfig, secret: true });
      await declare({ "vm-context": { runStrategy: "Always", context: "no-such-context" } });
      await expect(captured("context preview", () => stack.preview(VERBOSE))).rejects.toThrow(
        /context: "no-such-context" is not in the kubeconfig \(contexts: /,
      );
    },
    RUN_TIMEOUT_MS,
  );

  it("should leave no credential in any output, error, export, state file or engine log", () => {
    texts.addTree("backend", new URL(stack.workspace.envVars.PULUMI_BACKEND_URL).pathname);
    texts.addTree("engine logs", logDir);
    const secrets = kubeconfigSecrets(target.kubeconfig);
    const hits = texts.hits(secrets);
    console.log(`secrets: ${texts.count} texts searched (${texts.kilobytes} KB), ${hits.length} hits`);
    expect(hits).toEqual([]);
    // The search covered the engine's log files, the stack's config and its state.
    expect(texts.countOf("engine logs/")).toBeGreaterThan(0);
    expect(texts.countOf("backend/program/Pulumi.secrets.yaml")).toBe(1);
    expect(texts.countOf("backend/.pulumi/stacks/")).toBeGreaterThan(0);
  });
});
