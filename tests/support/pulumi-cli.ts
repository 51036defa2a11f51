/**
 * The `pulumi` CLI run directly as a child process of the test (not through the Automation API), so a test can
 * signal it mid-operation: same program directory, same stack, same environment as the Automation API
 * workspace of a {@link TestStack}'s stack.
 */
import { spawn } from "node:child_process";
import type { Stack } from "@pulumi/pulumi/automation";

/** How a CLI run ended, with everything it printed (stdout and stderr interleaved). */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** A CLI run in progress. */
export interface RunningCli {
  pid: number;
  /** Settles when the CLI process has exited (its plugins may live on). */
  done: Promise<CliResult>;
  /** Sends a signal to the CLI process alone (not to its plugins). */
  signal(signal: NodeJS.Signals): void;
}

/** How long a CLI that was told to stop may take before the test kills it. */
const STOP_GRACE_MS = 60_000;

/**
 * Starts `pulumi <args> --stack <stack> --non-interactive` in the stack's program directory with the
 * workspace's environment (backend, passphrase, PULUMI_HOME, KUBECONFIG, …) on top of the test's own.
 * Runs longer than `timeoutMs` are killed (and their result says SIGKILL).
 */
export function startPulumi(stack: Stack, args: string[], timeoutMs = 240_000): RunningCli {
  const child = spawn("pulumi", [...args, "--stack", stack.name, "--non-interactive", "--color", "never"], {
    cwd: stack.workspace.workDir,
    env: { ...process.env, ...stack.workspace.envVars },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  // "exit", not "close": plugins that outlive a killed CLI may hold its pipes open.
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, signal, output });
      }, 100);
    });
  });
  if (child.pid === undefined) throw new Error(`could not start pulumi ${args.join(" ")}`);
  return {
    pid: child.pid,
    done,
    signal(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Runs `pulumi <args>` for the stack (see {@link startPulumi}) to the end. */
export function runPulumi(stack: Stack, args: string[], timeoutMs?: number): Promise<CliResult> {
  return startPulumi(stack, args, timeoutMs).done;
}

/** Waits for a CLI that was told to stop; kills it if it takes longer than a minute. */
export async function awaitStopped(cli: RunningCli): Promise<CliResult & { hung: boolean }> {
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    cli.signal("SIGKILL");
  }, STOP_GRACE_MS);
  const result = await cli.done;
  clearTimeout(timer);
  return { ...result, hung };
}
