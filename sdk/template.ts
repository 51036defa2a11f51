/**
 * Typed inputs for the VirtualMachine's instance template (`spec.template`) and its DataVolume templates
 * (`spec.dataVolumeTemplates`), as people commonly write them.
 *
 * Field names are KubeVirt's JSON names, so YAML from the KubeVirt docs translates one to one.
 *
 * **Other KubeVirt fields pass through.** Every object type here has an index signature
 * (`[field: string]: unknown`): any field not listed (e.g. `spec.domain.devices.tpm`, `spec.readinessProbe`,
 * `spec.accessCredentials`) can be written in place and is sent to KubeVirt unchanged. TypeScript does not
 * check those fields, so spell them as in the API reference: KubeVirt's API server silently drops fields
 * it does not know. The provider validates only the fields typed here and never removes anything.
 *
 * @see https://kubevirt.io/api-reference/main/definitions.html#_v1_virtualmachineinstancetemplatespec
 * @module
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Affinity, PersistentVolumeClaimSpec, Toleration } from "./kubernetes-types";

/** Labels and annotations copied onto the instance (and its virt-launcher pod). */
export interface TemplateMetadata {
  /** Labels of the instance, e.g. `kubevirt.io/vm: my-vm` for Services to select it. Changing them restarts nothing but may need a restart to reach the running instance. */
  labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Annotations of the instance. */
  annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Any other metadata field, passed through unchanged. */
  [field: string]: unknown;
}

/** The VirtualMachine's instance template: `spec.template`. Changes to it reach a running VM only through a restart (see `restartPolicy`). */
export interface VirtualMachineTemplate {
  /** Labels and annotations of the instance. */
  metadata?: pulumi.Input<TemplateMetadata>;
  /** The instance spec. Required. */
  spec: pulumi.Input<VirtualMachineInstanceSpec>;
  /** Any other field, passed through unchanged. */
  [field: string]: unknown;
}

/**
 * The instance spec (`spec.template.spec`).
 *
 * @see https://kubevirt.io/api-reference/main/definitions.html#_v1_virtualmachineinstancespec
 */
export interface VirtualMachineInstanceSpec {
  /** The virtual hardware: CPU, memory, firmware, devices. Required. */
  domain: pulumi.Input<DomainSpec>;
  /**
   * Volumes backing the disks and file systems. Each disk in `domain.devices.disks` needs a volume of the
   * same name (KubeVirt rejects the VM otherwise).
   *
   * @see https://kubevirt.io/user-guide/storage/disks_and_volumes/
   */
  volumes?: pulumi.Input<pulumi.Input<Volume>[]>;
  /**
   * Networks the interfaces connect to. Each interface in `domain.devices.interfaces` needs a network of
   * the same name. Default (neither set): one pod network with a masquerade interface.
   *
   * @see https://kubevirt.io/user-guide/network/interfaces_and_networks/
   */
  networks?: pulumi.Input<pulumi.Input<Network>[]>;
  /** Node labels the instance's node must carry. */
  nodeSelector?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Pod affinity and anti-affinity of the virt-launcher pod (Kubernetes `Affinity`). */
  affinity?: pulumi.Input<Affinity>;
  /** Tolerations of the virt-launcher pod (Kubernetes `Toleration`). */
  tolerations?: pulumi.Input<pulumi.Input<Toleration>[]>;
  /**
   * Seconds the guest gets to shut down after a stop before it is killed. KubeVirt's default is 30
   * (180 for Windows-like guests is common). `0` kills the instance at once.
   */
  terminationGracePeriodSeconds?: pulumi.Input<number>;
  /**
   * What happens to the instance when its node is drained: `None`, `LiveMigrate`, `LiveMigrateIfPossible`
   * or `External`. Default: the cluster-wide setting.
   *
   * @see https://kubevirt.io/user-guide/cluster_admin/node_maintenance/
   */
  evictionStrategy?: pulumi.Input<"None" | "LiveMigrate" | "LiveMigrateIfPossible" | "External">;
  /** Guest hostname. Default: the VM name. */
  hostname?: pulumi.Input<string>;
  /** DNS subdomain of the instance (with a headless Service of the same name). */
  subdomain?: pulumi.Input<string>;
  /** Priority class of the virt-launcher pod. */
  priorityClassName?: pulumi.Input<string>;
  /** Any other instance-spec field (e.g. `accessCredentials`, `readinessProbe`), passed through unchanged. */
  [field: string]: unknown;
}

