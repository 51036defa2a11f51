import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine, type RunStrategy } from "pulumi-kubevirt";

// `pulumi config set runStrategy Halted` stops the VM on the next `pulumi up`; `Always` starts it again.
const config = new pulumi.Config();

const vm = new VirtualMachine("vm-cirros", {
  metadata: { name: "vm-cirros", labels: { "kubevirt.io/vm": "vm-cirros" } },
  runStrategy: (config.get("runStrategy") ?? "Always") as RunStrategy,
  template: {
    metadata: { labels: { "kubevirt.io/vm": "vm-cirros" } },
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

export const name = vm.name;
export const powerState = vm.powerState;
export const runStrategy = vm.runStrategy;
export const printableStatus = vm.printableStatus;
export const vmiUid = vm.vmiUid;
