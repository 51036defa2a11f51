/**
 * Registering the simulator's KubeVirt with a real kube-apiserver, as virt-operator does on a cluster: the CRDs,
 * the `subresources.kubevirt.io/v1` APIService (its Service points at the simulator on loopback, its CA bundle
 * is the simulator's CA) and the VirtualMachine validating webhook. Objects are written with server-side apply,
 * so registering again (a restarted simulator) takes over the same objects.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { apiRequest } from "../../provider/kube/http";
import type { KubeObject } from "../store/types";
import { WEBHOOK_NAME } from "../kubevirt/admission";
import { conditionTrue } from "../kubevirt/api";
import { SUBRESOURCE_GROUP } from "../kubevirt/subresources";
import { VM_WEBHOOK_PATH } from "./virt-api";

/** The namespace KubeVirt's virt-api has on a cluster. */
export const VIRT_API_NAMESPACE = "kubevirt";
/** The name of virt-api's Service. */
export const VIRT_API_SERVICE = "virt-api";
const APISERVICE_NAME = `v1.${SUBRESOURCE_GROUP}`;
const APISERVICE_PATH = `/apis/apiregistration.k8s.io/v1/apiservices/${APISERVICE_NAME}`;
const WEBHOOK_CONFIG_NAME = "virt-api-validator";
const WEBHOOK_CONFIG_PATH = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${WEBHOOK_CONFIG_NAME}`;
const FIELD_MANAGER = "kubevirt-simulator";

/** Creates or takes over an object by server-side apply. */
async function apply(kc: KubeConfig, path: string, obj: unknown): Promise<void> {
  await apiRequest(kc, "PATCH", path, {
    body: obj,
    contentType: "application/apply-patch+yaml",
    query: { fieldManager: FIELD_MANAGER, force: "true" },
  });
}

/** Polls `check` every 100 ms until it returns true; throws `what` after `timeoutMs`. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = `: ${(err as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the object at `path` has condition `type` True. */
async function untilCondition(kc: KubeConfig, path: string, type: string, what: string): Promise<void> {
  await until(
    async () => conditionTrue((await apiRequest<KubeObject>(kc, "GET", path)).body, type),
    `${what} to be ${type}`,
  );
}

/** Installs (or updates) CustomResourceDefinitions and waits until each is Established. */
export async function installCrds(kc: KubeConfig, crds: readonly KubeObject[]): Promise<void> {
  const path = (crd: KubeObject) =>
    `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
  for (const crd of crds) await apply(kc, path(crd), crd);
  for (const crd of crds) await untilCondition(kc, path(crd), "Established", `CRD ${crd.metadata.name}`);
}

/**
 * virt-api's namespace and Service. An ExternalName Service: the aggregation layer dials `<externalName>:<port>`
 * and checks the certificate for `virt-api.kubevirt.svc`, as it would for virt-api's ClusterIP Service.
 */
async function applyVirtApiService(kc: KubeConfig, port: number): Promise<void> {
  await apply(kc, `/api/v1/namespaces/${VIRT_API_NAMESPACE}`, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: VIRT_API_NAMESPACE },
  });
  await apply(kc, `/api/v1/namespaces/${VIRT_API_NAMESPACE}/services/${VIRT_API_SERVICE}`, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: VIRT_API_SERVICE, namespace: VIRT_API_NAMESPACE },
    spec: { type: "ExternalName", externalName: "127.0.0.1", ports: [{ name: "https", port }] },
  });
}

/** The APIService that sends `subresources.kubevirt.io/v1` to virt-api's Service. */
async function applyApiService(kc: KubeConfig, port: number, caBundle: string): Promise<void> {
  await apply(kc, APISERVICE_PATH, {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name: APISERVICE_NAME },
    spec: {
      group: SUBRESOURCE_GROUP,
      version: "v1",
      groupPriorityMinimum: 1000,
      versionPriority: 15,
      caBundle,
      service: { namespace: VIRT_API_NAMESPACE, name: VIRT_API_SERVICE, port },
    },
  });
}

/** The VirtualMachine validating webhook, called at virt-api on loopback. */
async function applyWebhook(kc: KubeConfig, port: number, caBundle: string): Promise<void> {
  await apply(kc, WEBHOOK_CONFIG_PATH, {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: WEBHOOK_CONFIG_NAME },
    webhooks: [
      {
        name: WEBHOOK_NAME,
        clientConfig: { url: `https://127.0.0.1:${port}${VM_WEBHOOK_PATH}`, caBundle },
        rules: [
          {
            operations: ["CREATE", "UPDATE"],
            apiGroups: ["kubevirt.io"],
            apiVersions: ["v1", "v1alpha3"],
            resources: ["virtualmachines"],
          },
        ],
        failurePolicy: "Fail",
        sideEffects: "None",
        admissionReviewVersions: ["v1"],
        timeoutSeconds: 10,
      },
    ],
  });
}

/** Registers virt-api (at 127.0.0.1:`port`, serving a certificate signed by `caCert`) and waits until it is Available. */
export async function registerVirtApi(kc: KubeConfig, port: number, caCert: string): Promise<void> {
  const caBundle = Buffer.from(caCert).toString("base64");
  await applyVirtApiService(kc, port);
  await applyApiService(kc, port, caBundle);
  await applyWebhook(kc, port, caBundle);
  await untilCondition(kc, APISERVICE_PATH, "Available", `APIService ${APISERVICE_NAME}`);
}

/** Removes the APIService and the webhook, so that the cluster does not call a simulator that is gone. */
export async function unregisterVirtApi(kc: KubeConfig): Promise<void> {
  for (const path of [APISERVICE_PATH, WEBHOOK_CONFIG_PATH]) {
    await apiRequest(kc, "DELETE", path).catch(() => undefined);
  }
}
