/** `delete`: deletes the VM this resource manages and waits until it and its instance are gone. */
import { DEFAULT_TIMEOUT_SECONDS } from "../schema";
import { notOursMessage, ownershipOf } from "../ownership";
import type { VmOutputs } from "../vm-outputs";
import { waitFor } from "../wait/waiter";
import { idOf, observeLive, type OperationContext } from "./context";

/**
 * The dynamic provider's `delete`: refuses a VM another resource manages, or an unmarked one that is not the
 * recorded VM; a wait that times out names the finalizers that still hold the VM.
 */
export async function deleteVm(ctx: OperationContext, props: VmOutputs): Promise<void> {
  const { log } = ctx;
  const conn = ctx.connect(props);
  const ns = props.namespace!;
  const before = await observeLive(conn, ns, props.name);
  if (!before.vm) return;
  const ownership = ownershipOf(before.vm, [props.owner]);
  const recorded = before.vm.metadata.uid === props.observed?.uid;
  if (ownership.kind === "foreign" || (ownership.kind === "unmarked" && !recorded)) {
    throw new Error(
      `${notOursMessage(idOf(props), ownership, "deleting", false)}; to forget it without deleting it, run \`pulumi state delete\` on this resource's URN`,
    );
  }
  if (!(await conn.api.deleteVm(ns, props.name, before.vm.metadata.uid))) return;
  log(`${props.name}: deleting VirtualMachine ${idOf(props)}`);
  const timeout = (props.timeouts?.delete ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  try {
    await waitFor(conn.watch(ns), props.name, { state: "gone" }, before, {
      deadline: Date.now() + timeout,
      log,
      label: "deleted",
    });
  } catch (err) {
    const vm = await conn.api.getVm(ns, props.name).catch(() => undefined);
    const finalizers = vm?.metadata.finalizers ?? [];
    const held = finalizers.length > 0 ? `; it still has finalizers ${finalizers.join(", ")}` : "";
    throw new Error(`${(err as Error).message}${held}`);
  }
}