/** The virtual hardware (`spec.template.spec.domain`). */
export interface DomainSpec {
  /** CPU topology and model. Default: 1 vCPU. */
  cpu?: pulumi.Input<Cpu>;
  /** Guest memory. Either this or `resources.requests.memory` must give the memory size. */
  memory?: pulumi.Input<Memory>;
  /** Compute resources of the virt-launcher pod, e.g. `{ requests: { memory: "1Gi" } }`. */
  resources?: pulumi.Input<ResourceRequirements>;
  /** Firmware: UUID, serial, BIOS or EFI boot. */
  firmware?: pulumi.Input<Firmware>;
  /** Emulated machine, e.g. `{ type: "q35" }`. Default: the cluster's default machine type. */
  machine?: pulumi.Input<Machine>;
  /** Disks, network interfaces and other devices. */
  devices: pulumi.Input<Devices>;
  /** Any other domain field (e.g. `features`, `clock`), passed through unchanged. */
  [field: string]: unknown;
}

/** CPU topology (`domain.cpu`). vCPUs = cores × sockets × threads. */
export interface Cpu {
  /** Cores per socket. Default 1. */
  cores?: pulumi.Input<number>;
  /** Sockets. Default 1. */
  sockets?: pulumi.Input<number>;
  /** Threads per core. Default 1. */
  threads?: pulumi.Input<number>;
  /** CPU model, e.g. `host-passthrough`, `host-model` or a named model. Default: the cluster's default. */
  model?: pulumi.Input<string>;
  /** Any other CPU field (e.g. `features`, `dedicatedCpuPlacement`), passed through unchanged. */
  [field: string]: unknown;
}

/**
 * A Kubernetes quantity: a string with an optional suffix (`"1Gi"`, `"512Mi"`, `"500m"`, `"2"`) or a plain
 * number (`2`, `0.5`), as in YAML. A number is sent as its canonical string (`2000000000` as `"2G"`),
 * which is how KubeVirt stores it.
 *
 * @see https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
export type Quantity = string | number;

/** Compute resources of the virt-launcher pod (`domain.resources`, like Kubernetes' `ResourceRequirements`). */
export interface ResourceRequirements {
  /** Resources the pod is guaranteed, e.g. `{ memory: "1Gi", cpu: 1 }`. */
  requests?: pulumi.Input<Record<string, pulumi.Input<Quantity>>>;
  /** Upper bounds of the pod's resources, e.g. `{ memory: "2Gi", cpu: "1500m" }`. */
  limits?: pulumi.Input<Record<string, pulumi.Input<Quantity>>>;
  /** Any other field (e.g. `claims`), passed through unchanged. */
  [field: string]: unknown;
}

/** Guest memory (`domain.memory`). */
export interface Memory {
  /** Memory the guest sees, as a Kubernetes quantity, e.g. `"1Gi"`. */
  guest?: pulumi.Input<Quantity>;
  /** Any other memory field (e.g. `hugepages`), passed through unchanged. */
  [field: string]: unknown;
}

/** Firmware (`domain.firmware`). */
export interface Firmware {
  /** SMBIOS UUID of the guest. Default: derived from the VM by KubeVirt (stable across restarts). */
  uuid?: pulumi.Input<string>;
  /** SMBIOS serial number of the guest. */
  serial?: pulumi.Input<string>;
  /** Boot firmware: BIOS (the default) or EFI. */
  bootloader?: pulumi.Input<Bootloader>;
  /** Any other firmware field, passed through unchanged. */
  [field: string]: unknown;
}

/** Boot firmware; set exactly one of `bios` and `efi`. */
export interface Bootloader {
  /** Legacy BIOS boot. */
  bios?: pulumi.Input<{ useSerial?: pulumi.Input<boolean>; [field: string]: unknown }>;
  /** UEFI boot. `secureBoot` defaults to true in KubeVirt and needs SMM (`domain.features.smm`). */
  efi?: pulumi.Input<{
    secureBoot?: pulumi.Input<boolean>;
    persistent?: pulumi.Input<boolean>;
    [field: string]: unknown;
  }>;
  /** Any other bootloader field, passed through unchanged. */
  [field: string]: unknown;
}

/** Emulated machine (`domain.machine`). */
export interface Machine {
  /** Machine type, e.g. `q35`. */
  type?: pulumi.Input<string>;
  /** Any other machine field, passed through unchanged. */
  [field: string]: unknown;
}

