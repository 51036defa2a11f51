// A user's JavaScript program, installed from the packed tarball into a fresh project
// (tests/package/package.test.ts).
"use strict";
const pulumi = require("@pulumi/pulumi");
const { VirtualMachine, RunStrategy } = require("pulumi-kubevirt");

const config = new pulumi.Config();

const vm = new VirtualMachine("pkg-js", {
  metadata: { name: config.get("vmName") ?? "pkg-js" },
  runStrategy: RunStrategy.Always,
  template: {
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

exports.name = vm.name;
exports.powerState = vm.powerState;
exports.nodeVersion = process.version;
