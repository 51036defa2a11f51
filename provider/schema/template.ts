/**
 * zod schemas for the resolved VM template (`spec.template`) and DataVolume templates.
 *
 * Permissive by design: only the fields typed in `sdk/template.ts` are checked; every object is a
 * `z.looseObject`, so any other KubeVirt field passes through unchanged and nothing is ever stripped.
 * Every schema accepts Pulumi's unknown sentinel (see `u`). The schemas' input types equal the SDK's
 * types, resolved (`sdk/args.typetest.ts` fails to compile when they drift apart).
 */
import { z } from "zod";
import type { Affinity, PersistentVolumeClaimSpec, Toleration } from "../../sdk/kubernetes-types";
import { canonicalQuantity } from "./quantity";
import type { Resolved } from "./resolved";
import { u } from "./zodUtil";

const str = () => u(z.string());
const bool = () => u(z.boolean());
const stringMap = () => u(z.record(z.string(), str()));
const obj = () => u(z.looseObject({}));
/**
 * A field the SDK types with a Kubernetes type (e.g. `Affinity`, from `sdk/kubernetes-types.ts`): checked
 * only to be an object and passed through unchanged (the API server validates it), but typed as that type.
 */
const kubernetesObject = <T>() => obj() as unknown as z.ZodType<Resolved<T>, Resolved<T>>;
const wholeNumber = (what: string, min: 0 | 1) =>
  u(
    z
      .number()
      .int({ error: `${what} must be a whole number` })
      .min(min, { error: min === 0 ? `${what} must not be negative` : `${what} must be at least 1` }),
  );
const count = (what: string) => wholeNumber(what, 1);
/**
 * Kubernetes quantity: a string like "1Gi", or a plain number, which becomes its canonical string (see
 * `canonicalQuantity`) so that it compares equal with the live object.
 */
const quantity = () => u(z.union([z.string(), z.number().transform(canonicalQuantity)]));

const diskBus = () => u(z.enum(["virtio", "sata", "scsi", "usb"]));
const diskTarget = () => u(z.looseObject({ bus: diskBus().optional(), readonly: bool().optional() }));

export const diskSchema = z.looseObject({
  name: str(),
  disk: diskTarget().optional(),
  cdrom: diskTarget().optional(),
  lun: diskTarget().optional(),
  bootOrder: count("bootOrder").optional(),
  serial: str().optional(),
});

export const interfaceSchema = z.looseObject({
  name: str(),
  masquerade: obj().optional(),
  bridge: obj().optional(),
  sriov: obj().optional(),
  binding: u(z.looseObject({ name: str() })).optional(),
  macAddress: str().optional(),
  model: str().optional(),
  bootOrder: count("bootOrder").optional(),
});

const secretRef = () => u(z.looseObject({ name: str() }));

export const volumeSchema = z.looseObject({
  name: str(),
  containerDisk: u(
    z.looseObject({
      image: str(),
      imagePullPolicy: u(z.enum(["Always", "IfNotPresent", "Never"])).optional(),
    }),
  ).optional(),
  cloudInitNoCloud: u(
    z.looseObject({
      userData: str().optional(),
      userDataBase64: str().optional(),
      secretRef: secretRef().optional(),
      networkData: str().optional(),
      networkDataBase64: str().optional(),
      networkDataSecretRef: secretRef().optional(),
    }),
  ).optional(),
  cloudInitConfigDrive: obj().optional(),
  dataVolume: u(z.looseObject({ name: str(), hotpluggable: bool().optional() })).optional(),
  persistentVolumeClaim: u(z.looseObject({ claimName: str(), readOnly: bool().optional() })).optional(),
  emptyDisk: u(z.looseObject({ capacity: quantity() })).optional(),
  secret: u(z.looseObject({ secretName: str() })).optional(),
  configMap: u(z.looseObject({ name: str() })).optional(),
});

export const networkSchema = z.looseObject({
  name: str(),
  pod: u(z.looseObject({ vmNetworkCIDR: str().optional() })).optional(),
  multus: u(z.looseObject({ networkName: str(), default: bool().optional() })).optional(),
});

const resourceList = () => u(z.record(z.string(), quantity()));

