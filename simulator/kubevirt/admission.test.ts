import { StatusError, type KubeObject } from "../store/types";
import {
  QUANTITY_FORMAT_WRONG,
  QUANTITY_NUMERIC_WRONG,
  QUANTITY_SUFFIX_WRONG,
  quantityError,
  validateVirtualMachineSpec,
  virtualMachineAdmitter,
  RUNNING_DEPRECATION_WARNING,
} from "./admission";
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
    // ValidateVirtualMachineSpec returns at once without a template (the run strategy is not checked).
    ["rejects a missing template alone", {}, ["spec.template: missing virtual machine template."]],
    ["rejects a missing spec", undefined, ["spec.template: missing virtual machine template."]],
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
    // No run strategy: the validating webhook would deny it, but it returns early for a VM being deleted.
    expect(admit(req({ template }, "vm1", true))).toBeUndefined();
  });
  it("should reject a name that is not a DNS-1123 subdomain", () => {
    expect(() => admit(req({ runStrategy: "Always", template }, "Bad_Name"))).toThrow(
      /^VirtualMachine.kubevirt.io "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
  });
});

type Json = Record<string, unknown>;
/** The part of a VM spec these tests change. */
type TestSpec = {
  runStrategy?: string;
  template: {
    spec: {
      domain: { devices: { disks: Json[] }; memory: Json; resources?: Json; [key: string]: unknown };
      volumes: Json[];
    };
  };
};

/** The VM of the differential test: runStrategy Always, one containerDisk `root`, 128Mi of guest memory. */
function validSpec(): TestSpec {
  return {
    runStrategy: "Always",
    template: {
      spec: {
        domain: {
          devices: { disks: [{ name: "root", disk: { bus: "virtio" } }] },
          memory: { guest: "128Mi" },
        },
        volumes: [{ name: "root", containerDisk: { image: "quay.io/containerdisks/fedora:40" } }],
      },
    },
  };
}

