/**
 * Samples the dynamic provider host of an engine run: the `node` processes whose command line contains
 * `@pulumi/pulumi/cmd/dynamic-provider` and that descend from this process (the Automation API starts the
 * `pulumi` CLI, which starts the host). Every ~100 ms it reads /proc/<pid>/status (VmRSS) and /proc/<pid>/stat
 * (utime + stime) until the host exits; Linux only (elsewhere it reports nothing).
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
}

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux). */
const CLK_TCK = 100;
const MARKER = "@pulumi/pulumi/cmd/dynamic-provider";

interface Stat {
  ppid: number;
  ticks: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) in parentheses: state ppid ... utime(14) stime(15).
    const rest = raw.slice(raw.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
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

/** What a descendant process is: a provider host, the engine (the `pulumi` CLI), or something else. */
function roleOf(pid: number): "host" | "engine" | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (argv.some((a) => a.includes(MARKER))) return "host";
    return /(^|\/)pulumi$/.test(argv[0]) ? "engine" : undefined;
  } catch {
    return undefined;
  }
}

/** Starts sampling; `stop()` takes a last sample and returns the usage. */
export function sampleProviderProcesses(
  ancestor: number,
  intervalMs = 100,
): { stop(): Promise<ProcessUsage> } {
  const hosts = new Map<number, { peakKb: number; ticks: number }>();
  const engines = new Map<number, number>(); // pid → ticks
  const notHosts = new Set<number>(); // pids that are not this run's hosts (and never will be)
  const sample = () => {
    let pids: number[];
    try {
      pids = readdirSync("/proc")
        .filter((d) => /^\d+$/.test(d))
        .map(Number);
    } catch {
      return;
    }
    const stats = new Map<number, Stat>();
    for (const pid of pids) {
      const s = readStat(pid);
      if (s) stats.set(pid, s);
    }
    for (const [pid, stat] of stats) {
      if (notHosts.has(pid)) continue;
      if (!hosts.has(pid)) {
        // Not descendants stay so; a descendant may still exec into a provider host (cmdline re-read).
        if (!descends(pid, ancestor, stats)) {
          notHosts.add(pid);
          continue;
        }
        const role = roleOf(pid);
        if (role === "engine") engines.set(pid, stat.ticks);
        if (role !== "host") continue;
        hosts.set(pid, { peakKb: 0, ticks: 0 });
      }
      const h = hosts.get(pid)!;
      const rss = readRssKb(pid);
      if (rss !== undefined) h.peakKb = Math.max(h.peakKb, rss);
      h.ticks = stat.ticks;
    }
  };
  // Processes alive now belong to earlier runs (a previous host may still be exiting): never count them.
  try {
    for (const d of readdirSync("/proc")) if (/^\d+$/.test(d)) notHosts.add(Number(d));
  } catch {
    // No /proc: nothing to sample.
  }
  const timer = setInterval(sample, intervalMs);
  sample();
  return {
    async stop() {
      sample();
      clearInterval(timer);
      const all = [...hosts.values()];
      return {
        hosts: all.length,
        peakRssMb: Math.round(Math.max(0, ...all.map((h) => h.peakKb)) / 102.4) / 10,
        cpuS: Math.round((all.reduce((sum, h) => sum + h.ticks, 0) / CLK_TCK) * 100) / 100,
        engineCpuS: Math.round(([...engines.values()].reduce((a, b) => a + b, 0) / CLK_TCK) * 100) / 100,
      };
    },
  };
}

function descends(pid: number, ancestor: number, stats: Map<number, Stat>): boolean {
  for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
    if (p === ancestor) return true;
    const s = stats.get(p);
    if (!s) return false;
    p = s.ppid;
  }
  return false;
}