/** Devices (`domain.devices`). */
export interface Devices {
  /** Disks, each backed by the volume of the same name. */
  disks?: pulumi.Input<pulumi.Input<Disk>[]>;
  /** Network interfaces, each attached to the network of the same name. */
  interfaces?: pulumi.Input<pulumi.Input<Interface>[]>;
  /** Add the default pod network interface when `interfaces` is empty. Default true. */
  autoattachPodInterface?: pulumi.Input<boolean>;
  /** Add a graphics device (VNC). Default true. */
  autoattachGraphicsDevice?: pulumi.Input<boolean>;
  /** Add a serial console. Default true. */
  autoattachSerialConsole?: pulumi.Input<boolean>;
  /** Add a memory balloon device. Default true. */
  autoattachMemBalloon?: pulumi.Input<boolean>;
  /** Use virtio multi-queue for network interfaces. */
  networkInterfaceMultiqueue?: pulumi.Input<boolean>;
  /** Any other device (e.g. `tpm`, `gpus`, `rng`), passed through unchanged. */
  [field: string]: unknown;
}

/** Disk bus. */
export type DiskBus = "virtio" | "sata" | "scsi" | "usb";

/** Where a disk appears in the guest: the target of `disk`, `cdrom` or `lun` in a {@link Disk}. */
export interface DiskTarget {
  /** The bus the device is attached to. Default: chosen by KubeVirt (`virtio` for a plain disk). */
  bus?: pulumi.Input<DiskBus>;
  /** Attach the device read-only. */
  readonly?: pulumi.Input<boolean>;
  /** Any other target field (e.g. `pciAddress`, `tray`), passed through unchanged. */
  [field: string]: unknown;
}

/**
 * A disk (`domain.devices.disks[]`). Set at most one of `disk`, `cdrom` and `lun`; none means a plain disk.
 *
 * @see https://kubevirt.io/user-guide/storage/disks_and_volumes/
 */
export interface Disk {
  /** Disk name; must equal the name of a volume in `spec.volumes`. Required. */
  name: pulumi.Input<string>;
  /** A plain disk. */
  disk?: pulumi.Input<DiskTarget>;
  /** A CD-ROM. Bus default `sata`; always read-only. */
  cdrom?: pulumi.Input<DiskTarget>;
  /** A SCSI LUN; the volume must be a PersistentVolumeClaim. */
  lun?: pulumi.Input<DiskTarget>;
  /** Boot order (1 = first); unique across disks and interfaces. Default: disks in list order. */
  bootOrder?: pulumi.Input<number>;
  /** Serial number shown to the guest. */
  serial?: pulumi.Input<string>;
  /** Any other disk field (e.g. `cache`, `io`, `dedicatedIOThread`), passed through unchanged. */
  [field: string]: unknown;
}

/**
 * A network interface (`domain.devices.interfaces[]`). Set exactly one binding: `masquerade`, `bridge`,
 * `sriov` or `binding`.
 *
 * @see https://kubevirt.io/user-guide/network/interfaces_and_networks/
 */
export interface Interface {
  /** Interface name; must equal the name of a network in `spec.networks`. Required. */
  name: pulumi.Input<string>;
  /** NAT behind the pod IP (the usual choice for the pod network). Write `{}`. */
  masquerade?: pulumi.Input<Record<string, unknown>>;
  /** Bridge the guest onto the network (typical for Multus networks). Write `{}`. */
  bridge?: pulumi.Input<Record<string, unknown>>;
  /** Pass an SR-IOV virtual function through. Write `{}`. */
  sriov?: pulumi.Input<Record<string, unknown>>;
  /** A network binding plugin, e.g. `{ name: "passt" }`. */
  binding?: pulumi.Input<{ name: pulumi.Input<string>; [field: string]: unknown }>;
  /** MAC address, e.g. `"02:00:00:00:00:01"`. Default: assigned by KubeVirt. */
  macAddress?: pulumi.Input<string>;
  /** NIC model, e.g. `virtio` (the default), `e1000e`. */
  model?: pulumi.Input<string>;
  /** Boot order for network boot (PXE); unique across disks and interfaces. */
  bootOrder?: pulumi.Input<number>;
  /** Any other interface field (e.g. `ports`, `pciAddress`), passed through unchanged. */
  [field: string]: unknown;
}

