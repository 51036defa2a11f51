#!/usr/bin/env node
/**
 * `kubevirt-sim`: runs the simulator until SIGINT/SIGTERM and prints its URL and kubeconfig path.
 *
 *   kubevirt-sim [--port N] [--kubeconfig FILE] [--http] [--timings fast|realistic] [--token T] [--quiet]
 */
import { startSimulator } from "./index";

const USAGE =
  "usage: kubevirt-sim [--port N] [--kubeconfig FILE] [--http] [--timings fast|realistic] [--token TOKEN] [--quiet]";

interface CliOptions {
  port?: number;
  kubeconfig?: string;
  http: boolean;
  timings?: "fast" | "realistic";
  token?: string;
  quiet: boolean;
}

/** Parses the command line; throws with a message on bad input. */
export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { http: false, quiet: false };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const take = () => (inline !== undefined ? inline : value(i++, flag));
    switch (flag) {
      case "--port": {
        const p = Number(take());
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error("--port must be 0-65535");
        opts.port = p;
        break;
      }
      case "--kubeconfig":
        opts.kubeconfig = take();
        break;
      case "--http":
        opts.http = true;
        break;
      case "--timings": {
        const t = take();
        if (t !== "fast" && t !== "realistic") throw new Error("--timings must be fast or realistic");
        opts.timings = t;
        break;
      }
      case "--token":
        opts.token = take();
        break;
      case "--quiet":
        opts.quiet = true;
        break;
      case "-h":
      case "--help":
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${argv[i]}\n${USAGE}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const sim = await startSimulator({
    port: opts.port,
    http: opts.http,
    kubeconfigPath: opts.kubeconfig,
    token: opts.token,
    kubevirt: { timings: opts.timings ?? "realistic" },
    log: opts.quiet ? undefined : (m) => process.stderr.write(`${m}\n`),
  });
  process.stdout.write(`KubeVirt simulator listening on ${sim.url}\n`);
  process.stdout.write(`kubeconfig: ${sim.kubeconfigPath}\n`);
  process.stdout.write(`export KUBECONFIG=${sim.kubeconfigPath}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping\n`);
    void sim.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
