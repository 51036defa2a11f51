/** `diff`: whether a VM's declaration or its live state calls for an update, and what the update will do. */
import type * as pulumi from "@pulumi/pulumi";
import { jsonEqual } from "../model/merge";
import { describeAction, powerActions } from "../planner/actions";
import { plan } from "../planner/plan";
import { containsUnknown, isUnknown } from "../schema";
import type { VmOutputs } from "../vm-outputs";
import { desiredOf, idOf, observeLive, type OperationContext } from "./context";

/**
 * Keys that are not part of the declaration (the owner and the resource's URN change with a stack rename, and
 * never cause a diff).
 */
const NOT_DECLARED = new Set(["observed", "__provider", "owner", "resourceUrn"]);

/**
 * The dynamic provider's `diff`: a replace when the name or namespace changes; otherwise a change when the
 * declaration changed or the planner has something to do (it logs the power actions a preview will show).
 */
export async function diff(
  ctx: OperationContext,
  olds: VmOutputs,
  news: VmOutputs,
): Promise<pulumi.dynamic.DiffResult> {
  const { log } = ctx;
  const replaces = (["name", "namespace"] as const).filter((k) => !isUnknown(news[k]) && olds[k] !== news[k]);
  if (replaces.length > 0) {
    log(`${olds.name}: will replace VirtualMachine ${idOf(olds)} (${replaces.join(", ")} changed)`);
    return { changes: true, replaces };
  }
  if (containsUnknown(news)) return { changes: true };
  const declaredChanged = !jsonEqual(declaration(olds), declaration(news));
  const observed = await observeLive(ctx.connect(news), news.namespace!, news.name);
  if (!observed.vm) {
    log(`${news.name}: VirtualMachine ${idOf(news)} is gone from the cluster; will create it again`);
    return { changes: true };
  }
  const p = plan({ desired: desiredOf(news), previous: desiredOf(olds), observed });
  for (const action of powerActions(p)) log(describeAction(action, news.name));
  for (const note of p.notes) log(`${news.name}: note: ${note}`);
  return { changes: declaredChanged || p.actions.length > 0 };
}

/** The declared part of stored inputs, for comparisons. */
function declaration(inputs: VmOutputs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).filter(([k]) => !NOT_DECLARED.has(k)));
}
