/**
 * KubeVirt for the simulator: `installKubeVirt(host, options)` registers the VirtualMachine and
 * VirtualMachineInstance resources, the instance type and preference kinds, CDI's DataVolumes with PVCs,
 * StorageClasses (and the default class `standard`) and VolumeSnapshots, the validating webhook, the
 * start/stop/restart and pause/unpause subresources, the world control routes, and starts the controllers. See
 * simulator/README.md.
 */
import { StatusError } from "../store/types";
import type { ExtensionHost, PrinterColumn } from "../store/extensions";
import { VM_KEY, VMI_KEY } from "./api";
import { virtualMachineAdmitter, virtualMachineInstanceAdmitter } from "./admission";
import { instancetypeResources } from "./instancetype";
import {
  AGE_COLUMN,
  defaultStorageClass,
  resourceDefinition,
  storageResources,
  STORAGECLASS_KEY,
} from "./storage";
import {
  executePlan,
  storeApplier,
  planPause,
  planUnpause,
  SUBRESOURCE_GROUP,
  VM_PLANNERS,
  type Planner,
} from "./subresources";
import { startKubeVirtRuntime, type KubeVirtOptions, type KubeVirtWorld } from "./runtime";
import type { Clock } from "./timings";

export type { KubeVirtOptions, KubeVirtWorld, WorldSettingsPatch } from "./runtime";

/** KubeVirt as installed on a host: its world (settings, guest events) and how to stop its controller. */
export interface InstalledKubeVirt {
  world: KubeVirtWorld;
  stop(): void;
}

/** The subresources API group and the versions it is served in. */
const SUBRESOURCES_VERSIONS = ["v1", "v1alpha3"];

const READY_COLUMN: PrinterColumn = {
  name: "Ready",
  type: "string",
  jsonPath: ".status.conditions[?(@.type=='Ready')].status",
};

function required(body: unknown, field: string): string {
  const v = (body as Record<string, unknown> | null)?.[field];
  if (typeof v !== "string" || v === "")
    throw new StatusError(400, "BadRequest", `body.${field} is required`);
  return v;
}

/**
 * Registers VirtualMachine and VirtualMachineInstance, with KubeVirt's columns and validating webhooks, the
 * instance type and preference kinds (§10), and the storage kinds with the default StorageClass (§11).
 */
function registerResources(host: ExtensionHost, options: KubeVirtOptions): void {
  // KubeVirt's CRD columns, so `kubectl get vm` looks as it does on a cluster.
  host.registerResource(
    resourceDefinition(
      VM_KEY,
      "VirtualMachine",
      true,
      ["vm", "vms"],
      [AGE_COLUMN, { name: "Status", type: "string", jsonPath: ".status.printableStatus" }, READY_COLUMN],
    ),
  );
  host.registerResource(
    resourceDefinition(
      VMI_KEY,
      "VirtualMachineInstance",
      true,
      ["vmi", "vmis"],
      [
        AGE_COLUMN,
        { name: "Phase", type: "string", jsonPath: ".status.phase" },
        { name: "IP", type: "string", jsonPath: ".status.interfaces[0].ipAddress" },
        { name: "NodeName", type: "string", jsonPath: ".status.nodeName" },
        READY_COLUMN,
      ],
    ),
  );
  for (const def of [...instancetypeResources(), ...storageResources()]) host.registerResource(def);
  const standard = defaultStorageClass();
  if (!host.store.get(STORAGECLASS_KEY, "", standard.metadata.name))
    host.store.create(STORAGECLASS_KEY, standard);
  host.registerAdmission(
    VM_KEY,
    virtualMachineAdmitter({ featureGates: options.featureGates, store: host.store }),
  );
  host.registerAdmission(VMI_KEY, virtualMachineInstanceAdmitter());
}

