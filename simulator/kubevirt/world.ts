/**
 * The simulated world outside the API: one node with a capacity, a registry of known containerDisk
 * images, guest behaviour (agent, ACPI) and fault switches. Global settings live in {@link WorldSettings};
 * one object can be targeted with `sim.kubevirt.io/*` labels or annotations (kwok's per-object knobs),
 * read from the VMI (i.e. the VM's template metadata) and then from the owning VM's metadata.
 */
import { isObject } from "../store/json";
import type { KubeObject } from "../store/types";
import { isFinal, conditionTrue } from "./api";

/** Per-object fault and behaviour switches (label or annotation, value "true"). */
export const Fault = {
  /** The VMI fails after Scheduled, before it ever runs → crash-loop backoff (printableStatus CrashLoopBackOff). */
  CrashLoop: "sim.kubevirt.io/crash-loop",
  /** The guest ignores ACPI power-off: deletion waits the full grace period and the VMI ends Failed. */
  IgnoreAcpi: "sim.kubevirt.io/ignore-acpi",
  /** The guest agent never connects (no AgentConnected condition, no interface IP). */
  NoGuestAgent: "sim.kubevirt.io/no-guest-agent",
  /** Every containerDisk image of this object counts as unknown (ErrImagePull / ImagePullBackOff). */
  ImagePullError: "sim.kubevirt.io/image-pull-error",
  /**
   * On a DataVolume (a `dataVolumeTemplates` entry's metadata): its import fails as CDI reports an http source
   * answering 404 — Running=False reason Error with the importer's message, restartCount counting up, the VM's
   * printableStatus DataVolumeError (§11.3).
   */
  ImportError: "sim.kubevirt.io/import-error",
} as const;
/** One of the {@link Fault} switches. */
export type Fault = (typeof Fault)[keyof typeof Fault];

/** Annotation suffix to override one stage's delay for one object: `<stage>.stage.sim.kubevirt.io/delay` (ms). */
export const STAGE_DELAY_ANNOTATION_SUFFIX = ".stage.sim.kubevirt.io/delay";

/** The simulated node's name and allocatable resources. */
export interface NodeCapacity {
  name: string;
  /** CPU cores, e.g. 8, "8" or "8000m". */
  cpu: number | string;
  /** Memory quantity, e.g. "32Gi". */
  memory: number | string;
}

/** The global settings of the simulated world. */
export interface WorldSettings {
  node: NodeCapacity;
  /**
   * Known containerDisk images: exact references, repositories (tag/digest ignored) or prefixes ending in
   * `*`; `"*"` alone accepts every image.
   */
  knownImages: readonly string[] | "*";
  /** Global crash loop: every VMI fails before Running. */
  crashLoop: boolean;
  /** Whether guest agents connect. */
  guestAgent: boolean;
  /** Global: guests ignore ACPI power-off. */
  ignoreAcpi: boolean;
  /** First three octets of the pod network; VMIs get `<prefix>.<n>`. */
  podNetworkPrefix: string;
}

/** The containerDisk images the registry knows by default: KubeVirt's and the containerdisks project's. */
export const DEFAULT_KNOWN_IMAGES: readonly string[] = [
  "quay.io/kubevirt/*",
  "kubevirt/*",
  "docker.io/kubevirt/*",
  "quay.io/containerdisks/*",
  "registry:5000/kubevirt/*",
];

/** The default world: one 8-CPU, 32Gi node, the default images, guests with agents that honour ACPI. */
export function defaultWorldSettings(): WorldSettings {
  return {
    node: { name: "node01", cpu: 8, memory: "32Gi" },
    knownImages: DEFAULT_KNOWN_IMAGES,
    crashLoop: false,
    guestAgent: true,
    ignoreAcpi: false,
    podNetworkPrefix: "10.244.0",
  };
}

