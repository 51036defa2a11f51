import { StatusError, type KubeObject } from "../store/types";
import { validateVirtualMachineSpec, virtualMachineAdmitter, RUNNING_DEPRECATION_WARNING } from "./admission";
import { VM_KEY } from "./api";

function req(spec: Record<string, unknown> | undefined, name = "vm1", deleting = false) {
  const object: KubeObject = {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: {
      name,
      namespace: "default",
      ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec,
  };
  return { operation: "CREATE" as const, key: VM_KEY, object, dryRun: false };
}
const template = { spec: { domain: { devices: {} } } };

describe("validateVirtualMachineSpec (§4)", () => {
  const table: [string, Record<string, unknown> | undefined, string[]][] = [
    ["accepts runStrategy Always", { runStrategy: "Always", template }, []],
    ["accepts running true", { running: true, template }, []],
    [
      "rejects both running and runStrategy",
      { running: true, runStrategy: "Always", template },
      [
        "spec.running: Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead",
      ],
    ],
    ["rejects neither field", { template }, ["spec.running: RunStrategy must be specified"]],
    [
      "rejects an unknown strategy",
      { runStrategy: "always", template },
      ["spec.runStrategy: Invalid RunStrategy (always)"],
    ],
    [
      "rejects WaitAsReceiver without the feature gate",
      { runStrategy: "WaitAsReceiver", template },
      [
        "spec.runStrategy: Invalid RunStrategy (WaitAsReceiver), DecentralizedLiveMigration feature gate is not enabled in kubevirt resource",
      ],
    ],
    [
      "rejects a missing template, then the strategy",
      {},
      ["spec.template: missing virtual machine template.", "spec.running: RunStrategy must be specified"],
    ],
    [
      "rejects a missing spec",
      undefined,
      ["spec.template: missing virtual machine template.", "spec.running: RunStrategy must be specified"],
    ],
  ];
  for (const [what, spec, want] of table) {
    it(`should ${what}`, () => {
      expect(validateVirtualMachineSpec(spec).map((c) => `${c.field}: ${c.message}`)).toEqual(want);
    });
  }
  it("should accept WaitAsReceiver with the DecentralizedLiveMigration gate", () => {
    expect(
      validateVirtualMachineSpec(
        { runStrategy: "WaitAsReceiver", template },
        { featureGates: ["DecentralizedLiveMigration"] },
      ),
    ).toEqual([]);
  });
});

describe("virtualMachineAdmitter", () => {
  const admit = virtualMachineAdmitter();
  it("should deny with the webhook's 422 message and causes", () => {
    try {
      admit(req({ template }));
      throw new Error("expected denial");
    } catch (e) {
      const err = e as StatusError;
      expect(err.code).toBe(422);
      expect(err.reason).toBe("Invalid");
      expect(err.message).toBe(
        'admission webhook "virtualmachine-validator.kubevirt.io" denied the request: RunStrategy must be specified',
      );
      expect(err.details?.causes).toEqual([
        { reason: "FieldValueInvalid", message: "RunStrategy must be specified", field: "spec.running" },
      ]);
    }
  });
  it("should warn that spec.running is deprecated", () => {
    expect(admit(req({ running: false, template }))).toEqual({ warnings: [RUNNING_DEPRECATION_WARNING] });
  });
  it("should allow a VM being deleted without validation", () => {
    expect(admit(req({}, "vm1", true))).toBeUndefined();
  });
  it("should reject a name that is not a DNS-1123 subdomain", () => {
    expect(() => admit(req({ runStrategy: "Always", template }, "Bad_Name"))).toThrow(
      /^VirtualMachine.kubevirt.io "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
  });
});