/** Runs the admitter and returns the StatusError it throws. */
function denial(
  spec: Record<string, unknown> | undefined,
  options: { name?: string; deleting?: boolean } = {},
) {
  try {
    virtualMachineAdmitter()(req(spec, options.name ?? "vm1", options.deleting ?? false));
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  throw new Error("expected a denial");
}

const VALIDATOR = 'admission webhook "virtualmachine-validator.kubevirt.io" denied the request: ';
const MUTATOR = 'admission webhook "virtualmachines-mutator.kubevirt.io" denied the request: ';

describe("validating webhook: disks and volumes (§4)", () => {
  it("should admit the valid VM", () => {
    expect(virtualMachineAdmitter()(req(validSpec()))).toBeUndefined();
  });
  it("should reject a disk without a volume of its name", () => {
    const spec = validSpec();
    spec.template.spec.domain.devices.disks[0].name = "other";
    const err = denial(spec);
    expect([err.code, err.reason, err.message]).toEqual([
      422,
      "Invalid",
      VALIDATOR + "spec.template.spec.domain.devices.disks[0].Name 'other' not found.",
    ]);
    expect(err.details?.causes).toEqual([
      {
        reason: "FieldValueInvalid",
        message: "spec.template.spec.domain.devices.disks[0].Name 'other' not found.",
        field: "spec.template.spec.domain.devices.disks[0].name",
      },
    ]);
  });
  it("should reject two disks with the same name", () => {
    const spec = validSpec();
    spec.template.spec.domain.devices.disks.push({ name: "root", disk: { bus: "virtio" } });
    const err = denial(spec);
    expect([err.code, err.reason, err.message]).toEqual([
      422,
      "Invalid",
      VALIDATOR +
        "spec.template.spec.domain.devices.disks[1] and spec.template.spec.domain.devices.disks[0] must not have the same Name.",
    ]);
    expect(err.details?.causes).toEqual([
      {
        reason: "FieldValueInvalid",
        message:
          "spec.template.spec.domain.devices.disks[1] and spec.template.spec.domain.devices.disks[0] must not have the same Name.",
        field: "spec.template.spec.domain.devices.disks[1].name",
      },
    ]);
  });
  it("should list missing volumes (validateBootOrder) before duplicate names (ValidateDisks), then the run strategy", () => {
    const spec = validSpec();
    delete spec.runStrategy;
    spec.template.spec.domain.devices.disks = [{ name: "a" }, { name: "a" }];
    expect(validateVirtualMachineSpec(spec).map((c) => c.message)).toEqual([
      "spec.template.spec.domain.devices.disks[0].Name 'a' not found.",
      "spec.template.spec.domain.devices.disks[1].Name 'a' not found.",
      "spec.template.spec.domain.devices.disks[1] and spec.template.spec.domain.devices.disks[0] must not have the same Name.",
      "RunStrategy must be specified",
    ]);
  });
  it("should reject an empty CD-ROM only without the DeclarativeHotplugVolumes gate", () => {
    const spec = validSpec();
    spec.template.spec.domain.devices.disks.push({ name: "cd", cdrom: { bus: "sata" } });
    expect(validateVirtualMachineSpec(spec)).toEqual([
      {
        reason: "FieldValueInvalid",
        message: "DeclarativeHotplugVolumes feature gate not enabled, cannot define an empty CD-ROM disk",
        field: "spec.template.spec.domain.devices.disks[1].name",
      },
    ]);
    expect(validateVirtualMachineSpec(spec, { featureGates: ["DeclarativeHotplugVolumes"] })).toEqual([]);
  });
});

describe("mutating webhook: schema and decoding (§5)", () => {
  it("should reject a missing template in the mutator with 422 and a message-only cause", () => {
    const spec: Json = validSpec();
    delete spec.template;
    const err = denial(spec);
    expect([err.code, err.reason, err.message]).toEqual([
      422,
      "Invalid",
      MUTATOR + "spec.template in body is required",
    ]);
    expect(err.details).toEqual({ causes: [{ message: "spec.template in body is required" }] });
  });
  it("should reject a missing spec in the mutator", () => {
    expect(denial(undefined).message).toBe(MUTATOR + "spec in body is required");
  });
  it("should reject guest memory that is not a quantity with 400 (no reason, no details)", () => {
    const spec = validSpec();
    spec.template.spec.domain.memory.guest = "lots";
    const err = denial(spec);
    expect([err.code, err.message]).toEqual([
      400,
      MUTATOR + "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ]);
    expect(err.reason).toBe("");
    expect(err.details).toBeUndefined();
  });
  const quantityFields: [string, (spec: TestSpec, v: string) => void][] = [
    ["domain.memory.maxGuest", (s, v) => (s.template.spec.domain.memory.maxGuest = v)],
    [
      "domain.resources.requests.memory",
      (s, v) => (s.template.spec.domain.resources = { requests: { memory: v } }),
    ],
    [
      "domain.resources.requests.cpu",
      (s, v) => (s.template.spec.domain.resources = { requests: { cpu: v } }),
    ],
    [
      "domain.resources.limits.memory",
      (s, v) => (s.template.spec.domain.resources = { limits: { memory: v } }),
    ],
    ["domain.resources.limits.cpu", (s, v) => (s.template.spec.domain.resources = { limits: { cpu: v } })],
    [
      "volumes[].emptyDisk.capacity",
      (s, v) => s.template.spec.volumes.push({ name: "e", emptyDisk: { capacity: v } }),
    ],
    [
      "volumes[].hostDisk.capacity",
      (s, v) =>
        s.template.spec.volumes.push({
          name: "h",
          hostDisk: { path: "/x", type: "DiskOrCreate", capacity: v },
        }),
    ],
  ];
  for (const [what, set] of quantityFields) {
    it(`should reject a ${what} that is not a quantity`, () => {
      const spec = validSpec();
      set(spec, "2 cores");
      const err = denial(spec);
      expect([err.code, err.message]).toEqual([400, MUTATOR + QUANTITY_FORMAT_WRONG]);
    });
  }
  it("should report an unknown suffix with ErrSuffix's message", () => {
    const spec = validSpec();
    spec.template.spec.domain.memory.guest = "1kk";
    expect(denial(spec).message).toBe(MUTATOR + "unable to parse quantity's suffix");
  });
  it("should report the first bad quantity in document order", () => {
    const spec = validSpec();
    spec.template.spec.domain = {
      resources: { requests: { cpu: "1kk" } },
      ...spec.template.spec.domain,
    };
    spec.template.spec.domain.memory.guest = "lots";
    expect(denial(spec).message).toBe(MUTATOR + QUANTITY_SUFFIX_WRONG);
  });
  it("should accept numbers and valid quantity strings", () => {
    const spec = validSpec();
    spec.template.spec.domain.resources = {
      requests: { cpu: 0.5, memory: "1.5Gi" },
      limits: { cpu: "500m" },
    };
    expect(virtualMachineAdmitter()(req(spec))).toBeUndefined();
  });
  it("should reject in the mutator before the validator", () => {
    const spec = validSpec();
    delete spec.runStrategy;
    spec.template.spec.domain.devices.disks[0].name = "other";
    spec.template.spec.domain.memory.guest = "lots";
    expect(denial(spec).code).toBe(400);
  });
  it("should reject in the mutator before the metadata.name check", () => {
    expect(denial({ runStrategy: "Always" }, { name: "Bad_Name" }).message).toBe(
      MUTATOR + "spec.template in body is required",
    );
  });
  it("should check a VM being deleted too (the mutator decodes before its deletion check)", () => {
    const spec = validSpec();
    spec.template.spec.domain.memory.guest = "lots";
    expect(denial(spec, { deleting: true }).code).toBe(400);
  });
});

describe("quantityError (resource.ParseQuantity)", () => {
  const ok = [
    "0",
    "128Mi",
    "1Gi",
    "500m",
    "2",
    "1.5",
    "+1k",
    "-1",
    "1e3",
    "1E-3",
    "1E",
    "5Ei",
    ".",
    "1.",
    ".5Gi",
  ];
  for (const q of ok) {
    it(`should accept ${JSON.stringify(q)}`, () => expect(quantityError(q)).toBeUndefined());
  }
  const bad: [string, string][] = [
    ["", QUANTITY_FORMAT_WRONG],
    ["lots", QUANTITY_FORMAT_WRONG],
    ["1MiB", QUANTITY_FORMAT_WRONG],
    ["1 Gi", QUANTITY_FORMAT_WRONG],
    ["1.2.3", QUANTITY_FORMAT_WRONG],
    ["1kk", QUANTITY_SUFFIX_WRONG],
    ["1e", QUANTITY_SUFFIX_WRONG],
    ["1m2", QUANTITY_SUFFIX_WRONG],
    ["1e99999999999999999999", QUANTITY_SUFFIX_WRONG],
    ["Ei", QUANTITY_NUMERIC_WRONG],
    ["-Pi", QUANTITY_NUMERIC_WRONG],
    ["e-10", QUANTITY_NUMERIC_WRONG],
  ];
  for (const [q, want] of bad) {
    it(`should refuse ${JSON.stringify(q)}`, () => expect(quantityError(q)).toBe(want));
  }
});
