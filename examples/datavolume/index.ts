import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine } from "pulumi-kubevirt";

// A VM that boots from a DataVolume: CDI imports a disk image over http into a new volume, and KubeVirt starts
// the VM once the import is done. `pulumi up` shows the import's phase and progress on the VM's row
// (`Provisioning (DataVolume cirros-root ImportInProgress 42.00%)`), and fails at once with CDI's reason when the
// import cannot succeed (e.g. `Unable to connect to http data source: expected status code 200, got 404`).
// Deleting the VM deletes the DataVolume and its PVC with it: KubeVirt makes the VM their owner.
//   pulumi config set imageUrl https://.../disk.qcow2     (default: CirrOS 0.6.2)
//   pulumi config set storageClassName fast                (default: the cluster's default class)
const config = new pulumi.Config();
const disk = "cirros-root";

const vm = new VirtualMachine("cirros-dv", {
  runStrategy: "Always",
  dataVolumeTemplates: [
    {
      // Annotations of the DataVolume, e.g. CDI's `cdi.kubevirt.io/storage.bind.immediate.requested: "true"`.
      metadata: { name: disk, annotations: config.getObject<Record<string, string>>("diskAnnotations") },
      spec: {
        source: {
          http: {
            url:
              config.get("imageUrl") ??
              "https://download.cirros-cloud.net/0.6.2/cirros-0.6.2-x86_64-disk.img",
          },
        },
        storage: {
          resources: { requests: { storage: config.get("size") ?? "1Gi" } },
          storageClassName: config.get("storageClassName"),
        },
      },
    },
  ],
  template: {
    spec: {
      domain: {
        memory: { guest: "256Mi" },
        devices: { disks: [{ name: "rootdisk", disk: { bus: "virtio" } }] },
      },
      volumes: [{ name: "rootdisk", dataVolume: { name: disk } }],
    },
  },
});

export const name = vm.name;
export const printableStatus = vm.printableStatus;
export const ready = vm.ready;
