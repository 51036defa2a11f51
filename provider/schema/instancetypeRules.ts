/**
 * The rule KubeVirt's VM admission enforces between an instance type and the template
 * (`validateCPU` / `validateMemory` in `pkg/instancetype/apply`, docs/kubevirt-behaviour.md §10): what the
 * instance type provides, the template must leave unset. Checked early so `pulumi preview` names the field.
 */
import { issue, type ValidationIssue } from "./issues";
import { isObj } from "./objects";
import { isUnknown } from "./unknown";

/** The fields below the template's `spec.domain` that an instance type provides, and what they are. */
const PROVIDED: readonly { path: readonly string[]; what: string }[] = [
  { path: ["cpu", "sockets"], what: "the CPU topology" },
  { path: ["cpu", "cores"], what: "the CPU topology" },
  { path: ["cpu", "threads"], what: "the CPU topology" },
  { path: ["resources", "requests", "cpu"], what: "the CPU" },
  { path: ["resources", "limits", "cpu"], what: "the CPU" },
  { path: ["memory", "guest"], what: "the guest memory" },
  { path: ["resources", "requests", "memory"], what: "the guest memory" },
  { path: ["resources", "limits", "memory"], what: "the guest memory" },
];

/** KubeVirt leaves a CPU count of 0 unset (Go's zero value); any other value present counts as set. */
const isSet = (value: unknown) => value !== undefined && value !== null && value !== 0;

/**
 * With an instance type, every template field it provides that is set: one conflict each, naming the field and
 * KubeVirt's own rejection. Unknown values (preview) and an unknown instance type are skipped.
 *
 * @param raw the raw provider inputs
 */
export function instancetypeRuleIssues(raw: Record<string, unknown>): ValidationIssue[] {
  const { instancetype, template } = raw;
  if (!isObj(instancetype) || !isObj(template) || !isObj(template.spec)) return [];
  const name = isUnknown(instancetype.name) ? "" : ` ${JSON.stringify(instancetype.name)}`;
  const issues: ValidationIssue[] = [];
  for (const { path, what } of PROVIDED) {
    const value = path.reduce<unknown>((v, key) => (isObj(v) ? v[key] : undefined), template.spec.domain);
    if (!isSet(value) || isUnknown(value)) continue;
    const field = ["spec", "domain", ...path];
    issues.push(
      issue(
        "conflict",
        ["template", ...field],
        `must not be set with an instance type: the instance type${name} provides ${what} (KubeVirt rejects the VM: ` +
          `VM field(s) spec.template.${field.join(".")} conflicts with selected instance type); remove it`,
      ),
    );
  }
  return issues;
}
