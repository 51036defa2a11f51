/**
 * What the differential suite found (differential.test.ts): each scenario in which the simulator answered
 * otherwise than KubeVirt's own virt-api and virt-controller did. A difference is either fixed in the simulator
 * ({@link FIXED}, kept as the record of what this comparison taught it) or documented here with a reason
 * ({@link GAPS}); the suite fails on any other difference, and on a documented gap that no longer differs.
 */

/** Scenario id → why the simulator still answers otherwise. */
export const GAPS: Readonly<Record<string, string>> = {
  "stop-malformed-body":
    "same code (400) and prefix (`Can not unmarshal Request body to struct, error: `); the rest is the JSON " +
    "decoder's own text, Go's in virt-api and JavaScript's in the simulator, which does not imitate Go's messages",
  "conditions-running":
    "`LiveMigratable` is virt-handler's condition, which neither the simulator (it says True) nor this tier's " +
    "node stand-in (it sets none) computes the way KubeVirt does",
};

/** Differences the comparison found and the simulator now matches: scenario id (or area) → what changed. */
export const FIXED: Readonly<Record<string, string>> = {
  "conditions-running (PodScheduled)":
    "the simulator kept `PodScheduled=True` on a running VMI (and so on the VM); KubeVirt's VMI controller " +
    "keeps the condition only while it is False, and so does the simulator now",
  "disk-without-volume":
    "the simulator accepted a disk with no volume of its name; now the validator's 422 `...Name 'other' not found.`",
  "duplicate-disk-names":
    "the simulator accepted two disks of one name; now the validator's 422 `... must not have the same Name.`",
  "memory-not-a-quantity":
    "the simulator accepted `memory.guest: lots`; now the mutator's 400 with Kubernetes' quantity message",
  "no-template":
    "the simulator answered with the validator's `missing virtual machine template.`; KubeVirt's mutator " +
    "rejects first with `spec.template in body is required`, and so does the simulator now",
  "accept-header":
    "virt-api answers 406 to start/stop/restart whose Accept header lacks */* (its routes declare no type); " +
    "the simulator answered 202, and the product sent Accept: application/json alone, so it could not power " +
    "a VM on real KubeVirt (now it sends client-go's application/json, */*)",
};
