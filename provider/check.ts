/**
 * `check`: validates the inputs and, for a new resource, tells the truth about the cluster before anything is
 * changed: that it can be reached with these credentials, that the namespace exists, whether a VM of that
 * name exists and who manages it (this resource after an interrupted create, another resource, nobody), and
 * that no other resource of the program declares the same VM; and that the new or changed objects the inputs
 * name exist (instance type, preference, and the StorageClass and clone source of each DataVolume template; one
 * GET per object and provider process). An auto-named resource whose earlier create was
 * interrupted gets the name of the VM it already owns, so no second VM is ever created.
 */
import { randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { Connection } from "./connections";
import { ApiError, describeApiFailure } from "./kube/errors";
import { isNamespacedKind, referencePath } from "./kube/kubevirt-api";
import type { LiveVm } from "./model/kubevirt";
import { desiredOf, observeLive } from "./operations/context";
import { notOursMessage, ownerSelector, ownershipOf } from "./ownership";
import { describeAction, powerActions } from "./planner/actions";
import { plan } from "./planner/plan";
import { referencesOf } from "./references";
import type { Log } from "./progress/sink";
import { containsUnknown, desiredPowerState, isUnknown, validateVmInputs } from "./schema";
import type { VmOutputs } from "./vm-outputs";

type Failure = pulumi.dynamic.CheckFailure;

/** What check needs from the provider. */
export interface CheckDeps {
  connect(inputs: Pick<VmOutputs, "kubeconfig" | "context">): Connection;
  log: Log;
  /** The VMs claimed so far in this deployment: `<connection>/<namespace>/<name>` → owner. */
  claims: Map<string, string>;
  /** Namespaces already found to exist, per connection. */
  namespaces: Set<string>;
  /**
   * Lookups of the objects the inputs name (see `referencesOf`), per connection and object path: whether it exists
   * (`undefined`: not readable with these credentials). One that is missing or failed is forgotten.
   */
  references: Map<string, Promise<boolean | undefined>>;
}

/** The dynamic provider's `check`. */
export async function check(
  deps: CheckDeps,
  olds: VmOutputs | undefined,
  news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult> {
  const raw: Record<string, unknown> = { ...news };
  const failures: Failure[] = [];
  if (typeof raw.owner !== "string" || raw.owner === "") {
    failures.push({ property: "owner", reason: "owner: set by the VirtualMachine component (its URN)" });
  }
  const settingsLoadable = [raw.kubeconfig, raw.context].every(
    (v) => v === undefined || (typeof v === "string" && v !== "" && !isUnknown(v)),
  );
  if (settingsLoadable) {
    // Connected whatever the namespace (the connection is cached): a kubeconfig that does not load is an input
    // error, not a crash later.
    try {
      const conn = deps.connect({
        kubeconfig: raw.kubeconfig as string | undefined,
        context: raw.context as string | undefined,
      });
      raw.namespace ??= conn.defaultNamespace;
    } catch (err) {
      failures.push({
        property: /^context/.test(String((err as Error).message)) ? "context" : "kubeconfig",
        reason: (err as Error).message,
      });
    }
  }
  const autoNamed = raw.name === undefined && olds?.name === undefined;
  if (raw.name === undefined) raw.name = olds?.name ?? autoName(String(raw.autoNamePrefix ?? "vm"));
  const result = validateVmInputs(raw);
  if (!result.ok) {
    failures.push(...result.issues.map((i) => ({ property: i.path || "inputs", reason: i.message })));
  }
  if (failures.length > 0 || !result.ok) return { inputs: news, failures };
  const inputs: VmOutputs = { ...result.value, owner: raw.owner as string };
  if (typeof raw.resourceUrn === "string") inputs.resourceUrn = raw.resourceUrn;
  if (inputs.powerState === undefined) {
    const implied = desiredPowerState(inputs);
    if (implied !== undefined) inputs.powerState = implied;
  }
  if (containsUnknown(inputs)) return { inputs };
  const conn = deps.connect(inputs);
  if (olds?.name === undefined) {
    try {
      const problem = await checkNew(deps, conn, inputs, autoNamed);
      if (problem) return { inputs, failures: [problem] };
    } catch (err) {
      // Credentials, TLS and connection failures are the kubeconfig's; anything else is the server's answer.
      const answered = err instanceof ApiError && ![0, 401, 403].includes(err.code);
      const property = answered ? "name" : "kubeconfig";
      const reason =
        property === "kubeconfig"
          ? `kubeconfig: ${describeApiFailure(err)}`
          : `name: cannot check VirtualMachine ${inputs.namespace}/${inputs.name}: ${describeApiFailure(err)}`;
      return { inputs, failures: [{ property, reason }] };
    }
  }
  const failed = await checkDeclared(deps, conn, olds, inputs);
  return failed.length > 0 ? { inputs, failures: failed } : { inputs };
}

/** The checks of every resource: that its instance type and preference exist, then that no other resource claims its VM. */
async function checkDeclared(
  deps: CheckDeps,
  conn: Connection,
  olds: VmOutputs | undefined,
  inputs: VmOutputs,
): Promise<Failure[]> {
  const missing = await checkReferences(deps, conn, olds, inputs);
  if (missing.length > 0) return missing;
  const claim = claimName(deps, conn, inputs);
  return claim ? [claim] : [];
}

/** The checks of a resource that has no state yet; `undefined` when it may be created. */
async function checkNew(
  deps: CheckDeps,
  conn: Connection,
  inputs: VmOutputs,
  autoNamed: boolean,
): Promise<Failure | undefined> {
  const ns = inputs.namespace!;
  const nsKey = `${conn.key}/${ns}`;
  if (!deps.namespaces.has(nsKey)) {
    const exists = await conn.api.namespaceExists(ns);
    if (exists === false) {
      return { property: "namespace", reason: `namespace: "${ns}" does not exist on the cluster` };
    }
    deps.namespaces.add(nsKey);
  }
  if (autoNamed) {
    const owned = await ownedVm(conn, ns, inputs.owner!);
    if (owned) inputs.name = owned.metadata.name;
  }
  const observed = await observeLive(conn, ns, inputs.name);
  const existing = observed.vm;
  if (!existing) return undefined;
  const id = `${ns}/${inputs.name}`;
  const ownership = ownershipOf(existing, [inputs.owner]);
  if (ownership.kind === "ours") {
    deps.log(`${inputs.name}: will resume the interrupted create of VirtualMachine ${id}`);
    return undefined;
  }
  if (inputs.adopt) {
    const from = ownership.kind === "foreign" ? ` (taking it over from ${ownership.owner})` : "";
    deps.log(`${inputs.name}: will adopt the existing VirtualMachine ${id}${from}`);
    // What adopting it will do, as diff says of a managed VM (preview sends no diff for a new resource).
    const p = plan({ desired: desiredOf(inputs), observed, adoptedAt: "preview" });
    for (const action of powerActions(p)) deps.log(describeAction(action, inputs.name));
    for (const note of p.notes) deps.log(`${inputs.name}: note: ${note}`);
    return undefined;
  }
  const reason = `${notOursMessage(id, ownership, "taking over")}; set adopt: true to manage it with this program, or choose another name`;
  return { property: "name", reason };
}

/**
 * Failures for the objects the inputs name that do not exist (or cannot be read): the instance type and
 * preference, and what the DataVolume templates need (see `referencesOf`). One GET per object and provider
 * process; a 403 (not readable with these credentials) is no failure.
 */
async function checkReferences(
  deps: CheckDeps,
  conn: Connection,
  olds: VmOutputs | undefined,
  inputs: VmOutputs,
): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const { property, path, ref } of referencesOf(olds, inputs)) {
    const key = `${conn.key}${referencePath(ref)}`;
    let lookup = deps.references.get(key);
    if (!lookup) {
      lookup = conn.api.referenceExists(ref);
      deps.references.set(key, lookup);
    }
    const what = `${ref.kind} ${JSON.stringify(ref.name)}${isNamespacedKind(ref.kind) ? ` in namespace "${ref.namespace}"` : ""}`;
    try {
      if ((await lookup) !== false) continue;
      failures.push({ property, reason: `${path}: ${what} not found` });
    } catch (err) {
      failures.push({ property, reason: `${path}: cannot check ${what}: ${describeApiFailure(err)}` });
    }
    deps.references.delete(key);
  }
  return failures;
}

/** The VM this owner already manages in the namespace (an auto-named create that was interrupted). */
async function ownedVm(conn: Connection, ns: string, owner: string): Promise<LiveVm | undefined> {
  const { items } = await conn.api.list<LiveVm>("vm", ns, ownerSelector(owner));
  const mine = items.filter((vm) => ownershipOf(vm, [owner]).kind === "ours");
  return mine.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))[0];
}

/** Records that this resource declares the VM; a failure when another resource of the deployment does. */
function claimName(deps: CheckDeps, conn: Connection, inputs: VmOutputs): Failure | undefined {
  const key = `${conn.key}/${inputs.namespace}/${inputs.name}`;
  const claimed = deps.claims.get(key);
  if (claimed !== undefined && claimed !== inputs.owner) {
    return {
      property: "name",
      reason: `name: VirtualMachine ${inputs.namespace}/${inputs.name} is also declared by ${claimed}; two resources cannot manage one VM`,
    };
  }
  deps.claims.set(key, inputs.owner!);
  return undefined;
}

/** Pulumi-style auto-name: the resource name plus a random suffix. */
function autoName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex").slice(0, 7)}`;
}
