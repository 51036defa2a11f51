/**
 * KubeVirt's instance types and preferences (`instancetype.kubevirt.io/v1beta1`, §10) as far as the simulator
 * reproduces them: the four kinds as plain resources, finding the ones a VM references (`spec.instancetype`,
 * `spec.preference`), the admission conflicts of a template that sets what the instance type provides, and the
 * expansion of the template into the VMI (CPU topology from `cpu.guest`, `memory.guest`).
 */
import type { ResourceDefinition } from "../store/extensions";
import { isObject } from "../store/json";
import type { KubeObject, ResourceKey, Store } from "../store/types";
import { clone } from "./api";

/** The API group and version of instance types and preferences. */
export const INSTANCETYPE_GROUP = "instancetype.kubevirt.io";
const VERSION = "v1beta1";

/** One of the four kinds: its resource key and whether it lives in a namespace. */
interface InstancetypeKind {
  key: ResourceKey;
  namespaced: boolean;
}

const kind = (resource: string, namespaced: boolean): InstancetypeKind => ({
  key: { group: INSTANCETYPE_GROUP, version: VERSION, resource },
  namespaced,
});

/** The kinds by name, as `spec.instancetype.kind` and `spec.preference.kind` name them. */
export const INSTANCETYPE_KINDS = {
  VirtualMachineInstancetype: kind("virtualmachineinstancetypes", true),
  VirtualMachineClusterInstancetype: kind("virtualmachineclusterinstancetypes", false),
  VirtualMachinePreference: kind("virtualmachinepreferences", true),
  VirtualMachineClusterPreference: kind("virtualmachineclusterpreferences", false),
} as const;

type KindName = keyof typeof INSTANCETYPE_KINDS;

/** The resource definitions of the four kinds (no status subresource, as their CRDs). */
export function instancetypeResources(): ResourceDefinition[] {
  return Object.entries(INSTANCETYPE_KINDS).map(([name, k]) => ({
    key: k.key,
    kind: name,
    listKind: `${name}List`,
    singular: name.toLowerCase(),
    namespaced: k.namespaced,
    statusSubresource: false,
  }));
}

/** The specs a VM's references resolve to; `error` when one is missing (the controller's sync error). */
export interface Referenced {
  instancetype?: Record<string, unknown>;
  preference?: Record<string, unknown>;
  error?: { reason: string; message: string };
}

const obj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});

/**
 * The kind a matcher names, resolved the way `find/spec.go` does: the kind name in any case, singular or plural,
 * and the cluster-wide kind when it is empty. `undefined` for a kind KubeVirt does not know.
 */
function kindOf(matcherKind: unknown, namespaced: KindName, cluster: KindName): KindName | undefined {
  const k = typeof matcherKind === "string" ? matcherKind.toLowerCase() : "";
  if (k === "") return cluster;
  for (const name of [namespaced, cluster]) {
    const plural = INSTANCETYPE_KINDS[name].key.resource;
    if (k === name.toLowerCase() || k === plural) return name;
  }
  return undefined;
}

/** Finds one matcher's object: its spec, or the error KubeVirt's finder returns. */
function find(
  store: Store,
  namespace: string | undefined,
  matcher: unknown,
  kinds: [KindName, KindName],
): { spec?: Record<string, unknown>; error?: string } {
  const m = obj(matcher);
  const name = typeof m.name === "string" ? m.name : "";
  const k = kindOf(m.kind, ...kinds);
  if (!k) {
    const what = kinds[0] === "VirtualMachineInstancetype" ? "InstancetypeMatcher" : "PreferenceMatcher";
    return { error: `got unexpected kind in ${what}: ${String(m.kind)}` };
  }
  const { key, namespaced } = INSTANCETYPE_KINDS[k];
  const found = store.get(key, namespaced ? (namespace ?? "") : "", name);
  if (!found) return { error: `${key.resource}.${INSTANCETYPE_GROUP} ${JSON.stringify(name)} not found` };
  return { spec: obj(found.spec) };
}

/**
 * What the VM's `spec.instancetype` and `spec.preference` reference, or the sync error of
 * `checkResourcesExist` (reasons `FailedFindInstancetype`, `FailedFindPreference`; §10).
 */
