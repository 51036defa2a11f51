/**
 * Lookup functions: the live state of an existing VirtualMachine, read in the program's own process (also
 * during `pulumi preview`), for use in other resources' inputs. They send two GET requests (the VM and its
 * instance) through the provider's own client and never change anything.
 *
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import type { Connections } from "../provider/connections";
import { dns1123LabelErrors, dns1123SubdomainErrors } from "../provider/schema/names";
import type { ObservedVirtualMachine } from "./outputs";

/** Arguments of {@link getVirtualMachine}. */
export interface GetVirtualMachineArgs {
  /** The VirtualMachine's name. */
  name: string;
  /** Its namespace. Default: the namespace of the kubeconfig context in use, else `default`. */
  namespace?: string;
  /**
   * Kubeconfig to use: a file path, the kubeconfig contents (YAML/JSON) or their base64; never quoted in a
   * message. Default: `KUBECONFIG`, `~/.kube/config`, else the in-cluster account.
   */
  kubeconfig?: string;
  /** Kubeconfig context to use. Default: the kubeconfig's current context. */
  context?: string;
}

/** Arguments of {@link getVirtualMachineOutput}: those of {@link getVirtualMachine}, each a `pulumi.Input`. */
export type GetVirtualMachineOutputArgs = {
  [K in keyof GetVirtualMachineArgs]: pulumi.Input<GetVirtualMachineArgs[K]>;
};

/** What a lookup returns: the VM's name and namespace and its observed state (as the component's outputs). */
export interface GetVirtualMachineResult extends ObservedVirtualMachine {
  name: string;
  namespace: string;
}

const ARG_KEYS: readonly (keyof GetVirtualMachineArgs)[] = ["name", "namespace", "kubeconfig", "context"];

/**
 * Reads an existing VirtualMachine and its instance: its power state, run strategy, status, node and IPs.
 * The arguments are checked before any API call (the error names the argument); a VM that does not exist
 * fails with `VirtualMachine <namespace>/<name> not found`.
 *
 * @example
 * ```ts
 * const db = await getVirtualMachine({ name: "db-vm", namespace: "prod" });
 * if (db.powerState !== "Running") throw new Error("the database VM is down");
 * ```
 */
export async function getVirtualMachine(args: GetVirtualMachineArgs): Promise<GetVirtualMachineResult> {
  validateArgs(args);
  // Loaded on first use: programs that never look a VM up do not load the Kubernetes client.
  const { observeExisting, notFound } = await import("../provider/operations/read");
  const conn = (await connections()).get({ kubeconfig: args.kubeconfig, context: args.context });
  const namespace = args.namespace ?? conn.defaultNamespace;
  const observed = await observeExisting(conn, namespace, args.name);
  if (!observed) throw notFound(namespace, args.name);
  return { name: args.name, namespace, ...observed };
}

/**
 * {@link getVirtualMachine} for inputs that are outputs of other resources: the result is an Output (unknown
 * during preview while an argument is). A secret `kubeconfig` or `context` does not make the result secret
 * (the result never contains them); a secret `name` or `namespace` does.
 *
 * @example
 * ```ts
 * const web = getVirtualMachineOutput({ name: vm.name, namespace: vm.namespace });
 * export const webIp = web.apply((vm) => vm.interfaces?.[0]?.ipAddress);
 * ```
 */
export function getVirtualMachineOutput(
  args: GetVirtualMachineOutputArgs,
): pulumi.Output<GetVirtualMachineResult> {
  validateArgs(args, true);
  return pulumi
    .all([
      args.name,
      args.namespace,
      pulumi.unsecret(pulumi.output(args.kubeconfig)),
      pulumi.unsecret(pulumi.output(args.context)),
    ])
    .apply(([name, namespace, kubeconfig, context]) =>
      getVirtualMachine(strip({ name, namespace, kubeconfig, context }) as GetVirtualMachineArgs),
    );
}

/**
 * Checks the arguments (with `inputs`, only those that are plain values), throwing an error that names the
 * first bad one; never quotes the kubeconfig.
 */
function validateArgs(args: unknown, inputs = false): void {
  const fail = (message: string): never => {
    throw new Error(`getVirtualMachine: ${message}`);
  };
  if (typeof args !== "object" || args === null) fail(`expected an object { name, namespace?, ... }`);
  const given = args as Record<string, unknown>;
  const unknownKey = Object.keys(given).find((k) => !(ARG_KEYS as string[]).includes(k));
  if (unknownKey !== undefined) fail(`${unknownKey}: unknown argument (known: ${ARG_KEYS.join(", ")})`);
  for (const key of ARG_KEYS) {
    const value = given[key];
    if (inputs && (pulumi.Output.isInstance(value) || value instanceof Promise)) continue;
    const problem = argProblem(key, value);
    if (problem !== undefined) fail(`${key}: ${problem}`);
  }
}

/** What is wrong with one argument's value, if anything. */
function argProblem(key: keyof GetVirtualMachineArgs, value: unknown): string | undefined {
  if (value === undefined) return key === "name" ? "required (the VirtualMachine's name)" : undefined;
  if (typeof value !== "string") return `must be a string, got ${value === null ? "null" : typeof value}`;
  if (value === "") return "must not be empty";
  if (key !== "name" && key !== "namespace") return undefined;
  const errors = key === "name" ? dns1123SubdomainErrors(value) : dns1123LabelErrors(value);
  return errors.length > 0 ? `Invalid value: ${JSON.stringify(value)}: ${errors.join(", ")}` : undefined;
}

let shared: Promise<Connections> | undefined;

/** The program's connections (one per kubeconfig and context), logging through Pulumi. */
function connections(): Promise<Connections> {
  shared ??= import("../provider/connections").then(
    ({ Connections }) =>
      new Connections((line, kind) =>
        kind === "warning"
          ? pulumi.log.warn(`getVirtualMachine: ${line}`)
          : pulumi.log.debug(`getVirtualMachine: ${line}`),
      ),
  );
  return shared;
}

/** Drops undefined members. */
function strip<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
