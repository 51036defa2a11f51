/**
 * Who manages a VirtualMachine. Every VM the provider creates or adopts carries the identity of the Pulumi
 * resource that manages it (the component's URN: organisation-free project, stack and resource name) as an
 * annotation, and a short hash of it as a label so that a resource can find its VM by label selector (an
 * auto-named VM whose create was interrupted). The provider takes over, records or deletes only VMs that are
 * its own; any other VM needs `adopt: true`.
 */
import { createHash } from "node:crypto";
import type { LiveVm } from "./model/kubevirt";

/** The annotation naming the Pulumi resource (URN) that manages the VM. */
export const OWNER_ANNOTATION = "pulumi-kubevirt/owner";

/** The label holding {@link ownerHash} of the owner, for selecting a resource's VMs. */
export const OWNER_HASH_LABEL = "pulumi-kubevirt/owner-hash";

/** The label value for `owner`: the first 16 hex digits of its SHA-256. */
export function ownerHash(owner: string): string {
  return createHash("sha256").update(owner).digest("hex").slice(0, 16);
}

/** The label selector matching the VMs `owner` manages. */
export function ownerSelector(owner: string): string {
  return `${OWNER_HASH_LABEL}=${ownerHash(owner)}`;
}

/** What a live VM says about its manager, compared with one resource. */
export type Ownership =
  | { kind: "ours" }
  /** Another Pulumi resource (another stack, or another resource of this program) manages it. */
  | { kind: "foreign"; owner: string }
  /** Nothing says who manages it (created by kubectl, another tool, or an older version of this provider). */
  | { kind: "unmarked" };

/** Whether `vm` is managed by one of `owners` (the current identity, and the one recorded in state). */
export function ownershipOf(vm: LiveVm, owners: readonly (string | undefined)[]): Ownership {
  const marked = vm.metadata.annotations?.[OWNER_ANNOTATION];
  if (marked === undefined) return { kind: "unmarked" };
  return owners.includes(marked) ? { kind: "ours" } : { kind: "foreign", owner: marked };
}

/** The label and annotation that mark a VM as managed by `owner`. */
export function ownerMarks(owner: string): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  return { labels: { [OWNER_HASH_LABEL]: ownerHash(owner) }, annotations: { [OWNER_ANNOTATION]: owner } };
}

/**
 * Why the provider will not touch a VM that is not its own: `VirtualMachine ns/x [already exists and] is
 * managed by <URN>; not <verb> it` (`found` for a VM met where the resource expected none).
 */
export function notOursMessage(
  id: string,
  ownership: Exclude<Ownership, { kind: "ours" }>,
  verb: string,
  found = true,
): string {
  const who =
    ownership.kind === "foreign"
      ? `is managed by ${ownership.owner}`
      : `is not marked as managed by this resource (no ${OWNER_ANNOTATION} annotation)`;
  return `VirtualMachine ${id} ${found ? "already exists and " : ""}${who}; not ${verb} it`;
}