/** A network (`spec.networks[]`). Set exactly one of `pod` and `multus`. */
export interface Network {
  /** Network name, referenced by an interface. Required. */
  name: pulumi.Input<string>;
  /** The pod network. Write `{}`. */
  pod?: pulumi.Input<{ vmNetworkCIDR?: pulumi.Input<string>; [field: string]: unknown }>;
  /** A Multus secondary network. */
  multus?: pulumi.Input<{
    /** NetworkAttachmentDefinition, as `name` or `namespace/name`. Required. */
    networkName: pulumi.Input<string>;
    /** Use it as the pod's default network instead of the pod network. */
    default?: pulumi.Input<boolean>;
    [field: string]: unknown;
  }>;
  /** Any other network field, passed through unchanged. */
  [field: string]: unknown;
}

/** Reference to a Secret in the VM's namespace. */
export interface SecretRef {
  /** Secret name. */
  name: pulumi.Input<string>;
  /** Any other field, passed through unchanged. */
  [field: string]: unknown;
}

/**
 * A volume (`spec.volumes[]`). Set exactly one source.
 *
 * @see https://kubevirt.io/user-guide/storage/disks_and_volumes/#volumes
 */
export interface Volume {
  /** Volume name, referenced by a disk. Required. */
  name: pulumi.Input<string>;
  /** A disk image shipped in a container image; ephemeral (reset on every start). */
  containerDisk?: pulumi.Input<{
    /** Container image, e.g. `quay.io/containerdisks/fedora:latest`. Required. */
    image: pulumi.Input<string>;
    /** `Always`, `IfNotPresent` or `Never`. Default: Kubernetes' rule (`Always` for `:latest`). */
    imagePullPolicy?: pulumi.Input<"Always" | "IfNotPresent" | "Never">;
    [field: string]: unknown;
  }>;
  /**
   * cloud-init NoCloud data. Give user data as exactly one of `userData`, `userDataBase64` and `secretRef`
   * (a Secret with key `userdata`). Put secrets in a Secret, not in `userData`: the template is stored in
   * the VirtualMachine object and in Pulumi state.
   */
  cloudInitNoCloud?: pulumi.Input<{
    userData?: pulumi.Input<string>;
    userDataBase64?: pulumi.Input<string>;
    /** Secret holding the user data (KubeVirt's `UserDataSecretRef`, JSON name `secretRef`). */
    secretRef?: pulumi.Input<SecretRef>;
    networkData?: pulumi.Input<string>;
    networkDataBase64?: pulumi.Input<string>;
    networkDataSecretRef?: pulumi.Input<SecretRef>;
    [field: string]: unknown;
  }>;
  /** cloud-init ConfigDrive data; same fields as `cloudInitNoCloud`. */
  cloudInitConfigDrive?: pulumi.Input<Record<string, unknown>>;
  /** A DataVolume (e.g. one from `dataVolumeTemplates`). KubeVirt waits for it to be populated before starting. */
  dataVolume?: pulumi.Input<{
    name: pulumi.Input<string>;
    hotpluggable?: pulumi.Input<boolean>;
    [field: string]: unknown;
  }>;
  /** An existing PersistentVolumeClaim. */
  persistentVolumeClaim?: pulumi.Input<{
    claimName: pulumi.Input<string>;
    readOnly?: pulumi.Input<boolean>;
    [field: string]: unknown;
  }>;
  /** A scratch disk of the given capacity (a Kubernetes quantity, e.g. `"2Gi"`), wiped on every start. */
  emptyDisk?: pulumi.Input<{ capacity: pulumi.Input<Quantity>; [field: string]: unknown }>;
  /** A Secret exposed as a disk. */
  secret?: pulumi.Input<{ secretName: pulumi.Input<string>; [field: string]: unknown }>;
  /** A ConfigMap exposed as a disk. */
  configMap?: pulumi.Input<{ name: pulumi.Input<string>; [field: string]: unknown }>;
  /** Any other volume source (e.g. `ephemeral`, `serviceAccount`, `downwardAPI`), passed through unchanged. */
  [field: string]: unknown;
}

/**
 * A DataVolume created with the VM and owned by it (`spec.dataVolumeTemplates[]`), e.g. a root disk
 * imported from a registry or a URL. Reference it from a volume with `dataVolume: { name }`.
 *
 * @see https://kubevirt.io/user-guide/storage/disks_and_volumes/#datavolume
 */
export interface DataVolumeTemplate {
  /** `metadata.name` is required; labels and annotations are optional. */
  metadata: pulumi.Input<{
    name: pulumi.Input<string>;
    labels?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    [field: string]: unknown;
  }>;
  /** The DataVolume spec (CDI). Give `storage` (recommended) or `pvc`. */
  spec: pulumi.Input<DataVolumeSpec>;
  /** Any other field, passed through unchanged. */
  [field: string]: unknown;
}

