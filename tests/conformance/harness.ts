/* eslint-disable @typescript-eslint/no-explicit-any -- the suite reads deep fields of untyped Kubernetes JSON */
/**
 * Conformance harness: one simulator (fast timings) per test file, driven only over HTTP with
 * @kubernetes/client-node. Subresources and the control API have no typed client call, so they go through the
 * shared test client (simulator/http/testing.ts) with the kubeconfig's CA and token.
 */
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from "../../simulator";
import { request, type HttpResponse } from "../../simulator/http/testing";

export const NS = "default";
export const VM_PATH = `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachines`;
export const VMI_PATH = `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances`;

export type Obj = KubernetesObject & { spec?: Record<string, any>; status?: Record<string, any> };

/** A Kubernetes API with KubeVirt to drive: the simulator, or (tests/differential) a cluster with KubeVirt's own. */
export interface Api {
  kc: KubeConfig;
  api: KubernetesObjectApi;
}

/** A client of the kubeconfig (contents) `kubeconfig`. */
export function apiOf(kubeconfig: string): Api {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return { kc, api: KubernetesObjectApi.makeApiClient(kc) };
}

export interface Sim extends Api {
  handle: SimulatorHandle;
  stop(): Promise<void>;
}

/** An answer of the HTTP calls below, its JSON body read freely. */
export type Raw = HttpResponse<any>;

/** Starts a simulator with fast timings and a big node (so that parallel scenarios never run out of room). */
export async function startSim(options: SimulatorOptions = {}): Promise<Sim> {
  const handle = await startSimulator({
    ...options,
    kubevirt: {
      timings: "fast",
      seed: 11,
      world: { node: { cpu: 512, memory: "1Ti" } },
      ...(options.kubevirt || {}),
    },
  });
  return { handle, ...apiOf(handle.kubeconfig), stop: () => handle.stop() };
}

/**
 * The simulator of a test file: started (see {@link startSim}) before its first test and stopped after its
 * last. The returned object is filled in when the simulator has started.
 */
export function simPerFile(options: SimulatorOptions = {}): Sim {
  const sim = {} as Sim;
  beforeAll(async () => {
    Object.assign(sim, await startSim(options));
  });
  afterAll(async () => {
    await sim.stop?.(); // absent when the start failed: let its error be the one reported
  });
  return sim;
}

let counter = 0;
/** A name not used before in this test file: `PREFIX-N`. */
export const uniqueName = (prefix: string) => `${prefix}-${++counter}`;

/** A KubeConfig for the same server with another user's token. */
export function kubeconfigFor(sim: Sim, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(sim.handle.kubeconfig);
  const user = kc.getCurrentUser()!;
  (user as { token?: string }).token = token;
  return kc;
}

/** A request with the kubeconfig's TLS and auth; `body` is JSON, or a string sent as is. */
export function raw(kc: KubeConfig, method: string, path: string, body?: unknown): Promise<Raw> {
  return request(kc, method, path, { body });
}

/** `PUT /apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/NAME/ACTION` */
export function vmAction(
  sim: Api,
  name: string,
  action: "start" | "stop" | "restart",
  body?: unknown,
  query = "",
  version = "v1",
): Promise<Raw> {
  return raw(
    sim.kc,
    "PUT",
    `/apis/subresources.kubevirt.io/${version}/namespaces/${NS}/virtualmachines/${name}/${action}${query}`,
    body,
  );
}
/** `PUT .../virtualmachineinstances/NAME/pause|unpause` */
export function vmiAction(sim: Api, name: string, action: "pause" | "unpause", body?: unknown): Promise<Raw> {
  return raw(
    sim.kc,
    "PUT",
    `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/${name}/${action}`,
    body,
  );
}
/** `POST /_simulator/NAME` */
export async function control(sim: Sim, name: string, body: unknown = {}): Promise<Raw> {
  return raw(sim.kc, "POST", `/_simulator/${name}`, body);
}

export interface VmOptions {
  runStrategy?: string;
  running?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  memory?: string;
  image?: string;
  tgps?: number;
  startStrategy?: string;
}

/** A VirtualMachine manifest with a small containerDisk template. */
export function vmManifest(name: string, o: VmOptions): Obj {
  const spec: Record<string, unknown> = {};
  if (o.runStrategy !== undefined) spec.runStrategy = o.runStrategy;
  if (o.running !== undefined) spec.running = o.running;
  spec.template = {
    metadata: { labels: { "kubevirt.io/vm": name, ...(o.labels ?? {}) }, annotations: o.annotations },
    spec: {
      domain: {
        devices: { disks: [{ name: "root", disk: { bus: "virtio" } }] },
        memory: { guest: o.memory ?? "128Mi" },
      },
      terminationGracePeriodSeconds: o.tgps ?? 30,
      ...(o.startStrategy ? { startStrategy: o.startStrategy } : {}),
      volumes: [{ name: "root", containerDisk: { image: o.image ?? "quay.io/containerdisks/fedora:40" } }],
    },
  };
  return { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name, namespace: NS }, spec };
}

