import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine } from "pulumi-kubevirt";

/** The `vms` config: how many VMs, and how they are named. */
interface MultiConfig {
  /** How many VMs (resources `<prefix>-0` … `<prefix>-<count - 1>`). */
  count: number;
  /** `fixed`: each VM is named after its resource; `auto`: the provider's auto-name (`<resource>-<7 hex>`). */
  naming: "fixed" | "auto";
  /** Resource name prefix. Default `vm`. */
  prefix?: string;
  /** Take over existing VMs of the same names. */
  adopt?: boolean;
}

const { count, naming, prefix = "vm", adopt } = new pulumi.Config().requireObject<MultiConfig>("vms");

const outputs: Record<string, pulumi.Output<unknown>> = {};
for (let i = 0; i < count; i++) {
  const resource = `${prefix}-${i}`;
  const vm = new VirtualMachine(resource, {
    metadata: naming === "fixed" ? { name: resource } : {},
    runStrategy: "Always",
    adopt,
    template: {
      spec: {
        domain: {
          devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }] },
          memory: { guest: "64Mi" },
        },
        terminationGracePeriodSeconds: 0,
        volumes: [
          { name: "containerdisk", containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" } },
        ],
      },
    },
  });
  outputs[resource] = pulumi.output({ name: vm.name, uid: vm.uid, powerState: vm.powerState });
}

/** Resource name → the VM's name, uid and observed power state. */
export const vms = outputs;