/** Parses a Kubernetes quantity ("512Mi", "1G", "500m", "2", "1e3") into a number of base units. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === "number") return q;
  if (typeof q !== "string") return undefined;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isFinite(n)) return undefined;
  const mult: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
  };
  return n * (m[2] ? mult[m[2]] : 1);
}

/** `v` when it is a JSON object, else an empty one. */
function obj(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

const requestsCache = new WeakMap<KubeObject, { cpu: number; memory: number }>();

/**
 * What the launcher pod requests: `domain.resources.requests` when given; otherwise memory from
 * `domain.memory.guest` and 100m CPU per vCPU (KubeVirt's default cpuAllocationRatio of 10).
 */
export function vmiRequests(vmi: KubeObject): { cpu: number; memory: number } {
  const cached = requestsCache.get(vmi);
  if (cached) return cached;
  const out = computeRequests(vmi);
  requestsCache.set(vmi, out);
  return out;
}

function computeRequests(vmi: KubeObject): { cpu: number; memory: number } {
  const domain = obj(obj(vmi.spec).domain);
  const requests = obj(obj(domain.resources).requests);
  const cpuSpec = obj(domain.cpu);
  const vcpus =
    (Number(cpuSpec.cores ?? 1) || 1) *
    (Number(cpuSpec.sockets ?? 1) || 1) *
    (Number(cpuSpec.threads ?? 1) || 1);
  const cpu = parseQuantity(requests.cpu) ?? vcpus * 0.1;
  const memory = parseQuantity(requests.memory) ?? parseQuantity(obj(domain.memory).guest) ?? 0;
  return { cpu, memory };
}

/**
 * Whether a VMI's launcher pod holds node resources: not final, and its pod bound (PodScheduled=True while
 * Scheduling) or the VMI on the node (Scheduled and later, when KubeVirt has dropped that condition).
 */
export function holdsNode(vmi: KubeObject): boolean {
  return !isFinal(vmi) && (conditionTrue(vmi, "PodScheduled") || !!vmi.status?.nodeName);
}

/**
 * The scheduler's verdict for `vmi` given the other VMIs: `undefined` when it fits, else the
 * kube-scheduler style message "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.".
 */
export function unschedulableMessage(
  vmi: KubeObject,
  others: KubeObject[],
  node: NodeCapacity,
): string | undefined {
  const want = vmiRequests(vmi);
  let cpu = 0;
  let memory = 0;
  for (const o of others) {
    if (o.metadata.uid === vmi.metadata.uid || !holdsNode(o)) continue;
    const r = vmiRequests(o);
    cpu += r.cpu;
    memory += r.memory;
  }
  const capCpu = parseQuantity(node.cpu) ?? 0;
  const capMem = parseQuantity(node.memory) ?? 0;
  const missing: string[] = [];
  if (cpu + want.cpu > capCpu + 1e-9) missing.push("1 Insufficient cpu");
  if (memory + want.memory > capMem) missing.push("1 Insufficient memory");
  if (missing.length === 0) return undefined;
  return `0/1 nodes are available: ${missing.join(", ")}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`;
}

/** containerDisk images of a VMI spec. */
export function containerDiskImages(vmi: KubeObject): string[] {
  const volumes = (obj(vmi.spec).volumes as unknown[] | undefined) ?? [];
  const out: string[] = [];
  for (const v of volumes) {
    const image = obj(obj(v).containerDisk).image;
    if (typeof image === "string") out.push(image);
  }
  return out;
}

/** The repository part of an image reference (tag and digest removed). */
export function imageRepository(ref: string): string {
  let r = ref.split("@")[0];
  const slash = r.lastIndexOf("/");
  const colon = r.lastIndexOf(":");
  if (colon > slash) r = r.slice(0, colon);
  return r;
}

/** Whether the registry knows `ref`: by exact reference, repository or `*`-ended prefix, or `"*"` for all. */
export function isKnownImage(ref: string, known: readonly string[] | "*"): boolean {
  if (known === "*") return true;
  const repo = imageRepository(ref);
  return known.some((k) => {
    if (k === "*") return true;
    if (k.endsWith("*")) return ref.startsWith(k.slice(0, -1));
    return k === ref || k === repo;
  });
}

/** The first containerDisk image the registry does not know, if any. */
export function unknownImage(
  vmi: KubeObject,
  known: readonly string[] | "*",
  forceFail: boolean,
): string | undefined {
  const images = containerDiskImages(vmi);
  if (forceFail) return images[0] ?? "unknown";
  return images.find((i) => !isKnownImage(i, known));
}

/** Whether a per-object switch is on: label or annotation `key: "true"` on the VMI, then on its VM. */
export function hasFault(key: string, ...objects: (KubeObject | undefined)[]): boolean {
  for (const o of objects) {
    if (!o) continue;
    const v = o.metadata.labels?.[key] ?? o.metadata.annotations?.[key];
    if (v !== undefined) return v === "true";
  }
  return false;
}

/** Validates a settings patch and merges it. */
export function mergeSettings(current: WorldSettings, patch: unknown): WorldSettings {
  const p = obj(patch);
  const next: WorldSettings = { ...current, node: { ...current.node } };
  if (p.node !== undefined) {
    const n = obj(p.node);
    if (n.name !== undefined) next.node.name = String(n.name);
    if (n.cpu !== undefined) {
      if (parseQuantity(n.cpu) === undefined)
        throw new Error(`node.cpu: invalid quantity ${JSON.stringify(n.cpu)}`);
      next.node.cpu = n.cpu as string | number;
    }
    if (n.memory !== undefined) {
      if (parseQuantity(n.memory) === undefined)
        throw new Error(`node.memory: invalid quantity ${JSON.stringify(n.memory)}`);
      next.node.memory = n.memory as string | number;
    }
  }
  if (p.knownImages !== undefined) {
    if (p.knownImages === "*") next.knownImages = "*";
    else if (Array.isArray(p.knownImages) && p.knownImages.every((s) => typeof s === "string")) {
      next.knownImages = [...(p.knownImages as string[])];
    } else throw new Error('knownImages must be "*" or an array of strings');
  }
  for (const k of ["crashLoop", "guestAgent", "ignoreAcpi"] as const) {
    if (p[k] !== undefined) {
      if (typeof p[k] !== "boolean") throw new Error(`${k} must be a boolean`);
      next[k] = p[k] as boolean;
    }
  }
  if (p.podNetworkPrefix !== undefined) next.podNetworkPrefix = String(p.podNetworkPrefix);
  const unknownKeys = Object.keys(p).filter(
    (k) => !["node", "knownImages", "crashLoop", "guestAgent", "ignoreAcpi", "podNetworkPrefix"].includes(k),
  );
  if (unknownKeys.length > 0) throw new Error(`unknown world settings: ${unknownKeys.join(", ")}`);
  return next;
}
