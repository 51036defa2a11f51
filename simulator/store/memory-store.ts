/**
 * The in-memory {@link Store}: one resourceVersion counter for every collection (as etcd has one revision),
 * optimistic concurrency, finalizers, status-subresource separation, ownerReference garbage collection and a
 * bounded event history per collection so that watches can resume (or get 410 Gone when they are too old).
 *
 * Storage is keyed by group and resource; the version in a {@link ResourceKey} is ignored, as kube-apiserver
 * stores every version of a resource in one place.
 *
 * What the store does NOT do (the HTTP layer does it, as kube-apiserver's handlers and admission do): drop
 * `status` on create for resources with a status subresource, check that the namespace exists, reject a
 * `resourceVersion` on create, `generateName`, admission.
 */
import { randomUUID } from "node:crypto";
import { alreadyExists, conflict, expired, invalid, notFound, badRequest } from "./errors";
import { clone, deepEqual, rfc3339 } from "./json";
import type { DeleteOptions, KubeObject, OwnerReference, ResourceKey, Store, WatchEvent } from "./types";

/** The finalizer of an orphan deletion (metav1.FinalizerOrphanDependents): the dependents lose their ownerReference. */
export const FINALIZER_ORPHAN = "orphan";
/** The finalizer of a foreground deletion (metav1.FinalizerDeleteDependents): the object goes after its blocking dependents. */
export const FINALIZER_FOREGROUND = "foregroundDeletion";

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Events kept per collection for watch resume; a watch from an older resourceVersion gets 410. Default 1000. */
  historySize?: number;
  /** The clock for creation and deletion timestamps. Default: the real clock. */
  now?: () => Date;
  /** Milliseconds between a deletion and the garbage collector's pass over dependents. Default 0 (next tick). */
  gcDelayMs?: number;
}

/** How a resource is stored. */
export interface StoredResourceOptions {
  namespaced: boolean;
  /** When true, a main-resource update keeps the stored `status` and a status update changes only `status`. */
  statusSubresource: boolean;
}

/** A change with its resourceVersion, as the history and internal watchers hold it. Never mutate `object`. */
export interface StoredEvent extends WatchEvent {
  /** The store revision of this change. */
  rv: number;
}

/** Options of writes that the HTTP layer needs beyond the {@link Store} contract. */
export interface WriteOptions {
  /** Validate and compute the result, but store nothing and notify nobody. */
  dryRun?: boolean;
}

interface Collection {
  group: string;
  resource: string;
  options: StoredResourceOptions;
  objects: Map<string, KubeObject>;
  history: StoredEvent[];
  /** Every event of this collection with a revision above this one is in `history`. */
  historyStart: number;
  listeners: Set<(event: StoredEvent) => void>;
}

const DEFAULT_RESOURCE_OPTIONS: StoredResourceOptions = { namespaced: true, statusSubresource: true };

