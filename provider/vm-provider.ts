/**
 * The dynamic provider for KubeVirt VirtualMachines: check, diff, create, read, update, delete. Each
 * operation observes the live VM and VMI, asks the planner what to do, and lets the executor do it.
 *
 * Inputs are the resolved component args (see `schema/`); outputs echo the inputs (so `delete` and `read`
 * know how to connect, and secret inputs stay secret) plus `observed`, the live state.
 */
import { randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { PowerDrift } from "../sdk/enums";
import { Connections, type Connection } from "./connections";
import { execute, StaleObservationError } from "./executor";
import { contextNamespace, loadKubeConfig } from "./kube/connection";
import { jsonEqual } from "./model/merge";
import { declaredStrategy, vmManifest } from "./model/manifest";
import { observe, type ObservedVm } from "./model/observed";
import { describeAction, powerActions } from "./planner/actions";
import { plan, type Declared, type Desired } from "./planner/plan";
import { containsUnknown, desiredPowerState, isUnknown, validateVmInputs, type VmInputs } from "./schema";
import { waitFor } from "./wait/waiter";

/** What the provider stores: the checked inputs plus the observed state. */
export type VmOutputs = VmInputs & { observed?: ObservedVm; autoNamePrefix?: string };

/** Keys that are not part of the declaration. */
const NOT_DECLARED = new Set(["observed", "__provider"]);

/** How many times an update re-observes and re-plans after a concurrent change. */
const MAX_PLAN_ATTEMPTS = 3;

/** The dynamic provider, plus `close()` to stop its watches (for tests and other long-lived hosts). */
export type VmProvider = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">
> & { close(): void };

/** Builds the provider. `log` receives progress lines (the CLI shows them during `up`). */
export function createVmProvider(log: (line: string) => void = (l) => console.log(l)): VmProvider {
  const connections = new Connections(log);
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
        await execute(
          p,
          { api: conn.api, watch: conn.watch(ns), namespace: ns, name: inputs.name, deadline, log },
          observed,
        );
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

  /** Runs `work`; when it fails after the VM exists, reports a partially created/updated resource. */
  async function keepingState(inputs: VmOutputs, work: () => Promise<VmOutputs>): Promise<VmOutputs> {
    try {
      return await work();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const conn = connect(inputs);
      const live = await observeLive(conn, inputs.namespace!, inputs.name).catch(() => undefined);
      if (!live?.vm) throw err;
      throw Object.assign(new Error(message), {
        id: idOf(inputs),
        properties: { ...stripObserved(inputs), observed: observe(live.vm, live.vmi) },
        reasons: [message],
      });
    }
  }

  return {
    close: () => connections.close(),

    async check(olds: VmOutputs, news: Record<string, unknown>) {
      const raw: Record<string, unknown> = { ...news };
      if (raw.name === undefined) raw.name = olds?.name ?? autoName(String(raw.autoNamePrefix ?? "vm"));
      const failures: pulumi.dynamic.CheckFailure[] = [];
      if (raw.namespace === undefined && !isUnknown(raw.kubeconfig) && !isUnknown(raw.context)) {
        try {
          const kc = loadKubeConfig({
            kubeconfig: raw.kubeconfig as string | undefined,
            context: raw.context as string | undefined,
          });
          raw.namespace = contextNamespace(kc);
        } catch (err) {
          failures.push({
            property: /^context/.test(String(err)) ? "context" : "kubeconfig",
            reason: (err as Error).message,
          });
        }
      }
      const result = validateVmInputs(raw);
      if (!result.ok) {
        failures.push(...result.issues.map((i) => ({ property: i.path || "inputs", reason: i.message })));
        return { inputs: news, failures };
      }
      if (failures.length > 0) return { inputs: news, failures };
      const inputs: VmOutputs = { ...result.value };
      if (inputs.powerState === undefined) {
        const implied = desiredPowerState(inputs);
        if (implied !== undefined) inputs.powerState = implied;
      }
      if (olds?.name === undefined && !containsUnknown(inputs)) {
        // A new resource: say now (before any change is made) if the VM exists already.
        const existing = await connect(inputs)
          .api.getVm(inputs.namespace!, inputs.name)
          .catch(() => undefined);
        if (existing && !inputs.adopt) {
          return {
            inputs,
            failures: [
              {
                property: "name",
                reason: `VirtualMachine ${idOf(inputs)} already exists; set adopt: true to manage it with this program, or choose another name`,
              },
            ],
          };
        }
        if (existing) log(`${inputs.name}: will adopt the existing VirtualMachine ${idOf(inputs)}`);
      }
      return { inputs };
    },

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
      if (existing && !news.adopt) {
        throw new Error(
          `VirtualMachine ${idOf(news)} already exists; set adopt: true to manage it with this program`,
        );
      }
      if (existing) log(`${news.name}: adopting the existing VirtualMachine ${idOf(news)}`);
      const outs = await keepingState(news, () => converge(news, undefined, deadline, !!existing));
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
      const outs = await keepingState(news, () => converge(news, desiredOf(olds), deadline, false));
      return { outs };
    },

    async delete(_id: string, props: VmOutputs) {
      const conn = connect(props);
      const ns = props.namespace!;
      const before = await observeLive(conn, ns, props.name);
      if (!(await conn.api.deleteVm(ns, props.name))) return;
      log(`${props.name}: deleting VirtualMachine ${idOf(props)}`);
      const timeout = (props.timeouts?.delete ?? 600) * 1000;
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
  };
}

function idOf(inputs: Pick<VmInputs, "name" | "namespace">): string {
  return `${inputs.namespace}/${inputs.name}`;
}

/** Pulumi-style auto-name: the resource name plus a random suffix. */
function autoName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex").slice(0, 7)}`;
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
