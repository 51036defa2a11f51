/**
 * Processes as Linux's /proc shows them: parent chains, command lines, and an identity (pid + start time)
 * that survives pid reuse, so a test can find the engine's plugin processes, kill them, and later tell
 * whether the very same process still runs.
 */
import { readdirSync, readFileSync } from "node:fs";

/** One process, identified by pid and start time (clock ticks after boot). */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  startTime: number;
  /** The command line, arguments joined by spaces. */
  cmdline: string;
}

/** The process with this pid, or undefined when there is none (or it is a zombie, already dead). */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces and parentheses): state ppid … starttime (22nd).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") return undefined;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    return { pid, ppid: Number(fields[1]), startTime: Number(fields[19]), cmdline };
  } catch {
    return undefined;
  }
}

/** Every live process. */
export function allProcesses(): ProcessInfo[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map((e) => processInfo(Number(e)))
    .filter((p): p is ProcessInfo => p !== undefined);
}

/** The live descendants of `pid` (children, their children, …). */
export function descendants(pid: number): ProcessInfo[] {
  const all = allProcesses();
  const found: ProcessInfo[] = [];
  let parents = new Set([pid]);
  while (parents.size > 0) {
    const children = all.filter((p) => parents.has(p.ppid));
    found.push(...children);
    parents = new Set(children.map((p) => p.pid));
  }
  return found;
}

/** Whether a process is the host of Pulumi's Node.js dynamic providers (`@pulumi/pulumi/cmd/dynamic-provider`). */
export function isDynamicProvider(p: ProcessInfo): boolean {
  return /\bnode\b/.test(p.cmdline) && p.cmdline.includes("cmd/dynamic-provider");
}

/** Whether this very process (same pid and start time) still runs. */
export function stillRunning(p: ProcessInfo): boolean {
  return processInfo(p.pid)?.startTime === p.startTime;
}

/** Sends `signal` to this very process, if it still runs. */
export function signalProcess(p: ProcessInfo, signal: NodeJS.Signals): void {
  if (!stillRunning(p)) return;
  try {
    process.kill(p.pid, signal);
  } catch {
    // It ended in between.
  }
}