function objectId(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

/** The uid of an object that is deleting and waits for the garbage collector to serve `finalizer`. */
function uidAwaiting(obj: KubeObject | undefined, finalizer: string): string | undefined {
  const meta = obj?.metadata;
  return meta?.deletionTimestamp && meta.finalizers?.includes(finalizer) ? meta.uid : undefined;
}

/** The object without `metadata` and `status`: what `metadata.generation` tracks. */
function specPart(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = obj;
  return rest;
}

/** The store; see the module comment. */
export class MemoryStore implements Store {
  private rv = 0;
  private readonly collections = new Map<string, Collection>();
  private readonly byUid = new Map<string, { collection: Collection; id: string }>();
  private readonly historySize: number;
  private readonly now: () => Date;
  private readonly gcDelayMs: number;
  private gcTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly commitListeners = new Set<(event: StoredEvent) => void>();

  constructor(options: MemoryStoreOptions = {}) {
    this.historySize = options.historySize ?? 1000;
    this.now = options.now ?? (() => new Date());
    this.gcDelayMs = options.gcDelayMs ?? 0;
    if (!(this.historySize >= 1)) throw new Error(`historySize must be at least 1, got ${this.historySize}`);
  }

  /** Declares how a resource is stored (namespaced, status subresource). Undeclared resources are namespaced with a status subresource. */
  defineResource(key: ResourceKey, options: StoredResourceOptions): void {
    this.collection(key).options = { ...options };
  }

  /** The storage options of a resource. */
  resourceOptions(key: ResourceKey): StoredResourceOptions {
    return this.collection(key).options;
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  get(key: ResourceKey, namespace: string, name: string): KubeObject | undefined {
    const c = this.collection(key);
    const obj = c.objects.get(objectId(this.ns(c, namespace), name));
    return obj && clone(obj);
  }

  list(key: ResourceKey, namespace?: string): KubeObject[] {
    return this.listShared(key, namespace).map((o) => clone(o));
  }

  /** Like {@link list} but returns the stored objects themselves, sorted by namespace and name. Never mutate them. */
  listShared(key: ResourceKey, namespace?: string): KubeObject[] {
    const c = this.collection(key);
    const out: KubeObject[] = [];
    for (const obj of c.objects.values()) {
      if (namespace && c.options.namespaced && obj.metadata.namespace !== namespace) continue;
      out.push(obj);
    }
    return out.sort((a, b) =>
      objectId(a.metadata.namespace, a.metadata.name).localeCompare(
        objectId(b.metadata.namespace, b.metadata.name),
      ),
    );
  }

  /** Finds a stored object by uid (a copy). */
  getByUid(uid: string): { key: ResourceKey; object: KubeObject } | undefined {
    const hit = this.byUid.get(uid);
    const obj = hit && hit.collection.objects.get(hit.id);
    if (!hit || !obj) return undefined;
    return {
      key: { group: hit.collection.group, version: "", resource: hit.collection.resource },
      object: clone(obj),
    };
  }

  create(key: ResourceKey, obj: KubeObject, options: WriteOptions = {}): KubeObject {
    const c = this.collection(key);
    const name = obj.metadata?.name;
    if (!name) {
      throw invalid(obj.kind ?? "", key.group, "", [
        {
          type: "FieldValueRequired",
          field: "metadata.name",
          message: "Required value: name or generateName is required",
        },
      ]);
    }
    const namespace = this.ns(c, obj.metadata.namespace);
    if (c.options.namespaced && !namespace) {
      throw badRequest(
        "the server could not find the requested resource: namespace is required for a namespaced resource",
      );
    }
    const id = objectId(namespace, name);
    if (c.objects.has(id)) throw alreadyExists(key, name);
    const stored = clone(obj);
    const meta = stored.metadata;
    if (namespace) meta.namespace = namespace;
    else delete meta.namespace;
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(this.now());
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (options.dryRun) {
      delete meta.resourceVersion;
      return stored;
    }
    meta.resourceVersion = String(++this.rv);
    c.objects.set(id, stored);
    this.byUid.set(meta.uid, { collection: c, id });
    this.emit(c, { type: "ADDED", object: stored, rv: this.rv });
    if (meta.ownerReferences?.length) this.scheduleGc();
    return clone(stored);
  }

  update(key: ResourceKey, obj: KubeObject, subresource?: "status", options: WriteOptions = {}): KubeObject {
    const c = this.collection(key);
    const name = obj.metadata?.name;
    const namespace = this.ns(c, obj.metadata?.namespace);
    const id = objectId(namespace, name);
    const old = c.objects.get(id);
    if (!old) throw notFound(key, name);
    const wantedRv = obj.metadata.resourceVersion;
    if (wantedRv && wantedRv !== old.metadata.resourceVersion) throw conflict(key, name);

    let next: KubeObject;
    if (subresource === "status") {
      next = clone(old);
      if (obj.status === undefined) delete next.status;
      else next.status = clone(obj.status);
    } else {
      next = clone(obj);
      const meta = next.metadata;
      const oldMeta = old.metadata;
      // Fields the server owns: a client cannot change them through an update.
      meta.name = oldMeta.name;
      if (oldMeta.namespace) meta.namespace = oldMeta.namespace;
      else delete meta.namespace;
      meta.uid = oldMeta.uid;
      meta.creationTimestamp = oldMeta.creationTimestamp;
      meta.generation = oldMeta.generation;
      if (oldMeta.deletionTimestamp) {
        meta.deletionTimestamp = oldMeta.deletionTimestamp;
        meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
        const added = (meta.finalizers ?? []).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
        if (added.length > 0) {
          throw invalid(old.kind, key.group, name, [
            {
              type: "FieldValueForbidden",
              field: "metadata.finalizers",
              message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(", ")}}`,
            },
          ]);
        }
      } else {
        delete meta.deletionTimestamp;
        delete meta.deletionGracePeriodSeconds;
      }
      if (meta.finalizers && meta.finalizers.length === 0) delete meta.finalizers;
      if (c.options.statusSubresource) {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
      if (!deepEqual(specPart(next), specPart(old))) meta.generation = (oldMeta.generation ?? 0) + 1;
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(next, old)) return clone(old); // kube-apiserver skips no-op writes: no new resourceVersion, no event
    if (options.dryRun) return next;
    return clone(this.commitUpdate(c, id, old, next));
  }

  delete(
    key: ResourceKey,
    namespace: string,
    name: string,
    options: DeleteOptions & WriteOptions & { uid?: string } = {},
  ): KubeObject {
    const c = this.collection(key);
    const id = objectId(this.ns(c, namespace), name);
    const old = c.objects.get(id);
    if (!old) throw notFound(key, name);
    if (options.uid && options.uid !== old.metadata.uid) {
      throw conflict(
        key,
        name,
        `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${old.metadata.uid}`,
      );
    }
    if (options.resourceVersion && options.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        key,
        name,
        `Precondition failed: ResourceVersion in precondition: ${options.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    }
    const finalizers = [...(old.metadata.finalizers ?? [])];
    const policy = options.propagationPolicy;
    if (policy === "Orphan" && !finalizers.includes(FINALIZER_ORPHAN)) finalizers.push(FINALIZER_ORPHAN);
    if (policy === "Foreground" && !finalizers.includes(FINALIZER_FOREGROUND))
      finalizers.push(FINALIZER_FOREGROUND);
    if (policy === "Background") {
      // An explicit Background request drops a pending orphan/foreground finalizer (as kube-apiserver does).
      for (const f of [FINALIZER_ORPHAN, FINALIZER_FOREGROUND]) {
        const i = finalizers.indexOf(f);
        if (i >= 0 && old.metadata.deletionTimestamp) finalizers.splice(i, 1);
      }
    }
    if (finalizers.length === 0) {
      const gone = clone(old);
      if (options.dryRun) return gone;
      gone.metadata.resourceVersion = String(++this.rv);
      this.remove(c, id, gone);
      this.scheduleGc();
      return clone(gone);
    }
    const next = clone(old);
    next.metadata.finalizers = finalizers;
    if (!old.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = rfc3339(this.now());
      next.metadata.deletionGracePeriodSeconds = options.gracePeriodSeconds ?? 0;
      next.metadata.generation = (old.metadata.generation ?? 0) + 1;
    }
    if (deepEqual(next, old)) return clone(old);
    if (options.dryRun) return next;
    const stored = this.commitUpdate(c, id, old, next);
    this.scheduleGc();
    return clone(stored);
  }

  subscribe(key: ResourceKey, listener: (event: WatchEvent) => void): () => void {
    const c = this.collection(key);
    const l = (e: StoredEvent) => listener({ type: e.type, object: clone(e.object) });
    c.listeners.add(l);
    return () => c.listeners.delete(l);
  }

  /**
   * Watches one collection from a resourceVersion, as a watch request does: with no version (or "0") the
   * listener first gets an ADDED event per existing object; with a version it gets every later change from the
   * history, then live changes. Throws 410 Expired when the version is older than the history. Events carry the
   * stored objects: never mutate them.
   */
  watch(
    key: ResourceKey,
    resourceVersion: string | undefined,
    listener: (event: StoredEvent) => void,
  ): () => void {
    const c = this.collection(key);
    if (!resourceVersion || resourceVersion === "0") {
      for (const obj of this.listShared(key)) {
        listener({ type: "ADDED", object: obj, rv: Number(obj.metadata.resourceVersion) });
      }
    } else {
      if (!/^\d+$/.test(resourceVersion))
        throw badRequest(`invalid resource version: ${JSON.stringify(resourceVersion)}`);
      const from = Number(resourceVersion);
      if (from < c.historyStart) throw expired(`too old resource version: ${from} (${c.historyStart})`);
      for (const e of c.history) if (e.rv > from) listener(e);
    }
    c.listeners.add(listener);
    return () => c.listeners.delete(listener);
  }

  /**
   * Calls `listener` with every committed change of any collection (after it is stored, before watchers hear of
   * it), e.g. for a benchmark to note when each resourceVersion was committed. Opt-in and free when unused.
   * Returns the unsubscribe function. Never mutate the event's object.
   */
  onCommit(listener: (event: StoredEvent) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Stops the garbage collector's timer. */
  close(): void {
    this.closed = true;
    if (this.gcTimer) clearTimeout(this.gcTimer);
    this.gcTimer = undefined;
  }

  // ---- internals ----

  private collection(key: Pick<ResourceKey, "group" | "resource">): Collection {
    const id = `${key.group}/${key.resource}`;
    let c = this.collections.get(id);
    if (!c) {
      c = {
        group: key.group,
        resource: key.resource,
        options: { ...DEFAULT_RESOURCE_OPTIONS },
        objects: new Map(),
        history: [],
        historyStart: 0,
        listeners: new Set(),
      };
      this.collections.set(id, c);
    }
    return c;
  }

  private ns(c: Collection, namespace: string | undefined): string | undefined {
    return c.options.namespaced ? namespace || undefined : undefined;
  }

  /** Writes `next` over `old` with a new resourceVersion; removes it when it is deleting and has no finalizers left. */
  private commitUpdate(c: Collection, id: string, old: KubeObject, next: KubeObject): KubeObject {
    next.metadata.resourceVersion = String(++this.rv);
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length) {
      delete next.metadata.finalizers;
      this.remove(c, id, next);
      this.scheduleGc();
      return next;
    }
    c.objects.set(id, next);
    this.emit(c, { type: "MODIFIED", object: next, oldObject: old, rv: this.rv });
    if (
      next.metadata.deletionTimestamp ||
      !deepEqual(next.metadata.ownerReferences, old.metadata.ownerReferences) ||
      !deepEqual(next.metadata.finalizers, old.metadata.finalizers)
    ) {
      this.scheduleGc();
    }
    return next;
  }

  private remove(c: Collection, id: string, last: KubeObject): void {
    c.objects.delete(id);
    if (last.metadata.uid) this.byUid.delete(last.metadata.uid);
    this.emit(c, { type: "DELETED", object: last, rv: this.rv });
  }

  private emit(c: Collection, event: StoredEvent): void {
    for (const l of this.commitListeners) {
      try {
        l(event);
      } catch {
        // A failing commit listener must not break the write.
      }
    }
    c.history.push(event);
    while (c.history.length > this.historySize) {
      const evicted = c.history.shift();
      if (evicted) c.historyStart = evicted.rv;
    }
    for (const l of [...c.listeners]) {
      try {
        l(event);
      } catch {
        // A failing listener must not break the write or the other listeners.
      }
    }
  }

  private scheduleGc(): void {
    if (this.gcTimer || this.closed) return;
    this.gcTimer = setTimeout(() => {
      this.gcTimer = undefined;
      this.collectGarbage();
    }, this.gcDelayMs);
    this.gcTimer.unref();
  }

  /**
   * One pass of the garbage collector (kube-controller-manager's garbagecollector, simplified): serves the
   * `orphan` and `foregroundDeletion` finalizers and deletes objects whose owners are all gone. Runs by itself
   * after deletions; public so tests can force it.
   */
  collectGarbage(): void {
    const all: { c: Collection; id: string; obj: KubeObject }[] = [];
    for (const c of this.collections.values()) for (const [id, obj] of c.objects) all.push({ c, id, obj });
    for (const { c, id, obj } of all) {
      const orphaning = uidAwaiting(obj, FINALIZER_ORPHAN);
      if (orphaning) {
        this.orphanDependents(orphaning);
        this.removeFinalizer(c, id, FINALIZER_ORPHAN);
      }
      const foreground = uidAwaiting(c.objects.get(id), FINALIZER_FOREGROUND);
      if (foreground && this.deleteDependents(foreground) === 0)
        this.removeFinalizer(c, id, FINALIZER_FOREGROUND);
    }
    for (const { c, id } of all) this.collectIfOwnersGone(c, id);
  }

  /** Where the objects that name `uid` among their owners are stored. */
  private dependentsOf(uid: string): { c: Collection; id: string }[] {
    const out: { c: Collection; id: string }[] = [];
    for (const c of this.collections.values()) {
      for (const [id, obj] of c.objects)
        if (obj.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ c, id });
    }
    return out;
  }

  /** The `orphan` finalizer's work: drops the ownerReference to `uid` from every dependent. */
  private orphanDependents(uid: string): void {
    for (const d of this.dependentsOf(uid)) {
      const dep = d.c.objects.get(d.id);
      if (dep) this.keepOwners(d.c, d.id, dep, (r) => r.uid !== uid);
    }
  }

  /**
   * The `foregroundDeletion` finalizer's work: deletes the dependents of `uid` that are not deleting yet (in the
   * foreground when they block their owner); returns how many dependents still block the owner's deletion.
   */
  private deleteDependents(uid: string): number {
    const blockingRef = (dep: KubeObject | undefined) =>
      dep?.metadata.ownerReferences?.find((r) => r.uid === uid)?.blockOwnerDeletion;
    for (const d of this.dependentsOf(uid)) {
      const dep = d.c.objects.get(d.id);
      if (dep && !dep.metadata.deletionTimestamp)
        this.deleteQuietly(d.c, dep, blockingRef(dep) ? "Foreground" : "Background");
    }
    // Dependents that vanished at once no longer block.
    return this.dependentsOf(uid).filter((d) => blockingRef(d.c.objects.get(d.id))).length;
  }

  /** Deletes an object whose owners are all gone, and drops the references to the owners that are gone. */
  private collectIfOwnersGone(c: Collection, id: string): void {
    const obj = c.objects.get(id);
    const refs = obj?.metadata.ownerReferences;
    if (!obj || !refs?.length) return;
    const present = refs.filter((r) => this.byUid.has(r.uid)).length;
    if (present === refs.length) return;
    if (present > 0) this.keepOwners(c, id, obj, (r) => this.byUid.has(r.uid));
    else if (!obj.metadata.deletionTimestamp) this.deleteQuietly(c, obj, "Background");
  }

  /** Writes the object with only the ownerReferences that `keep` accepts (none: no `ownerReferences`). */
  private keepOwners(
    c: Collection,
    id: string,
    obj: KubeObject,
    keep: (ref: OwnerReference) => boolean,
  ): void {
    const next = clone(obj);
    next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter(keep);
    if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
    this.commitUpdate(c, id, obj, next);
  }

  /** Deletes an object with a propagation policy; one that is gone already is no error. */
  private deleteQuietly(
    c: Collection,
    obj: KubeObject,
    propagationPolicy: "Foreground" | "Background",
  ): void {
    try {
      this.delete(
        { group: c.group, version: "", resource: c.resource },
        obj.metadata.namespace ?? "",
        obj.metadata.name,
        {
          propagationPolicy,
        },
      );
    } catch {
      // already gone
    }
  }

  private removeFinalizer(c: Collection, id: string, finalizer: string): void {
    const obj = c.objects.get(id);
    if (!obj?.metadata.finalizers?.includes(finalizer)) return;
    const next = clone(obj);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.commitUpdate(c, id, obj, next);
  }
}
