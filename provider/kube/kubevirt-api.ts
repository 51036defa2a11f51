/**
 * The KubeVirt calls the provider makes: VirtualMachine CRUD and JSON patch on `kubevirt.io/v1`, the VMI of
 * the same name, and the `subresources.kubevirt.io/v1` start/stop/restart calls (and the VMI's pause/unpause).
 * Transient failures are retried; everything else surfaces with the server's message. The calls that are not
 * idempotent (create, restart, pause and unpause) are never sent again blindly: before another attempt they
 * check whether the earlier one took effect (the VM exists and is ours; the instance was replaced; the
 * instance is paused, or no longer).
 */
import { PatchStrategy, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { isPaused, type LiveVm, type LiveVmi } from "../model/kubevirt";
import { DATA_VOLUME_API_VERSION, VM_API_VERSION, type VmManifest } from "../model/manifest";
import type { JsonPatchOp } from "../planner/actions";
import { makeClients, type Clients } from "./clients";
import { isAlreadyExists, isNotFound, toApiError, type ApiError } from "./errors";
import { apiRequest } from "./http";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "./retry";

const KINDS = { vm: "VirtualMachine", vmi: "VirtualMachineInstance", dv: "DataVolume" } as const;

/**
 * The collections the provider reads: VirtualMachines and VirtualMachineInstances, and CDI's DataVolumes
 * (only while a VM waits for its disks).
 */
export type Kind = keyof typeof KINDS;

/** The API version of each collection. */
export const API_VERSIONS: Readonly<Record<Kind, string>> = {
  vm: VM_API_VERSION,
  vmi: VM_API_VERSION,
  dv: DATA_VOLUME_API_VERSION,
};

/** The resource names of the collections. */
export const PLURALS = {
  vm: "virtualmachines",
  vmi: "virtualmachineinstances",
  dv: "datavolumes",
} as const;

/** A collection's resource with its group, as RBAC names it: `virtualmachines.kubevirt.io`. */
export const resourceName = (kind: Kind) => `${PLURALS[kind]}.${API_VERSIONS[kind].split("/")[0]}`;

/** The path of a collection in a namespace (client-node builds the same from discovery; messages name it). */
export const COLLECTION = (kind: Kind, ns: string) =>
  `/apis/${API_VERSIONS[kind]}/namespaces/${encodeURIComponent(ns)}/${PLURALS[kind]}`;
const OBJECT = (kind: Kind, ns: string, name: string) =>
  `${COLLECTION(kind, ns)}/${encodeURIComponent(name)}`;
const SUBRESOURCE = (kind: Kind, ns: string, name: string, action: string) =>
  `/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/${PLURALS[kind]}/${encodeURIComponent(name)}/${action}`;

/**
 * The objects a VM's inputs name and that must exist before it is created, by kind: the instance type and
 * preference kinds, and what a DataVolume template needs (its StorageClass, the PVC or VolumeSnapshot it clones).
 */
const REFERENCE_KINDS: Readonly<Record<string, { path: string; plural: string; namespaced: boolean }>> = {
  VirtualMachineClusterInstancetype: {
    path: "/apis/instancetype.kubevirt.io/v1beta1",
    plural: "virtualmachineclusterinstancetypes",
    namespaced: false,
  },
  VirtualMachineInstancetype: {
    path: "/apis/instancetype.kubevirt.io/v1beta1",
    plural: "virtualmachineinstancetypes",
    namespaced: true,
  },
  VirtualMachineClusterPreference: {
    path: "/apis/instancetype.kubevirt.io/v1beta1",
    plural: "virtualmachineclusterpreferences",
    namespaced: false,
  },
  VirtualMachinePreference: {
    path: "/apis/instancetype.kubevirt.io/v1beta1",
    plural: "virtualmachinepreferences",
    namespaced: true,
  },
  StorageClass: { path: "/apis/storage.k8s.io/v1", plural: "storageclasses", namespaced: false },
  PersistentVolumeClaim: { path: "/api/v1", plural: "persistentvolumeclaims", namespaced: true },
  VolumeSnapshot: { path: "/apis/snapshot.storage.k8s.io/v1", plural: "volumesnapshots", namespaced: true },
  DataSource: { path: "/apis/cdi.kubevirt.io/v1beta1", plural: "datasources", namespaced: true },
};

/** An object a VM's inputs name (one of the kinds above): its kind, name and namespace (ignored when cluster-wide). */
export interface ReferencedObject {
  kind: string;
  name: string;
  namespace: string;
}

/** Whether the kind lives in a namespace (else it is cluster-wide). */
export function isNamespacedKind(kind: string): boolean {
  return REFERENCE_KINDS[kind]!.namespaced;
}

/** The path of a referenced object. */
export function referencePath(ref: ReferencedObject): string {
  const { path, plural } = REFERENCE_KINDS[ref.kind]!;
  const ns = isNamespacedKind(ref.kind) ? `/namespaces/${encodeURIComponent(ref.namespace)}` : "";
  return `${path}${ns}/${plural}/${encodeURIComponent(ref.name)}`;
}

/** What client-node's KubernetesObjectApi needs to address one object. */
const header = (kind: Kind, namespace: string, name: string) => ({
  apiVersion: API_VERSIONS[kind],
  kind: KINDS[kind],
  metadata: { namespace, name },
});

/** A start or stop call on a VirtualMachine (restart has a call of its own: {@link KubeVirtApi.restart}). */
export type PowerCall = { action: "start"; paused?: boolean } | { action: "stop"; gracePeriod?: number };

/**
 * KubeVirt API access for one kubeconfig: objects through client-node's KubernetesObjectApi (one instance, so
 * that kinds are discovered once), namespaces through its CoreV1Api, and the subresources, which have no typed
 * call, as raw requests.
 */
export class KubeVirtApi {
  private readonly clients: Clients;

  constructor(
    readonly kc: KubeConfig,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.clients = makeClients(kc, { warn });
  }

  /** The VM, or `undefined` when it does not exist. */
  async getVm(ns: string, name: string): Promise<LiveVm | undefined> {
    return this.getOptional<LiveVm>("vm", ns, name);
  }

  /** The VMI of the VM's name, or `undefined`. */
  async getVmi(ns: string, name: string): Promise<LiveVmi | undefined> {
    return this.getOptional<LiveVmi>("vmi", ns, name);
  }

  /** Lists VMs or VMIs of a namespace with the list's resourceVersion (optionally by label selector). */
  async list<T>(
    kind: Kind,
    ns: string,
    labelSelector?: string,
  ): Promise<{ items: T[]; resourceVersion: string }> {
    const list = await this.call("GET", COLLECTION(kind, ns), () =>
      // pretty, exact, export and fieldSelector unset
      this.clients.objects.list(
        API_VERSIONS[kind],
        KINDS[kind],
        ns,
        undefined,
        undefined,
        undefined,
        undefined,
        labelSelector,
      ),
    );
    return {
      items: (list.items ?? []) as unknown as T[],
      resourceVersion: list.metadata?.resourceVersion ?? "",
    };
  }

  /** Whether the namespace exists; `undefined` when the credentials may not read it (403). */
  async namespaceExists(ns: string): Promise<boolean | undefined> {
    try {
      await this.call("GET", `/api/v1/namespaces/${encodeURIComponent(ns)}`, () =>
        this.clients.core.readNamespace({ name: ns }),
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if ((err as ApiError).code === 403) return undefined;
      throw err;
    }
  }

  /**
   * Whether the instance type or preference exists (a GET, as a raw request: no discovery is needed for
   * it); `undefined` when the credentials may not read it (403).
   */
  async referenceExists(ref: ReferencedObject): Promise<boolean | undefined> {
    const path = referencePath(ref);
    try {
      await this.call("GET", path, () => apiRequest(this.kc, "GET", path));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if ((err as ApiError).code === 403) return undefined;
      throw err;
    }
  }

  /**
   * Creates the VM. A lost answer is not answered by sending the create again: before another attempt (and on
   * 409 AlreadyExists) the VM is read, and a VM for which `isOurs` holds counts as the earlier create's result.
   */
  async createVm(manifest: VmManifest, isOurs: (vm: LiveVm) => boolean): Promise<LiveVm> {
    const { namespace, name } = manifest.metadata;
    const ours = async (): Promise<LiveVm | undefined> => {
      const vm = await this.getVm(namespace, name);
      return vm && isOurs(vm) ? vm : undefined;
    };
    const create = () => this.clients.objects.create(manifest as KubernetesObject);
    try {
      const created = await this.call("POST", COLLECTION("vm", namespace), create, async () => {
        const vm = await ours();
        return vm ? { done: true, value: vm as unknown as KubernetesObject } : { done: false };
      });
      return created as unknown as LiveVm;
    } catch (err) {
      const vm = isAlreadyExists(err) ? await ours() : undefined;
      if (vm) return vm;
      throw err;
    }
  }

  /**
   * Applies a JSON patch (RFC 6902) to the VM. Custom resources refuse client-node's default strategic merge
   * patch (415), hence the explicit strategy; the operations, addressed to the VM, are sent as they are.
   */
  async patchVm(ns: string, name: string, ops: JsonPatchOp[]): Promise<LiveVm> {
    const patch = Object.assign([...ops], header("vm", ns, name));
    const patched = await this.call("PATCH", OBJECT("vm", ns, name), () =>
      // pretty, dryRun, fieldManager and force unset
      this.clients.objects.patch(patch, undefined, undefined, undefined, undefined, PatchStrategy.JsonPatch),
    );
    return patched as unknown as LiveVm;
  }

  /**
   * Deletes the VM (KubeVirt's controller then deletes its VMI); `false` when it was already gone. With `uid`,
   * only that VM: kube-apiserver refuses (409) if the name now belongs to another object.
   */
  async deleteVm(ns: string, name: string, uid?: string): Promise<boolean> {
    const options = {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: "Foreground",
      ...(uid === undefined ? {} : { preconditions: { uid } }),
    };
    try {
      await this.call("DELETE", OBJECT("vm", ns, name), () =>
        // pretty, dryRun, gracePeriodSeconds, orphanDependents and propagationPolicy (it is in the body) unset
        this.clients.objects.delete(
          header("vm", ns, name),
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          options,
        ),
      );
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Calls `start` or `stop` (answered with 202 Accepted; a repeated call is answered with 409 "already"). */
  async power(ns: string, name: string, call: PowerCall): Promise<void> {
    const { action, ...options } = call;
    await this.subresource("vm", ns, name, action, options);
  }

  /**
   * Calls `restart`. A second restart would restart the VM twice, so before another attempt the VMI is read:
   * one with another uid than `vmiUid`, or one being deleted, means the earlier call took effect.
   */
  async restart(ns: string, name: string, vmiUid: string | undefined): Promise<void> {
    await this.subresource("vm", ns, name, "restart", {}, async () => {
      const vmi = await this.getVmi(ns, name);
      const replaced = !vmi || vmi.metadata.uid !== vmiUid || !!vmi.metadata.deletionTimestamp;
      return replaced ? { done: true, value: undefined } : { done: false };
    });
  }

  /**
   * Calls the VMI's `pause` (`paused`) or `unpause` (answered with 200; when there is nothing to do, with 409
   * "VMI is already paused" or "VMI is not paused", docs/kubevirt-behaviour.md §1.8). Before another attempt
   * the VMI is read: one that is already as asked means the earlier call took effect.
   */
  async setPaused(ns: string, name: string, paused: boolean): Promise<void> {
    await this.subresource("vmi", ns, name, paused ? "pause" : "unpause", {}, async () => {
      const vmi = await this.getVmi(ns, name);
      return isPaused(vmi) === paused ? { done: true, value: undefined } : { done: false };
    });
  }

  private async getOptional<T>(kind: Kind, ns: string, name: string): Promise<T | undefined> {
    try {
      const object = await this.call("GET", OBJECT(kind, ns, name), () =>
        this.clients.objects.read(header(kind, ns, name)),
      );
      return object as unknown as T;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** A `PUT` of a `subresources.kubevirt.io/v1` call: a raw request, the one kind client-node has no call for. */
  private async subresource(
    kind: Kind,
    ns: string,
    name: string,
    action: string,
    body: unknown,
    tookEffect?: () => Promise<{ done: true; value: undefined } | { done: false }>,
  ): Promise<void> {
    const path = SUBRESOURCE(kind, ns, name, action);
    const send = async () => {
      const res = await apiRequest(this.kc, "PUT", path, { body });
      for (const w of res.warnings) this.warn(w);
    };
    await this.call("PUT", path, send, tookEffect);
  }

  /**
   * One call (`send`, the request `method path`), retried per the policy, its failures as ApiErrors. For a call
   * that is not idempotent, `tookEffect` decides before each new attempt whether the last one did (and then
   * ends the retries with its value).
   */
  private async call<T>(
    method: string,
    path: string,
    send: () => Promise<T>,
    tookEffect?: () => Promise<{ done: true; value: T } | { done: false }>,
  ): Promise<T> {
    const request = () =>
      send().catch((err: unknown) => {
        throw toApiError(err, method, path);
      });
    return withRetry(request, this.retry, tookEffect);
  }
}
