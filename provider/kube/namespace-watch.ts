/**
 * One shared list+watch of the VirtualMachines and VirtualMachineInstances of a namespace, so that many VMs
 * converging at once cost two watch streams, not two per VM. A cut stream or a 410 Gone relists and
 * watches again from the new resourceVersion (with bounded backoff); waiters are told about every change.
 */
import { Watch } from "@kubernetes/client-node";
import type { LiveVm, LiveVmi } from "../model/kubevirt";
import type { KubeVirtApi } from "./kubevirt-api";

/** The VM and VMI of one name as currently known. */
export interface Observed {
  vm?: LiveVm;
  vmi?: LiveVmi;
}

interface Entry<T> {
  object?: T;
  /** resourceVersion of the last event for this name (also for a deletion). */
  rv: string;
}

/** Compares resourceVersions when both are integers (etcd's are); otherwise treats them as equal. */
function rvLess(a: string, b: string): boolean {
  return /^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) < BigInt(b);
}

class Collection<T extends { metadata: { name: string; resourceVersion: string } }> {
  readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly kind: "vm" | "vmi",
    private readonly owner: NamespaceWatch,
  ) {}

  /** resourceVersion of the last list: a name absent from `entries` was absent then. */
  private listedRv?: string;
  private abort?: AbortController;
  private stopped = false;
  private failures = 0;

  async start(): Promise<void> {
    const list = await this.owner.api.list<T>(this.kind, this.owner.namespace);
    this.listedRv = list.resourceVersion;
    const seen = new Set<string>();
    for (const item of list.items) {
      seen.add(item.metadata.name);
      this.entries.set(item.metadata.name, { object: item, rv: item.metadata.resourceVersion });
    }
    for (const name of this.entries.keys()) {
      if (!seen.has(name)) this.entries.set(name, { rv: list.resourceVersion, object: undefined });
    }
    this.owner.changed();
    await this.watchFrom(list.resourceVersion);
  }

  private async watchFrom(resourceVersion: string): Promise<void> {
    if (this.stopped) return;
    const plural = this.kind === "vm" ? "virtualmachines" : "virtualmachineinstances";
    const path = `/apis/kubevirt.io/v1/namespaces/${this.owner.namespace}/${plural}`;
    let rv = resourceVersion;
    let restart = false;
    this.abort = await new Watch(this.owner.api.kc).watch(
      path,
      { resourceVersion: rv, allowWatchBookmarks: true },
      (type: string, obj: T) => {
        if (type === "ERROR") {
          restart = true; // e.g. 410 Gone: the resourceVersion is too old
          this.abort?.abort();
          return;
        }
        this.failures = 0;
        rv = obj.metadata.resourceVersion;
        if (type === "BOOKMARK") return;
        const name = obj.metadata.name;
        this.entries.set(name, { object: type === "DELETED" ? undefined : obj, rv });
        this.owner.changed();
      },
      () => {
        if (this.stopped) return;
        this.failures++;
        const delay = Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6));
        setTimeout(() => {
          const again = restart ? this.start() : this.watchFrom(rv);
          again.catch(() => this.retryStart());
        }, delay).unref();
      },
    );
  }

  private retryStart(): void {
    if (this.stopped) return;
    this.failures++;
    setTimeout(
      () => this.start().catch(() => this.retryStart()),
      Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6)),
    ).unref();
  }

  /** What is known about `name`: its last event, or its absence from the last list. */
  entry(name: string): Entry<T> | undefined {
    return this.entries.get(name) ?? (this.listedRv === undefined ? undefined : { rv: this.listedRv });
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }
}

/** The shared watch of one namespace. */
export class NamespaceWatch {
  private readonly vms = new Collection<LiveVm>("vm", this);
  private readonly vmis = new Collection<LiveVmi>("vmi", this);
  private readonly listeners = new Set<() => void>();
  private started?: Promise<void>;

  constructor(
    readonly api: KubeVirtApi,
    readonly namespace: string,
  ) {}

  /** Starts listing and watching (once); resolves when the first lists are in. */
  ready(): Promise<void> {
    this.started ??= Promise.all([this.vms.start(), this.vmis.start()]).then(() => undefined);
    return this.started;
  }

  /**
   * The VM and VMI of `name`. `floor` (objects read fresh from the API) guards against a watch that lags
   * behind: a cached entry older than the floor's resourceVersion is replaced by the floor's object.
   */
  get(name: string, floor: Observed = {}): Observed {
    return {
      vm: pick(this.vms.entry(name), floor.vm),
      vmi: pick(this.vmis.entry(name), floor.vmi),
    };
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal Called by the collections. */
  changed(): void {
    for (const l of [...this.listeners]) l();
  }

  stop(): void {
    this.vms.stop();
    this.vmis.stop();
  }
}

function pick<T extends { metadata: { resourceVersion: string } }>(
  entry: Entry<T> | undefined,
  floor: T | undefined,
): T | undefined {
  if (!entry) return floor;
  if (floor && rvLess(entry.rv, floor.metadata.resourceVersion)) return floor;
  return entry.object;
}

/** One NamespaceWatch per (kubeconfig, namespace) for the life of the provider process. */
export class WatchPool {
  private readonly watches = new Map<string, NamespaceWatch>();

  /** The shared watch of `namespace` through `api`; `key` identifies the connection. */
  get(api: KubeVirtApi, key: string, namespace: string): NamespaceWatch {
    const id = `${key}\u0000${namespace}`;
    let w = this.watches.get(id);
    if (!w) {
      w = new NamespaceWatch(api, namespace);
      this.watches.set(id, w);
    }
    return w;
  }

  /** Stops every watch. */
  stop(): void {
    for (const w of this.watches.values()) w.stop();
    this.watches.clear();
  }
}
