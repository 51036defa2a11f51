/**
 * The `VirtualMachineFleet` component: identical VirtualMachines that `pulumi up` changes a batch at a time.
 *
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import type { VirtualMachineArgs, VirtualMachineMetadata } from "./args";
import { planFleet, rollSummary } from "./fleet-plan";
import { isPlain, VirtualMachine } from "./virtual-machine";

/**
 * How many members of a fleet may be changed at once: a number of VMs (at least 1), or a whole percentage of
 * the fleet from `"1%"` to `"100%"`, rounded down and at least 1 (as Kubernetes rounds a Deployment's
 * `maxUnavailable`: 25 % of 10 VMs is 2).
 */
export type MaxUnavailable = number | `${number}%`;

/** Metadata every member shares: namespace, labels and annotations. The fleet names the members. */
export type VirtualMachineFleetMetadata = Omit<VirtualMachineMetadata, "name">;

/**
 * Inputs of a {@link VirtualMachineFleet}: how many members and what they are called, how many may be changed
 * at once, and every {@link VirtualMachineArgs} input except the name, shared by all members.
 *
 * `count`, `names` and `maxUnavailable` are plain values, not `pulumi.Input`s: they decide which resources
 * the program declares and in which order the engine changes them, which must be known when the program runs.
 */
export interface VirtualMachineFleetArgs extends Omit<VirtualMachineArgs, "metadata"> {
  /**
   * Number of members, named `<fleet name>-0` … `<fleet name>-<count-1>` (Pulumi resource names and
   * VirtualMachine names alike). Exactly one of `count` and `names` is required. Raising it adds members at
   * the end (in the last batches); lowering it deletes the highest-numbered ones.
   */
  count?: number;
  /**
   * The members' names, in roll order (Pulumi resource names and VirtualMachine names alike: DNS-1123
   * subdomains, each once). Exactly one of `count` and `names` is required.
   */
  names?: string[];
  /**
   * How many members `pulumi up` changes at once: a number of VMs (at least 1), or a percentage of the fleet
   * from `"1%"` to `"100%"`, rounded down and at least 1, as Kubernetes resolves a Deployment's
   * `maxUnavailable` (`"25%"` of 20 VMs is 5, of 10 VMs 2, of 3 VMs 1). A number larger than the fleet means
   * one batch. Default `"25%"`, a Deployment's default. The members are cut, in order, into batches of that
   * size; the engine starts on a batch only once every member of the batch before it has finished its
   * create or update, i.e. reached `waitFor` (default `Ready`).
   */
  maxUnavailable?: MaxUnavailable;
  /**
   * Namespace, labels and annotations of every member (see {@link VirtualMachineMetadata}); no `name`, which
   * comes from `count` or `names`.
   */
  metadata?: pulumi.Input<VirtualMachineFleetMetadata>;
}

/**
 * Identical KubeVirt VirtualMachines (one {@link VirtualMachine} per member, as child resources) whose
 * changes `pulumi up` rolls through the fleet in batches of at most `maxUnavailable` members: a template
 * change, a new `restartTrigger` (a rolling restart), a run strategy change.
 *
 * **How the batches are kept.** Each member of batch k+1 `dependsOn` every member of batch k, and a member's
 * create or update finishes only when the VM is back at `waitFor` (default `Ready`: KubeVirt's `Ready`
 * condition on a new instance after a restart). So the engine sends nothing for batch k+1 until all of
 * batch k are Ready. When a member fails (it cannot become Ready, or its wait times out), `up` fails and
 * the later batches are not touched; a failed update is recorded as not done (the member keeps its old
 * declaration in state), so the next `up`, once the cause is fixed, changes that member again and then
 * carries on with the later batches. A killed `up` resumes
 * the same way: what finished is in state, what was in flight is done again (a member of the interrupted
 * batch may be restarted a second time), and the batches after it were never started. Members that have
 * nothing to change pass at once.
 *
 * **Every operation goes in batches**, since the order is a static dependency of the resources: creating a
 * fleet creates (and waits for) a batch at a time, and `pulumi destroy` deletes the last batch first, then
 * the one before, and so on. `maxUnavailable: "100%"` puts every member in one batch (all at once).
 * Raising `count` adds the new members to the last batches; they are created once the roll reaches them.
 * Members dropped from the fleet are deleted after the rest of the `up`, the last batch first. Changing
 * `count`, `names` or `maxUnavailable` regroups the batches but changes no member by itself.
 *
 * **What the bound counts**: the members this `up` is changing. A member that is down for another reason
 * (stopped outside Pulumi, failed on the node, still rebooting after an interrupted `up`) is not counted, and
 * with `waitFor: "Created"` or `"Running"` a batch counts as done before its VMs are Ready.
 *
 * Every preview and `up` says on the component how the roll is cut:
 * `rolls 20 VMs in 4 batches of at most 5 (maxUnavailable 25%)`.
 *
 * @example
 * ```ts
 * const web = new VirtualMachineFleet("web", {
 *   count: 20,
 *   maxUnavailable: 5,
 *   runStrategy: "Always",
 *   restartTrigger: config.require("restartTrigger"), // change it: the VMs restart, 5 at a time
 *   template: {
 *     spec: {
 *       domain: { devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }] } },
 *       volumes: [{ name: "containerdisk", containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" } }],
 *     },
 *   },
 * });
 * export const names = web.vms.map((vm) => vm.name);
 * ```
 */
export class VirtualMachineFleet extends pulumi.ComponentResource {
  /** The members, in roll order. */
  public readonly vms: readonly VirtualMachine[];
  /** The members cut into the batches the roll goes through, in order. */
  public readonly batches: readonly (readonly VirtualMachine[])[];
  /** The number of batches. */
  public readonly batchCount: pulumi.Output<number>;
  /** `maxUnavailable` as a number of VMs (a percentage resolved against the fleet's size). */
  public readonly maxUnavailable: pulumi.Output<number>;

  /**
   * @param name The fleet's resource name; with `count`, also the prefix of its members' names.
   * @param args The fleet's size, `maxUnavailable`, and the inputs every member shares.
   * @param opts Resource options of the fleet (its members are its children).
   * @throws Error naming each bad field (`count`, `names`, `maxUnavailable`, `metadata.name`) and what it
   *   allows, before any resource is registered.
   */
  constructor(name: string, args: VirtualMachineFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    const { count, names, maxUnavailable, metadata, ...shared } = args;
    const plan = planFleet(name, { count, names, maxUnavailable, metadata });
    super("kubevirt:index:VirtualMachineFleet", name, {}, opts);
    // Plain metadata stays plain, so each member's inputs are read directly, without an apply per field.
    const memberMetadata = (member: string) =>
      isPlain(metadata)
        ? { ...metadata, name: member }
        : pulumi.output(metadata).apply((m) => ({ ...m, name: member }));
    const batches: VirtualMachine[][] = [];
    for (const batch of plan.batches) {
      const previous = batches.at(-1);
      batches.push(
        batch.map(
          (member) =>
            new VirtualMachine(
              member,
              { ...shared, metadata: memberMetadata(member) },
              { parent: this, dependsOn: previous },
            ),
        ),
      );
    }
    this.batches = batches;
    this.vms = batches.flat();
    this.batchCount = pulumi.output(batches.length);
    this.maxUnavailable = pulumi.output(plan.maxUnavailable);
    pulumi.log.info(rollSummary(plan), this);
    this.registerOutputs({ batchCount: this.batchCount, maxUnavailable: this.maxUnavailable });
  }
}
