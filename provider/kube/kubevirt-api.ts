/**
 * The KubeVirt calls the provider makes: VirtualMachine CRUD and JSON patch on `kubevirt.io/v1`, the VMI of
 * the same name, and the `subresources.kubevirt.io/v1` start/stop/restart calls. Transient failures are
 * retried; everything else surfaces with the server's message.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { LiveVm, LiveVmi } from "../model/kubevirt";
import type { VmManifest } from "../model/manifest";
import type { JsonPatchOp } from "../planner/actions";
import { ApiError, apiRequest } from "./http";
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from "./retry";

const VMS = (ns: string) => `/apis/kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/virtualmachines`;
const VMIS = (ns: string) =>
  `/apis/kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/virtualmachineinstances`;
const SUBRESOURCE = (ns: string, name: string, action: string) =>
  `/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(ns)}/virtualmachines/${encodeURIComponent(name)}/${action}`;

/** A power call on a VirtualMachine. */
export type PowerCall =
  | { action: "start"; paused?: boolean }
  | { action: "stop"; gracePeriod?: number }
  | { action: "restart"; gracePeriodSeconds?: number };

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

  /** Lists VMs or VMIs of a namespace with the list's resourceVersion. */
  async list<T>(kind: "vm" | "vmi", ns: string): Promise<{ items: T[]; resourceVersion: string }> {
    const res = await this.call<{ items: T[]; metadata: { resourceVersion: string } }>(
      "GET",
      kind === "vm" ? VMS(ns) : VMIS(ns),
    );
    return { items: res.items ?? [], resourceVersion: res.metadata.resourceVersion };
  }

  /** Creates the VM. */
  async createVm(manifest: VmManifest): Promise<LiveVm> {
    return this.call<LiveVm>("POST", VMS(manifest.metadata.namespace), { body: manifest });
  }

  /** Applies a JSON patch (RFC 6902) to the VM. */
  async patchVm(ns: string, name: string, ops: JsonPatchOp[]): Promise<LiveVm> {
    return this.call<LiveVm>("PATCH", `${VMS(ns)}/${encodeURIComponent(name)}`, {
      body: ops,
      contentType: "application/json-patch+json",
    });
  }

  /** Deletes the VM (KubeVirt's controller then deletes its VMI); `false` when it was already gone. */
  async deleteVm(ns: string, name: string): Promise<boolean> {
    try {
      await this.call("DELETE", `${VMS(ns)}/${encodeURIComponent(name)}`, {
        body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Foreground" },
      });
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return false;
      throw err;
    }
  }

  /** Calls `start`, `stop` or `restart` (answered with 202 Accepted). */
  async power(ns: string, name: string, call: PowerCall): Promise<void> {
    const { action, ...options } = call;
    await this.call("PUT", SUBRESOURCE(ns, name, action), { body: options });
  }

  private async getOptional<T>(path: string): Promise<T | undefined> {
    try {
      return await this.call<T>("GET", path);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  private async call<T>(
    method: string,
    path: string,
    options: { body?: unknown; contentType?: string } = {},
  ): Promise<T> {
    const res = await withRetry(() => apiRequest<T>(this.kc, method, path, options), this.retry);
    for (const w of res.warnings) this.warn(w);
    return res.body;
  }
}
