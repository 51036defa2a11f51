/**
 * The simulator's virt-api for a real kube-apiserver: an HTTPS server that kube-apiserver's aggregation layer
 * proxies `subresources.kubevirt.io/v1` to (start, stop, restart, pause, unpause) and that serves KubeVirt's
 * VirtualMachine validating webhook. Like virt-api, a subresource call reads the VM and VMI fresh from the
 * apiserver and writes JSON patches with `test` operations back to it; the planning (order of checks, answers,
 * patches) is the in-memory simulator's own.
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiError } from "../../provider/kube/errors";
import { apiRequest } from "../../provider/kube/http";
import { KubeVirtApi } from "../../provider/kube/kubevirt-api";
import { readBody, writeError, writeJson } from "../http/respond";
import type { ServerCertificates } from "../http/tls";
import { StatusError, type KubeObject, type Store } from "../store/types";
import { joinCauses, validateVirtualMachineSpec, type AdmissionOptions } from "../kubevirt/admission";
import { RUNNING_DEPRECATION_WARNING } from "../kubevirt/admission";
import { VMI_KEY } from "../kubevirt/api";
import {
  executePlan,
  patchError,
  planPause,
  planUnpause,
  SUBRESOURCE_GROUP,
  VM_PLANNERS,
  type StepApplier,
  type VmAction,
} from "../kubevirt/subresources";
import type { Clock } from "../kubevirt/timings";

/** The webhook's path on this server. */
export const VM_WEBHOOK_PATH = "/virtualmachines-validate";

const VM_ACTIONS = Object.keys(VM_PLANNERS) as VmAction[];
const VMI_ACTIONS = ["pause", "unpause"] as const;

/** What the server needs. */
export interface VirtApiOptions {
  /** Credentials of KubeVirt's service account (reads and patches VMs and VMIs). */
  kc: KubeConfig;
  /** The controller's store (pause/unpause write VMI status through it). */
  store: Store;
  /** The controller's clock (pause times). */
  clock: Clock;
  /** The server certificate and key (and the CA that kube-apiserver is told to trust). */
  certificates: ServerCertificates;
  /** What the validating webhook accepts (feature gates). */
  admission?: AdmissionOptions;
  /** Where to log each action served. */
  log?: (message: string) => void;
}

/** A listening virt-api. */
export interface VirtApi {
  /** The port on 127.0.0.1. */
  port: number;
  /** Stops the server and drops its connections. */
  close(): Promise<void>;
}

const vmPath = (ns: string, name: string, resource = "virtualmachines") =>
  `/apis/kubevirt.io/v1/namespaces/${ns}/${resource}/${name}`;

/** Applies plan steps as JSON patches sent to kube-apiserver (the status subresource for `vmStatus`). */
function apiserverApplier(kc: KubeConfig, ns: string, name: string): StepApplier {
  return async (step, ops, dryRun) => {
    const base = step.target === "vmi" ? vmPath(ns, name, "virtualmachineinstances") : vmPath(ns, name);
    try {
      await apiRequest(kc, "PATCH", step.target === "vmStatus" ? `${base}/status` : base, {
        body: ops,
        contentType: "application/json-patch+json",
        query: dryRun ? { dryRun: "All" } : {},
      });
    } catch (err) {
      throw patchError(name, err instanceof ApiError ? new Error(err.message) : err);
    }
  };
}

function discovery(): unknown {
  const resources = [
    ...VM_ACTIONS.map((a) => ({ name: `virtualmachines/${a}`, kind: "VirtualMachine" })),
    ...VMI_ACTIONS.map((a) => ({ name: `virtualmachineinstances/${a}`, kind: "VirtualMachineInstance" })),
  ].map((r) => ({ ...r, singularName: "", namespaced: true, verbs: ["update"] }));
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: `${SUBRESOURCE_GROUP}/v1`, resources };
}

