import * as pulumi from "@pulumi/pulumi";
import { getVirtualMachine, getVirtualMachineOutput, VirtualMachine } from "pulumi-kubevirt";

// Reads the VM `vmName` (default `db-vm`) in `vmNamespace` (default `default`), which another team manages: this
// program only reads it, never changes it, and `pulumi destroy` leaves it alone.
const config = new pulumi.Config();
const vmName = config.get("vmName") ?? "db-vm";
const vmNamespace = config.get("vmNamespace") ?? "default";
// Where the cluster is: a kubeconfig path or its contents (`pulumi config set --secret kubeconfig "$(cat ...)"`);
// default KUBECONFIG or ~/.kube/config.
const kubeconfig = config.getSecret("kubeconfig");

// 1. As a resource: the component's outputs come from the live VM, refreshed on every `up` (and shown by preview).
const db = VirtualMachine.get("db", `${vmNamespace}/${vmName}`, { kubeconfig });

// 2. As a plain function, e.g. for another resource's inputs: an Output (getVirtualMachineOutput) ...
const looked = getVirtualMachineOutput({ name: vmName, namespace: vmNamespace, kubeconfig });

// ... or a promise (getVirtualMachine), e.g. to stop early when the VM is not what the program expects.
// (It takes plain values: the secret kubeconfig is unwrapped in `apply`, so `isRunning` is a secret output.)
const running = pulumi.output(kubeconfig).apply(async (kc) => {
  const vm = await getVirtualMachine({ name: vmName, namespace: vmNamespace, kubeconfig: kc });
  if (vm.powerState !== "Running") pulumi.log.warn(`${vm.namespace}/${vm.name} is ${vm.powerState}`);
  return vm.powerState === "Running";
});

export const name = db.name;
export const namespace = db.namespace;
export const uid = db.uid;
export const powerState = db.powerState;
export const runStrategy = db.runStrategy;
export const nodeName = db.nodeName;
export const ips = db.interfaces.apply((list) => (list ?? []).map((i) => i.ipAddress ?? ""));
export const lookedUpIp = looked.apply((vm) => vm.interfaces?.[0]?.ipAddress);
export const lookedUpPowerState = looked.powerState;
export const isRunning = running;