export const domainSchema = z.looseObject({
  cpu: u(
    z.looseObject({
      cores: count("cores").optional(),
      sockets: count("sockets").optional(),
      threads: count("threads").optional(),
      model: str().optional(),
    }),
  ).optional(),
  memory: u(z.looseObject({ guest: quantity().optional() })).optional(),
  resources: u(
    z.looseObject({ requests: resourceList().optional(), limits: resourceList().optional() }),
  ).optional(),
  firmware: u(
    z.looseObject({
      uuid: str().optional(),
      serial: str().optional(),
      bootloader: u(
        z.looseObject({
          bios: u(z.looseObject({ useSerial: bool().optional() })).optional(),
          efi: u(z.looseObject({ secureBoot: bool().optional(), persistent: bool().optional() })).optional(),
        }),
      ).optional(),
    }),
  ).optional(),
  machine: u(z.looseObject({ type: str().optional() })).optional(),
  devices: u(
    z.looseObject({
      disks: u(z.array(u(diskSchema))).optional(),
      interfaces: u(z.array(u(interfaceSchema))).optional(),
      autoattachPodInterface: bool().optional(),
      autoattachGraphicsDevice: bool().optional(),
      autoattachSerialConsole: bool().optional(),
      autoattachMemBalloon: bool().optional(),
      networkInterfaceMultiqueue: bool().optional(),
    }),
  ),
});

export const instanceSpecSchema = z.looseObject({
  domain: u(domainSchema),
  volumes: u(z.array(u(volumeSchema))).optional(),
  networks: u(z.array(u(networkSchema))).optional(),
  nodeSelector: stringMap().optional(),
  affinity: kubernetesObject<Affinity>().optional(),
  tolerations: u(z.array(kubernetesObject<Toleration>())).optional(),
  terminationGracePeriodSeconds: wholeNumber("terminationGracePeriodSeconds", 0).optional(),
  evictionStrategy: u(z.enum(["None", "LiveMigrate", "LiveMigrateIfPossible", "External"])).optional(),
  hostname: str().optional(),
  subdomain: str().optional(),
  priorityClassName: str().optional(),
});

/** The VM's instance template (`spec.template`). */
export const templateSchema = z.looseObject({
  metadata: u(
    z.looseObject({ labels: stringMap().optional(), annotations: stringMap().optional() }),
  ).optional(),
  spec: u(instanceSpecSchema),
});

/** A source that names an object to clone or restore: `name`, and a namespace (default: the VM's). */
const namedSource = () => u(z.looseObject({ name: str(), namespace: str().optional() }));
/** An empty object (`blank: {}`, `upload: {}`). */
const empty = () => u(z.object({}) as unknown as z.ZodType<Record<string, never>, Record<string, never>>);

/** Where a DataVolume's data comes from (CDI `DataVolumeSource`); "exactly one" is a rule (dataVolumeRules.ts). */
export const dataVolumeSourceSchema = z.looseObject({
  http: u(
    z.looseObject({ url: str(), secretRef: str().optional(), certConfigMap: str().optional() }),
  ).optional(),
  registry: u(
    z.looseObject({
      url: str().optional(),
      pullMethod: u(z.enum(["pod", "node"])).optional(),
      secretRef: str().optional(),
      certConfigMap: str().optional(),
    }),
  ).optional(),
  pvc: namedSource().optional(),
  snapshot: namedSource().optional(),
  blank: empty().optional(),
  upload: empty().optional(),
});

/** A DataVolume's storage (CDI `StorageSpec`). */
export const dataVolumeStorageSchema = z.looseObject({
  resources: u(
    z.looseObject({ requests: u(z.looseObject({ storage: quantity().optional() })).optional() }),
  ).optional(),
  storageClassName: str().optional(),
  accessModes: u(z.array(str())).optional(),
  volumeMode: u(z.enum(["Filesystem", "Block"])).optional(),
});

/** One DataVolume template (`spec.dataVolumeTemplates[]`). */
export const dataVolumeTemplateSchema = z.looseObject({
  metadata: u(
    z.looseObject({
      name: str(),
      labels: stringMap().optional(),
      annotations: stringMap().optional(),
    }),
  ),
  spec: u(
    z.looseObject({
      source: u(dataVolumeSourceSchema).optional(),
      sourceRef: u(z.looseObject({ kind: str(), name: str(), namespace: str().optional() })).optional(),
      storage: u(dataVolumeStorageSchema).optional(),
      pvc: kubernetesObject<PersistentVolumeClaimSpec>().optional(),
    }),
  ),
});

/** Resolved VM template, as the provider receives it. */
export type TemplateInputs = z.output<typeof templateSchema>;
/** Resolved DataVolume template, as the provider receives it. */
export type DataVolumeTemplateInputs = z.output<typeof dataVolumeTemplateSchema>;
