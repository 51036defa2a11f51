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
import { SUBRESOURCE_GROUP, VM_WEBHOOK_PATH } from "./virt-api";

/** The namespace and Service name KubeVirt's virt-api has on a cluster. */
export const VIRT_API_NAMESPACE = "kubevirt";
export const VIRT_API_SERVICE = "virt-api";
const APISERVICE_NAME = `v1.${SUBRESOURCE_GROUP}`;
const WEBHOOK_CONFIG_NAME = "virt-api-validator";
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

function conditionTrue(obj: KubeObject, type: string): boolean {
  const conditions = (obj.status?.conditions ?? []) as { type: string; status: string }[];
  return conditions.some((c) => c.type === type && c.status === "True");
}

/** Installs (or updates) CustomResourceDefinitions and waits until each is Established. */
export async function installCrds(kc: KubeConfig, crds: readonly KubeObject[]): Promise<void> {
  for (const crd of crds) {
    await apply(kc, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, crd);
  }
  for (const crd of crds) {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
    await until(
      async () => conditionTrue((await apiRequest<KubeObject>(kc, "GET", path)).body, "Established"),
      `CRD ${crd.metadata.name} to be Established`,
    );
  }
}

/** Registers virt-api (at 127.0.0.1:`port`, serving a certificate signed by `caCert`) and waits until it is Available. */
export async function registerVirtApi(kc: KubeConfig, port: number, caCert: string): Promise<void> {
  const caBundle = Buffer.from(caCert).toString("base64");
  await apply(kc, `/api/v1/namespaces/${VIRT_API_NAMESPACE}`, {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: VIRT_API_NAMESPACE },
  });
  // An ExternalName Service: the aggregation layer dials `<externalName>:<port>` and checks the certificate
  // for `virt-api.kubevirt.svc`, as it would for virt-api's ClusterIP Service.
  await apply(kc, `/api/v1/namespaces/${VIRT_API_NAMESPACE}/services/${VIRT_API_SERVICE}`, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: VIRT_API_SERVICE, namespace: VIRT_API_NAMESPACE },
    spec: { type: "ExternalName", externalName: "127.0.0.1", ports: [{ name: "https", port }] },
  });
  await apply(kc, `/apis/apiregistration.k8s.io/v1/apiservices/${APISERVICE_NAME}`, {
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
  await apply(
    kc,
    `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${WEBHOOK_CONFIG_NAME}`,
    {
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
    },
  );
  await until(
    async () =>
      conditionTrue(
        (
          await apiRequest<KubeObject>(
            kc,
            "GET",
            `/apis/apiregistration.k8s.io/v1/apiservices/${APISERVICE_NAME}`,
          )
        ).body,
        "Available",
      ),
    `APIService ${APISERVICE_NAME} to be Available`,
  );
}

/** Removes the APIService and the webhook, so that the cluster does not call a simulator that is gone. */
export async function unregisterVirtApi(kc: KubeConfig): Promise<void> {
  for (const path of [
    `/apis/apiregistration.k8s.io/v1/apiservices/${APISERVICE_NAME}`,
    `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${WEBHOOK_CONFIG_NAME}`,
  ]) {
    await apiRequest(kc, "DELETE", path).catch(() => undefined);
  }
}
