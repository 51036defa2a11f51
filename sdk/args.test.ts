import * as pulumi from "@pulumi/pulumi";
import { RunStrategy, type VirtualMachineArgs } from "./index";

// These tests are mostly compile-time: if the public types stop accepting what the KubeVirt docs show,
// ts-jest fails to compile this file.

describe("VirtualMachineArgs", () => {
  it("should accept the vm-cirros example of the KubeVirt run-strategy docs as written", () => {
    const args: VirtualMachineArgs = {
      metadata: { name: "vm-cirros", labels: { "kubevirt.io/vm": "vm-cirros" } },
      runStrategy: "Always",
      template: {
        metadata: { labels: { "kubevirt.io/vm": "vm-cirros" } },
        spec: {
          domain: { devices: { disks: [{ disk: { bus: "virtio" }, name: "containerdisk" }] } },
          terminationGracePeriodSeconds: 0,
          volumes: [
            { containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" }, name: "containerdisk" },
          ],
        },
      },
    };
    expect(args.runStrategy).toBe(RunStrategy.Always);
  });

  it("should accept Outputs anywhere and untyped KubeVirt fields as pass-through", () => {
    const image = pulumi.output("quay.io/containerdisks/fedora:latest");
    const args: VirtualMachineArgs = {
      runStrategy: pulumi.output(RunStrategy.Manual),
      powerState: "Stopped",
      restartPolicy: "IfRequired",
      timeouts: { create: "15m" },
      template: pulumi.output({
        spec: {
          domain: {
            cpu: { cores: 2 },
            memory: { guest: "2Gi" },
            resources: { requests: { memory: "2Gi" } },
            firmware: { bootloader: { efi: { secureBoot: false } } },
            features: { acpi: {} },
            devices: {
              disks: [{ name: "root", disk: { bus: "virtio" }, bootOrder: 1 }],
              interfaces: [{ name: "default", masquerade: {} }],
              tpm: {},
            },
          },
          networks: [{ name: "default", pod: {} }],
          volumes: [
            { name: "root", containerDisk: { image } },
            { name: "cloudinit", cloudInitNoCloud: { secretRef: { name: "user-data" } } },
          ],
          tolerations: [{ key: "virt", operator: "Exists", effect: "NoSchedule" }],
          accessCredentials: [],
        },
      }),
      dataVolumeTemplates: [
        {
          metadata: { name: "root" },
          spec: { sourceRef: { kind: "DataSource", name: "fedora" }, storage: { resources: {} } },
        },
      ],
    };
    expect(args.powerState).toBe("Stopped");
  });

  it("should reject a run strategy outside the closed set at compile time", () => {
    const args: VirtualMachineArgs = {
      // @ts-expect-error "Sometimes" is not a RunStrategy
      runStrategy: "Sometimes",
      template: { spec: { domain: { devices: {} } } },
    };
    expect(args).toBeDefined();
  });
});
