/**
 * A {@link Store} over a real kube-apiserver, so the simulator's KubeVirt controller (which reads and writes
 * synchronously, as it does over the in-memory store) can reconcile VirtualMachines stored in a real cluster.
 *
 * Reads come from a cache kept by a cluster-wide list+watch per resource (an informer). Writes are applied to the
 * cache at once (the controller reads its own writes, as it does in memory) and sent to the apiserver in order,
 * as JSON merge patches of exactly what changed, so a write never overwrites fields it did not touch. While an
 * object has writes in flight, watch events for it are held back; when the last one is answered the cache takes
 * the newest version the apiserver has reported. A refused write is logged and the object re-read, and the
 * controller reconciles again from what the apiserver holds, as a controller with an informer does.
 */
import { randomUUID } from "node:crypto";
import { Watch, type KubeConfig } from "@kubernetes/client-node";
import { ApiError } from "../../provider/kube/errors";
import { apiRequest } from "../../provider/kube/http";
import { withRetry } from "../../provider/kube/retry";
import { notFound } from "../store/errors";
import { clone, deepEqual, isObject, rfc3339 } from "../store/json";
import { mergePatchDiff } from "../store/patch";
import type { DeleteOptions, KubeObject, ResourceKey, Store, WatchEvent } from "../store/types";

/** What the cache holds for one object: what the controller sees, and the newest version the apiserver sent. */
interface Entry {
  /** The object as the controller sees it (undefined: absent). */
  current?: KubeObject;
  /** The newest state the apiserver reported (undefined: deleted or never seen). */
  server?: KubeObject;
  /** resourceVersion of `server` (or of its deletion). */
  serverRv: bigint;
  /** Writes queued or in flight. */
  pending: number;
}

/** A mirrored resource: its key, and whether its CRD has a status subresource (KubeVirt's VMI CRD has none). */
export interface MirroredResource {
  key: ResourceKey;
  statusSubresource: boolean;
}

interface Collection {
  key: ResourceKey;
  statusSubresource: boolean;
  entries: Map<string, Entry>;
  listeners: Set<(event: WatchEvent) => void>;
  abort?: AbortController;
}

const rvOf = (obj: KubeObject | undefined): bigint => {
  const rv = obj?.metadata.resourceVersion;
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : 0n;
};

function collectionPath(key: ResourceKey, namespace?: string): string {
  const ns = namespace ? `/namespaces/${namespace}` : "";
  return `/apis/${key.group}/${key.version}${ns}/${key.resource}`;
}

/** The part of an object a main-resource write may change (everything but server-owned metadata and status). */
function writablePart(obj: KubeObject): Record<string, unknown> {
  const { metadata, status: _status, apiVersion: _a, kind: _k, ...rest } = obj;
  const { labels, annotations, finalizers, ownerReferences } = metadata;
  return { ...rest, metadata: { labels, annotations, finalizers, ownerReferences } };
}

/** The store; see the module comment. */
export class RemoteStore implements Store {
  private readonly collections = new Map<string, Collection>();
  private queue: Promise<void> = Promise.resolve();
  private highestRv = 0n;
  private stopped = false;

  constructor(
    private readonly kc: KubeConfig,
    resources: readonly MirroredResource[],
    private readonly log: (message: string) => void = () => undefined,
  ) {
    for (const { key, statusSubresource } of resources)
      this.collections.set(this.id(key), {
        key,
        statusSubresource,
        entries: new Map(),
        listeners: new Set(),
      });
  }

  /** Lists every collection and starts watching; resolves once the caches hold the listed objects. */
  async start(): Promise<void> {
    await Promise.all([...this.collections.values()].map((c) => this.listAndWatch(c)));
  }

  /** Stops the watches. Writes already queued are still sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.collections.values()) c.abort?.abort();
    await this.queue;
  }

  /** Resolves when every write queued so far has been answered. */
  flushed(): Promise<void> {
    return this.queue;
  }

  get(key: ResourceKey, namespace: string, name: string): KubeObject | undefined {
    return clone(this.collection(key).entries.get(`${namespace}/${name}`)?.current);
  }

