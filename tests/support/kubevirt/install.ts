/**
 * Installing KubeVirt's control plane objects the way virt-operator would, from the objects KubeVirt's own
 * generators make (`kubevirt-install`, built by scripts/ensure-kubevirt.sh from
 * pkg/virt-operator/resource/generate): every CRD, KubeVirt's service accounts and RBAC, the aggregated
 * APIServices and the webhook configurations, the last two pointed at virt-api on loopback. Then the `KubeVirt`
 * object with the status virt-operator would give it (virt-api and virt-controller read their configuration
 * from it and ignore one without a phase). And CDI as its operator would leave it (`cdi-crds`): its CRDs, the
 * `CDI` and `CDIConfig` objects and the default StorageClass with its StorageProfile.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { request } from "../../../simulator/http/testing";
import { conditionTrue } from "../../../simulator/kubevirt/api";
import { defaultStorageClass } from "../../../simulator/kubevirt/storage";
import type { KubeObject } from "../../../simulator/store/types";

/** A Kubernetes object as JSON. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** The namespace KubeVirt is installed in. */
export const KUBEVIRT_NAMESPACE = "kubevirt";

/** The service accounts of KubeVirt's components (KubeVirt's own names, components/serviceaccountnames.go). */
export const SERVICE_ACCOUNTS = {
  api: "kubevirt-apiserver",
  controller: "kubevirt-controller",
  handler: "kubevirt-handler",
} as const;

const PLURALS: Record<string, string> = {
  CustomResourceDefinition: "customresourcedefinitions",
  ServiceAccount: "serviceaccounts",
  ClusterRole: "clusterroles",
  ClusterRoleBinding: "clusterrolebindings",
  Role: "roles",
  RoleBinding: "rolebindings",
  APIService: "apiservices",
  MutatingWebhookConfiguration: "mutatingwebhookconfigurations",
  ValidatingWebhookConfiguration: "validatingwebhookconfigurations",
  PriorityClass: "priorityclasses",
  Namespace: "namespaces",
  Service: "services",
  ConfigMap: "configmaps",
  KubeVirt: "kubevirts",
  StorageClass: "storageclasses",
  CDI: "cdis",
  CDIConfig: "cdiconfigs",
  StorageProfile: "storageprofiles",
};

/** The objects a generator among the tier's programs (`bin`) prints as a JSON List, e.g. `kubevirt-install`. */
export function generatedObjects(bin: string, program: string, ...args: string[]): Manifest[] {
  const out = execFileSync(join(bin, program), args, { encoding: "utf8", maxBuffer: 64 << 20 });
  return (JSON.parse(out) as { items: Manifest[] }).items;
}

/** The collection path of `obj` (its namespace's, when it has one). */
function collectionPath(obj: Manifest): string {
  const plural = PLURALS[obj.kind];
  if (!plural) throw new Error(`install: no path known for kind ${obj.kind}`);
  const prefix = obj.apiVersion.includes("/") ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  return obj.metadata.namespace
    ? `${prefix}/namespaces/${obj.metadata.namespace}/${plural}`
    : `${prefix}/${plural}`;
}

/** Creates `obj` (an existing one is left as it is) and returns what the API answered. */
export async function createObject(kc: KubeConfig, obj: Manifest): Promise<Manifest> {
  const res = await request<Manifest>(kc, "POST", collectionPath(obj), { body: obj });
  if (res.status === 409) return obj;
  if (res.status >= 300)
    throw new Error(`install: creating ${obj.kind} ${obj.metadata.name}: ${res.status} ${res.text}`);
  return res.json;
}

/** Polls `check` every 100 ms until it returns true; throws naming `what` after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
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

/** Whether the object at `path` has condition `type` True. */
async function hasCondition(kc: KubeConfig, path: string, type: string): Promise<boolean> {
  return conditionTrue((await request<KubeObject>(kc, "GET", path)).json, type);
}

/** Where virt-api listens, and the CA of its serving certificate. */
export interface VirtApiEndpoint {
  port: number;
  caCert: string;
}

