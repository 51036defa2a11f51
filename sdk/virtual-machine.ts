/**
 * The `VirtualMachine` component: one KubeVirt VirtualMachine, managed by the dynamic provider, with its
 * observed state as outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  ARG_KEYS,
  METADATA_KEYS,
  UNKNOWN_ARGS,
  UNKNOWN_METADATA,
  unknownKeys,
} from "../provider/schema/argKeys";
import type { VirtualMachineArgs } from "./args";
import { getRequest, isGetRequest, readOnlyResource, type VirtualMachineGetOptions } from "./get";
import type { ObservedPowerState } from "./enums";
import type { ObservedVirtualMachine, VirtualMachineCondition, VirtualMachineInterface } from "./outputs";
import { providerShim } from "./provider-shim";

/** The type of the custom resource the component owns. */
const RESOURCE_TYPE = "pulumi-nodejs:dynamic/kubevirt:VirtualMachine";

/** The custom resource the component owns (type {@link RESOURCE_TYPE}). */
class VirtualMachineResource extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly namespace: pulumi.Output<string>;
  declare readonly observed: pulumi.Output<ObservedVirtualMachine>;

  constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    // Declared outputs (undefined inputs) and the defined inputs only: each property costs work per VM.
    super(
      providerShim,
      name,
      { ...definedOnly(props), name: props.name, namespace: props.namespace, observed: undefined },
      opts,
      "kubevirt",
      "VirtualMachine",
    );
  }
}

/** The observed fields, each also an output of the component under the same name. */
const OBSERVED_KEYS = Object.keys({
  powerState: true,
  uid: true,
  runStrategy: true,
  printableStatus: true,
  ready: true,
  vmiPhase: true,
  vmiUid: true,
  nodeName: true,
  interfaces: true,
  observedGeneration: true,
  desiredGeneration: true,
  conditions: true,
} satisfies Record<keyof ObservedVirtualMachine, true>) as (keyof ObservedVirtualMachine)[];

/** `undefined` for an empty list, so that an input that lists nothing is not sent at all. */
function orNone(names: string[]): string[] | undefined {
  return names.length > 0 ? names : undefined;
}

/** The metadata inputs of the custom resource (`name`, `namespace`, `labels`, `annotations`, unknown keys). */
type MetadataInputs = Pick<
  pulumi.Inputs,
  "name" | "namespace" | "labels" | "annotations" | typeof UNKNOWN_METADATA
>;

/**
 * The metadata inputs, read from a plain object directly, or through one `apply` each when the metadata is
 * itself an output.
 */
function metadataFields(input: VirtualMachineArgs["metadata"]): MetadataInputs {
  if (isPlain(input)) {
    // Absent members are dropped with the other inputs' (VirtualMachineResource declares only defined ones).
    const m = (input ?? {}) as Record<string, pulumi.Input<unknown>>;
    return {
      name: m.name,
      namespace: m.namespace,
      labels: m.labels,
      annotations: m.annotations,
      [UNKNOWN_METADATA]: orNone(unknownKeys(m, METADATA_KEYS)),
    };
  }
  const metadata = pulumi.output(input);
  return {
    name: metadata.apply((m) => m.name),
    namespace: metadata.apply((m) => m.namespace),
    labels: metadata.apply((m) => m.labels),
    annotations: metadata.apply((m) => m.annotations),
    [UNKNOWN_METADATA]: metadata.apply((m) => orNone(unknownKeys(m, METADATA_KEYS))),
  };
}

/** @internal Whether an input is a value as it stands (absent included), not an output or a promise. */
export function isPlain<T>(input: pulumi.Input<T> | undefined): input is T | undefined {
  return input === undefined || (!pulumi.Output.isInstance(input) && !(input instanceof Promise));
}

