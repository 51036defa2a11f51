import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine, type RunStrategy } from "pulumi-kubevirt";

// The stack picks the environment: `pulumi up --stack dev` (halted, small) or `--stack prod` (always on).
const config = new pulumi.Config();
const environment = pulumi.getStack();

const vm = new VirtualMachine("web", {
  metadata: { name: `web-${environment}`, labels: { environment } },
  runStrategy: config.require("runStrategy") as RunStrategy,
  restartPolicy: "IfRequired",
  template: {
    metadata: { labels: { app: "web", environment } },
    spec: {
      domain: {
        cpu: { cores: config.requireNumber("cores") },
        memory: { guest: config.require("memory") },
        devices: { disks: [{ name: "rootdisk", disk: { bus: "virtio" } }] },
      },
      volumes: [{ name: "rootdisk", containerDisk: { image: "quay.io/containerdisks/fedora:latest" } }],
    },
  },
});

export const name = vm.name;
export const powerState = vm.powerState;
export const runStrategy = vm.runStrategy;
