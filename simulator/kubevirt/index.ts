/**
 * KubeVirt for the simulator: `installKubeVirt(host, options)` registers the VirtualMachine and
 * VirtualMachineInstance resources, the validating webhook, the start/stop/restart and pause/unpause
 * subresources, the world control routes, and starts the controller. See simulator/README.md.
 */
import { StatusError, type KubeObject } from "../store/types";
import type { ExtensionHost } from "../store/extensions";
import { VM_KEY, VMI_KEY } from "./api";
import { virtualMachineAdmitter, virtualMachineInstanceAdmitter } from "./admission";
import {
  executePlan,
  storeApplier,
  planPause,
  planRestart,
  planStart,
  planStop,
  planUnpause,
  type Plan,
} from "./subresources";
import { startKubeVirtRuntime, type KubeVirtOptions, type KubeVirtWorld } from "./runtime";

export type { KubeVirtOptions, KubeVirtWorld, WorldSettingsPatch } from "./runtime";

export interface InstalledKubeVirt {
  world: KubeVirtWorld;
  stop(): void;
}

function required(body: unknown, field: string): string {
  const v = (body as Record<string, unknown> | null)?.[field];
  if (typeof v !== "string" || v === "")
    throw new StatusError(400, "BadRequest", `body.${field} is required`);
  return v;
}

export function installKubeVirt(host: ExtensionHost, options: KubeVirtOptions = {}): InstalledKubeVirt {
  const store = host.store;

  host.registerResource({
    key: VM_KEY,
    kind: "VirtualMachine",
    listKind: "VirtualMachineList",
    singular: "virtualmachine",
    shortNames: ["vm", "vms"],
    namespaced: true,
    statusSubresource: true,
    // KubeVirt's CRD columns, so `kubectl get vm` looks as it does on a cluster.
    printerColumns: [
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
      { name: "Status", type: "string", jsonPath: ".status.printableStatus" },
      { name: "Ready", type: "string", jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    ],
  });
  host.registerResource({
    key: VMI_KEY,
    kind: "VirtualMachineInstance",
    listKind: "VirtualMachineInstanceList",
    singular: "virtualmachineinstance",
    shortNames: ["vmi", "vmis"],
    namespaced: true,
    statusSubresource: true,
    printerColumns: [
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
      { name: "Phase", type: "string", jsonPath: ".status.phase" },
      { name: "IP", type: "string", jsonPath: ".status.interfaces[0].ipAddress" },
      { name: "NodeName", type: "string", jsonPath: ".status.nodeName" },
      { name: "Ready", type: "string", jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    ],
  });
  host.registerAdmission(VM_KEY, virtualMachineAdmitter({ featureGates: options.featureGates }));
  host.registerAdmission(VMI_KEY, virtualMachineInstanceAdmitter());

  const { world, clock, stop } = startKubeVirtRuntime(store, options);

  const versions = ["v1", "v1alpha3"];
  const vmHandler =
    (
      plan: (
        name: string,
        vm: KubeObject | undefined,
        vmi: KubeObject | undefined,
        body: string,
        dryRun: string[],
      ) => Plan,
    ) =>
    async (req: { namespace: string; name: string; body: string; dryRun: string[] }) => {
      const vm = store.get(VM_KEY, req.namespace, req.name);
      const vmi = store.get(VMI_KEY, req.namespace, req.name);
      await executePlan(
        storeApplier(store, req.namespace, req.name),
        plan(req.name, vm, vmi, req.body, req.dryRun),
      );
      return { code: 202 };
    };
  host.registerSubresource(
    "subresources.kubevirt.io",
    versions,
    "virtualmachines",
    "start",
    vmHandler(planStart),
  );
  host.registerSubresource(
    "subresources.kubevirt.io",
    versions,
    "virtualmachines",
    "stop",
    vmHandler(planStop),
  );
  host.registerSubresource(
    "subresources.kubevirt.io",
    versions,
    "virtualmachines",
    "restart",
    vmHandler(planRestart),
  );

  const vmiHandler =
    (pause: boolean) => (req: { namespace: string; name: string; body: string; dryRun: string[] }) => {
      const vmi = store.get(VMI_KEY, req.namespace, req.name);
      const next = pause ? planPause(req.name, vmi, clock.now()) : planUnpause(req.name, vmi);
      let bodyDryRun = false;
      try {
        const b = req.body.trim() ? (JSON.parse(req.body) as { dryRun?: unknown }) : {};
        bodyDryRun = Array.isArray(b.dryRun) && b.dryRun.includes("All");
      } catch (e) {
        throw new StatusError(
          400,
          "BadRequest",
          `Can not unmarshal Request body to struct, error: ${(e as Error).message}`,
        );
      }
      if (!req.dryRun.includes("All") && !bodyDryRun) store.update(VMI_KEY, next, "status");
      return { code: 200 };
    };
  host.registerSubresource(
    "subresources.kubevirt.io",
    versions,
    "virtualmachineinstances",
    "pause",
    vmiHandler(true),
  );
  host.registerSubresource(
    "subresources.kubevirt.io",
    versions,
    "virtualmachineinstances",
    "unpause",
    vmiHandler(false),
  );

  const wrapSettings = (body: unknown) => {
    try {
      return world.configure((body ?? {}) as Parameters<KubeVirtWorld["configure"]>[0]);
    } catch (e) {
      if (e instanceof StatusError) throw e;
      throw new StatusError(400, "BadRequest", (e as Error).message);
    }
  };
  host.registerControl("kubevirt/settings", (body) =>
    body && typeof body === "object" && Object.keys(body).length > 0 ? wrapSettings(body) : world.settings,
  );
  host.registerControl("kubevirt/guest-shutdown", (b) =>
    world.guestShutdown(required(b, "namespace"), required(b, "name")),
  );
  host.registerControl("kubevirt/guest-crash", (b) =>
    world.guestCrash(required(b, "namespace"), required(b, "name")),
  );
  host.registerControl("kubevirt/infrastructure-failure", (b) =>
    world.infrastructureFailure(required(b, "namespace"), required(b, "name")),
  );

  return { world, stop };
}

export { FakeClock, seededRng, TIMING_PROFILES } from "./timings";
export type { Timings, TimingsOption, Clock, Timers, Rng } from "./timings";
export { Fault, DEFAULT_KNOWN_IMAGES } from "./world";
export type { WorldSettings, NodeCapacity } from "./world";
export { VMI_STAGES } from "./stages";
export type { Stage } from "./stages";
export { reconcileVM, computeVMStatus, printableStatus } from "./reconcile";
export { VM_KEY, VMI_KEY, RunStrategy, Phase, PrintableStatus } from "./api";