/** Serves start, stop and restart of VirtualMachines: each plans from the VM and its VMI, then applies the plan. */
function registerVmSubresources(host: ExtensionHost): void {
  const { store } = host;
  for (const [subresource, plan] of Object.entries(VM_PLANNERS) as [string, Planner][]) {
    host.registerSubresource(
      SUBRESOURCE_GROUP,
      SUBRESOURCES_VERSIONS,
      "virtualmachines",
      subresource,
      async (req) => {
        const vm = store.get(VM_KEY, req.namespace, req.name);
        const vmi = store.get(VMI_KEY, req.namespace, req.name);
        await executePlan(
          storeApplier(store, req.namespace, req.name),
          plan(req.name, vm, vmi, req.body, req.dryRun),
        );
        return { code: 202 };
      },
    );
  }
}

/** Whether a pause or unpause body (`{"dryRun": ["All"]}`) asks for a dry run; a body that is no JSON is a 400. */
function bodyDryRun(body: string): boolean {
  try {
    const b = body.trim() ? (JSON.parse(body) as { dryRun?: unknown }) : {};
    return Array.isArray(b.dryRun) && b.dryRun.includes("All");
  } catch (e) {
    throw new StatusError(
      400,
      "BadRequest",
      `Can not unmarshal Request body to struct, error: ${(e as Error).message}`,
    );
  }
}

/** Serves pause and unpause of VirtualMachineInstances: a Paused condition on the VMI's status. */
function registerVmiSubresources(host: ExtensionHost, clock: Clock): void {
  const { store } = host;
  for (const pause of [true, false]) {
    host.registerSubresource(
      SUBRESOURCE_GROUP,
      SUBRESOURCES_VERSIONS,
      "virtualmachineinstances",
      pause ? "pause" : "unpause",
      (req) => {
        // The body is decoded before the VMI is looked at (§1.8).
        const dryRun = bodyDryRun(req.body);
        const vmi = store.get(VMI_KEY, req.namespace, req.name);
        const next = pause ? planPause(req.name, vmi, clock.now()) : planUnpause(req.name, vmi);
        if (!req.dryRun.includes("All") && !dryRun) store.update(VMI_KEY, next, "status");
        return { code: 200 };
      },
    );
  }
}

/** Serves the world's control routes: settings, and the guest and infrastructure events. */
function registerWorldControls(host: ExtensionHost, world: KubeVirtWorld): void {
  const configure = (body: unknown) => {
    try {
      return world.configure((body ?? {}) as Parameters<KubeVirtWorld["configure"]>[0]);
    } catch (e) {
      if (e instanceof StatusError) throw e;
      throw new StatusError(400, "BadRequest", (e as Error).message);
    }
  };
  host.registerControl("kubevirt/settings", (body) =>
    body && typeof body === "object" && Object.keys(body).length > 0 ? configure(body) : world.settings,
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
}

/** Installs KubeVirt on the host (see the module comment) and starts its controller. */
export function installKubeVirt(host: ExtensionHost, options: KubeVirtOptions = {}): InstalledKubeVirt {
  registerResources(host, options);
  const { world, clock, stop } = startKubeVirtRuntime(host.store, options);
  registerVmSubresources(host);
  registerVmiSubresources(host, clock);
  registerWorldControls(host, world);
  return { world, stop };
}

export { FakeClock, seededRng, TIMING_PROFILES } from "./timings";
export type { Timings, TimingsOption, Clock, Timers, Rng } from "./timings";
export { Fault, DEFAULT_KNOWN_IMAGES, STAGE_DELAY_ANNOTATION_SUFFIX } from "./world";
export type { WorldSettings, NodeCapacity } from "./world";
export { VMI_STAGES } from "./stages";
export type { Stage, StageRule } from "./stages";
export { CLAIM_STAGES, CdiAnnotation, CdiMessage, DvPhase } from "./datavolume";
export {
  DATAVOLUME_KEY,
  PVC_KEY,
  STORAGECLASS_KEY,
  VOLUMESNAPSHOT_KEY,
  DEFAULT_STORAGE_CLASS,
} from "./storage";
export { reconcileVM, computeVMStatus, printableStatus } from "./reconcile";
export { VM_KEY, VMI_KEY, RunStrategy, Phase, PrintableStatus } from "./api";
