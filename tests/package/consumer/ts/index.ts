// A user's program, installed from the packed tarball into a fresh project (tests/package/package.test.ts).
// It uses the Kubernetes types of the template (affinity, tolerations, a DataVolume's pvc) without
// @pulumi/kubernetes installed, and the types of the ./simulator entry point (./provider's: provider-types.ts).
import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine, type VirtualMachineArgs } from "pulumi-kubevirt";
import type { SimulatorOptions } from "pulumi-kubevirt/simulator";

const config = new pulumi.Config();

const args: VirtualMachineArgs = {
  metadata: { name: config.get("vmName") ?? "pkg-ts" },
  runStrategy: "Always",
  template: {
    spec: {
      domain: {
        devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }] },
        resources: { requests: { memory: "128Mi" } },
      },
      affinity: {
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              podAffinityTerm: {
                labelSelector: { matchLabels: { app: "pkg" } },
                topologyKey: "kubernetes.io/hostname",
              },
            },
          ],
        },
      },
      tolerations: [{ key: "dedicated", operator: "Equal", value: "vms", effect: "NoSchedule" }],
      terminationGracePeriodSeconds: 0,
      volumes: [
        { name: "containerdisk", containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" } },
      ],
    },
  },
};

/** Type-checked only: a DataVolume template with a full PersistentVolumeClaim spec. */
export const dataVolumeTemplates: VirtualMachineArgs["dataVolumeTemplates"] = [
  {
    metadata: { name: "root" },
    spec: {
      source: { blank: {} },
      pvc: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    },
  },
];

/** Type-checked only: the simulator entry point's types resolve under every moduleResolution tested. */
export type SimulatorTypes = SimulatorOptions;

const vm = new VirtualMachine("pkg-ts", args);

export const name = vm.name;
export const powerState = vm.powerState;
export const nodeVersion = process.version;
