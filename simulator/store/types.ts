/**
 * The object store contract shared by the simulator's HTTP layer (which serves it as the Kubernetes API)
 * and its KubeVirt logic (admission, subresources, controller), which reads and writes through it.
 *
 * Objects are plain JSON values shaped like Kubernetes objects. The store assigns `metadata.uid`,
 * `metadata.resourceVersion` (one counter for the whole store, as etcd does), `metadata.generation`
 * (bumped when anything outside `metadata` and `status` changes) and `metadata.creationTimestamp`.
 */

/** Kubernetes object metadata, as far as the simulator uses it. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

/** A Kubernetes owner reference. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any stored object. `spec` and `status` are free-form JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Identifies a resource collection, e.g. `{ group: "kubevirt.io", version: "v1", resource: "virtualmachines" }`. */
export interface ResourceKey {
  group: string;
  version: string;
  resource: string;
}

/** A change as a watcher sees it. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  object: KubeObject;
  /** For MODIFIED: the object before the change (the store's own watchers use it for selector transitions). */
  oldObject?: KubeObject;
}

/**
 * A Kubernetes-style error. The HTTP layer writes it as a `metav1.Status` body
 * (`kind: Status`, `apiVersion: v1`, `status: Failure`, `message`, `reason`, `details`, `code`).
 */
export class StatusError extends Error {
  constructor(
    /** HTTP status code, e.g. 409. */
    readonly code: number,
    /** Kubernetes reason, e.g. `Conflict`, `NotFound`, `Invalid`, `BadRequest`, `InternalError`. */
    readonly reason: string,
    message: string,
    /** `details` of the Status body (name, group, kind, causes, retryAfterSeconds). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "StatusError";
  }
}

/** Options of {@link Store.delete}. */
export interface DeleteOptions {
  /** `Orphan`, `Background` (default) or `Foreground`. */
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  /** Seconds; passed on to the object's `metadata.deletionGracePeriodSeconds`. */
  gracePeriodSeconds?: number;
  /** When set, fail with 409 unless the object still has this resourceVersion. */
  resourceVersion?: string;
}

/**
 * The in-memory object store. Every write is atomic and bumps the store's resourceVersion; watchers get
 * the change in order. Deleting an object that has finalizers only sets `deletionTimestamp`; it goes away
 * when the last finalizer is removed by an update.
 */
export interface Store {
  get(key: ResourceKey, namespace: string, name: string): KubeObject | undefined;
  list(key: ResourceKey, namespace?: string): KubeObject[];
  /** Creates; 409 AlreadyExists when the name is taken. Returns the stored copy. */
  create(key: ResourceKey, obj: KubeObject): KubeObject;
  /** Replaces the whole object (spec and metadata; `status` untouched unless `subresource` is `status`); 409 Conflict on a stale `metadata.resourceVersion` when one is given. */
  update(key: ResourceKey, obj: KubeObject, subresource?: "status"): KubeObject;
  /** Marks for deletion or removes; returns the object as it now is (with deletionTimestamp) or as it was. */
  delete(key: ResourceKey, namespace: string, name: string, options?: DeleteOptions): KubeObject;
  /** Subscribes to every change of one resource collection (all namespaces); returns an unsubscribe function. */
  subscribe(key: ResourceKey, listener: (event: WatchEvent) => void): () => void;
  /** The store's current resourceVersion. */
  currentResourceVersion(): string;
}
