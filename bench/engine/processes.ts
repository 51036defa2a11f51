/**
 * Samples the processes of an engine run: the descendants of this process (the Automation API starts the `pulumi`
 * CLI, which starts the language host, the program and the dynamic provider host, the `node` process whose
 * command line contains `@pulumi/pulumi/cmd/dynamic-provider`). Every ~100 ms it walks the process tree from
 * this process (/proc/<pid>/task/<tid>/children) and reads /proc/<pid>/stat (utime + stime) of each descendant
 * and /proc/<pid>/status (VmRSS) of the provider hosts; Linux only (elsewhere it reports nothing). Only the
 * descendants are read, so the sampler's own cost does not grow with what else runs on the machine.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Peak RSS and CPU time of the provider hosts of one run (summed over hosts when there are several). */
export interface ProcessUsage {
  /** How many provider hosts were seen. */
  hosts: number;
  /** Peak resident set size, MB (the largest host's peak). */
  peakRssMb: number;
  /** User + system CPU time at the last sample before exit, seconds (summed over hosts). */
  cpuS: number;
  /** The same for the engine (the `pulumi` CLI process of the run), for comparison. */
  engineCpuS: number;
  /** The same for every other process the run started (the language host, the program's `node`, plugins). */
  otherCpuS: number;
  /** {@link ProcessUsage.otherCpuS} by program (an executable's name, or a Node.js script's parent folders). */
  otherCpuByProgram: Record<string, number>;
}

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux). */
const CLK_TCK = 100;
const MARKER = "@pulumi/pulumi/cmd/dynamic-provider";

/** utime + stime of a process, in ticks. */
function readTicks(pid: number): number | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) in parentheses: state ppid ... utime(14) stime(15).
    const rest = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return undefined;
  }
}

function readRssKb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The descendants of `root` (children of any of its threads, recursively). */
function descendants(root: number): number[] {
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      let children: string;
      try {
        children = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8");
      } catch {
        continue;
      }
      for (const c of children.split(" ")) {
        if (c === "") continue;
        found.push(Number(c));
        queue.push(Number(c));
      }
    }
  }
  return found;
}

/** What a process is: a provider host, the engine (the `pulumi` CLI), or another program (named). */
type Role = "host" | "engine" | { program: string };

function roleOf(pid: number): Role | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    // An exited process not yet reaped (a zombie) has an empty command line: keep what it was.
    if (argv[0] === "") return undefined;
    if (argv.some((a) => a.includes(MARKER))) return "host";
    if (/(^|\/)pulumi$/.test(argv[0])) return "engine";
    const exe = argv[0].split("/").pop() ?? "";
    const script = exe === "node" ? argv.slice(1).find((a) => !a.startsWith("-")) : undefined;
    return { program: script ? script.split("/").slice(-3, -1).join("/") || script : exe };
  } catch {
    return undefined;
  }
}

interface Seen {
  role: Role;
  ticks: number;
  peakKb: number;
}

/** Starts sampling; `stop()` takes a last sample and returns the usage. */
export function sampleProviderProcesses(
  ancestor: number,
  intervalMs = 100,
): { stop(): Promise<ProcessUsage> } {
  const seen = new Map<number, Seen>();
  // Processes alive now belong to earlier runs (a previous host may still be exiting): never count them.
  const earlier = new Set(descendants(ancestor));
  const sample = () => {
    for (const pid of descendants(ancestor)) {
      if (earlier.has(pid)) continue;
      const ticks = readTicks(pid);
      if (ticks === undefined) continue;
      // Read every time: a fresh child shows its parent's command line until it execs.
      const before = seen.get(pid);
      const role = roleOf(pid) ?? before?.role;
      if (!role) continue;
      const s: Seen = { role, ticks, peakKb: before?.peakKb ?? 0 };
      if (role === "host") s.peakKb = Math.max(s.peakKb, readRssKb(pid) ?? 0);
      seen.set(pid, s);
    }
  };
  const timer = setInterval(sample, intervalMs);
  sample();
  return {
    async stop() {
      sample();
      clearInterval(timer);
      const all = [...seen.values()];
      const hosts = all.filter((s) => s.role === "host");
      const others = all.filter((s) => typeof s.role === "object");
      const byProgram: Record<string, number> = {};
      for (const s of others) {
        const name = (s.role as { program: string }).program;
        byProgram[name] = Math.round(((byProgram[name] ?? 0) + s.ticks / CLK_TCK) * 100) / 100;
      }
      return {
        hosts: hosts.length,
        peakRssMb: Math.round(Math.max(0, ...hosts.map((h) => h.peakKb)) / 102.4) / 10,
        cpuS: seconds(hosts.map((h) => h.ticks)),
        engineCpuS: seconds(all.filter((s) => s.role === "engine").map((s) => s.ticks)),
        otherCpuS: seconds(others.map((s) => s.ticks)),
        otherCpuByProgram: byProgram,
      };
    },
  };
}

/** Summed ticks, in seconds (two decimals). */
function seconds(ticks: number[]): number {
  return Math.round((ticks.reduce((a, b) => a + b, 0) / CLK_TCK) * 100) / 100;
}
