/**
 * The dynamic provider for KubeVirt VirtualMachines: check, diff, create, read, update, delete. Each
 * operation observes the live VM and VMI, asks the planner what to do, and lets the executor do it.
 *
 * Inputs are the resolved component args (see `schema/`); outputs echo the inputs (so `delete` and `read`
 * know how to connect, and secret inputs stay secret) plus `observed`, the live state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PowerDrift } from "../sdk/enums";
import { check } from "./check";
import { Connections, type Connection } from "./connections";
import { execute, StaleObservationError } from "./executor";
import { forEngine } from "./kube/errors";
import type { LiveVm } from "./model/kubevirt";
import { jsonEqual } from "./model/merge";
import { declaredStrategy, vmManifest } from "./model/manifest";
import { observe } from "./model/observed";
import { notOursMessage, ownershipOf } from "./ownership";
import { describeAction, powerActions } from "./planner/actions";
import { plan, type Declared, type Desired } from "./planner/plan";
import {
  containsUnknown,
  DEFAULT_TIMEOUT_SECONDS,
  desiredPowerState,
  isUnknown,
  type VmInputs,
} from "./schema";
import type { VmOutputs } from "./vm-outputs";
import { waitFor } from "./wait/waiter";

export type { VmOutputs } from "./vm-outputs";

/** Keys that are not part of the declaration (the owner changes with a stack rename, and never causes a diff). */
const NOT_DECLARED = new Set(["observed", "__provider", "owner"]);

/** How many times an update re-observes and re-plans after a concurrent change. */
const MAX_PLAN_ATTEMPTS = 3;

/** The dynamic provider, plus `close()` to stop its watches (for tests and other long-lived hosts). */
export type VmProvider = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">
> & { close(): void };

/** Tuning of a provider (for tests and embedders; the defaults suit real clusters). */
export interface VmProviderOptions {
  /** A watch stream silent for this long is replaced by a fresh list+watch (default 30 s). */
  watchIdleMs?: number;
}

/** Builds the provider. `log` receives progress lines (the CLI shows them during `up`). */
export function createVmProvider(
  log: (line: string) => void = (l) => console.log(l),
  options: VmProviderOptions = {},
): VmProvider {
  const connections = new Connections(log, options.watchIdleMs);
  const checkDeps = {
    connect: (i: Pick<VmInputs, "kubeconfig" | "context">) => connect(i),
    log,
    claims: new Map(),
    namespaces: new Set<string>(),
  };
  const connect = (inputs: Pick<VmInputs, "kubeconfig" | "context">): Connection =>
    connections.get({ kubeconfig: inputs.kubeconfig, context: inputs.context });

  async function observeLive(conn: Connection, ns: string, name: string) {
    const [vm, vmi] = await Promise.all([conn.api.getVm(ns, name), conn.api.getVmi(ns, name)]);
    return { vm, vmi };
  }

  /** Observe → plan → execute until the plan runs through (re-planning after concurrent changes). */
  async function converge(
    inputs: VmOutputs,
    previous: Declared | undefined,
    deadline: number,
    adopting: boolean,
  ) {
    const conn = connect(inputs);
    const ns = inputs.namespace!;
    let prev = previous;
    for (let attempt = 1; ; attempt++) {
      const observed = await observeLive(conn, ns, inputs.name);
      const desired = desiredOf(inputs);
      const adoptedAt = adopting && observed.vm && !prev ? new Date().toISOString() : undefined;
      const p = plan({ desired, previous: prev, observed, adoptedAt });
      for (const note of p.notes) log(`${inputs.name}: note: ${note}`);
      try {
        const ctx = { api: conn.api, watch: conn.watch(ns), namespace: ns, name: inputs.name, deadline, log };
        await execute(p, { ...ctx, isOurs: (vm) => isOurs(vm, inputs) }, observed);
        break;
      } catch (err) {
        if (!(err instanceof StaleObservationError) || attempt >= MAX_PLAN_ATTEMPTS) throw err;
        log(`${inputs.name}: the VirtualMachine changed while updating it (${err.message}); observing again`);
        if (p.actions.some((a) => a.kind === "create")) prev = desired;
      }
    }
    const live = await observeLive(conn, ns, inputs.name);
    return {
      ...stripObserved(inputs),
      observed: live.vm ? observe(live.vm, live.vmi) : undefined,
    } as VmOutputs;
  }

  /**
   * Runs `work`; when it fails after this resource's VM exists, reports a partially created/updated resource
   * with the `recorded` declaration: for a failed update the old one, so that the next `up` still sees (and
   * does) what did not happen, e.g. the restart a changed `restartTrigger` asked for. A VM of the name that
   * another resource manages (a create that lost a race) is never recorded.
   */
  async function keepingState(
    inputs: VmOutputs,
    work: () => Promise<VmOutputs>,
    recorded: VmOutputs = inputs,
  ): Promise<VmOutputs> {
    try {
      return await work();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const conn = connect(inputs);
      const live = await observeLive(conn, inputs.namespace!, inputs.name).catch(() => undefined);
      if (!live?.vm) throw err;
      const ownership = ownershipOf(live.vm, [inputs.owner]);
      if (ownership.kind !== "ours") {
        throw new Error(`${message} (${notOursMessage(idOf(inputs), ownership, "recording")})`);
      }
      throw Object.assign(new Error(message), {
        id: idOf(inputs),
        properties: { ...stripObserved(recorded), observed: observe(live.vm, live.vmi) },
        reasons: [message],
      });
    }
  }

  return guarded({
    close: () => connections.close(),

    check: (olds: VmOutputs, news: Record<string, unknown>) => check(checkDeps, olds, news),

    async diff(_id: string, olds: VmOutputs, news: VmOutputs) {
      const replaces = (["name", "namespace"] as const).filter(
        (k) => !isUnknown(news[k]) && olds[k] !== news[k],
      );
      if (replaces.length > 0) {
        log(`${olds.name}: will replace VirtualMachine ${idOf(olds)} (${replaces.join(", ")} changed)`);
        return { changes: true, replaces };
      }
      if (containsUnknown(news)) return { changes: true };
      const declaredChanged = !jsonEqual(declaration(olds), declaration(news));
      const observed = await observeLive(connect(news), news.namespace!, news.name);
      if (!observed.vm) {
        log(`${news.name}: VirtualMachine ${idOf(news)} is gone from the cluster; will create it again`);
        return { changes: true };
      }
      const p = plan({ desired: desiredOf(news), previous: desiredOf(olds), observed });
      for (const action of powerActions(p)) log(describeAction(action, news.name));
      for (const note of p.notes) log(`${news.name}: note: ${note}`);
      return { changes: declaredChanged || p.actions.length > 0 };
    },

    async create(news: VmOutputs) {
      const conn = connect(news);
      const deadline = Date.now() + news.timeouts.create * 1000;
      const existing = await conn.api.getVm(news.namespace!, news.name);
      const ownership = existing ? ownershipOf(existing, [news.owner]) : undefined;
      if (ownership && ownership.kind !== "ours" && !news.adopt) {
        throw new Error(
          `${notOursMessage(idOf(news), ownership, "creating or taking over")}; set adopt: true to manage it with this program`,
        );
      }
      if (ownership?.kind === "ours") log(`${news.name}: resuming the interrupted create of ${idOf(news)}`);
      else if (existing) log(`${news.name}: adopting the existing VirtualMachine ${idOf(news)}`);
      const adopting = ownership !== undefined && ownership.kind !== "ours";
      const outs = await keepingState(news, () => converge(news, undefined, deadline, adopting));
      return { id: idOf(news), outs };
    },

    async read(id: string, props: VmOutputs) {
      const conn = connect(props);
      const { vm, vmi } = await observeLive(conn, props.namespace!, props.name);
      if (!vm) return {};
      const observed = observe(vm, vmi);
      const inputs: Record<string, unknown> = stripObserved(props);
      if (props.powerDrift !== PowerDrift.Ignore) {
        // Show out-of-band power changes as input drift, so the next preview says "Stopped => Running".
        if (props.runStrategy !== undefined && vm.spec.runStrategy !== undefined)
          inputs.runStrategy = vm.spec.runStrategy;
        if (props.powerState !== undefined && observed.powerState !== "Unknown") {
          inputs.powerState = observed.powerState === "Stopped" ? "Stopped" : "Running";
        }
      }
      return { id, props: { ...props, observed }, inputs };
    },

    async update(_id: string, olds: VmOutputs, news: VmOutputs) {
      const deadline = Date.now() + news.timeouts.update * 1000;
      const live = await connect(news).api.getVm(news.namespace!, news.name);
      const ownership = live ? ownershipOf(live, [olds.owner, news.owner]) : undefined;
      if (ownership?.kind === "foreign" && !news.adopt) {
        throw new Error(
          `${notOursMessage(idOf(news), ownership, "updating", false)}; set adopt: true to take it back`,
        );
      }
      const outs = await keepingState(news, () => converge(news, desiredOf(olds), deadline, false), olds);
      return { outs };
    },

    async delete(_id: string, props: VmOutputs) {
      const conn = connect(props);
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
    },
  });
}