/** Answers an AdmissionReview for a VirtualMachine as virt-api's validating webhook does. */
function admitVirtualMachine(review: Record<string, unknown>, options: AdmissionOptions): unknown {
  const request = (review.request ?? {}) as { uid?: string; object?: KubeObject };
  const vm = request.object;
  let response: Record<string, unknown> = { uid: request.uid, allowed: true };
  if (vm && !vm.metadata?.deletionTimestamp) {
    const causes = validateVirtualMachineSpec(vm.spec, options);
    if (causes.length > 0) {
      response = {
        uid: request.uid,
        allowed: false,
        status: {
          code: 422,
          reason: "Invalid",
          message: joinCauses(causes),
          details: { causes },
        },
      };
    } else if (vm.spec?.running !== undefined && vm.spec?.running !== null) {
      response.warnings = [RUNNING_DEPRECATION_WARNING];
    }
  }
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response };
}

const NOT_FOUND = () => new StatusError(404, "NotFound", "the server could not find the requested resource");

/** A subresource request: `PUT /apis/subresources.kubevirt.io/v1/namespaces/NS/RESOURCE/NAME/ACTION`. */
interface SubresourceRequest {
  ns: string;
  resource: string;
  name: string;
  action: string;
  body: string;
  dryRun: string[];
}

/** Parses a subresource request; 404 for any other path or method. */
async function subresourceRequest(req: IncomingMessage, url: URL): Promise<SubresourceRequest> {
  const parts = url.pathname.split("/").filter(Boolean);
  const [apis, group, version, nsWord, ns, resource, name, action] = parts;
  if (
    req.method !== "PUT" ||
    parts.length !== 8 ||
    apis !== "apis" ||
    group !== SUBRESOURCE_GROUP ||
    version !== "v1" ||
    nsWord !== "namespaces"
  ) {
    throw NOT_FOUND();
  }
  return { ns, resource, name, action, body: await readBody(req), dryRun: url.searchParams.getAll("dryRun") };
}

/** Runs a subresource request: VM actions through kube-apiserver, VMI actions through the controller's store. */
async function serveSubresource(
  options: VirtApiOptions,
  api: KubeVirtApi,
  r: SubresourceRequest,
  res: ServerResponse,
): Promise<void> {
  if (r.resource === "virtualmachines" && (VM_ACTIONS as string[]).includes(r.action)) {
    const vm = (await api.getVm(r.ns, r.name)) as KubeObject | undefined;
    const vmi = (await api.getVmi(r.ns, r.name)) as KubeObject | undefined;
    const plan = VM_PLANNERS[r.action as VmAction](r.name, vm, vmi, r.body, r.dryRun);
    await executePlan(apiserverApplier(options.kc, r.ns, r.name), plan);
    options.log?.(`virt-api: ${r.action} ${r.ns}/${r.name}${plan.dryRun ? " (dry run)" : ""}`);
    res.writeHead(202).end();
    return;
  }
  if (r.resource === "virtualmachineinstances" && (VMI_ACTIONS as readonly string[]).includes(r.action)) {
    const vmi = options.store.get(VMI_KEY, r.ns, r.name);
    const next =
      r.action === "pause" ? planPause(r.name, vmi, options.clock.now()) : planUnpause(r.name, vmi);
    if (!r.dryRun.includes("All")) options.store.update(VMI_KEY, next, "status");
    res.writeHead(200).end();
    return;
  }
  throw NOT_FOUND();
}

/** Answers one request: health, discovery, the webhook, or a subresource. */
async function route(
  options: VirtApiOptions,
  api: KubeVirtApi,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "https://virt-api");
  if (req.method === "GET" && (url.pathname === "/healthz" || url.pathname === "/readyz")) {
    res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
  } else if (req.method === "GET" && url.pathname === `/apis/${SUBRESOURCE_GROUP}/v1`) {
    writeJson(res, 200, discovery());
  } else if (req.method === "POST" && url.pathname === VM_WEBHOOK_PATH) {
    const review = JSON.parse(await readBody(req)) as Record<string, unknown>;
    writeJson(res, 200, admitVirtualMachine(review, options.admission ?? {}));
  } else {
    await serveSubresource(options, api, await subresourceRequest(req, url), res);
  }
}

/** Starts virt-api on 127.0.0.1 (a free port). */
export async function startVirtApi(options: VirtApiOptions): Promise<VirtApi> {
  const api = new KubeVirtApi(options.kc);
  const server: Server = createServer(
    { cert: options.certificates.cert, key: options.certificates.key },
    (req, res) => {
      route(options, api, req, res).catch((err: unknown) => writeError(res, err));
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
