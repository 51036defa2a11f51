import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine, type RestartPolicy } from "pulumi-kubevirt";

// A Fedora VM whose CPU and memory come from an instance type (KubeVirt's common-instancetypes: u1.small is
// 1 vCPU and 2Gi, u1.medium 1 vCPU and 4Gi) and whose defaults (virtio disks, EFI) come from the fedora
// preference; its template sets no CPU or memory of its own. Both are cluster-wide objects by default
// (`kind: VirtualMachineClusterInstancetype`, `VirtualMachineClusterPreference`) and must exist: a preview
// against one that does not fails, naming the field. Resize it:
//   pulumi config set instancetype u1.medium && pulumi up
// The new instance type reaches the running VM as a template change does, as `restartPolicy` says:
// IfRequired (the default) restarts it once KubeVirt reports RestartRequired, Always restarts it, Never
// leaves KubeVirt's RestartRequired condition showing until you restart it yourself:
//   pulumi config set restartPolicy Never
const config = new pulumi.Config();

const vm = new VirtualMachine("fedora", {
  runStrategy: "Always",
  instancetype: { name: config.get("instancetype") ?? "u1.small" },
  preference: { name: "fedora" },
  restartPolicy: (config.get("restartPolicy") ?? "IfRequired") as RestartPolicy,
  template: {
    spec: {
      domain: {
        devices: {
          disks: [
            { name: "rootdisk", disk: {} },
            { name: "cloudinit", disk: {} },
          ],
        },
      },
      terminationGracePeriodSeconds: 0,
      volumes: [
        { name: "rootdisk", containerDisk: { image: "quay.io/containerdisks/fedora:latest" } },
        {
          name: "cloudinit",
          cloudInitNoCloud: { userData: "#cloud-config\npassword: fedora\nchpasswd: { expire: False }\n" },
        },
      ],
    },
  },
});

export const name = vm.name;
export const powerState = vm.powerState;
export const vmiUid = vm.vmiUid;
export const conditions = vm.conditions;
