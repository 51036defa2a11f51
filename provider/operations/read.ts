/**
 * `read`: refresh of a managed VM (the live state, with out-of-band power changes shown as input drift), and
 * the read of a VM the program does not manage (`VirtualMachine.get`, the lookup functions).
 */
import type * as pulumi from "@pulumi/pulumi";
import { PowerDrift } from "../../sdk/enums";
import type { Connection } from "../connections";
import { observe, type ObservedVm } from "../model/observed";
import { isReadOnly, parseVmId, READ_ONLY, type ReadOnlyProps } from "../read-only";
import type { VmOutputs } from "../vm-outputs";
import { observeLive, stripObserved, type OperationContext } from "./context";

/**
 * The dynamic provider's `read`. For a managed VM: nothing when the VM is gone; otherwise the stored inputs
 * with the observed state, and (unless `powerDrift` is Ignore) the live strategy and power state as inputs,
 * so the next preview says e.g. "Stopped => Running" or "Running => Paused". For a read-only resource: see
 * {@link readExisting}.
 */
export async function read(
  ctx: OperationContext,
  id: string,
  props: VmOutputs | ReadOnlyProps,
): Promise<pulumi.dynamic.ReadResult> {
  if (isReadOnly(props)) return readExisting(ctx, id, props);
  const { vm, vmi } = await observeLive(ctx.connect(props), props.namespace!, props.name);
  if (!vm) return {};
  const observed = observe(vm, vmi);
  const inputs: Record<string, unknown> = stripObserved(props);
  if (props.powerDrift !== PowerDrift.Ignore) {
    if (props.runStrategy !== undefined && vm.spec.runStrategy !== undefined)
      inputs.runStrategy = vm.spec.runStrategy;
    if (props.powerState !== undefined && observed.powerState !== "Unknown") {
      inputs.powerState = observed.powerState;
    }
  }
  return { id, props: { ...props, observed }, inputs };
}

/**
 * The read of a VM the program does not manage (only GET requests: it never changes, adopts or marks the VM).
 * A VM that does not exist fails the read (`VirtualMachine ns/name not found`), except on a refresh of one
 * read before (the props hold its observed state), which drops it from state, as for a managed VM.
 */
async function readExisting(
  ctx: OperationContext,
  id: string,
  props: ReadOnlyProps,
): Promise<pulumi.dynamic.ReadResult> {
  const conn = ctx.connect(props);
  const { namespace, name } = parseVmId(id, conn.defaultNamespace);
  const observed = await observeExisting(conn, namespace, name);
  if (!observed) {
    if (props.observed !== undefined) return {};
    throw notFound(namespace, name);
  }
  const out: ReadOnlyProps = { [READ_ONLY]: true, name, namespace, observed };
  if (props.kubeconfig !== undefined) out.kubeconfig = props.kubeconfig;
  if (props.context !== undefined) out.context = props.context;
  // The id stays as given: a normalised one would read as a different resource on the next run.
  return { id, props: out };
}

/**
 * The observed state of the VM `namespace/name` and its instance (two GETs, never a watch: a lookup reads one
 * VM, in a process that must be free to exit); `undefined` when there is no VM.
 */
export async function observeExisting(
  conn: Connection,
  namespace: string,
  name: string,
): Promise<ObservedVm | undefined> {
  const { vm, vmi } = await observeLive(conn, namespace, name, true);
  return vm ? observe(vm, vmi) : undefined;
}

/** The error of a read of a VM that does not exist. */
export function notFound(namespace: string, name: string): Error {
  return new Error(`VirtualMachine ${namespace}/${name} not found`);
}
