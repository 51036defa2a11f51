/**
 * Where the end-to-end suites run: one suite, three targets, chosen by PULUMI_KUBEVIRT_TARGET.
 *
 * - `simulator` (default): the in-memory KubeVirt API simulator (fast timings).
 * - `kubevirt`: a real etcd + kube-apiserver + kube-controller-manager on loopback (scripts/ensure-cluster.sh)
 *   with KubeVirt's own virt-api and virt-controller (kubevirt.io/kubevirt v1.7.0, scripts/ensure-kubevirt.sh),
 *   KubeVirt's install objects and a node stand-in for kubelet, scheduler and virt-handler (tests/support/kubevirt).
 * - `kubeconfig`: the cluster of KUBECONFIG as it is, e.g. a real KubeVirt cluster. Nothing is started; what
 *   the API received is not observable there, so request assertions are left out (see {@link Target.requests}).
 */
import { readFileSync } from "node:fs";
import { KubeConfig } from "@kubernetes/client-node";
import { startSimulator } from "../../simulator";
import type { KubeObject, SimulatorHandle } from "../../simulator";
import type { FaultInjector } from "../../simulator/http/faults";
import { ApiError } from "../../provider/kube/errors";
import { apiRequest } from "../../provider/kube/http";
import { startControlPlane, type AuditEvent, type ControlPlane } from "./control-plane";
import { startKubeVirt } from "./kubevirt/control-plane";
import type { NodeStandIn } from "./kubevirt/node";

/** One request the API received from the product (or an operator in a test), as far as a target can tell. */
export interface SeenRequest {
  /** The HTTP method (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`). */
  method: string;
  /** The URL path, without the query. */
  path: string;
  mutating: boolean;
  /** When the API received it, in ms since the epoch (the machine's clock on both targets). */
  time: number;
  /** The HTTP status of the answer; 0 while unknown (a watch still open, a dropped connection). */
  status: number;
}

/** A Kubernetes API with KubeVirt to run the product against. */
export interface Target {
  readonly name: "simulator" | "kubevirt" | "kubeconfig";
  /** The kubeconfig (contents) the product and the test's operator use. */
  kubeconfig: string;
  kubeconfigPath: string;
  /** A credential inside that kubeconfig that must never show up in plaintext state. */
  secret: string;
  /**
   * Requests received since `mark` (a value of `mark()`), excluding KubeVirt's own components; undefined when
   * the target cannot tell (a real cluster without access to its audit log).
   */
  requests(mark: number): SeenRequest[] | undefined;
  mark(): number;
  /** The objects of a KubeVirt resource in `default`, straight from the API. */
  list(resource: "virtualmachines" | "virtualmachineinstances"): Promise<KubeObject[]>;
  /** A VirtualMachine in `default`, straight from the API. */
  getVm(name: string): Promise<KubeObject | undefined>;
  /** The simulator's fault injection, on the `simulator` target. */
  faults?: FaultInjector;
  /** The control plane, on the `kubevirt` target. */
  controlPlane?: ControlPlane;
  /** The node stand-in (world events), on the `kubevirt` target. */
  node?: NodeStandIn;
  stop(): Promise<void>;
}

/** The target PULUMI_KUBEVIRT_TARGET names (default `simulator`). */
export function targetName(): Target["name"] {
  const name = process.env.PULUMI_KUBEVIRT_TARGET ?? "simulator";
  if (name !== "simulator" && name !== "kubevirt" && name !== "kubeconfig") {
    throw new Error(`PULUMI_KUBEVIRT_TARGET must be simulator, kubevirt or kubeconfig, got "${name}"`);
  }
  return name;
}

const MUTATING_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection"]);

/** The HTTP method of a Kubernetes verb (a non-resource request's verb is its method, in lower case). */
const VERB_METHODS: Record<string, string> = {
  create: "POST",
  update: "PUT",
  patch: "PATCH",
  delete: "DELETE",
  deletecollection: "DELETE",
  get: "GET",
  list: "GET",
  watch: "GET",
};