/**
 * DataVolume spec (CDI `DataVolumeSpec`): where the disk's data comes from (`source`, or `sourceRef`) and the
 * storage it gets (`storage`, or `pvc`).
 *
 * @example
 * ```ts
 * { source: { registry: { url: "docker://quay.io/containerdisks/fedora:43" } },
 *   storage: { resources: { requests: { storage: "10Gi" } }, storageClassName: "fast" } }
 * ```
 * @see https://github.com/kubevirt/containerized-data-importer/blob/main/doc/datavolumes.md
 */
export interface DataVolumeSpec {
  /** Where the data comes from: exactly one kind (CDI refuses none or several). Give it or `sourceRef`. */
  source?: pulumi.Input<DataVolumeSource>;
  /** A DataSource to clone from, e.g. `{ kind: "DataSource", name: "fedora", namespace: "openshift-virtualization-os-images" }`. */
  sourceRef?: pulumi.Input<{
    kind: pulumi.Input<string>;
    name: pulumi.Input<string>;
    namespace?: pulumi.Input<string>;
  }>;
  /** Storage with CDI's defaulting of access and volume modes (recommended). */
  storage?: pulumi.Input<DataVolumeStorage>;
  /** A full PersistentVolumeClaim spec (no defaulting). Use `storage` unless you need exact control. */
  pvc?: pulumi.Input<PersistentVolumeClaimSpec>;
  /** Any other field, passed through unchanged. */
  [field: string]: unknown;
}

/** Where a DataVolume's data comes from (CDI `DataVolumeSource`): give exactly one. */
export interface DataVolumeSource {
  /** Import a disk image (qcow2, raw, optionally compressed) from an http(s) URL. */
  http?: pulumi.Input<{
    /** The image's URL, e.g. `https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img`. */
    url: pulumi.Input<string>;
    /** A Secret with `accessKeyId` and `secretKey` (basic auth) for the URL. */
    secretRef?: pulumi.Input<string>;
    /** A ConfigMap with the CA bundle of the URL's server. */
    certConfigMap?: pulumi.Input<string>;
    [field: string]: unknown;
  }>;
  /** Import a containerDisk image from a registry. */
  registry?: pulumi.Input<{
    /** `docker://<image>` or `oci-archive://<path>`, e.g. `docker://quay.io/containerdisks/fedora:43`. */
    url?: pulumi.Input<string>;
    /** `pod` (CDI's importer pulls it, the default) or `node` (the node's container runtime pulls it). */
    pullMethod?: pulumi.Input<"pod" | "node">;
    /** A Secret with the registry's credentials. */
    secretRef?: pulumi.Input<string>;
    /** A ConfigMap with the registry's CA bundle. */
    certConfigMap?: pulumi.Input<string>;
    [field: string]: unknown;
  }>;
  /** Clone a PersistentVolumeClaim (namespace: the VM's, unless given). */
  pvc?: pulumi.Input<{ name: pulumi.Input<string>; namespace?: pulumi.Input<string> }>;
  /** Restore a VolumeSnapshot (namespace: the VM's, unless given). */
  snapshot?: pulumi.Input<{ name: pulumi.Input<string>; namespace?: pulumi.Input<string> }>;
  /** An empty disk of the requested size. */
  blank?: pulumi.Input<Record<string, never>>;
  /** Data uploaded later (`virtctl image-upload`). */
  upload?: pulumi.Input<Record<string, never>>;
  /** Any other CDI source (`s3`, `gcs`, `imageio`, `vddk`), passed through unchanged. */
  [field: string]: unknown;
}

/** A DataVolume's storage (CDI `StorageSpec`): CDI fills in the access and volume modes from the storage class. */
export interface DataVolumeStorage {
  /** The size, e.g. `{ requests: { storage: "10Gi" } }`; required unless the source is a clone. */
  resources?: pulumi.Input<{
    requests?: pulumi.Input<{ storage?: pulumi.Input<string | number>; [resource: string]: unknown }>;
    [field: string]: unknown;
  }>;
  /** The StorageClass; default: the cluster's default class. */
  storageClassName?: pulumi.Input<string>;
  /** e.g. `["ReadWriteOnce"]`; default: from the class's StorageProfile. */
  accessModes?: pulumi.Input<pulumi.Input<string>[]>;
  /** `Filesystem` or `Block`; default: from the class's StorageProfile. */
  volumeMode?: pulumi.Input<"Filesystem" | "Block">;
  /** Any other field, passed through unchanged. */
  [field: string]: unknown;
}
