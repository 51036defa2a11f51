/**
 * When each VM of a simulator was available, from its store as changes are committed: a VM is unavailable
 * while it exists without an instance that is Running and Ready and not being deleted (just created, being
 * restarted, failing to boot, being deleted). For assertions such as "no more than 5 VMs were down at once".
 */
import type { KubeObject, SimulatorHandle } from "../../simulator";

const VMS = { group: "kubevirt.io", version: "v1", resource: "virtualmachines" };
const VMIS = { ...VMS, resource: "virtualmachineinstances" };

/** A VM that became available or unavailable. */
export interface AvailabilityChange {
  /** When (ms since the epoch, the clock of the simulator's request log). */
  time: number;
  name: string;
  available: boolean;
}

/** The record of a simulator's VMs' availability. */
export interface AvailabilityRecord {
  /** Every change, oldest first. */
  readonly changes: readonly AvailabilityChange[];
  /** The most VMs unavailable at the same time from `since` (ms since the epoch) until now. */
  peakUnavailable(since: number): number;
  /** When `name` last became available before `until` (ms since the epoch), if it did. */
  availableAt(name: string, until?: number): number | undefined;
  stop(): void;
}

function isUp(vmi: KubeObject): boolean {
  const conditions = (vmi.status?.conditions ?? []) as { type: string; status: string }[];
  return (
    !vmi.metadata.deletionTimestamp &&
    vmi.status?.phase === "Running" &&
    conditions.some((c) => c.type === "Ready" && c.status === "True")
  );
}

/** Starts recording the availability of the VMs in `namespace`. */
export function recordAvailability(sim: SimulatorHandle, namespace = "default"): AvailabilityRecord {
  const exists = new Set<string>();
  const up = new Set<string>();
  const down = new Set<string>();
  const changes: AvailabilityChange[] = [];
  /** The number of unavailable VMs after each change. */
  const counts: { time: number; count: number }[] = [];
  const note = (name: string) => {
    const isDown = exists.has(name) && !up.has(name);
    if (isDown === down.has(name)) return;
    if (isDown) down.add(name);
    else down.delete(name);
    const time = Date.now();
    changes.push({ time, name, available: !isDown });
    counts.push({ time, count: down.size });
  };
  const offVms = sim.store.subscribe(VMS, ({ type, object }) => {
    if (object.metadata.namespace !== namespace) return;
    if (type === "DELETED") exists.delete(object.metadata.name);
    else exists.add(object.metadata.name);
    note(object.metadata.name);
  });
  const offVmis = sim.store.subscribe(VMIS, ({ type, object }) => {
    if (object.metadata.namespace !== namespace) return;
    if (type !== "DELETED" && isUp(object)) up.add(object.metadata.name);
    else up.delete(object.metadata.name);
    note(object.metadata.name);
  });
  return {
    changes,
    peakUnavailable(since) {
      const before = counts.filter((c) => c.time < since).at(-1)?.count ?? 0;
      return Math.max(before, ...counts.filter((c) => c.time >= since).map((c) => c.count));
    },
    availableAt(name, until = Infinity) {
      return changes.filter((c) => c.name === name && c.available && c.time <= until).at(-1)?.time;
    },
    stop() {
      offVms();
      offVmis();
    },
  };
}