/** A simulator's request log, as {@link Target.mark} and {@link Target.requests} give it. */
export function simulatorRequests(sim: SimulatorHandle): Pick<Target, "mark" | "requests"> {
  return {
    mark: () => sim.requests.mark(),
    requests: (mark) =>
      sim.requests.list({ afterSeq: mark }).map((r) => ({
        method: r.method,
        path: r.path,
        mutating: r.mutating,
        time: Date.parse(r.time),
        status: r.status,
      })),
  };
}

/** One event of kube-apiserver's audit log as the request it records. */
function auditedRequest(e: AuditEvent): SeenRequest {
  return {
    method: VERB_METHODS[e.verb] ?? e.verb.toUpperCase(),
    path: e.requestURI.split("?")[0]!,
    mutating: MUTATING_VERBS.has(e.verb),
    time: Date.parse(e.requestReceivedTimestamp),
    status: e.responseStatus?.code ?? 0,
  };
}

function apiReader(kubeconfig: string): Pick<Target, "list" | "getVm"> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const base = "/apis/kubevirt.io/v1/namespaces/default";
  return {
    async list(resource) {
      return (await apiRequest<{ items: KubeObject[] }>(kc, "GET", `${base}/${resource}`)).body.items;
    },
    async getVm(name) {
      try {
        return (await apiRequest<KubeObject>(kc, "GET", `${base}/virtualmachines/${name}`)).body;
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }
    },
  };
}

async function simulatorTarget(): Promise<Target> {
  const sim = await startSimulator({ kubevirt: { timings: "fast" } });
  return {
    name: "simulator",
    kubeconfig: sim.kubeconfig,
    kubeconfigPath: sim.kubeconfigPath,
    secret: sim.token,
    faults: sim.faults,
    ...simulatorRequests(sim),
    ...apiReader(sim.kubeconfig),
    stop: () => sim.stop(),
  };
}

/**
 * KubeVirt's own control plane on a loopback cluster; what the product sent is read from kube-apiserver's audit
 * log (user `admin`: KubeVirt's components, the node stand-in and the controller manager have users of their own).
 */
async function kubevirtTarget(): Promise<Target> {
  const cp = await startControlPlane();
  try {
    const kubevirt = await startKubeVirt(cp);
    const seen = () => cp.auditEvents().filter((e) => e.user.username === "admin");
    return {
      name: "kubevirt",
      kubeconfig: cp.kubeconfig,
      kubeconfigPath: cp.kubeconfigPath,
      secret: cp.adminToken,
      controlPlane: cp,
      node: kubevirt.node,
      mark: () => seen().length,
      requests: (mark) => seen().slice(mark).map(auditedRequest),
      ...apiReader(cp.kubeconfig),
      async stop() {
        await kubevirt.stop();
        await cp.stop();
      },
    };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}

function kubeconfigTarget(): Target {
  const path = process.env.KUBECONFIG;
  if (!path) throw new Error("PULUMI_KUBEVIRT_TARGET=kubeconfig needs KUBECONFIG (a path)");
  const kubeconfig = readFileSync(path, "utf8");
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return {
    name: "kubeconfig",
    kubeconfig,
    kubeconfigPath: path,
    secret: kc.getCurrentUser()?.token ?? kc.getCurrentUser()?.keyData ?? "",
    mark: () => 0,
    requests: () => undefined,
    ...apiReader(kubeconfig),
    stop: async () => undefined,
  };
}

/** Starts (or, for `kubeconfig`, connects to) the target PULUMI_KUBEVIRT_TARGET names. */
export async function startTarget(): Promise<Target> {
  switch (targetName()) {
    case "simulator":
      return simulatorTarget();
    case "kubevirt":
      return kubevirtTarget();
    case "kubeconfig":
      return kubeconfigTarget();
  }
}
