/**
 * The node stand-in of the kubevirt test tier: what kubelet, the scheduler and virt-handler would do on one node,
 * for KubeVirt's real virt-controller and virt-api (control-plane.ts).
 *
 * - Node: a Node with KubeVirt's labels, capacity (cpu, memory, pods, `devices.kubevirt.io/*`) and a fresh
 *   `kubevirt.io/heartbeat` annotation, as virt-handler keeps it.
 * - Scheduler: binds each virt-launcher pod that fits the node's capacity (`pods/binding`); one that does not
 *   gets `PodScheduled=False` (`Unschedulable`, "0/1 nodes are available: 1 Insufficient memory."), as
 *   kube-scheduler would write it.
 * - Kubelet: a bound pod becomes Running with every container Running and Ready (the VMI's Ready condition comes
 *   from the pod's); an image the registry does not know, or any image of a VMI or VM switched with
 *   `sim.kubevirt.io/image-pull-error=true`, stays Waiting (`ErrImagePull`, then `ImagePullBackOff`);
 *   a pod whose VMI is final becomes Succeeded; a terminating pod is removed once its VMI is final or gone
 *   (kubelet.ts has the statuses it writes).
 * - virt-handler (with the `kubevirt-handler` token: KubeVirt's VMI webhook reverts status writes by anyone
 *   else): a Scheduled VMI on this node becomes Running (interfaces with the pod's IP, machine type, migration
 *   method), then AgentConnected; a deleted VMI (or one whose pod terminates) becomes Succeeded after its guest
 *   shut down. Its pod (Running in KubeVirt's namespace, IP 127.0.0.1) is how virt-api finds its console server
 *   (handler.ts), which pauses and unpauses guests: a paused guest's VMI gets the condition `Paused=True`
 *   (`PausedByUser`), which goes once it runs again.
 *
 * World events (the {@link NodeStandIn} methods) play what the world does to a guest, as the simulator's
 * world does (simulator/kubevirt/runtime.ts). Stage delays are the simulator's `fast` timings (a VMI annotated
 * `vmi-agent-connected.stage.sim.kubevirt.io/delay` gets its agent that many ms after Running); a guest
 * labelled `sim.kubevirt.io/ignore-acpi=true` holds out its grace period (scaled as the simulator scales it), and
 * one labelled `sim.kubevirt.io/crash-loop=true` fails before it runs.
 */
