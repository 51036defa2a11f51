import type { LiveVm } from "./model/kubevirt";
import {
  notOursMessage,
  OWNER_ANNOTATION,
  ownerHash,
  ownerMarks,
  ownerSelector,
  ownershipOf,
} from "./ownership";

const URN = "urn:pulumi:dev::app::kubevirt:index:VirtualMachine::web";

function vm(annotations?: Record<string, string>): LiveVm {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: {
      name: "web",
      namespace: "default",
      uid: "u",
      resourceVersion: "1",
      generation: 1,
      annotations,
    },
    spec: { template: {} },
  };
}

describe("ownership", () => {
  it("should mark a VM with the URN and a 16-digit hash usable as a label value", () => {
    const marks = ownerMarks(URN);
    expect(marks.annotations[OWNER_ANNOTATION]).toBe(URN);
    expect(ownerHash(URN)).toMatch(/^[0-9a-f]{16}$/);
    expect(ownerSelector(URN)).toBe(`pulumi-kubevirt/owner-hash=${ownerHash(URN)}`);
    expect(ownerHash(URN)).not.toBe(ownerHash(URN.replace("dev", "prod")));
  });

  it("should tell our VM from another resource's and from an unmarked one", () => {
    expect(ownershipOf(vm({ [OWNER_ANNOTATION]: URN }), [URN])).toEqual({ kind: "ours" });
    expect(ownershipOf(vm({ [OWNER_ANNOTATION]: "other" }), [URN])).toEqual({
      kind: "foreign",
      owner: "other",
    });
    expect(ownershipOf(vm(), [URN])).toEqual({ kind: "unmarked" });
    // The identity recorded in state counts too (a stack renamed since).
    expect(ownershipOf(vm({ [OWNER_ANNOTATION]: "old" }), [URN, "old"])).toEqual({ kind: "ours" });
  });

  it("should name the owner in its refusals", () => {
    expect(notOursMessage("default/web", { kind: "foreign", owner: "other" }, "deleting", false)).toBe(
      "VirtualMachine default/web is managed by other; not deleting it",
    );
    expect(notOursMessage("default/web", { kind: "unmarked" }, "taking over")).toBe(
      "VirtualMachine default/web already exists and is not marked as managed by this resource (no pulumi-kubevirt/owner annotation); not taking over it",
    );
  });
});