  list(key: ResourceKey, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const e of this.collection(key).entries.values()) {
      if (e.current && (!namespace || e.current.metadata.namespace === namespace)) out.push(clone(e.current));
    }
    return out;
  }

  create(key: ResourceKey, obj: KubeObject): KubeObject {
    const c = this.collection(key);
    const namespace = obj.metadata.namespace ?? "";
    const id = `${namespace}/${obj.metadata.name}`;
    const entry = this.entry(c, id);
    if (entry.current) throw new ApiError(409, "AlreadyExists", `${id} already exists`);
    // Provisional identity until the apiserver answers with the real one.
    const provisional = clone(obj);
    provisional.metadata = {
      ...provisional.metadata,
      uid: randomUUID(),
      creationTimestamp: rfc3339(new Date()),
      generation: 1,
    };
    delete provisional.metadata.resourceVersion;
    this.show(c, id, provisional);
    const body = clone(obj);
    delete body.status;
    this.send(c, id, "POST", collectionPath(key, namespace), body, "application/json");
    return clone(provisional);
  }

  update(key: ResourceKey, obj: KubeObject, subresource?: "status"): KubeObject {
    const c = this.collection(key);
    const id = `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
    const old = this.entry(c, id).current;
    if (!old) throw notFound(key, obj.metadata.name);
    const next = clone(old);
    let patch: unknown;
    if (subresource === "status") {
      next.status = clone(obj.status);
      patch = mergePatchDiff({ status: old.status }, { status: next.status });
    } else {
      const { status: _s, metadata, ...rest } = clone(obj);
      Object.assign(next, rest);
      for (const field of ["labels", "annotations", "finalizers", "ownerReferences"] as const) {
        if (metadata[field] === undefined || (field === "finalizers" && metadata.finalizers?.length === 0))
          delete next.metadata[field];
        else (next.metadata as Record<string, unknown>)[field] = metadata[field];
      }
      patch = mergePatchDiff(writablePart(old), writablePart(next));
    }
    if (patch === undefined || deepEqual(old, next)) return clone(old);
    this.show(c, id, next);
    const viaStatus = subresource === "status" && c.statusSubresource;
    const path = `${collectionPath(key, old.metadata.namespace)}/${old.metadata.name}${viaStatus ? "/status" : ""}`;
    this.send(c, id, "PATCH", path, patch, "application/merge-patch+json");
    return clone(next);
  }

  delete(key: ResourceKey, namespace: string, name: string, options: DeleteOptions = {}): KubeObject {
    const c = this.collection(key);
    const id = `${namespace}/${name}`;
    const old = this.entry(c, id).current;
    if (!old) throw notFound(key, name);
    if ((old.metadata.finalizers ?? []).length > 0) {
      if (!old.metadata.deletionTimestamp) {
        const next = clone(old);
        next.metadata.deletionTimestamp = rfc3339(new Date());
        next.metadata.deletionGracePeriodSeconds = options.gracePeriodSeconds ?? 0;
        this.show(c, id, next);
      }
    } else this.show(c, id, undefined);
    const body = {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: options.propagationPolicy,
      gracePeriodSeconds: options.gracePeriodSeconds,
      preconditions: { uid: old.metadata.uid },
    };
    this.send(c, id, "DELETE", `${collectionPath(key, namespace)}/${name}`, body, "application/json");
    return clone(old);
  }

  subscribe(key: ResourceKey, listener: (event: WatchEvent) => void): () => void {
    const c = this.collection(key);
    c.listeners.add(listener);
    return () => c.listeners.delete(listener);
  }

  currentResourceVersion(): string {
    return String(this.highestRv);
  }

  // ---- internals ----

  private id(key: ResourceKey): string {
    return `${key.group}/${key.resource}`;
  }

  private collection(key: ResourceKey): Collection {
    const c = this.collections.get(this.id(key));
    if (!c) throw new Error(`RemoteStore: ${this.id(key)} is not mirrored`);
    return c;
  }

  private entry(c: Collection, id: string): Entry {
    let e = c.entries.get(id);
    if (!e) {
      e = { serverRv: 0n, pending: 0 };
      c.entries.set(id, e);
    }
    return e;
  }

  /** Sets what the controller sees and tells the subscribers. */
  private show(c: Collection, id: string, next: KubeObject | undefined): void {
    const entry = this.entry(c, id);
    const before = entry.current;
    if (deepEqual(before, next)) return;
    entry.current = next;
    const event: WatchEvent | undefined = next
      ? { type: before ? "MODIFIED" : "ADDED", object: next }
      : before
        ? { type: "DELETED", object: before }
        : undefined;
    if (!event) return;
    for (const l of c.listeners) l({ type: event.type, object: clone(event.object) });
  }

  /** Records a version from the apiserver; shows it unless writes are in flight or it is older than the last. */
  private observed(c: Collection, id: string, obj: KubeObject | undefined, rv: bigint): void {
    if (rv > this.highestRv) this.highestRv = rv;
    const entry = this.entry(c, id);
    if (rv !== 0n && rv < entry.serverRv) return;
    entry.server = obj;
    entry.serverRv = rv;
    if (entry.pending === 0) this.show(c, id, obj);
  }

  private send(c: Collection, id: string, method: string, path: string, body: unknown, type: string): void {
    const entry = this.entry(c, id);
    entry.pending++;
    this.queue = this.queue.then(async () => {
      try {
        const res = await apiRequest<KubeObject>(this.kc, method, path, { body, contentType: type });
        const obj = res.body;
        if (isObject(obj) && obj.kind !== "Status" && isObject(obj.metadata)) {
          const gone = method === "DELETE" && !(obj.metadata.finalizers ?? []).length;
          this.observed(c, id, gone ? undefined : obj, rvOf(obj));
        }
      } catch (err) {
        this.log(`${method} ${path}: ${(err as Error).message}`);
        await this.reread(c, id);
      } finally {
        entry.pending--;
        if (entry.pending === 0) this.show(c, id, entry.server);
      }
    });
  }

  /** Reads one object again after a refused write. */
  private async reread(c: Collection, id: string): Promise<void> {
    const [namespace, name] = id.split("/");
    try {
      const res = await apiRequest<KubeObject>(this.kc, "GET", `${collectionPath(c.key, namespace)}/${name}`);
      this.observed(c, id, res.body, rvOf(res.body));
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) {
        const entry = this.entry(c, id);
        entry.server = undefined;
      } else this.log(`GET ${id}: ${(err as Error).message}`);
    }
  }

  private async listAndWatch(c: Collection): Promise<void> {
    // A CRD that has just become Established answers 429 "storage is (re)initializing" for a moment.
    const res = await withRetry(() =>
      apiRequest<{ metadata: { resourceVersion: string }; items: KubeObject[] }>(
        this.kc,
        "GET",
        collectionPath(c.key),
      ),
    );
    const seen = new Set<string>();
    for (const obj of res.body.items) {
      const id = `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
      seen.add(id);
      this.observed(c, id, obj, rvOf(obj));
    }
    const listRv = BigInt(res.body.metadata.resourceVersion);
    for (const id of c.entries.keys()) if (!seen.has(id)) this.observed(c, id, undefined, listRv);
    await this.watch(c, res.body.metadata.resourceVersion);
  }

  private async watch(c: Collection, resourceVersion: string): Promise<void> {
    if (this.stopped) return;
    let rv = resourceVersion;
    let relist = false;
    c.abort = await new Watch(this.kc).watch(
      collectionPath(c.key),
      { resourceVersion: rv, allowWatchBookmarks: true },
      (type: string, obj: KubeObject) => {
        if (type === "ERROR") {
          relist = true;
          c.abort?.abort();
          return;
        }
        rv = obj.metadata.resourceVersion ?? rv;
        if (type === "BOOKMARK") return;
        const id = `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
        this.observed(c, id, type === "DELETED" ? undefined : obj, rvOf(obj));
      },
      () => {
        if (this.stopped) return;
        const again = relist ? () => this.listAndWatch(c) : () => this.watch(c, rv);
        setTimeout(() => {
          again().catch((err: Error) => this.log(`watch ${this.id(c.key)}: ${err.message}`));
        }, 200).unref();
      },
    );
  }
}