import { makeInformer, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { request, type RequestOptions } from "../../../simulator/http/testing";
import type { KubeObject } from "../../../simulator/store/types";
import { exitedPodStatus, now, podRequests, pullErrorPodStatus, runningPodStatus, type Obj } from "./kubelet";
import { TIMING_PROFILES } from "../../../simulator/kubevirt/timings";
import { PAUSED_REASON } from "../../../simulator/kubevirt/subresources";
import { startConsoleServer, type ConsoleEndpoint, type ConsoleServer } from "./handler";
import { KUBEVIRT_NAMESPACE, SERVICE_ACCOUNTS } from "./install";
import {
  DEFAULT_KNOWN_IMAGES,
  Fault,
  hasFault,
  isKnownImage,
  parseQuantity,
  STAGE_DELAY_ANNOTATION_SUFFIX,
} from "../../../simulator/kubevirt/world";

/* eslint-disable @typescript-eslint/no-explicit-any -- pods and VMIs are read as untyped Kubernetes JSON */

/** Options of {@link startNodeStandIn}. */
export interface NodeStandInOptions {
  /** Kubelet's and the scheduler's credentials (nodes, pods, bindings). */
  kubelet: KubeConfig;
  /** virt-handler's service account (VMI status). */
  handler: KubeConfig;
  /** virt-handler's console server: its port (virt-api's `--console-server-port`) and the KubeVirt CA. */
  console: ConsoleEndpoint;
  /** The node's name (default `node01`). */
  name?: string;
  /** Allocatable CPU cores and memory (default 8 and 32Gi, as the simulator's node). */
  cpu?: number;
  memory?: string;
}

/** The node stand-in: world events and stop. */
export interface NodeStandIn {
  readonly name: string;
  /** The guest powers itself off: its running VMI → Succeeded. */
  guestShutdown(namespace: string, name: string): Promise<void>;
  /** The guest crashes: its VMI → Failed. */
  guestCrash(namespace: string, name: string): Promise<void>;
  /**
   * The launcher fails under the guest (the node or its container runtime): the pod → Failed. The stand-in's
   * virt-handler then fails the VMI (no domain any more), as KubeVirt's does; virt-controller only marks it not Ready.
   */
  infrastructureFailure(namespace: string, name: string): Promise<void>;
  /** Launcher pods of VMIs named here never become Ready (e.g. a failing readiness probe). */
  neverReady(namespace: string, name: string): void;
  stop(): Promise<void>;
}

const TIMINGS = TIMING_PROFILES.fast;
/** The node's address (its InternalIP) and, on loopback, virt-handler's pod IP, where its console server listens. */
const NODE_IP = "127.0.0.1";
const LAUNCHER_SELECTOR = "kubevirt.io=virt-launcher";
const MERGE = "application/merge-patch+json";
const FINAL = new Set(["Succeeded", "Failed"]);
/** The simulator's annotation that sets one object's Running → AgentConnected delay (ms). */
export const AGENT_DELAY_ANNOTATION = `vmi-agent-connected${STAGE_DELAY_ANNOTATION_SUFFIX}`;

const key = (o: KubernetesObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;

/** A list call for an informer, through the test client. */
function lister(kc: KubeConfig, path: string, selector?: string) {
  return async () => {
    const query = selector ? `?labelSelector=${encodeURIComponent(selector)}` : "";
    const res = await request<any>(kc, "GET", `${path}${query}`);
    if (res.status !== 200) throw new Error(`node stand-in: GET ${path}: ${res.status} ${res.text}`);
    return res.json;
  };
}

/** Starts the stand-in: creates its Node and begins to play kubelet, scheduler and virt-handler. */
export async function startNodeStandIn(options: NodeStandInOptions): Promise<NodeStandIn> {
  const node = new NodeWorld(options);
  await node.start();
  return node;
}

class NodeWorld implements NodeStandIn {
  readonly name: string;
  private readonly kubelet: KubeConfig;
  private readonly handler: KubeConfig;
  private readonly capacity: { cpu: number; memory: number };
  private readonly pods;
  private readonly vmis;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly held = new Set<string>();
  private readonly ips = new Map<string, string>();
  /** UIDs of the VMIs whose domain is paused. */
  private readonly pausedDomains = new Set<string>();
  private readonly consoleEndpoint: ConsoleEndpoint;
  private console?: ConsoleServer;
  private heartbeat?: NodeJS.Timeout;
  private stopped = false;

  constructor(options: NodeStandInOptions) {
    this.name = options.name ?? "node01";
    this.kubelet = options.kubelet;
    this.handler = options.handler;
    this.consoleEndpoint = options.console;
    this.capacity = { cpu: options.cpu ?? 8, memory: parseQuantity(options.memory ?? "32Gi")! };
    this.pods = makeInformer<Obj>(
      this.kubelet,
      "/api/v1/pods",
      lister(this.kubelet, "/api/v1/pods", LAUNCHER_SELECTOR),
      LAUNCHER_SELECTOR,
    );
    const vmiPath = "/apis/kubevirt.io/v1/virtualmachineinstances";
    this.vmis = makeInformer<Obj>(this.kubelet, vmiPath, lister(this.kubelet, vmiPath));
  }

  async start(): Promise<void> {
    await this.createNode();
    await this.createHandlerPod();
    for (const informer of [this.pods, this.vmis]) {
      for (const verb of ["add", "update", "delete"] as const) informer.on(verb, () => this.kick());
      informer.on("error", () => {
        if (!this.stopped) setTimeout(() => void informer.start().catch(() => undefined), 500);
      });
      await informer.start();
    }
    this.heartbeat = setInterval(() => void this.beat(), 15_000);
    this.console = await startConsoleServer({
      ...this.consoleEndpoint,
      host: NODE_IP,
      setPaused: (namespace, name, paused) => this.setPaused(namespace, name, paused),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    this.timers.forEach((t) => clearTimeout(t));
    await Promise.all([this.pods.stop(), this.vmis.stop(), this.console?.stop()]);
  }

  async guestShutdown(namespace: string, name: string): Promise<void> {
    await this.finish(namespace, name, "Succeeded");
  }

  async guestCrash(namespace: string, name: string): Promise<void> {
    await this.finish(namespace, name, "Failed");
  }

  async infrastructureFailure(namespace: string, name: string): Promise<void> {
    const vmi = this.vmis.get(name, namespace);
    const pod = vmi && this.podOf(vmi);
    if (!pod) throw new Error(`node stand-in: VMI ${namespace}/${name} has no launcher pod`);
    const path = `/api/v1/namespaces/${namespace}/pods/${pod.metadata?.name}/status`;
    await this.patch(this.kubelet, path, { status: exitedPodStatus(pod, "Failed") });
  }

  neverReady(namespace: string, name: string): void {
    this.held.add(`${namespace}/${name}`);
  }

  private async createNode(): Promise<void> {
    const res = await request(this.kubelet, "POST", "/api/v1/nodes", {
      body: {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: this.name,
          labels: {
            "kubernetes.io/hostname": this.name,
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/os": "linux",
            "kubevirt.io/schedulable": "true",
            "machine-type.node.kubevirt.io/q35": "true",
          },
          annotations: { "kubevirt.io/heartbeat": now() },
        },
      },
    });
    if (res.status >= 300)
      throw new Error(`node stand-in: creating node ${this.name}: ${res.status} ${res.text}`);
    const resources = {
      cpu: String(this.capacity.cpu),
      memory: String(this.capacity.memory),
      pods: "110",
      "devices.kubevirt.io/kvm": "1k",
      "devices.kubevirt.io/tun": "1k",
      "devices.kubevirt.io/vhost-net": "1k",
    };
    const t = now();
    await this.patch(this.kubelet, `/api/v1/nodes/${this.name}/status`, {
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "KubeletReady",
            lastHeartbeatTime: t,
            lastTransitionTime: t,
          },
        ],
        addresses: [{ type: "InternalIP", address: NODE_IP }],
      },
    });
  }

  /**
   * virt-handler's pod on this node, Running with the node's IP: virt-api looks it up (label
   * `kubevirt.io=virt-handler`, `spec.nodeName`, in KubeVirt's namespace) to reach its console server.
   */
  private async createHandlerPod(): Promise<void> {
    const pods = `/api/v1/namespaces/${KUBEVIRT_NAMESPACE}/pods`;
    const res = await request<Obj>(this.kubelet, "POST", pods, {
      body: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `virt-handler-${this.name}`, labels: { "kubevirt.io": "virt-handler" } },
        spec: {
          nodeName: this.name,
          serviceAccountName: SERVICE_ACCOUNTS.handler,
          automountServiceAccountToken: false,
          containers: [
            {
              name: "virt-handler",
              image: "quay.io/kubevirt/virt-handler:v1.7.0",
              // KubeVirt's own requests (Burstable, the QoS class runningPodStatus reports).
              resources: { requests: { cpu: "10m", memory: "325Mi" } },
            },
          ],
        },
      },
    });
    if (res.status >= 300)
      throw new Error(`node stand-in: creating virt-handler's pod: ${res.status} ${res.text}`);
    await this.patch(this.kubelet, `${pods}/${res.json.metadata?.name}/status`, {
      status: runningPodStatus(res.json, NODE_IP, true),
    });
  }

  /** The console server's pause or unpause: false when no VMI of that name runs here. */
  private setPaused(namespace: string, name: string, paused: boolean): boolean {
    const vmi = this.vmis.get(name, namespace);
    if (vmi?.status?.nodeName !== this.name) return false;
    if (paused) this.pausedDomains.add(vmi.metadata!.uid!);
    else this.pausedDomains.delete(vmi.metadata!.uid!);
    this.kick();
    return true;
  }

  private async beat(): Promise<void> {
    await this.patch(this.kubelet, `/api/v1/nodes/${this.name}`, {
      metadata: { annotations: { "kubevirt.io/heartbeat": now() } },
    }).catch(() => undefined);
  }

  /** A merge patch; false when the object changed meanwhile (409) or is gone (404): the next pass retries. */
  private patch(kc: KubeConfig, path: string, body: unknown): Promise<boolean> {
    return this.write(kc, "PATCH", path, { body, contentType: MERGE });
  }

  /** A write that a later pass may redo: false on 409 (changed meanwhile) or 404 (gone); other failures throw. */
  private async write(
    kc: KubeConfig,
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<boolean> {
    const res = await request(kc, method, path, options);
    if (res.status === 409 || res.status === 404) return false;
    if (res.status >= 300) throw new Error(`node stand-in: ${method} ${path}: ${res.status} ${res.text}`);
    return true;
  }

  /** Runs `step` once after `delayMs` for `id` (a pending step for the same id is kept). */
  private after(id: string, delayMs: number, step: () => Promise<unknown>): void {
    if (this.timers.has(id) || this.stopped) return;
    this.timers.set(
      id,
      setTimeout(() => {
        step().then(
          () => {
            this.timers.delete(id);
            this.kick();
          },
          (err: Error) => {
            // Reported once a step, retried after a pause (not in a tight loop).
            console.warn(`node stand-in: ${id}: ${err.message}`);
            setTimeout(() => {
              this.timers.delete(id);
              this.kick();
            }, 1_000);
          },
        );
      }, delayMs),
    );
  }

  private kickScheduled = false;
  /** Reconciles every pod and VMI soon (once, however many events arrive meanwhile). */
  private kick(): void {
    if (this.kickScheduled || this.stopped) return;
    this.kickScheduled = true;
    setImmediate(() => {
      this.kickScheduled = false;
      for (const pod of this.pods.list()) this.reconcilePod(pod);
      for (const vmi of this.vmis.list()) this.reconcileVmi(vmi);
    });
  }

  private vmiOf(pod: Obj): Obj | undefined {
    const owner = (pod.metadata?.ownerReferences ?? []).find((r) => r.kind === "VirtualMachineInstance");
    return owner && this.vmis.list(pod.metadata?.namespace).find((v) => v.metadata?.uid === owner.uid);
  }

  private podOf(vmi: Obj): Obj | undefined {
    return this.pods
      .list(vmi.metadata?.namespace)
      .find((p) => (p.metadata?.ownerReferences ?? []).some((r) => r.uid === vmi.metadata?.uid));
  }

  private reconcilePod(pod: Obj): void {
    const id = `pod:${pod.metadata?.uid}`;
    const path = `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`;
    const vmi = this.vmiOf(pod);
    if (pod.metadata?.deletionTimestamp) {
      if (!vmi || FINAL.has(vmi.status?.phase)) {
        this.after(`${id}:remove`, TIMINGS.podTeardownMs, () =>
          request(this.kubelet, "DELETE", path, { body: { gracePeriodSeconds: 0 } }),
        );
      }
      return;
    }
    if (!pod.spec?.nodeName) return this.schedule(pod, id, path);
    if (pod.spec.nodeName !== this.name || FINAL.has(pod.status?.phase)) return;
    if (vmi && FINAL.has(vmi.status?.phase)) {
      this.after(`${id}:exit`, TIMINGS.podTeardownMs, () =>
        this.patch(this.kubelet, `${path}/status`, { status: exitedPodStatus(pod) }),
      );
      return;
    }
    if (pod.status?.phase === "Running") return;
    const pulling = (pod.status?.containerStatuses ?? []).find(
      (c: any) => c.state?.waiting?.reason === "ErrImagePull",
    );
    if (pulling) {
      // Kubelet backs off after a failed pull: ErrImagePull → ImagePullBackOff.
      const status = pullErrorPodStatus(pod, pulling.image, "ImagePullBackOff");
      this.after(`${id}:backoff`, TIMINGS.imagePullBackOffMs, () =>
        this.patch(this.kubelet, `${path}/status`, { status }),
      );
      return;
    }
    if (
      (pod.status?.containerStatuses ?? []).some((c: any) => c.state?.waiting?.reason === "ImagePullBackOff")
    )
      return;
    const images = (pod.spec.containers ?? []).map((c: any) => c.image as string);
    const unknown = images.find((i: string) => !isKnownImage(i, DEFAULT_KNOWN_IMAGES));
    const ready = !(vmi && this.held.has(key(vmi)));
    this.after(`${id}:start`, TIMINGS.scheduledMs, async () => {
      // Switched: the first containerDisk's image (KubeVirt names those containers `volume<volume name>`).
      const disk = (pod.spec.containers ?? []).find((c: any) => String(c.name).startsWith("volume"));
      const unpullable =
        unknown ?? ((await this.pullErrorSwitched(vmi)) ? (disk?.image ?? images[0]) : undefined);
      return this.patch(this.kubelet, `${path}/status`, {
        status: unpullable
          ? pullErrorPodStatus(pod, unpullable)
          : runningPodStatus(pod, this.ipFor(pod), ready),
      });
    });
  }

  /**
   * Whether the simulator's image-pull switch (`sim.kubevirt.io/image-pull-error`) is on for the instance: on the
   * VMI (its template's metadata), else on its VM, as the simulator reads it.
   */
  private async pullErrorSwitched(vmi: Obj | undefined): Promise<boolean> {
    if (!vmi) return false;
    const owner = (vmi.metadata?.ownerReferences ?? []).find((r) => r.kind === "VirtualMachine");
    const vmPath = `/apis/kubevirt.io/v1/namespaces/${vmi.metadata?.namespace}/virtualmachines/${owner?.name}`;
    const vm = owner ? (await request<Obj>(this.kubelet, "GET", vmPath)).json : undefined;
    return hasFault(Fault.ImagePullError, vmi as KubeObject, vm?.metadata ? (vm as KubeObject) : undefined);
  }

  private ipFor(pod: Obj): string {
    const uid = pod.metadata!.uid!;
    if (!this.ips.has(uid)) this.ips.set(uid, `10.244.0.${(this.ips.size % 250) + 2}`);
    return this.ips.get(uid)!;
  }

  /** Binds the pod when it fits beside the pods already bound here, else marks it unschedulable. */
  private schedule(pod: Obj, id: string, path: string): void {
    const used = this.pods
      .list()
      .filter((p) => p.spec?.nodeName === this.name && !FINAL.has(p.status?.phase))
      .map(podRequests)
      .reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });
    const want = podRequests(pod);
    const short = [
      used.cpu + want.cpu > this.capacity.cpu ? "cpu" : undefined,
      used.memory + want.memory > this.capacity.memory ? "memory" : undefined,
    ].filter(Boolean);
    if (short.length === 0) {
      this.after(`${id}:bind`, TIMINGS.schedulingMs, () =>
        request(this.kubelet, "POST", `${path}/binding`, {
          body: {
            apiVersion: "v1",
            kind: "Binding",
            metadata: { name: pod.metadata?.name },
            target: { apiVersion: "v1", kind: "Node", name: this.name },
          },
        }),
      );
      return;
    }
    const message = `0/1 nodes are available: ${short.map((r) => `1 Insufficient ${r}`).join(", ")}.`;
    const current = (pod.status?.conditions ?? []).find((c: any) => c.type === "PodScheduled");
    if (current?.message === message) return;
    this.after(`${id}:unschedulable`, TIMINGS.schedulingMs, () =>
      this.patch(this.kubelet, `${path}/status`, {
        status: {
          phase: "Pending",
          conditions: [
            {
              type: "PodScheduled",
              status: "False",
              reason: "Unschedulable",
              message,
              lastTransitionTime: now(),
              lastProbeTime: null,
            },
          ],
        },
      }),
    );
  }

  private vmiPath(vmi: Obj): string {
    return `/apis/kubevirt.io/v1/namespaces/${vmi.metadata?.namespace}/virtualmachineinstances/${vmi.metadata?.name}`;
  }

  /**
   * Writes the VMI's status as virt-handler does: an update of the whole object with its token (KubeVirt's
   * handler role may update, not patch); the resourceVersion guards against a concurrent writer. False on a
   * conflict or when the VMI is gone: the next pass retries.
   */
  private writeVmi(vmi: Obj, status: any): Promise<boolean> {
    const body = {
      ...vmi,
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      status: { ...vmi.status, ...status },
    };
    return this.write(this.handler, "PUT", this.vmiPath(vmi), { body });
  }

  private reconcileVmi(vmi: Obj): void {
    if (vmi.status?.nodeName !== this.name || FINAL.has(vmi.status?.phase)) return;
    const id = `vmi:${vmi.metadata?.uid}`;
    const pod = this.podOf(vmi);
    if (vmi.metadata?.deletionTimestamp || !pod || pod.metadata?.deletionTimestamp) {
      // A guest that ignores ACPI (the simulator's label) holds out its whole grace period and is then killed.
      const grace = (vmi.spec?.terminationGracePeriodSeconds ?? 30) * 1000 * TIMINGS.secondsScale;
      const ignoresAcpi = vmi.metadata?.labels?.[Fault.IgnoreAcpi] === "true";
      const delay = ignoresAcpi ? grace : Math.min(TIMINGS.guestShutdownMs, grace);
      this.after(`${id}:shutdown`, delay, () => this.finishNow(vmi, ignoresAcpi ? "Failed" : "Succeeded"));
      return;
    }
    if (FINAL.has(pod.status?.phase)) {
      // The launcher died under the guest: virt-handler finds no domain and fails the VMI, without a reason
      // (calculateVmPhaseForStatusReason); virt-controller itself only marks it not Ready (PodTerminating).
      this.after(`${id}:domain-gone`, 0, () => this.finishNow(vmi, "Failed"));
      return;
    }
    if (vmi.status?.phase === "Scheduled") {
      // A guest labelled to crash-loop (the simulator's label) fails before it ever runs, as a domain that cannot
      // boot does; KubeVirt's controller then backs off (CrashLoopBackOff).
      if (vmi.metadata?.labels?.[Fault.CrashLoop] === "true") {
        this.after(`${id}:crash`, TIMINGS.crashMs, () => this.finishNow(vmi, "Failed"));
      } else {
        this.after(`${id}:run`, TIMINGS.runningMs, () => this.writeVmi(vmi, this.runningStatus(vmi, pod)));
      }
      return;
    }
    if (vmi.status?.phase === "Running") this.syncPaused(vmi, id);
    const agent = (vmi.status?.conditions ?? []).some((c: any) => c.type === "AgentConnected");
    if (vmi.status?.phase === "Running" && !agent) {
      // The simulator's per-object override of its agent stage (e.g. to keep a wait for AgentConnected open).
      const override = Number(vmi.metadata?.annotations?.[AGENT_DELAY_ANNOTATION] ?? NaN);
      const delay = Number.isFinite(override) ? Math.max(0, override) : TIMINGS.agentConnectMs;
      this.after(`${id}:agent`, delay, () => this.connectAgent(vmi));
    }
  }

  /**
   * The VMI's `Paused` condition follows its domain, as virt-handler's `updatePausedConditions` writes it: added
   * (reason `PausedByUser`) while the domain is paused, removed once it runs again.
   */
  private syncPaused(vmi: Obj, id: string): void {
    const conditions: any[] = vmi.status?.conditions ?? [];
    const shown = conditions.some((c) => c.type === "Paused");
    const paused = this.pausedDomains.has(vmi.metadata!.uid!);
    if (shown === paused) return;
    const t = now();
    const condition = {
      type: "Paused",
      status: "True",
      lastProbeTime: t,
      lastTransitionTime: t,
      reason: PAUSED_REASON,
      message: "VMI was paused by user",
    };
    const others = conditions.filter((c) => c.type !== "Paused");
    this.after(`${id}:paused`, 0, () =>
      this.writeVmi(vmi, { conditions: paused ? [...others, condition] : others }),
    );
  }

  private runningStatus(vmi: Obj, pod: Obj): any {
    const ip = pod.status?.podIP ?? this.ipFor(pod);
    return {
      phase: "Running",
      phaseTransitionTimestamps: [
        ...(vmi.status?.phaseTransitionTimestamps ?? []),
        { phase: "Running", phaseTransitionTimestamp: now() },
      ],
      machine: { type: "pc-q35-rhel9.6.0" },
      migrationMethod: "BlockMigration",
      interfaces: [
        {
          name: "default",
          interfaceName: "eth0",
          ipAddress: ip,
          ipAddresses: [ip],
          mac: "52:54:00:00:00:01",
          infoSource: "domain",
          queueCount: 1,
          linkState: "up",
          podInterfaceName: "eth0",
        },
      ],
      guestOSInfo: {},
    };
  }

  /** The guest agent reports in: AgentConnected, and the interface's IP from the agent. */
  private async connectAgent(vmi: Obj): Promise<void> {
    const fresh = this.vmis.get(vmi.metadata!.name!, vmi.metadata?.namespace) ?? vmi;
    if (fresh.status?.phase !== "Running") return;
    const t = now();
    await this.writeVmi(fresh, {
      conditions: [
        ...(fresh.status?.conditions ?? []).filter((c: any) => c.type !== "AgentConnected"),
        { type: "AgentConnected", status: "True", lastProbeTime: null, lastTransitionTime: t },
      ],
      interfaces: (fresh.status?.interfaces ?? []).map((i: any) => ({
        ...i,
        infoSource: "domain, guest-agent",
      })),
      guestOSInfo: { id: "cirros", name: "CirrOS", prettyName: "CirrOS", version: "0.6" },
    });
  }

  private async finish(namespace: string, name: string, phase: "Succeeded" | "Failed"): Promise<void> {
    const vmi = this.vmis.get(name, namespace);
    if (!vmi || !["Scheduled", "Running"].includes(vmi.status?.phase)) {
      throw new Error(`node stand-in: VMI ${namespace}/${name} is not Scheduled or Running`);
    }
    for (let i = 0; i < 10 && !(await this.finishNow(this.vmis.get(name, namespace) ?? vmi, phase)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The domain is gone: the VMI's final phase, its Ready condition False. */
  private finishNow(vmi: Obj, phase: "Succeeded" | "Failed"): Promise<boolean> {
    this.pausedDomains.delete(vmi.metadata!.uid!);
    return this.writeVmi(vmi, {
      phase,
      phaseTransitionTimestamps: [
        ...(vmi.status?.phaseTransitionTimestamps ?? []),
        { phase, phaseTransitionTimestamp: now() },
      ],
    });
  }
}