export async function createVM(sim: Api, name: string, o: VmOptions): Promise<Obj> {
  return (await sim.api.create(vmManifest(name, o))) as Obj;
}

function isNotFound(e: unknown): boolean {
  return (e as { code?: number }).code === 404;
}

export async function getVM(sim: Api, name: string): Promise<Obj> {
  return (await sim.api.read({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace: NS },
  })) as Obj;
}
export async function getVMI(sim: Api, name: string): Promise<Obj | undefined> {
  try {
    return (await sim.api.read({
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: { name, namespace: NS },
    })) as Obj;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
export async function vmExists(sim: Api, name: string): Promise<boolean> {
  try {
    await getVM(sim, name);
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Merge-patches a VM (custom resources do not take strategic merge patch). */
export async function patchVM(sim: Api, name: string, patch: Record<string, unknown>): Promise<Obj> {
  return (await sim.api.patch(
    {
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      ...patch,
      metadata: { ...((patch.metadata as object) ?? {}), name, namespace: NS },
    },
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  )) as Obj;
}

export async function deleteVMI(sim: Api, name: string): Promise<void> {
  await sim.api.delete({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { name, namespace: NS },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 10 ms until it returns a value other than undefined/false; fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await sleep(10);
  }
}

/** Waits for the VM's printableStatus (and returns the VM). */
export function waitForPrintable(sim: Api, name: string, status: string, timeoutMs = 15_000): Promise<Obj> {
  return waitFor(
    `${name} printableStatus ${status}`,
    async () => {
      const vm = await getVM(sim, name);
      return vm.status?.printableStatus === status ? vm : undefined;
    },
    timeoutMs,
  );
}

/** Waits until the VM is Running, ready and has no pending state change requests; returns the VMI. */
export async function waitRunning(sim: Api, name: string): Promise<Obj> {
  await waitFor(`${name} running`, async () => {
    const vm = await getVM(sim, name);
    return (
      vm.status?.printableStatus === "Running" && vm.status.ready === true && !vm.status.stateChangeRequests
    );
  });
  return (await getVMI(sim, name))!;
}

/** Waits until the VM has no VMI and shows `Stopped` with no pending requests. */
export async function waitStopped(sim: Api, name: string): Promise<Obj> {
  return waitFor(`${name} stopped`, async () => {
    const vm = await getVM(sim, name);
    const vmi = await getVMI(sim, name);
    return !vmi && vm.status?.printableStatus === "Stopped" && !vm.status.stateChangeRequests
      ? vm
      : undefined;
  });
}

/** Waits for the VMI phase. */
export function waitVMIPhase(sim: Api, name: string, phase: string): Promise<Obj> {
  return waitFor(`${name} VMI phase ${phase}`, async () => {
    const vmi = await getVMI(sim, name);
    return vmi?.status?.phase === phase ? vmi : undefined;
  });
}

/** The `Operation cannot be fulfilled ...` 409 text for a VM. */
export function conflictMessage(name: string, msg: string): string {
  return `Operation cannot be fulfilled on virtualmachine.kubevirt.io "${name}": ${msg}`;
}

/** Collects watch events on a path until `stop()`. */
export async function watchEvents(
  sim: Api,
  path: string,
  query: Record<string, string | number | boolean | undefined> = {},
) {
  const events: { type: string; object: Obj }[] = [];
  let done: unknown = null;
  let finished = false;
  const ctrl = await new Watch(sim.kc).watch(
    path,
    query,
    (type, object) => events.push({ type, object: object as Obj }),
    (err) => {
      finished = true;
      done = err;
    },
  );
  return {
    events,
    get finished() {
      return finished;
    },
    get error() {
      return done;
    },
    stop: () => ctrl.abort(),
  };
}

/** Error code and Status body of a client-node ApiException. */
export function apiError(e: unknown): { code: number; body: any } {
  const err = e as { code?: number; body?: unknown };
  let body = err.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      // keep text
    }
  }
  return { code: err.code ?? 0, body };
}

/** Runs `f`, expecting an ApiException; returns its code and body. */
export async function expectApiError(f: () => Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await f();
  } catch (e) {
    return apiError(e);
  }
  throw new Error("expected the API call to fail");
}
