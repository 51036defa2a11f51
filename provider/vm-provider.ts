/**
 * The dynamic provider for KubeVirt VirtualMachines: check, diff, create, read, update, delete. Each
 * operation observes the live VM and VMI, asks the planner what to do, and lets the executor do it.
 *
 * Inputs are the resolved component args (see `schema/`); outputs echo the inputs (so `delete` and `read`
 * know how to connect, and secret inputs stay secret) plus `observed`, the live state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { check, type CheckDeps } from "./check";
import { Connections } from "./connections";
import { forEngine } from "./kube/errors";
import { idOf, type OperationContext } from "./operations/context";
import { create } from "./operations/create";
import { deleteVm } from "./operations/delete";
import { diff } from "./operations/diff";
import { read } from "./operations/read";
import { update } from "./operations/update";
import { asOperationOf, consoleSink, logTo, type ProgressSink } from "./progress/sink";
import type { VmOutputs } from "./vm-outputs";

export type { VmOutputs } from "./vm-outputs";

/** The dynamic provider, plus `close()` to stop its watches (for tests and other long-lived hosts). */
export type VmProvider = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">
> & { close(): void };

/** Tuning of a provider (for tests and embedders; the defaults suit real clusters). */
export interface VmProviderOptions {
  /** A watch stream silent for this long is replaced by a fresh list+watch (default 30 s). */
  watchIdleMs?: number;
  /**
   * How operations read a VM and its instance: `"watch"` (the default) from the namespace's shared watch, listed
   * once per namespace when first needed, so a run of N VMs costs no read per VM (Pulumi starts a provider host
   * per run, so the list is as fresh as the run); `"get"` with two GETs each time, for a host that lives across
   * runs while others change its VMs (reads then see a change the moment the server has it).
   */
  reads?: "watch" | "get";
}

/**
 * Builds the provider. `sink` receives its progress, each line with the URN of the VM resource it is about (see
 * `progress/`); a `flush` on the sink is awaited before an operation returns, so that the engine has every line
 * of a step before the step ends.
 */
export function createVmProvider(
  sink: ProgressSink & { flush?(): Promise<void> } = consoleSink,
  options: VmProviderOptions = {},
): VmProvider {
  const log = logTo(sink);
  const connections = new Connections(log, options.watchIdleMs, options.reads !== "get");
  const ctx: OperationContext = {
    connect: (inputs) => connections.get({ kubeconfig: inputs.kubeconfig, context: inputs.context }),
    log,
  };
  const checkDeps: CheckDeps = { ...ctx, claims: new Map(), namespaces: new Set(), references: new Map() };
  return guarded(sink, {
    close: () => connections.close(),
    check: (olds: VmOutputs, news: Record<string, unknown>) => check(checkDeps, olds, news),
    diff: (_id: string, olds: VmOutputs, news: VmOutputs) => diff(ctx, olds, news),
    create: (news: VmOutputs) => create(ctx, news),
    read: (id: string, props: VmOutputs) => read(ctx, id, props),
    update: (_id: string, olds: VmOutputs, news: VmOutputs) => update(ctx, olds, news),
    delete: (_id: string, props: VmOutputs) => deleteVm(ctx, props),
  });
}

/**
 * The provider with every operation run as the operation of its VM resource (its lines carry that resource's
 * URN), its lines flushed before it returns, and its errors made safe for the engine (see {@link forEngine})
 * and naming the VM they are about.
 */
function guarded(sink: { flush?(): Promise<void> }, provider: VmProvider): VmProvider {
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>, vmOf: (...args: A) => VmOutputs | undefined) =>
    (...args: A): Promise<R> =>
      asOperationOf(urnOf(args), () => fn(...args))
        .catch((err: unknown) => Promise.reject(forEngine(naming(err, vmOf(...args)))))
        .finally(() => sink.flush?.());
  return {
    close: provider.close,
    check: wrap(provider.check, () => undefined),
    diff: wrap(provider.diff, (_id, olds) => olds),
    create: wrap(provider.create, (news) => news),
    read: wrap(provider.read, (_id, props) => props),
    update: wrap(provider.update, (_id, olds) => olds),
    delete: wrap(provider.delete, (_id, props) => props),
  };
}

/** The URN of the VM resource an operation is about: its last argument (the new or stored inputs) names it. */
function urnOf(args: unknown[]): string | undefined {
  const urn = (args[args.length - 1] as { resourceUrn?: unknown } | undefined)?.resourceUrn;
  return typeof urn === "string" ? urn : undefined;
}

/** `err`, its message prefixed with the VM's id unless it names the VM already. */
function naming(err: unknown, vm: VmOutputs | undefined): unknown {
  if (!vm?.name || !(err instanceof Error) || err.message.includes(vm.name)) return err;
  return Object.assign(err, { message: `VirtualMachine ${idOf(vm)}: ${err.message}` });
}
