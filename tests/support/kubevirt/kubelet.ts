/* eslint-disable @typescript-eslint/no-explicit-any -- pods are read and written as untyped Kubernetes JSON */
/**
 * What the node stand-in (node.ts) writes as kubelet: a launcher pod's status when it runs, when its image cannot
 * be pulled, and when its launcher has exited; and what a pod requests of the node.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { parseQuantity } from "../../../simulator/kubevirt/world";

/** A pod (or VMI) as untyped JSON. */
export type Obj = KubernetesObject & { spec?: any; status?: any };

/** Now, in RFC 3339 seconds as the API writes timestamps. */
export const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** Requests of a launcher pod's containers (cpu cores, memory bytes). */
export function podRequests(pod: Obj): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += parseQuantity(c.resources?.requests?.cpu) ?? 0;
    memory += parseQuantity(c.resources?.requests?.memory) ?? 0;
  }
  return { cpu, memory };
}

/** The pod's status as kubelet writes it for a started pod: Running, every container Running (Ready unless held). */
export function runningPodStatus(pod: Obj, ip: string, ready: boolean): any {
  const t = now();
  const cond = (type: string, status = "True") => ({
    type,
    status,
    lastTransitionTime: t,
    lastProbeTime: null,
  });
  const containerStatus = (c: any, init: boolean) => ({
    name: c.name,
    image: c.image,
    imageID: c.image,
    // A failing readiness probe is the compute container's (that is where KubeVirt puts it).
    ready: init || ready || c.name !== "compute",
    started: !init,
    restartCount: 0,
    state: init
      ? { terminated: { exitCode: 0, reason: "Completed", startedAt: t, finishedAt: t } }
      : { running: { startedAt: t } },
  });
  return {
    phase: "Running",
    hostIP: "127.0.0.1",
    podIP: ip,
    podIPs: [{ ip }],
    startTime: t,
    qosClass: "Burstable",
    conditions: [
      cond("PodScheduled"),
      cond("Initialized"),
      cond("ContainersReady", ready ? "True" : "False"),
      cond("Ready", ready ? "True" : "False"),
    ],
    initContainerStatuses: (pod.spec?.initContainers ?? []).map((c: any) => containerStatus(c, true)),
    containerStatuses: (pod.spec?.containers ?? []).map((c: any) => containerStatus(c, false)),
  };
}

/** A pod whose image cannot be pulled: Pending, the container Waiting with kubelet's ErrImagePull (or its back-off). */
export function pullErrorPodStatus(
  pod: Obj,
  image: string,
  reason: "ErrImagePull" | "ImagePullBackOff" = "ErrImagePull",
): any {
  const message =
    reason === "ErrImagePull"
      ? `failed to pull and unpack image "${image}": not found`
      : `Back-off pulling image "${image}"`;
  return {
    phase: "Pending",
    conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: now(), lastProbeTime: null }],
    containerStatuses: (pod.spec?.containers ?? []).map((c: any) => ({
      name: c.name,
      image: c.image,
      imageID: "",
      ready: false,
      started: false,
      restartCount: 0,
      state:
        c.image === image ? { waiting: { reason, message } } : { waiting: { reason: "PodInitializing" } },
    })),
  };
}

/** A pod whose launcher exited: after its VMI ended (Succeeded), or under it (Failed, exit code 137). */
export function exitedPodStatus(pod: Obj, phase: "Succeeded" | "Failed" = "Succeeded"): any {
  const t = now();
  const [exitCode, reason] = phase === "Succeeded" ? [0, "Completed"] : [137, "Error"];
  return {
    phase,
    conditions: [
      { type: "Ready", status: "False", reason: "PodCompleted", lastTransitionTime: t, lastProbeTime: null },
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c: any) => ({
      name: c.name,
      image: c.image,
      imageID: c.image,
      ready: false,
      started: false,
      restartCount: 0,
      state: { terminated: { exitCode, reason, startedAt: t, finishedAt: t } },
    })),
  };
}