export function findReferenced(store: Store, vm: KubeObject): Referenced {
  const { instancetype, preference } = obj(vm.spec);
  const ns = vm.metadata.namespace;
  const out: Referenced = {};
  if (instancetype !== undefined && instancetype !== null) {
    const it = find(store, ns, instancetype, [
      "VirtualMachineInstancetype",
      "VirtualMachineClusterInstancetype",
    ]);
    if (it.error) return { error: { reason: "FailedFindInstancetype", message: it.error } };
    out.instancetype = it.spec;
  }
  if (preference !== undefined && preference !== null) {
    const p = find(store, ns, preference, ["VirtualMachinePreference", "VirtualMachineClusterPreference"]);
    if (p.error) return { error: { reason: "FailedFindPreference", message: p.error } };
    out.preference = p.spec;
  }
  return out;
}

/** The template-spec fields (below `domain`) an instance type provides, in the order KubeVirt checks them. */
const CONFLICTING_FIELDS: readonly (readonly string[])[] = [
  ["resources", "requests", "cpu"],
  ["resources", "limits", "cpu"],
  ["cpu", "sockets"],
  ["cpu", "cores"],
  ["cpu", "threads"],
  ["memory", "guest"],
  ["resources", "requests", "memory"],
  ["resources", "limits", "memory"],
];

const isSet = (v: unknown) => v !== undefined && v !== null && v !== 0 && v !== "";

/**
 * Pure: the template fields that conflict with an instance type (`validateCPU` and `validateMemory` in
 * pkg/instancetype/apply), as `spec.template.spec.domain...` paths. Memory reports only its first conflict, as
 * KubeVirt does.
 */
export function instancetypeConflicts(templateSpec: Record<string, unknown>): string[] {
  const domain = obj(templateSpec.domain);
  const conflicts: string[] = [];
  let memory = false;
  for (const path of CONFLICTING_FIELDS) {
    const value = path.reduce<unknown>((v, k) => obj(v)[k], domain);
    if (!isSet(value)) continue;
    const isMemory = path.includes("memory");
    if (isMemory && memory) continue;
    memory ||= isMemory;
    conflicts.push(["spec", "template", "spec", "domain", ...path].join("."));
  }
  return conflicts;
}

/** KubeVirt's message for one conflict (`conflict.Conflict.Error`). */
export function conflictMessage(field: string): string {
  return `VM field(s) ${field} conflicts with selected instance type`;
}

/**
 * The CPU topology `applyGuestCPUTopology` gives `vCPUs`: 1/1/1, with the vCPUs on the preference's
 * `cpu.preferredCPUTopology` (default sockets; spread is not simulated and counts as sockets).
 */
function topology(vCPUs: number, preference: Record<string, unknown> | undefined): Record<string, number> {
  const cpu = { sockets: 1, cores: 1, threads: 1 };
  const preferred = String(obj(preference?.cpu).preferredCPUTopology ?? "sockets");
  if (/cores/i.test(preferred)) cpu.cores = vCPUs;
  else if (/threads/i.test(preferred)) cpu.threads = vCPUs;
  else cpu.sockets = vCPUs;
  return cpu;
}

/**
 * Pure: the VM's template with its instance type applied (`ApplyToVMI`): `cpu.guest` as the domain's CPU
 * topology and `memory.guest` as its guest memory. Without an instance type, the template as it is.
 */
export function expandTemplate(template: unknown, referenced: Referenced): Record<string, unknown> {
  const out = clone(obj(template));
  const it = referenced.instancetype;
  if (!it) return out;
  const spec = obj(out.spec);
  const domain = obj(spec.domain);
  const guestCPUs = Number(obj(it.cpu).guest ?? 0);
  if (guestCPUs > 0) domain.cpu = { ...obj(domain.cpu), ...topology(guestCPUs, referenced.preference) };
  const guestMemory = obj(it.memory).guest;
  if (guestMemory !== undefined) domain.memory = { ...obj(domain.memory), guest: guestMemory };
  out.spec = { ...spec, domain };
  return out;
}
