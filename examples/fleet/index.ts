import * as pulumi from "@pulumi/pulumi";
import { VirtualMachineFleet } from "pulumi-kubevirt";

// 20 identical VMs (web-0 … web-19), changed 5 at a time. A rolling restart:
//   pulumi config set restartTrigger 2 && pulumi up
// restarts web-0 … web-4, waits until all five are Ready again, then web-5 … web-9, and so on.
// The stack config `count` and `maxUnavailable` size the fleet and its batches:
//   pulumi config set count 8 && pulumi config set maxUnavailable 2
// gives 8 VMs in 4 batches of 2.
const config = new pulumi.Config();

const fleet = new VirtualMachineFleet("web", {
  count: config.getNumber("count") ?? 20,
  maxUnavailable: config.getNumber("maxUnavailable") ?? 5,
  runStrategy: "Always",
  // Any string; a new value restarts every VM, batch by batch (setting it the first time would not).
  restartTrigger: config.get("restartTrigger") ?? "1",
  metadata: { labels: { app: "web" } },
  template: {
    metadata: { labels: { app: "web" } },
    spec: {
      domain: {
        devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }] },
        resources: { requests: { memory: "128Mi" } },
      },
      terminationGracePeriodSeconds: 0,
      volumes: [
        { name: "containerdisk", containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" } },
      ],
    },
  },
});

export const names = fleet.vms.map((vm) => vm.name);
export const batchCount = fleet.batchCount;
export const vmiUids = fleet.vms.map((vm) => vm.vmiUid);
export const ready = fleet.vms.map((vm) => vm.ready);
