/**
 * The reliability census of one stack of the `multi` program: the VMs on the cluster, against the VMs in the
 * stack's state, against the program's declaration.
 */
import type { KubeObject } from "../../simulator";
import { declaredResources, namedFor, type MultiConfig, type StateSnapshot } from "./multi";

/** What the census found; each list names the VMs (or resources) concerned, so a failure says which. */
export interface Census {
  /** VMs on the cluster that no state entry points at. */
  orphans: string[];
  /** VMs on the cluster beyond the one each declared resource should have. */
  duplicates: string[];
  /** Declared resources without a state entry, whose VM is gone, or whose VM is not Running (all are Always). */
  missing: string[];
  /** State entries whose recorded uid is not the uid of the VM of that name on the cluster. */
  staleUids: string[];
  /** State entries of resources the program does not declare. */
  undeclared: string[];
  /** Operations the state says were started and never finished (`<type> <urn>`). */
  pendingOperations: string[];
  /** Whether every declared VM is in state, Running, with exactly one VM each, and nothing else is off. */
  converged: boolean;
}

/** Counts orphans, duplicates and missing VMs of a stack whose program runs with `config`. */
export function takeCensus(config: MultiConfig, live: KubeObject[], state: StateSnapshot): Census {
  const resources = declaredResources(config);
  const liveByName = new Map(live.map((vm) => [vm.metadata.name!, vm]));
  const stateNames = new Set(state.vms.map((v) => v.name));
  const orphans = live.map((vm) => vm.metadata.name!).filter((name) => !stateNames.has(name));
  const duplicates: string[] = [];
  const missing: string[] = [];
  const staleUids: string[] = [];
  for (const resource of resources) {
    const entry = state.vms.find((v) => v.resource === resource);
    const attributed = live.map((vm) => vm.metadata.name!).filter((name) => namedFor(config, resource, name));
    // The one VM a resource may have is the one its state entry names (or, without an entry, any one of them).
    const kept = entry && attributed.includes(entry.name) ? entry.name : attributed[0];
    duplicates.push(...attributed.filter((name) => name !== kept));
    const vm = entry && liveByName.get(entry.name);
    if (!entry || !vm || vm.status?.printableStatus !== "Running") missing.push(resource);
    if (entry && vm && entry.uid !== vm.metadata.uid) staleUids.push(entry.name);
  }
  const undeclared = state.vms.map((v) => v.resource).filter((r) => !resources.includes(r));
  const pendingOperations = state.pendingOperations.map((p) => `${p.type} ${p.urn}`);
  const converged = [orphans, duplicates, missing, staleUids, undeclared, pendingOperations].every(
    (list) => list.length === 0,
  );
  return { orphans, duplicates, missing, staleUids, undeclared, pendingOperations, converged };
}
