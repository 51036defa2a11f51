/**
 * When each VM of a namespace was available, from watches on its VMs and VMIs through the API (any target: the
 * simulator, KubeVirt's own controllers): a VM is unavailable while it exists without an instance that is Running
 * and Ready and not being deleted (just created, being restarted, failing to boot, being deleted). For assertions
 * such as "no more than 5 VMs were down at once". Times are when the watch event arrived here, so a change is
 * recorded a little after the API committed it.
 */
import {
  KubeConfig,
  makeInformer,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { apiRequest } from "../../provider/kube/http";

/** A VM that became available or unavailable. */
export interface AvailabilityChange {
  /** When (ms since the epoch). */
  time: number;
  name: string;
  available: boolean;
}

/** The record of a namespace's VMs' availability. */
export interface AvailabilityRecord {
  /** Every change, oldest first. */
  readonly changes: readonly AvailabilityChange[];
  /** The most VMs unavailable at the same time from `since` (ms since the epoch) until now. */
  peakUnavailable(since: number): number;
  /** When `name` last became available before `until` (ms since the epoch), if it did. */
  availableAt(name: string, until?: number): number | undefined;
  stop(): Promise<void>;
}

/** A VM or VMI as watched. */
type Watched = KubernetesObject & { status?: object };

/** Whether an instance (VMI) makes its VM available: Running and Ready, and not being deleted. */
export function isAvailable(vmi: { metadata?: { deletionTimestamp?: unknown }; status?: object }): boolean {
  const status = (vmi.status ?? {}) as { phase?: string; conditions?: { type: string; status: string }[] };
  return (
    !vmi.metadata?.deletionTimestamp &&
    status.phase === "Running" &&
    (status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
  );
}

/**
 * An informer on `path` (list, then watch) that calls `onChange` for every object added, changed or deleted,
 * and starts again after a failed watch. Resolves once the list is in.
 */
async function watch(
  kc: KubeConfig,
  path: string,
  onChange: (name: string, object: Watched, deleted: boolean) => void,
): Promise<{ stop(): Promise<void> }> {
  const list = async () => (await apiRequest<KubernetesListObject<Watched>>(kc, "GET", path)).body;
  const informer = makeInformer<Watched>(kc, path, list);
  let stopped = false;
  const on = (deleted: boolean) => (o: Watched) => onChange(o.metadata?.name ?? "", o, deleted);
  informer.on("add", on(false));
  informer.on("update", on(false));
  informer.on("delete", on(true));
  informer.on("error", () => {
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 200);
  });
  await informer.start();
  return {
    async stop() {
      stopped = true;
      await informer.stop();
    },
  };
}

/** Starts recording the availability of the VMs in `namespace` of the API `kubeconfig` (YAML or JSON) names. */
export async function recordAvailability(
  kubeconfig: string,
  namespace = "default",
): Promise<AvailabilityRecord> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
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
  const base = `/apis/kubevirt.io/v1/namespaces/${namespace}`;
  const vms = await watch(kc, `${base}/virtualmachines`, (name, _vm, deleted) => {
    if (deleted) exists.delete(name);
    else exists.add(name);
    note(name);
  });
  const vmis = await watch(kc, `${base}/virtualmachineinstances`, (name, vmi, deleted) => {
    if (!deleted && isAvailable(vmi)) up.add(name);
    else up.delete(name);
    note(name);
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
    async stop() {
      await Promise.all([vms.stop(), vmis.stop()]);
    },
  };
}
