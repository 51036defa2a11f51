import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine, type RunStrategy } from "pulumi-kubevirt";

// legacy-web was created with `kubectl apply -f legacy-web.yaml`, halted. This program takes it over: the same
// name, `adopt: true`, and the declaration it should have from now on (here: running). Without `adopt`, preview
// fails with "VirtualMachine default/legacy-web already exists and is not marked as managed by this resource".
const config = new pulumi.Config();

const vm = new VirtualMachine("legacy-web", {
  metadata: { name: "legacy-web", labels: { app: "legacy-web" } },
  runStrategy: (config.get("runStrategy") ?? "Always") as RunStrategy,
  // Take over the existing VM: `up` marks it as managed by this resource and converges it to the declaration.
  // Once adopted, the VM is this stack's like any other: `pulumi destroy` deletes it.
  adopt: true,
  template: {
    metadata: { labels: { app: "legacy-web" } },
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
export const uid = vm.uid;
export const powerState = vm.powerState;
export const runStrategy = vm.runStrategy;
