import { vmCirros } from "../../sdk/args.typetest";
import { validateVmInputs } from "./inputs";
import type { ValidationIssue } from "./issues";
import { UNKNOWN } from "./unknown";

/** The vm-cirros inputs with `extra` added and `domain` as the template's `spec.domain`. */
function inputs(extra: Record<string, unknown>, domain?: Record<string, unknown>): Record<string, unknown> {
  const { metadata, ...args } = structuredClone(vmCirros);
  const template = structuredClone(args.template) as { spec: { domain: Record<string, unknown> } };
  if (domain) template.spec.domain = { ...template.spec.domain, ...domain };
  return { ...metadata, ...args, template, ...extra };
}

function issuesOf(raw: Record<string, unknown>): ValidationIssue[] {
  const result = validateVmInputs(raw);
  if (result.ok) throw new Error(`expected validation to fail, got ${JSON.stringify(result.value)}`);
  return result.issues;
}

describe("instancetype and preference inputs", () => {
  it("should accept a name alone and keep the kind unset (KubeVirt defaults it)", () => {
    const result = validateVmInputs(
      inputs({ instancetype: { name: "u1.medium" }, preference: { name: "fedora" } }),
    );
    expect(result.ok && [result.value.instancetype, result.value.preference]).toEqual([
      { name: "u1.medium" },
      { name: "fedora" },
    ]);
  });

  it("should accept each kind of its set", () => {
    const result = validateVmInputs(
      inputs({
        instancetype: { name: "small", kind: "VirtualMachineInstancetype" },
        preference: { name: "linux", kind: "VirtualMachineClusterPreference" },
      }),
    );
    expect(result.ok && result.value.instancetype?.kind).toBe("VirtualMachineInstancetype");
    expect(result.ok && result.value.preference?.kind).toBe("VirtualMachineClusterPreference");
  });

  it("should name the field and the allowed kinds for a wrong kind", () => {
    const messages = issuesOf(
      inputs({
        instancetype: { name: "u1.medium", kind: "VirtualMachinePreference" },
        preference: { name: "fedora", kind: "ClusterPreference" },
      }),
    ).map((i) => i.message);
    expect(messages).toEqual([
      expect.stringMatching(
        /^instancetype\.kind: .*"VirtualMachinePreference".*VirtualMachineClusterInstancetype.*VirtualMachineInstancetype/,
      ),
      expect.stringMatching(
        /^preference\.kind: .*"ClusterPreference".*VirtualMachineClusterPreference.*VirtualMachinePreference/,
      ),
    ]);
  });

  it("should reject a missing or invalid name, and unknown keys with the closest known one", () => {
    const issues = issuesOf(
      inputs({
        instancetype: { kind: "VirtualMachineInstancetype" },
        preference: { name: "Fedora", knd: "x" },
      }),
    );
    expect(issues.map((i) => i.path)).toEqual(["instancetype.name", "preference.name", "preference.knd"]);
    expect(issues[1].message).toMatch(
      /^preference\.name: Invalid value: "Fedora": a lowercase RFC 1123 subdomain/,
    );
    expect(issues[2].message).toMatch(/did you mean kind\?/);
  });

  it("should reject a reference that is not an object", () => {
    expect(issuesOf(inputs({ instancetype: "u1.medium" })).map((i) => i.path)).toEqual(["instancetype"]);
  });

  it("should accept unknown values during preview", () => {
    expect(validateVmInputs(inputs({ instancetype: UNKNOWN, preference: { name: UNKNOWN } })).ok).toBe(true);
  });
});

describe("template fields an instance type provides", () => {
  it("should name every CPU and memory field the template sets, with KubeVirt's rejection", () => {
    const issues = issuesOf(
      inputs(
        { instancetype: { name: "u1.medium" } },
        {
          cpu: { sockets: 2, cores: 1, threads: 1, model: "host-passthrough" },
          memory: { guest: "1Gi" },
          resources: { requests: { memory: "1Gi" }, limits: { cpu: "2" } },
        },
      ),
    );
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["conflict", "template.spec.domain.cpu.sockets"],
      ["conflict", "template.spec.domain.cpu.cores"],
      ["conflict", "template.spec.domain.cpu.threads"],
      ["conflict", "template.spec.domain.resources.limits.cpu"],
      ["conflict", "template.spec.domain.memory.guest"],
      ["conflict", "template.spec.domain.resources.requests.memory"],
    ]);
    expect(issues[0].message).toBe(
      'template.spec.domain.cpu.sockets: must not be set with an instance type: the instance type "u1.medium" provides ' +
        "the CPU topology (KubeVirt rejects the VM: VM field(s) spec.template.spec.domain.cpu.sockets conflicts with " +
        "selected instance type); remove it",
    );
  });

  it("should allow those fields without an instance type, and other CPU fields with one", () => {
    expect(validateVmInputs(inputs({}, { cpu: { cores: 2 }, memory: { guest: "1Gi" } })).ok).toBe(true);
    expect(
      validateVmInputs(
        inputs({ instancetype: { name: "u1.medium" } }, { cpu: { model: "host-passthrough" } }),
      ).ok,
    ).toBe(true);
  });

  it("should not decide on a value that is unknown during preview", () => {
    expect(
      validateVmInputs(inputs({ instancetype: { name: "u1.medium" } }, { cpu: { cores: UNKNOWN } })).ok,
    ).toBe(true);
  });
});
