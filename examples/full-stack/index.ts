import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine, type RunStrategy } from "pulumi-kubevirt";

// Kubernetes resources from @pulumi/kubernetes beside a KubeVirt VM, in one `pulumi up`:
// a Namespace, a Secret holding cloud-init user data, a VirtualMachine that boots with it, and a Service that
// exposes the VM's SSH port. `pulumi config set runStrategy Halted` stops the VM and leaves the rest as it is.
const config = new pulumi.Config();

const ns = new k8s.core.v1.Namespace("vms", { metadata: { name: config.get("namespace") ?? "full-stack" } });
const namespace = ns.metadata.name;

const userData = [
  "#cloud-config",
  "users:",
  "  - name: fedora",
  "    ssh_authorized_keys:",
  `      - ${config.get("sshPublicKey") ?? "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnlyReplaceMe example"}`,
  "",
].join("\n");

const cloudInit = new k8s.core.v1.Secret("cloud-init", {
  metadata: { namespace, name: "web-cloud-init" },
  stringData: { userdata: userData },
});

const vm = new VirtualMachine("web", {
  metadata: { name: "web", namespace },
  runStrategy: (config.get("runStrategy") ?? "Always") as RunStrategy,
  template: {
    metadata: { labels: { app: "web" } },
    spec: {
      domain: {
        devices: {
          disks: [
            { name: "rootdisk", disk: { bus: "virtio" } },
            { name: "cloudinit", disk: { bus: "virtio" } },
          ],
        },
        resources: { requests: { memory: "1Gi" } },
      },
      volumes: [
        { name: "rootdisk", containerDisk: { image: "quay.io/containerdisks/fedora:latest" } },
        { name: "cloudinit", cloudInitNoCloud: { secretRef: { name: cloudInit.metadata.name } } },
      ],
    },
  },
});

const ssh = new k8s.core.v1.Service("ssh", {
  metadata: {
    namespace,
    name: "web-ssh",
    // A Halted VM has no endpoints; Pulumi should not wait for any.
    annotations: { "pulumi.com/skipAwait": "true" },
  },
  spec: { selector: { app: "web" }, ports: [{ name: "ssh", port: 22, targetPort: 22 }] },
});

export const vmName = vm.name;
export const powerState = vm.powerState;
export const runStrategy = vm.runStrategy;
export const secretName = cloudInit.metadata.name;
export const sshService = pulumi.interpolate`${ssh.metadata.namespace}/${ssh.metadata.name}:22`;
