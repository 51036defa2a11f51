/** `read` (refresh): the live state, with out-of-band power changes shown as input drift. */
import type * as pulumi from "@pulumi/pulumi";
import { PowerDrift } from "../../sdk/enums";
import { observe } from "../model/observed";
import type { VmOutputs } from "../vm-outputs";
import { observeLive, stripObserved, type OperationContext } from "./context";

/**
 * The dynamic provider's `read`: nothing when the VM is gone; otherwise the stored inputs with the observed
 * state, and (unless `powerDrift` is Ignore) the live strategy and power state as inputs, so the next preview
 * says e.g. "Stopped => Running".
 */
export async function read(
  ctx: OperationContext,
  id: string,
  props: VmOutputs,
): Promise<pulumi.dynamic.ReadResult> {
  const { vm, vmi } = await observeLive(ctx.connect(props), props.namespace!, props.name);
  if (!vm) return {};
  const observed = observe(vm, vmi);
  const inputs: Record<string, unknown> = stripObserved(props);
  if (props.powerDrift !== PowerDrift.Ignore) {
    if (props.runStrategy !== undefined && vm.spec.runStrategy !== undefined)
      inputs.runStrategy = vm.spec.runStrategy;
    if (props.powerState !== undefined && observed.powerState !== "Unknown") {
      inputs.powerState = observed.powerState === "Stopped" ? "Stopped" : "Running";
    }
  }
  return { id, props: { ...props, observed }, inputs };
}
