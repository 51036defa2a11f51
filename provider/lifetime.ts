/**
 * The provider process lives no longer than the engine that started it. Pulumi's CLI starts the dynamic
 * provider host as its child (directly, or through the `pulumi-resource-pulumi-nodejs` shell launcher); when
 * the CLI is killed (SIGKILL, a double Ctrl-C) the host would keep running with its watches open against the
 * cluster. The engine is the nearest ancestor that is not a shell; once a second the provider checks that it is
 * still there (and still an ancestor), and otherwise stops its watches and exits.
 */
import { readFileSync } from "node:fs";

/** How often the engine is checked. */
const CHECK_MS = 1_000;

/** Process names of the launcher between the engine and the host. */
const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ash"]);

/** True when this process is Pulumi's dynamic provider host (not a program, a test or a tool). */
export function isDynamicProviderHost(argv: readonly string[] = process.argv): boolean {
  return /[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(argv[1] ?? "");
}

/** How to look at processes (injectable for tests). */
export interface ProcessTable {
  /** This process's parent pid. */
  ppid(): number;
  /** A process's parent pid and name, or `undefined` when it is gone (or cannot be read). */
  info(pid: number): { ppid: number; name: string } | undefined;
}

/** The process table of this machine, from /proc (Linux); elsewhere only the parent pid is known. */
export const PROC: ProcessTable = {
  ppid: () => process.ppid,
  info(pid) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const name = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      return { ppid, name };
    } catch {
      return undefined;
    }
  },
};

/** The pids from this process's parent up to the engine (the first ancestor that is not a shell). */
export function engineChain(table: ProcessTable = PROC): number[] {
  const chain = [table.ppid()];
  for (let info = table.info(chain[0]!); info && SHELLS.has(info.name) && info.ppid > 1;) {
    chain.push(info.ppid);
    info = table.info(info.ppid);
  }
  return chain;
}

/** Whether every link of `chain` is still there and still the parent of the one before it. */
export function chainIntact(chain: readonly number[], table: ProcessTable = PROC): boolean {
  if (table.ppid() !== chain[0]) return false;
  for (let i = 1; i < chain.length; i++) {
    if (table.info(chain[i - 1]!)?.ppid !== chain[i]) return false;
  }
  return true;
}

/** Calls `stop` and exits once the engine is gone. Returns a function that cancels the check. */
export function exitWithEngine(
  stop: () => void,
  table: ProcessTable = PROC,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const chain = engineChain(table);
  const timer = setInterval(() => {
    if (chainIntact(chain, table)) return;
    clearInterval(timer);
    stop();
    exit(0);
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
