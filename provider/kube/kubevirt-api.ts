/**
 * The KubeVirt calls the provider makes: VirtualMachine CRUD and JSON patch on `kubevirt.io/v1`, the VMI of
 * the same name, and the `subresources.kubevirt.io/v1` start/stop/restart calls. Transient failures are
 * retried; everything else surfaces with the server's message. The two calls that are not idempotent (create
 * and restart) are never sent again blindly: before another attempt they check whether the earlier one took
 * effect (the VM exists and is ours; the instance was replaced).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { LiveVm, LiveVmi } from "../model/kubevirt";
import type { VmManifest } from "../model/manifest";
import type { JsonPatchOp } from "../planner/actions";
import { isAlreadyExists, isNotFound, type ApiError } from "./errors";
import { apiRequest } from "./http";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "./retry";

const VMS = (ns: string) => `/apis/kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/virtualmachines`;
const VMIS = (ns: string) =>
  `/apis/kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/virtualmachineinstances`;
const SUBRESOURCE = (ns: string, name: string, action: string) =>
  `/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/virtualmachines/${encodeURIComponent(name)}/${action}`;

/** A start or stop call on a VirtualMachine (restart has a call of its own: {@link KubeVirtApi.restart}). */
export type PowerCall = { action: "start"; paused?: boolean } | { action: "stop"; gracePeriod?: number };

/** KubeVirt API access for one kubeconfig. */
export class KubeVirtApi {
  constructor(
    readonly kc: KubeConfig,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** The VM, or `undefined` when it does not exist. */
  async getVm(ns: string, name: string): Promise<LiveVm | undefined> {
    return this.getOptional<LiveVm>(`${VMS(ns)}/${encodeURIComponent(name)}`);
  }

  /** The VMI of the VM's name, or `undefined`. */
  async getVmi(ns: string, name: string): Promise<LiveVmi | undefined> {
    return this.getOptional<LiveVmi>(`${VMIS(ns)}/${encodeURIComponent(name)}`);
  }

  /** Lists VMs or VMIs of a namespace with the list's resourceVersion (optionally by label selector). */
  async list<T>(
    kind: "vm" | "vmi",
    ns: string,
    labelSelector?: string,
  ): Promise<{ items: T[]; resourceVersion: string }> {
    const res = await this.call<{ items: T[]; metadata: { resourceVersion: string } }>(
      "GET",
      kind === "vm" ? VMS(ns) : VMIS(ns),
      labelSelector === undefined ? {} : { query: { labelSelector } },
    );
    return { items: res.items ?? [], resourceVersion: res.metadata.resourceVersion };
  }

  /** Whether the namespace exists; `undefined` when the credentials may not read it (403). */
  async namespaceExists(ns: string): Promise<boolean | undefined> {
    try {
      await this.call("GET", `/api/v1/namespaces/${encodeURIComponent(ns)}`);
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
    try {
      return await this.call<LiveVm>("POST", VMS(namespace), { body: manifest }, async () => {
        const vm = await ours();
        return vm ? { done: true, value: vm } : { done: false };
      });
    } catch (err) {
      const vm = isAlreadyExists(err) ? await ours() : undefined;
      if (vm) return vm;
      throw err;
    }
  }

  /** Applies a JSON patch (RFC 6902) to the VM. */
  async patchVm(ns: string, name: string, ops: JsonPatchOp[]): Promise<LiveVm> {
    return this.call<LiveVm>("PATCH", `${VMS(ns)}/${encodeURIComponent(name)}`, {
      body: ops,
      contentType: "application/json-patch+json",
    });
  }

  /**
   * Deletes the VM (KubeVirt's controller then deletes its VMI); `false` when it was already gone. With `uid`,
   * only that VM: kube-apiserver refuses (409) if the name now belongs to another object.
   */
  async deleteVm(ns: string, name: string, uid?: string): Promise<boolean> {
    const options: Record<string, unknown> = {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: "Foreground",
    };
    if (uid !== undefined) options.preconditions = { uid };
    try {
      await this.call("DELETE", `${VMS(ns)}/${encodeURIComponent(name)}`, { body: options });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Calls `start` or `stop` (answered with 202 Accepted; a repeated call is answered with 409 "already"). */
  async power(ns: string, name: string, call: PowerCall): Promise<void> {
    const { action, ...options } = call;
    await this.call("PUT", SUBRESOURCE(ns, name, action), { body: options });
  }

  /**
   * Calls `restart`. A second restart would restart the VM twice, so before another attempt the VMI is read:
   * one with another uid than `vmiUid`, or one being deleted, means the earlier call took effect.
   */
  async restart(ns: string, name: string, vmiUid: string | undefined): Promise<void> {
    await this.call<unknown>("PUT", SUBRESOURCE(ns, name, "restart"), { body: {} }, async () => {
      const vmi = await this.getVmi(ns, name);
      const replaced = !vmi || vmi.metadata.uid !== vmiUid || !!vmi.metadata.deletionTimestamp;
      return replaced ? { done: true, value: undefined } : { done: false };
    });
  }

  private async getOptional<T>(path: string): Promise<T | undefined> {
    try {
      return await this.call<T>("GET", path);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * One call, retried per the policy. For a call that is not idempotent, `tookEffect` decides before each new
   * attempt whether the last one did (and then ends the retries with its value).
   */
  private async call<T>(
    method: string,
    path: string,
    options: CallOptions = {},
    tookEffect?: () => Promise<{ done: true; value: T } | { done: false }>,
  ): Promise<T> {
    const request = async () => {
      const res = await apiRequest<T>(this.kc, method, path, options);
      for (const w of res.warnings) this.warn(w);
      return res.body;
    };
    return withRetry(request, this.retry, tookEffect);
  }
}

interface CallOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
}
