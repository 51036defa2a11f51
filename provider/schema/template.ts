/**
 * zod schemas for the resolved VM template (`spec.template`) and DataVolume templates.
 *
 * Permissive by design: only the fields typed in `sdk/template.ts` are checked; every object is a
 * `z.looseObject`, so any other KubeVirt field passes through unchanged and nothing is ever stripped.
 * Every schema accepts Pulumi's unknown sentinel (see `u`).
 */
import { z } from "zod";
import { u } from "./zodUtil";

const str = () => u(z.string());
const bool = () => u(z.boolean());
const stringMap = () => u(z.record(z.string(), str()));
const obj = () => u(z.looseObject({}));
const count = (what: string) =>
  u(
    z
      .number()
      .int({ error: `${what} must be a whole number` })
      .min(1, { error: `${what} must be at least 1` }),
  );
const nonNegativeInt = (what: string) =>
  u(
    z
      .number()
      .int({ error: `${what} must be a whole number` })
      .min(0, { error: `${what} must not be negative` }),
  );
/** Kubernetes quantity: a string like "1Gi" or a plain number. */
const quantity = () => u(z.union([z.string(), z.number()]));

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
  affinity: obj().optional(),
  tolerations: u(z.array(obj())).optional(),
  terminationGracePeriodSeconds: nonNegativeInt("terminationGracePeriodSeconds").optional(),
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
      source: obj().optional(),
      sourceRef: u(z.looseObject({ kind: str(), name: str(), namespace: str().optional() })).optional(),
      storage: obj().optional(),
      pvc: obj().optional(),
    }),
  ),
});

/** Resolved VM template, as the provider receives it. */
export type TemplateInputs = z.output<typeof templateSchema>;
/** Resolved DataVolume template, as the provider receives it. */
export type DataVolumeTemplateInputs = z.output<typeof dataVolumeTemplateSchema>;