/** KubeVirt's webhooks, called at virt-api on loopback instead of through its Service. */
function pointWebhooks(obj: Manifest, virtApi: VirtApiEndpoint): Manifest {
  const caBundle = Buffer.from(virtApi.caCert).toString("base64");
  const webhooks = (obj.webhooks as { clientConfig: { service?: { path?: string } } }[]).map((w) => ({
    ...w,
    clientConfig: {
      url: `https://127.0.0.1:${virtApi.port}${w.clientConfig.service?.path ?? "/"}`,
      caBundle,
    },
  }));
  return { ...obj, webhooks };
}

/** An APIService of virt-api, with the CA bundle and the port of the loopback virt-api. */
function pointApiService(obj: Manifest, virtApi: VirtApiEndpoint): Manifest {
  const spec = obj.spec as { service: Record<string, unknown> };
  return {
    ...obj,
    spec: {
      ...spec,
      caBundle: Buffer.from(virtApi.caCert).toString("base64"),
      service: { ...spec.service, port: virtApi.port },
    },
  };
}

/** KubeVirt's namespace, CRDs (Established), service accounts, RBAC and priority class. */
export async function installKubeVirtObjects(kc: KubeConfig, objects: readonly Manifest[]): Promise<void> {
  await createObject(kc, { apiVersion: "v1", kind: "Namespace", metadata: { name: KUBEVIRT_NAMESPACE } });
  const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
  for (const crd of crds) await createObject(kc, crd);
  const later = new Set(["APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]);
  for (const obj of objects) {
    if (obj.kind !== "CustomResourceDefinition" && !later.has(obj.kind)) await createObject(kc, obj);
  }
  await waitEstablished(kc, crds);
  await installKubeVirtResource(kc);
}

/** Waits until every CRD of `crds` is Established. */
async function waitEstablished(kc: KubeConfig, crds: readonly Manifest[]): Promise<void> {
  for (const crd of crds) {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
    await until(() => hasCondition(kc, path, "Established"), `CRD ${crd.metadata.name} to be Established`);
  }
}

/** The `KubeVirt` object, with the status virt-operator writes once it has deployed KubeVirt. */
async function installKubeVirtResource(kc: KubeConfig): Promise<void> {
  const kv = await createObject(kc, {
    apiVersion: "kubevirt.io/v1",
    kind: "KubeVirt",
    metadata: { name: "kubevirt", namespace: KUBEVIRT_NAMESPACE },
    spec: {
      certificateRotateStrategy: {},
      configuration: { developerConfiguration: {} },
      workloadUpdateStrategy: {},
    },
  });
  const path = `/apis/kubevirt.io/v1/namespaces/${KUBEVIRT_NAMESPACE}/kubevirts/kubevirt/status`;
  const status = {
    phase: "Deployed",
    // Without it, virt-api's mutator sets no architecture and every VMI is denied ("unsupported architecture").
    defaultArchitecture: "amd64",
    observedKubeVirtVersion: "v1.7.0",
    targetKubeVirtVersion: "v1.7.0",
    conditions: [
      {
        type: "Available",
        status: "True",
        reason: "AllComponentsReady",
        message: "All components are ready.",
      },
    ],
  };
  const res = await request(kc, "PUT", path, { body: { ...kv, status } });
  if (res.status >= 300) throw new Error(`install: KubeVirt status: ${res.status} ${res.text}`);
}

/**
 * CDI as its operator would leave it, before virt-controller starts (it looks for the DataVolume CRD once, at
 * start, and then watches DataVolumes, DataSources, StorageProfiles, CDIs and CDIConfigs): CDI's CRDs
 * (Established), the objects CDI's operator and controllers keep, and the tier's default StorageClass.
 */
export async function installCdi(kc: KubeConfig, crds: readonly Manifest[]): Promise<void> {
  for (const crd of crds) await createObject(kc, crd);
  await waitEstablished(kc, crds);
  for (const obj of cdiObjects()) await createObject(kc, obj);
}

/**
 * The `CDI` object (Deployed), the `CDIConfig` `config` with the status CDI's config controller writes (once a
 * CDI exists, virt-controller's VMI controller reads the filesystem overhead from it), the simulator's default
 * StorageClass (`standard`, immediate binding, no CSI driver) and the StorageProfile CDI makes for it, with the
 * claim properties of a hostpath provisioner (CDI takes the access and volume modes of a DataVolume's `storage`
 * from it when they are not given).
 */
function cdiObjects(): Manifest[] {
  const cdi = "cdi.kubevirt.io/v1beta1";
  const storageClass = defaultStorageClass() as Manifest;
  const condition = (type: string, status: string, message = "") => ({
    type,
    status,
    reason: "Completed",
    message,
  });
  return [
    {
      apiVersion: cdi,
      kind: "CDI",
      metadata: { name: "cdi" },
      spec: {},
      status: {
        phase: "Deployed",
        conditions: [
          condition("Available", "True", "Deployment Completed"),
          condition("Progressing", "False"),
          condition("Degraded", "False"),
        ],
        observedVersion: "v1.63.1",
        operatorVersion: "v1.63.1",
        targetVersion: "v1.63.1",
      },
    },
    {
      apiVersion: cdi,
      kind: "CDIConfig",
      metadata: { name: "config" },
      spec: {},
      status: {
        filesystemOverhead: { global: "0.06", storageClass: { [storageClass.metadata.name]: "0.06" } },
        scratchSpaceStorageClass: storageClass.metadata.name,
        defaultPodResourceRequirements: {
          limits: { cpu: "750m", memory: "600M" },
          requests: { cpu: "100m", memory: "60M" },
        },
      },
    },
    storageClass,
    {
      apiVersion: cdi,
      kind: "StorageProfile",
      metadata: { name: storageClass.metadata.name },
      spec: {},
      status: {
        storageClass: storageClass.metadata.name,
        provisioner: storageClass.provisioner,
        claimPropertySets: [{ accessModes: ["ReadWriteOnce"], volumeMode: "Filesystem" }],
        cloneStrategy: "copy",
        dataImportCronSourceFormat: "pvc",
      },
    },
  ];
}

/**
 * virt-api's Service (ExternalName → 127.0.0.1, so the aggregation layer dials loopback while it checks the
 * certificate for `virt-api.kubevirt.svc`), KubeVirt's APIServices and webhook configurations pointed at it;
 * waits until the APIServices are Available.
 */
export async function registerVirtApi(
  kc: KubeConfig,
  objects: readonly Manifest[],
  virtApi: VirtApiEndpoint,
): Promise<void> {
  await createObject(kc, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "virt-api", namespace: KUBEVIRT_NAMESPACE },
    spec: { type: "ExternalName", externalName: "127.0.0.1", ports: [{ name: "https", port: virtApi.port }] },
  });
  const apiServices = objects.filter((o) => o.kind === "APIService");
  for (const obj of apiServices) await createObject(kc, pointApiService(obj, virtApi));
  for (const obj of objects.filter((o) => o.kind.endsWith("WebhookConfiguration"))) {
    await createObject(kc, pointWebhooks(obj, virtApi));
  }
  for (const obj of apiServices) {
    const path = `/apis/apiregistration.k8s.io/v1/apiservices/${obj.metadata.name}`;
    await until(() => hasCondition(kc, path, "Available"), `APIService ${obj.metadata.name} to be Available`);
  }
}

/**
 * The `kubevirt-ca` ConfigMap as virt-operator keeps it (the bundle under `ca-bundle`): virt-api and virt-handler
 * check each other's certificates against it.
 */
export async function installKubeVirtCa(kc: KubeConfig, caCert: string): Promise<void> {
  await createObject(kc, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "kubevirt-ca", namespace: KUBEVIRT_NAMESPACE },
    data: { "ca-bundle": caCert },
  });
}

/** A token of a service account in KubeVirt's namespace (TokenRequest, valid a day). */
export async function serviceAccountToken(kc: KubeConfig, name: string): Promise<string> {
  const path = `/api/v1/namespaces/${KUBEVIRT_NAMESPACE}/serviceaccounts/${name}/token`;
  const res = await request<{ status: { token: string } }>(kc, "POST", path, {
    body: {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 86400 },
    },
  });
  if (res.status >= 300) throw new Error(`install: token of ${name}: ${res.status} ${res.text}`);
  return res.json.status.token;
}
