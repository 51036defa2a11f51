/**
 * Read-only resources (`VirtualMachine.get`): the flag that marks their inputs and the id that names their VM.
 * Kept free of heavy imports: the SDK loads it in every program.
 */
import type { ObservedVm } from "./model/observed";
import { dns1123LabelErrors, dns1123SubdomainErrors } from "./schema/names";

/**
 * The input that marks a read-only resource: its inputs are only this flag and the connection settings, its
 * id names the VM. The engine never updates or deletes such a resource (it is read, not created).
 */
export const READ_ONLY = "readOnly";

/** What the provider receives and stores for a read-only resource. */
export interface ReadOnlyProps {
  [READ_ONLY]: true;
  kubeconfig?: string;
  context?: string;
  name?: string;
  namespace?: string;
  /** Present once the VM was read (on a refresh). */
  observed?: ObservedVm;
}

/** Whether `props` are those of a read-only resource. */
export function isReadOnly(props: object): props is ReadOnlyProps {
  return (props as Record<string, unknown>)[READ_ONLY] === true;
}

/**
 * The namespace and name of the VM an id names: `namespace/name`, or `name` in the connection's default
 * namespace.
 *
 * @throws Error naming what is wrong with the id (before any API call).
 */
export function parseVmId(id: unknown, defaultNamespace: string): { namespace: string; name: string } {
  const expected = `expected "namespace/name" or "name"`;
  if (typeof id !== "string" || id === "") {
    throw new Error(`id: ${expected}, got ${typeof id === "string" ? "an empty string" : typeof id}`);
  }
  const parts = id.split("/");
  if (parts.length > 2) throw new Error(`id: ${expected}, got ${JSON.stringify(id)}`);
  const [namespace, name] = parts.length === 2 ? parts : [defaultNamespace, parts[0]];
  const problems = [
    ...dns1123LabelErrors(namespace).map((e) => `namespace ${JSON.stringify(namespace)}: ${e}`),
    ...dns1123SubdomainErrors(name).map((e) => `name ${JSON.stringify(name)}: ${e}`),
  ];
  if (problems.length > 0) throw new Error(`id: ${JSON.stringify(id)}: ${problems.join("; ")}`);
  return { namespace, name };
}
