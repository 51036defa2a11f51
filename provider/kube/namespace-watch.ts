/**
 * One shared list+watch of the VirtualMachines and VirtualMachineInstances of a namespace, so that many VMs
 * converging at once cost two watch streams, not two per VM. Each collection is client-node's informer
 * (`ListWatch`) under a restart wrapper: whenever a stream ends (cut, 410 Gone, refused, or silent for the idle
 * limit) the collection is listed afresh and watched from the new resourceVersion, as client-go's reflector
 * does, with jittered backoff after failures; so a watch that stops delivering can never hide a change for
 * long. Waiters are told about every change. A watch the server refuses (401/403) is reported to the waiters at
 * once, with what was refused; other failures are logged.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  ERROR,
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { controllingVm, referencedDataVolumes, type LiveDataVolume } from "../model/datavolume";
import type { LiveVm, LiveVmi } from "../model/kubevirt";
import { isNotFound } from "./errors";
import { COLLECTION, resourceName, type KubeVirtApi, type Kind } from "./kubevirt-api";
import { outsideOperations } from "../progress/sink";

/** The default inactivity limit of a watch stream (client-node's own): kube-apiserver sends bookmarks more often. */
export const DEFAULT_WATCH_IDLE_MS = 30_000;

/** The VM and VMI of one name as currently known. */
export interface Observed {
  vm?: LiveVm;
  vmi?: LiveVmi;
  /**
   * The DataVolumes the VM mounts, by name (`dv` absent: not there yet), once the watch follows DataVolumes;
   * `"unserved"` when the cluster has no CDI.
   */
  dataVolumes?: readonly { name: string; dv?: LiveDataVolume }[] | "unserved";
}

interface Entry<T> {
  object?: T;
  /** resourceVersion as of which `object` is known (its own, or, when absent, the collection's). */
  rv: string;
}

/** Compares resourceVersions when both are integers (etcd's are); otherwise treats them as equal. */
function rvLess(a: string, b: string): boolean {
  return /^\d+$/.test(a) && /^\d+$/.test(b) && BigInt(a) < BigInt(b);
}

/** How ListWatch is told that a stream ended: as a 410 Gone, which makes it list afresh before watching again. */
const LIST_AFRESH = Object.assign(new Error("list afresh"), { statusCode: 410 });

/** What a {@link StreamWatch} reports to its collection. */
interface StreamHooks {
  /** A list was applied and its watch opens from `resourceVersion`; false: the collection stopped, do not. */
  opening(resourceVersion: string): boolean;
  /** ListWatch applied an event (of any type but ERROR) of `object`. */
  applied(object: KubernetesObject | undefined): void;
  /**
   * The stream ended, having `delivered` events (a stream silent for the idle limit counts as one that did);
   * `relist` hands the end on to ListWatch.
   */
  ended(err: unknown, delivered: boolean, relist: () => void): void;
}

/**
 * client-node's Watch as the informer's stream: with an idle limit (client-node's own 30 s one stays as a
 * backstop), reporting to its collection, and handing every end on to ListWatch as a reason to list afresh.
 */
class StreamWatch extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly idleMs: number,
    private readonly hooks: StreamHooks,
  ) {
    super(kc);
  }

  override async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    callback: (type: string, object: KubernetesObject, event?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    if (!this.hooks.opening(String(query.resourceVersion ?? ""))) return controller;
    let delivered = false;
    let idle: NodeJS.Timeout | undefined;
    const quiet = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        delivered = true; // silence is not a failure: list afresh at once
        controller.abort();
      }, this.idleMs).unref();
    };
    const onEvent = (type: string, object: KubernetesObject, event?: unknown) => {
      quiet();
      callback(type, object, event);
      if (type === "ERROR") {
        controller.abort(); // e.g. 410 Gone: the resourceVersion is too old; list afresh
        return;
      }
      delivered = true;
      this.hooks.applied(object);
    };
    const onEnd = (err: unknown) => {
      clearTimeout(idle);
      this.hooks.ended(err, delivered, () => done(LIST_AFRESH));
    };
    quiet();
    try {
      const stream = await super.watch(path, query, onEvent, onEnd);
      if (controller.signal.aborted) stream.abort();
      else controller.signal.addEventListener("abort", () => stream.abort());
    } catch (err) {
      onEnd(err); // e.g. the credentials could not be obtained
    }
    return controller;
  }
}

