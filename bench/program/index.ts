/**
 * The engine benchmark's program (see bench/engine/run.ts): `count` VirtualMachines, or, with `kind: baseline`,
 * `count` no-op resources of the same shape (a component with one dynamic resource, the same inputs) whose
 * provider answers at once, so the difference between the two is the product's own cost.
 *
 * Config: kind (product | baseline), count, runStrategy, restartTrigger, memory (the template field the
 * benchmark changes), and restartPolicy (IfRequired).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  VirtualMachine,
  type RestartPolicy,
  type RunStrategy,
  type VirtualMachineTemplate,
} from "pulumi-kubevirt";

const config = new pulumi.Config();
const kind = config.require("kind");
const count = config.requireNumber("count");
const runStrategy = config.require("runStrategy") as RunStrategy;
const restartTrigger = config.get("restartTrigger");
const memory = config.get("memory") ?? "128Mi";
const restartPolicy = (config.get("restartPolicy") ?? "IfRequired") as RestartPolicy;

/** The template every VM gets (only `memory` changes between runs). */
const template: VirtualMachineTemplate = {
  spec: {
    domain: {
      devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }] },
      memory: { guest: memory },
    },
    terminationGracePeriodSeconds: 0,
    volumes: [
      { name: "containerdisk", containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" } },
    ],
  },
};

/**
 * The baseline's provider: every call returns at once (diff compares inputs, so the engine plans the same
 * updates as for the VMs). It captures nothing, so the engine serializes only these few functions.
 */
const noopProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news };
  },
  async diff(_id, olds, news) {
    // Outputs add powerState; the serialized provider is no input either.
    const strip = (o: Record<string, unknown>) =>
      JSON.stringify({ ...o, __provider: undefined, powerState: undefined });
    return { changes: strip(olds) !== strip(news) };
  },
  async create(inputs) {
    return {
      id: String(inputs.name),
      outs: { ...inputs, powerState: inputs.runStrategy === "Halted" ? "Stopped" : "Running" },
    };
  },
  async read(id, props) {
    return { id, props };
  },
  async update(_id, _olds, news) {
    return { outs: { ...news, powerState: news.runStrategy === "Halted" ? "Stopped" : "Running" } };
  },
  async delete() {},
};

/** The baseline's dynamic resource (its `powerState` output comes from the no-op provider). */
class NoopResource extends pulumi.dynamic.Resource {
  declare public readonly powerState: pulumi.Output<string>;
}

/** A no-op resource, shaped like VirtualMachine: a component with one dynamic resource as its child. */
class Noop extends pulumi.ComponentResource {
  public readonly powerState: pulumi.Output<string>;
  constructor(name: string, inputs: Record<string, pulumi.Input<unknown>>) {
    super("bench:index:Noop", name, {}, {});
    const r = new NoopResource(
      noopProvider,
      name,
      { ...inputs, powerState: undefined },
      { parent: this },
      "bench:Noop",
    );
    this.powerState = r.powerState;
    this.registerOutputs({ powerState: this.powerState });
  }
}

const states: Record<string, pulumi.Output<{ powerState: string; vmiUid?: string }>> = {};
for (let i = 0; i < count; i++) {
  const name = `bench-${String(i).padStart(3, "0")}`;
  const args = { runStrategy, restartTrigger, restartPolicy, template };
  if (kind === "baseline") {
    const r = new Noop(name, { name, ...args });
    states[name] = pulumi.output({ powerState: r.powerState });
  } else {
    const vm = new VirtualMachine(name, { metadata: { name }, ...args });
    states[name] = pulumi.output({ powerState: vm.powerState, vmiUid: vm.vmiUid });
  }
}

export const vms = states;