/** The members whose value is not `undefined`. */
function definedOnly<T extends pulumi.Inputs>(props: T): T {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A KubeVirt VirtualMachine whose run strategy and power state `pulumi up` converges: it patches the spec,
 * calls KubeVirt's start/stop/restart subresources where needed, and waits until the VM is in the declared
 * state (or fails fast with KubeVirt's reason).
 *
 * @example
 * ```ts
 * const vm = new VirtualMachine("vm-cirros", {
 *   runStrategy: "Always",
 *   template: {
 *     spec: {
 *       domain: { devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }] } },
 *       volumes: [{ name: "containerdisk", containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" } }],
 *     },
 *   },
 * });
 * export const power = vm.powerState;
 * ```
 */
export class VirtualMachine extends pulumi.ComponentResource {
  /** The VirtualMachine's name (the given one, or the auto-name). */
  public readonly name!: pulumi.Output<string>;
  /** The VirtualMachine's namespace. */
  public readonly namespace!: pulumi.Output<string>;
  /** Observed power state: `Running`, `Stopped`, `Paused` or `Unknown`. */
  public readonly powerState!: pulumi.Output<ObservedPowerState>;
  /** The VirtualMachine's uid. */
  public readonly uid!: pulumi.Output<string>;
  /** The run strategy in force on the cluster (a `stop` on an `Always` VM makes it `Halted`). */
  public readonly runStrategy!: pulumi.Output<string>;
  /** KubeVirt's `status.printableStatus` (`Running`, `Stopped`, `Starting`, `ErrorUnschedulable`, ...). */
  public readonly printableStatus!: pulumi.Output<string>;
  /** Whether the VM's instance is Ready. */
  public readonly ready!: pulumi.Output<boolean>;
  /** The instance's phase (`Pending` ... `Running`, `Succeeded`, `Failed`), when there is one. */
  public readonly vmiPhase!: pulumi.Output<string | undefined>;
  /** The instance's uid; it changes on every start and restart. */
  public readonly vmiUid!: pulumi.Output<string | undefined>;
  /** The node the instance runs on. */
  public readonly nodeName!: pulumi.Output<string | undefined>;
  /** The instance's network interfaces and IPs, when known. */
  public readonly interfaces!: pulumi.Output<VirtualMachineInterface[] | undefined>;
  /** The VM generation the running instance was created from. */
  public readonly observedGeneration!: pulumi.Output<number | undefined>;
  /** The VM's current generation, as KubeVirt last saw it. */
  public readonly desiredGeneration!: pulumi.Output<number | undefined>;
  /** The VM's conditions. */
  public readonly conditions!: pulumi.Output<VirtualMachineCondition[]>;

  constructor(name: string, args: VirtualMachineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubevirt:index:VirtualMachine", name, {}, opts);
    if (opts?.urn) return;
    if (isGetRequest(args)) {
      const read = readOnlyResource(args, this);
      this.expose(new VirtualMachineResource(name, read.props, read.opts));
      return;
    }
    const metadata = metadataFields(args.metadata);
    const vm = new VirtualMachineResource(
      name,
      {
        ...metadata,
        autoNamePrefix: name,
        // Who manages the VM: marked on it, so that an interrupted create is resumed, never duplicated, and no
        // other stack takes it over or deletes it (never causes a diff; a stack rename keeps working).
        owner: this.urn,
        // Where the provider shows its progress: the row of this resource (never causes a diff either).
        resourceUrn: pulumi.createUrn(name, RESOURCE_TYPE, this),
        runStrategy: args.runStrategy,
        running: args.running,
        powerState: args.powerState,
        template: args.template,
        dataVolumeTemplates: args.dataVolumeTemplates,
        instancetype: args.instancetype,
        preference: args.preference,
        restartPolicy: args.restartPolicy,
        restartTrigger: args.restartTrigger,
        stopGracePeriodSeconds: args.stopGracePeriodSeconds,
        powerDrift: args.powerDrift,
        waitFor: args.waitFor,
        timeouts: args.timeouts,
        adopt: args.adopt,
        // A kubeconfig may be a path or the file's contents: keep it secret either way.
        kubeconfig: args.kubeconfig === undefined ? undefined : pulumi.secret(args.kubeconfig),
        context: args.context,
        // Names (never values) of keys plain JavaScript got wrong, for check to reject; absent when none.
        [UNKNOWN_ARGS]: orNone(unknownKeys(args, ARG_KEYS)),
      },
      { parent: this },
    );
    this.expose(vm);
  }

  /**
   * Reads an existing VirtualMachine that this program does not manage: the returned component's outputs
   * (`name`, `namespace`, `powerState`, `uid`, `interfaces`, ...) come from the live VM and its instance.
   * Only GET requests are sent: the VM is never changed, adopted or marked, and `pulumi destroy` leaves it
   * alone (the engine drops the read from state). A VM that does not exist fails the run with
   * `VirtualMachine <namespace>/<name> not found`. To manage an existing VM instead, declare it with
   * `adopt: true`.
   *
   * @param name The Pulumi resource name.
   * @param id The VM: `"namespace/name"`, or `"name"` in the kubeconfig context's namespace.
   * @param opts Resource options, plus `kubeconfig` and `context` (see {@link VirtualMachineGetOptions}).
   *
   * @example
   * ```ts
   * const db = VirtualMachine.get("db", "prod/db-vm");
   * export const dbIp = db.interfaces.apply((i) => i?.[0]?.ipAddress);
   * ```
   */
  static get(name: string, id: pulumi.Input<string>, opts?: VirtualMachineGetOptions): VirtualMachine {
    const get = getRequest(id, opts);
    return new VirtualMachine(name, get.request as unknown as VirtualMachineArgs, get.opts);
  }

  /** Sets and registers the component's outputs from the inner resource. */
  private expose(vm: VirtualMachineResource): void {
    const outputs: pulumi.Inputs = { name: vm.name, namespace: vm.namespace };
    for (const key of OBSERVED_KEYS) outputs[key] = vm.observed.apply((o) => o[key]);
    Object.assign(this, outputs);
    this.registerOutputs(outputs);
  }
}
