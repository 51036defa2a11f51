/** `update`: converges the VM from the old declaration to the new one. */
import type * as pulumi from "@pulumi/pulumi";
import { notOursMessage, ownershipOf } from "../ownership";
import type { VmOutputs } from "../vm-outputs";
import { desiredOf, idOf, observeLive, type OperationContext } from "./context";
import { converge, keepingState } from "./converge";

/**
 * The dynamic provider's `update`: refuses a VM another resource took over unless `adopt` is set; a failed
 * update records the old declaration (see {@link keepingState}).
 */
export async function update(
  ctx: OperationContext,
  olds: VmOutputs,
  news: VmOutputs,
): Promise<pulumi.dynamic.UpdateResult> {
  const deadline = Date.now() + news.timeouts.update * 1000;
  const { vm: live } = await observeLive(ctx.connect(news), news.namespace!, news.name);
  const ownership = live ? ownershipOf(live, [olds.owner, news.owner]) : undefined;
  if (ownership?.kind === "foreign" && !news.adopt) {
    throw new Error(
      `${notOursMessage(idOf(news), ownership, "updating", false)}; set adopt: true to take it back`,
    );
  }
  const outs = await keepingState(
    ctx,
    news,
    () => converge(ctx, news, desiredOf(olds), deadline, false),
    olds,
  );
  return { outs };
}
