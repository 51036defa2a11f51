import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine, type VirtualMachineArgs } from "pulumi-kubevirt";

/**
 * One VM's settings: any VirtualMachine input except the template, plus the guest memory, and whether to
 * connect with the (secret) `kubeconfig` config value instead of the default kubeconfig.
 */
type VmSpec = Omit<VirtualMachineArgs, "template"> & { memory?: string; kubeconfigFromConfig?: boolean };

const config = new pulumi.Config();
const vms = config.requireObject<Record<string, VmSpec>>("vms");

const outputs: Record<string, pulumi.Output<unknown>> = {};
for (const [name, { memory, kubeconfigFromConfig, ...args }] of Object.entries(vms)) {
  const vm = new VirtualMachine(name, {
    metadata: { name },
    ...args,
    kubeconfig: kubeconfigFromConfig ? config.requireSecret("kubeconfig") : undefined,
    template: {
      spec: {
        domain: {
          devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }] },
          memory: { guest: memory ?? "128Mi" },
        },
        terminationGracePeriodSeconds: 0,
        volumes: [
          { name: "containerdisk", containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" } },
        ],
      },
    },
  });
  outputs[name] = pulumi.output({
    powerState: vm.powerState,
    runStrategy: vm.runStrategy,
    printableStatus: vm.printableStatus,
    vmiUid: vm.vmiUid,
    conditions: vm.conditions,
  });
}

export const fleet = outputs;
