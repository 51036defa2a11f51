/**
 * The `multi` test program (tests/reliability/programs/multi: `count` VMs with fixed names or auto-names), a
 * simulator whose VMs take a realistic second or so to boot, and readers of the two records a reliability test
 * compares: the VMs on the cluster (straight from the API) and the VMs in a stack's state (`pulumi stack export`).
 */
import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { startSimulator, type KubeObject, type SimulatorHandle, type SimulatorUser } from "../../simulator";
import { operatorRequest } from "./operator";
import { createTestStack, type TestStack } from "./stack";

/** The program's `vms` config (see its index.ts). */
export interface MultiConfig {
  count: number;
  naming: "fixed" | "auto";
  prefix?: string;
  adopt?: boolean;
}

/** The type of the provider's custom resource, and of the component that owns it. */
const VM_TYPE = "pulumi-nodejs:dynamic/kubevirt:VirtualMachine";
const COMPONENT_TYPE = "kubevirt:index:VirtualMachine";

/** The annotation carrying the URN of the component that owns a VM. */
export const OWNER_ANNOTATION = "pulumi-kubevirt/owner";

const PROGRAM = join(__dirname, "../reliability/programs/multi");
const VMS_PATH = "/apis/kubevirt.io/v1/namespaces/default/virtualmachines";

/** The resource names the config declares, in order. */
export function declaredResources(config: MultiConfig): string[] {
  return Array.from({ length: config.count }, (_, i) => `${config.prefix ?? "vm"}-${i}`);
}

/** Whether a VM name is the one `resource` gives its VM under the config's naming. */
export function namedFor(config: MultiConfig, resource: string, vmName: string): boolean {
  return config.naming === "fixed"
    ? vmName === resource
    : new RegExp(`^${resource}-[0-9a-f]{7}$`).test(vmName);
}

/**
 * A simulator whose VMs need 1–1.5 s from create to Running (scheduling and boot), so that a kill lands while
 * creates and waits are in flight; everything else (deletion, teardown) is fast.
 */
export function startBootingSimulator(seed: number, users: SimulatorUser[] = []): Promise<SimulatorHandle> {
  return startSimulator({
    users,
    kubevirt: {
      seed,
      timings: {
        base: "fast",
        pendingMs: 50,
        schedulingMs: 150,
        scheduledMs: 350,
        runningMs: 600,
        jitterMs: 200,
      },
    },
  });
}

/** A fresh stack of the program (own backend) against the cluster of `kubeconfigPath`, with `config` set. */
export async function createMultiStack(
  stackName: string,
  kubeconfigPath: string,
  config: MultiConfig,
): Promise<TestStack> {
  const t = await createTestStack(PROGRAM, stackName, {
    KUBECONFIG: kubeconfigPath,
    // `npm run lint` type-checks the program; the engine need not do it again on every run.
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
  });
  await setMultiConfig(t.stack, config);
  return t;
}

/** Sets the program's `vms` config. */
export async function setMultiConfig(stack: Stack, config: MultiConfig): Promise<void> {
  await stack.setConfig("vms", { value: JSON.stringify(config) });
}

/** One VM as a stack's state records it. */
export interface StateVm {
  /** The resource name (the last part of the URN). */
  resource: string;
  /** The URN of the component that owns the custom resource. */
  componentUrn: string;
  /** The VM's name. */
  name: string;
  /** The VM uid the state last observed. */
  uid?: string;
}

/** What a stack's state (`pulumi stack export`) holds of the program's VMs. */
export interface StateSnapshot {
  vms: StateVm[];
  /** The URN of each VirtualMachine component, by resource name. */
  components: Record<string, string>;
  /** Operations the engine started and never saw the end of (e.g. creates of a killed `up`). */
  pendingOperations: { type: string; urn: string }[];
}

interface ExportedResource {
  urn: string;
  type: string;
  parent?: string;
  outputs?: { name?: string; observed?: { uid?: string } };
}

/** Reads the VMs from the stack's state. */
export async function stateSnapshot(stack: Stack): Promise<StateSnapshot> {
  const deployment = (await stack.exportStack()).deployment as {
    resources?: ExportedResource[];
    pending_operations?: { type: string; resource: { urn: string } }[];
  };
  const resources = deployment.resources ?? [];
  const lastPart = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
  return {
    vms: resources
      .filter((r) => r.type === VM_TYPE)
      .map((r) => ({
        resource: lastPart(r.urn),
        componentUrn: r.parent ?? "",
        name: r.outputs?.name ?? "",
        uid: r.outputs?.observed?.uid,
      })),
    components: Object.fromEntries(
      resources.filter((r) => r.type === COMPONENT_TYPE).map((r) => [lastPart(r.urn), r.urn]),
    ),
    pendingOperations: (deployment.pending_operations ?? []).map((p) => ({
      type: p.type,
      urn: p.resource.urn,
    })),
  };
}

/** The VirtualMachines in `default`, straight from the API. */
export async function liveVms(kubeconfig: string): Promise<KubeObject[]> {
  const res = await operatorRequest(kubeconfig, "GET", VMS_PATH);
  if (res.code !== 200) throw new Error(`listing VMs: ${res.code} ${JSON.stringify(res.body)}`);
  return (res.body as { items: KubeObject[] }).items;
}

/** Deletes a VM straight through the API (test cleanup); a missing VM is fine. */
export async function deleteLiveVm(kubeconfig: string, name: string): Promise<void> {
  const res = await operatorRequest(kubeconfig, "DELETE", `${VMS_PATH}/${name}`);
  if (res.code !== 200 && res.code !== 202 && res.code !== 404) {
    throw new Error(`deleting VM ${name}: ${res.code} ${JSON.stringify(res.body)}`);
  }
}
