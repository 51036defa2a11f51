/** `create`: creates the VM, or resumes an interrupted create of it, or adopts an existing one. */
import type * as pulumi from "@pulumi/pulumi";
import { notOursMessage, ownershipOf } from "../ownership";
import type { VmOutputs } from "../vm-outputs";
import { idOf, observeLive, type OperationContext } from "./context";
import { converge, keepingState } from "./converge";

/**
 * The dynamic provider's `create`: refuses a VM of the name that another resource (or nobody) manages unless
 * `adopt` is set, then converges it to the declaration.
 */
export async function create(ctx: OperationContext, news: VmOutputs): Promise<pulumi.dynamic.CreateResult> {
  const { log } = ctx;
  const deadline = Date.now() + news.timeouts.create * 1000;
  const { vm: existing } = await observeLive(ctx.connect(news), news.namespace!, news.name);
  const ownership = existing ? ownershipOf(existing, [news.owner]) : undefined;
  if (ownership && ownership.kind !== "ours" && !news.adopt) {
    throw new Error(
      `${notOursMessage(idOf(news), ownership, "creating or taking over")}; set adopt: true to manage it with this program`,
    );
  }
  if (ownership?.kind === "ours") log(`${news.name}: resuming the interrupted create of ${idOf(news)}`);
  else if (existing) log(`${news.name}: adopting the existing VirtualMachine ${idOf(news)}`);
  const adopting = ownership !== undefined && ownership.kind !== "ours";
  const outs = await keepingState(ctx, news, () => converge(ctx, news, undefined, deadline, adopting));
  return { id: idOf(news), outs };
}
