import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine, type PowerState } from "pulumi-kubevirt";

// Under runStrategy Manual KubeVirt never starts or stops the VM by itself. `powerState` says what you
// want; `pulumi up` calls KubeVirt's start or stop subresource to get there, and the instance's pause or
// unpause subresource for Paused (a running VM whose guest is frozen; Running unpauses it):
//   pulumi config set powerState Running && pulumi up
//   pulumi config set powerState Paused && pulumi up
//   pulumi config set powerState Stopped && pulumi up
const config = new pulumi.Config();

const vm = new VirtualMachine("build-agent", {
  runStrategy: "Manual",
  powerState: (config.get("powerState") ?? "Stopped") as PowerState,
  // Give the guest time to shut down cleanly when the provider stops it.
  stopGracePeriodSeconds: 60,
  template: {
    spec: {
      domain: {
        cpu: { cores: 2 },
        memory: { guest: "1Gi" },
        devices: {
          disks: [
            { name: "rootdisk", disk: { bus: "virtio" } },
            { name: "cloudinit", disk: { bus: "virtio" } },
          ],
        },
      },
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
export const printableStatus = vm.printableStatus;