/**
 * The provider with every operation's errors made safe for the engine (see {@link forEngine}) and naming the
 * VM they are about.
 */
function guarded(provider: VmProvider): VmProvider {
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>, vmOf: (...args: A) => VmOutputs | undefined) =>
    (...args: A): Promise<R> =>
      fn(...args).catch((err: unknown) => Promise.reject(forEngine(naming(err, vmOf(...args)))));
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

/** `err`, its message prefixed with the VM's id unless it names the VM already. */
function naming(err: unknown, vm: VmOutputs | undefined): unknown {
  if (!vm?.name || !(err instanceof Error) || err.message.includes(vm.name)) return err;
  return Object.assign(err, { message: `VirtualMachine ${idOf(vm)}: ${err.message}` });
}

function idOf(inputs: Pick<VmInputs, "name" | "namespace">): string {
  return `${inputs.namespace}/${inputs.name}`;
}

/** Whether `vm` is the VM these inputs' resource manages (by its current or recorded identity). */
function isOurs(vm: LiveVm, inputs: VmOutputs): boolean {
  return ownershipOf(vm, [inputs.owner]).kind === "ours";
}

function stripObserved(inputs: VmOutputs): VmOutputs {
  const { observed: _observed, ...rest } = inputs;
  return rest;
}

/** The declared part of stored inputs, for comparisons. */
function declaration(inputs: VmOutputs): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).filter(([k]) => !NOT_DECLARED.has(k)));
}

/** The planner's view of checked inputs. */
function desiredOf(inputs: VmOutputs): Desired {
  return {
    manifest: vmManifest(inputs, inputs.namespace!),
    strategy: declaredStrategy(inputs),
    power: desiredPowerState(inputs),
    restartTrigger: inputs.restartTrigger,
    restartPolicy: inputs.restartPolicy,
    powerDrift: inputs.powerDrift,
    waitFor: inputs.waitFor,
    stopGracePeriodSeconds: inputs.stopGracePeriodSeconds,
  };
}