/** One collection (VMs or VMIs) of a namespace: an informer that lists afresh after every end. */
class Collection<T extends { metadata: { name: string; resourceVersion: string } }> implements StreamHooks {
  private readonly informer: ListWatch<KubernetesObject>;
  /** resourceVersion as of which the informer's cache is complete: a name absent from it was absent then. */
  private syncedRv?: string;
  /** The first start (until its list is in): {@link ready} resolves or rejects with it. */
  private starting?: { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void };
  private synced = false;
  private stopped = false;
  private failures = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly kind: Kind,
    private readonly owner: NamespaceWatch,
    /** The VM name an object's change is news to (default: its own name); undefined: to every VM. */
    private readonly keyOf: (object: KubernetesObject) => string | undefined = (o) => o.metadata?.name,
  ) {
    const path = COLLECTION(kind, owner.namespace);
    const stream = new StreamWatch(owner.api.kc, owner.idleMs, this);
    // Delays are this collection's (see `ended`): ListWatch's own reconnect delay is not wanted.
    this.informer = new ListWatch(path, stream, () => this.list(), false, undefined, undefined, {
      delayFn: async () => undefined,
    });
    this.informer.on(ERROR, (err: unknown) => this.listFailed(err));
  }

  /** Starts the informer (once); resolves when the first list is in, rejects if it fails (then tried again). */
  ready(): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (!this.starting) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.starting = { promise, resolve, reject };
      this.restart();
    }
    return this.starting.promise;
  }

  private async list(): Promise<KubernetesListObject<KubernetesObject>> {
    const list = await this.owner.api.list<KubernetesObject>(this.kind, this.owner.namespace);
    this.owner.recovered();
    return { items: list.items, metadata: { resourceVersion: list.resourceVersion } };
  }

  /** @internal ListWatch applied a list. */
  opening(resourceVersion: string): boolean {
    if (this.stopped) return false;
    this.syncedRv = resourceVersion;
    this.synced = true;
    this.starting?.resolve();
    this.starting = undefined;
    this.owner.changed();
    return true;
  }

  /** @internal ListWatch applied an event. */
  applied(object: KubernetesObject | undefined): void {
    const rv = object?.metadata?.resourceVersion;
    if (rv) this.syncedRv = rv;
    this.owner.changed(object && this.keyOf(object));
  }

  /** @internal A stream ended: list afresh (at once after a stream that delivered, with backoff after failures). */
  ended(err: unknown, delivered: boolean, relist: () => void): void {
    if (this.stopped) return relist(); // ListWatch sees that it is stopped
    // By name, not class: the stream's errors may come from another realm (e.g. under a test runner).
    const name = (err as { name?: unknown } | null)?.name;
    const status = (err as { statusCode?: number } | null)?.statusCode;
    if (status === 401 || status === 403) {
      const what = status === 401 ? "401 Unauthorized" : "403 Forbidden";
      this.owner.fail(
        new Error(
          `the cluster refused to watch ${resourceName(this.kind)} in namespace ${this.owner.namespace} (${what}); the credentials need the get, list and watch verbs on it`,
        ),
      );
    } else if (err && name !== "AbortError" && name !== "TimeoutError") {
      this.owner.report(`watch of ${resourceName(this.kind)} ended (${messageOf(err)}); listing again`);
    }
    // client-node's own inactivity timeout (the backstop of the idle limit) is silence, not a failure.
    const fresh = delivered || name === "TimeoutError";
    if (fresh) this.failures = 0;
    this.later(fresh ? 0 : this.backoff(), relist);
  }

  /** A list failed: the first start fails with it; later lists are tried again with backoff. */
  private listFailed(err: unknown): void {
    if (this.stopped) return;
    if (this.starting) {
      this.starting.reject(err);
      this.starting = undefined;
      return;
    }
    this.owner.report(`listing ${resourceName(this.kind)} failed (${messageOf(err)}); retrying`);
    this.later(this.backoff(), () => this.restart());
  }

  /** Starts the informer anew: it lists (its resourceVersion was cleared), then watches. */
  private restart(): void {
    this.informer.start().catch((err: unknown) => this.listFailed(err));
  }

  private backoff(): number {
    this.failures++;
    const base = Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6));
    return Math.round(base * (0.5 + Math.random() * 0.5));
  }

  private later(delayMs: number, fn: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) fn();
    }, delayMs).unref();
  }

  /** What is known about `name`: the cached object, or its absence as of the cache's resourceVersion. */
  entry(name: string): Entry<T> | undefined {
    if (this.syncedRv === undefined) return undefined;
    const object = this.informer.get(name, this.owner.namespace) as unknown as T | undefined;
    return { object, rv: object?.metadata.resourceVersion ?? this.syncedRv };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    void this.informer.stop();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The shared watch of one namespace. */
export class NamespaceWatch {
  private readonly vms: Collection<LiveVm>;
  private readonly vmis: Collection<LiveVmi>;
  /** CDI's DataVolumes, followed from the first wait of a VM that mounts one; "unserved" when CDI is not there. */
  private dvs?: { collection: Collection<LiveDataVolume>; ready: Promise<void> } | "unserved";
  /** Subscribers by the VM name they follow (a VM's instance has the VM's name). */
  private readonly listeners = new Map<string, Set<() => void>>();
  /** What this process last wrote, by name: a floor for reads until the watch delivers it (read your writes). */
  private readonly written = new Map<string, Observed>();
  /** Set while the server refuses the watch (401/403); waits fail with it. */
  failure?: Error;

  constructor(
    readonly api: KubeVirtApi,
    readonly namespace: string,
    private readonly log: (line: string) => void = () => undefined,
    /** A stream that delivers nothing (not even a bookmark) for this long is replaced by a fresh list+watch. */
    readonly idleMs: number = DEFAULT_WATCH_IDLE_MS,
  ) {
    this.vms = new Collection<LiveVm>("vm", this);
    this.vmis = new Collection<LiveVmi>("vmi", this);
  }

  /** Starts listing and watching (once); resolves when the first lists are in (a failed start is tried again). */
  async ready(): Promise<void> {
    // Shared by every VM of the namespace: what the watch reports is about none of them in particular.
    await outsideOperations(() => Promise.all([this.vms.ready(), this.vmis.ready()]));
  }

  /**
   * Follows the namespace's DataVolumes too (once; resolves when their first list is in). A cluster that does
   * not serve them (no CDI) is remembered: reads then say `"unserved"`.
   */
  async followDataVolumes(): Promise<void> {
    if (this.dvs === "unserved") return;
    if (!this.dvs) {
      // A DataVolume's change is news to the VM that controls it; one that no VM controls, to every waiting VM.
      const collection = new Collection<LiveDataVolume>("dv", this, (o) =>
        controllingVm(o as unknown as LiveDataVolume),
      );
      const ready = outsideOperations(() => collection.ready()).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
        collection.stop();
        this.dvs = "unserved";
        this.changed();
      });
      this.dvs = { collection, ready };
    }
    await this.dvs.ready;
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
    let mine = this.written.get(name);
    if (mine && caughtUp(this.vms.entry(name), mine.vm) && caughtUp(this.vmis.entry(name), mine.vmi)) {
      // The watch has delivered what this process wrote (or later): the floor is no longer needed.
      this.written.delete(name);
      mine = undefined;
    }
    const vm = pick(this.vms.entry(name), newer(floor.vm, mine?.vm));
    const vmi = pick(this.vmis.entry(name), newer(floor.vmi, mine?.vmi));
    return this.dvs ? { vm, vmi, dataVolumes: this.dataVolumesOf(vm) } : { vm, vmi };
  }

  /** The DataVolumes `vm` mounts, as the DataVolume watch knows them. */
  private dataVolumesOf(vm: LiveVm | undefined): Observed["dataVolumes"] {
    const dvs = this.dvs!;
    if (dvs === "unserved") return "unserved";
    return referencedDataVolumes(vm).map((name) => ({ name, dv: dvs.collection.entry(name)?.object }));
  }

  /**
   * Records an object as the server answered a write of it: until the watch delivers that version or a later
   * one (a deletion included), reads of the name see it.
   */
  wrote(name: string, objects: Observed): void {
    const mine = this.written.get(name);
    this.written.set(name, { vm: newer(mine?.vm, objects.vm), vmi: newer(mine?.vmi, objects.vmi) });
  }

  /**
   * Subscribes to changes of the VM `name` and its instance (and to every list and refusal, which may change
   * anything); returns the unsubscribe function. An event wakes only the subscribers of its name, so a fleet of N
   * waiting VMs costs O(N) evaluations per round of events, not O(N²). The listener runs in the subscriber's async
   * context (so what it logs is about the subscriber's VM, not about the watch).
   */
  onChange(name: string, listener: () => void): () => void {
    const bound = AsyncLocalStorage.bind(listener);
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(bound);
    return () => {
      set.delete(bound);
      if (set.size === 0 && this.listeners.get(name) === set) this.listeners.delete(name);
    };
  }

  /** @internal Called by the collections: a change of `name`, or (without one) of anything. */
  changed(name?: string): void {
    const sets = name === undefined ? [...this.listeners.values()] : [this.listeners.get(name)];
    for (const set of sets) for (const l of [...(set ?? [])]) l();
  }

  stop(): void {
    this.vms.stop();
    this.vmis.stop();
    if (this.dvs && this.dvs !== "unserved") this.dvs.collection.stop();
  }
}

/** The later of two versions of an object (by resourceVersion), or the one there is. */
function newer<T extends { metadata: { resourceVersion: string } }>(
  a: T | undefined,
  b: T | undefined,
): T | undefined {
  if (!a || !b) return a ?? b;
  return rvLess(a.metadata.resourceVersion, b.metadata.resourceVersion) ? b : a;
}

/** Whether the cache has `written`'s version or a later one (a deletion included). */
function caughtUp<T extends { metadata: { resourceVersion: string } }>(
  entry: Entry<T> | undefined,
  written: T | undefined,
): boolean {
  return !written || (entry !== undefined && !rvLess(entry.rv, written.metadata.resourceVersion));
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
