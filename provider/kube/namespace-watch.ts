/**
 * One shared list+watch of the VirtualMachines and VirtualMachineInstances of a namespace, so that many VMs
 * converging at once cost two watch streams, not two per VM. Whenever a stream ends (cut, 410 Gone, or silent
 * for client-node's 30 s inactivity timeout) the collection is listed afresh and watched from the new
 * resourceVersion, as client-go's reflector does, with jittered backoff after failures; so a watch that stops
 * delivering can never hide a change for long. Waiters are told about every change. A watch the server
 * refuses (401/403) is reported to the waiters at once, with what was refused; other failures are logged.
 */
import { Watch } from "@kubernetes/client-node";
import type { LiveVm, LiveVmi } from "../model/kubevirt";
import type { KubeVirtApi } from "./kubevirt-api";

/** The default inactivity limit of a watch stream (client-node's own): kube-apiserver sends bookmarks more often. */
export const DEFAULT_WATCH_IDLE_MS = 30_000;

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
    this.owner.recovered();
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

  private get plural(): string {
    return this.kind === "vm" ? "virtualmachines" : "virtualmachineinstances";
  }

  private async watchFrom(resourceVersion: string): Promise<void> {
    if (this.stopped) return;
    const path = `/apis/kubevirt.io/v1/namespaces/${this.owner.namespace}/${this.plural}`;
    let delivered = false;
    let idle: NodeJS.Timeout | undefined;
    const quiet = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        delivered = true; // silence is not a failure: list afresh at once
        this.abort?.abort();
      }, this.owner.idleMs).unref();
    };
    quiet();
    this.abort = await new Watch(this.owner.api.kc).watch(
      path,
      { resourceVersion, allowWatchBookmarks: true },
      (type: string, obj: T) => {
        quiet();
        if (type === "ERROR") {
          this.abort?.abort(); // e.g. 410 Gone: the resourceVersion is too old; list afresh
          return;
        }
        delivered = true;
        if (type === "BOOKMARK") return;
        const name = obj.metadata.name;
        this.entries.set(name, {
          object: type === "DELETED" ? undefined : obj,
          rv: obj.metadata.resourceVersion,
        });
        this.owner.changed();
      },
      (err: unknown) => {
        clearTimeout(idle);
        this.ended(err, delivered);
      },
    );
  }

  /** A stream ended: list afresh (at once after a stream that delivered, with backoff after failures). */
  private ended(err: unknown, delivered: boolean): void {
    if (this.stopped) return;
    const status = (err as { statusCode?: number } | null)?.statusCode;
    if (status === 401 || status === 403) {
      const what = status === 401 ? "401 Unauthorized" : "403 Forbidden";
      this.owner.fail(
        new Error(
          `the cluster refused to watch ${this.plural}.kubevirt.io in namespace ${this.owner.namespace} (${what}); the credentials need the get, list and watch verbs on it`,
        ),
      );
    } else if (err && !(err instanceof Error && err.name === "AbortError")) {
      this.owner.report(
        `watch of ${this.plural} ended (${(err as Error).message ?? String(err)}); listing again`,
      );
    }
    if (delivered) this.failures = 0;
    this.relistLater(delivered ? 0 : this.backoff());
  }

  private backoff(): number {
    this.failures++;
    const base = Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6));
    return Math.round(base * (0.5 + Math.random() * 0.5));
  }

  private relistLater(delayMs: number): void {
    setTimeout(() => {
      if (this.stopped) return;
      this.start().catch((err: unknown) => {
        this.owner.report(`listing ${this.plural} failed (${(err as Error).message}); retrying`);
        this.relistLater(this.backoff());
      });
    }, delayMs).unref();
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
  /** Set while the server refuses the watch (401/403); waits fail with it. */
  failure?: Error;

  constructor(
    readonly api: KubeVirtApi,
    readonly namespace: string,
    private readonly log: (line: string) => void = () => undefined,
    /** A stream that delivers nothing (not even a bookmark) for this long is replaced by a fresh list+watch. */
    readonly idleMs: number = DEFAULT_WATCH_IDLE_MS,
  ) {}

  /** Starts listing and watching (once); resolves when the first lists are in (a failed start is tried again). */
  ready(): Promise<void> {
    this.started ??= Promise.all([this.vms.start(), this.vmis.start()]).then(
      () => undefined,
      (err: unknown) => {
        this.started = undefined;
        throw err;
      },
    );
    return this.started;
  }

  /** @internal The server refused a watch: tell the waiters. */
  fail(err: Error): void {
    this.failure = err;
    this.changed();
  }

  /** @internal A list succeeded again. */
  recovered(): void {
    this.failure = undefined;
  }

  /** @internal A failure worth a progress line. */
  report(line: string): void {
    this.log(line);
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

  constructor(
    private readonly log: (line: string) => void = () => undefined,
    private readonly idleMs: number = DEFAULT_WATCH_IDLE_MS,
  ) {}

  /** The shared watch of `namespace` through `api`; `key` identifies the connection. */
  get(api: KubeVirtApi, key: string, namespace: string): NamespaceWatch {
    const id = `${key}\u0000${namespace}`;
    let w = this.watches.get(id);
    if (!w) {
      w = new NamespaceWatch(api, namespace, this.log, this.idleMs);
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
