/**
 * Cross-field rules inside the template that KubeVirt's admission webhook enforces
 * (`pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go`), checked early so
 * `pulumi preview` reports them with the property path. Each rule skips values that are unknown
 * during preview or of the wrong type (the schema reports those).
 */
import { issue, type ValidationIssue } from "./issues";
import { isObj } from "./objects";
import { isUnknown } from "./unknown";

function list(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

/** Names of the objects in `items`; `undefined` if any name is not known yet (then "not found" can't be decided). */
function knownNames(items: unknown[]): Set<string> | undefined {
  const names = new Set<string>();
  for (const item of items) {
    if (!isObj(item)) return undefined;
    if (typeof item.name !== "string" || isUnknown(item.name)) return undefined;
    names.add(item.name);
  }
  return names;
}

/**
 * Each disk names an existing volume; each interface names an existing network; names are unique.
 *
 * @param template the raw `template` input
 * @param at path of `template` in the inputs
 */
export function templateRuleIssues(
  template: unknown,
  at: readonly PropertyKey[] = ["template"],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!isObj(template) || !isObj(template.spec)) return issues;
  const spec = template.spec;
  const specPath = [...at, "spec"];
  const devices = isObj(spec.domain) && isObj(spec.domain.devices) ? spec.domain.devices : undefined;
  const devicesPath = [...specPath, "domain", "devices"];

  issues.push(...uniqueNames(list(spec.volumes), [...specPath, "volumes"], "volume"));
  issues.push(...uniqueNames(list(spec.networks), [...specPath, "networks"], "network"));

  const volumesPath = [...specPath, "volumes"].join(".");
  const networksPath = [...specPath, "networks"].join(".");
  const disks = list(devices?.disks);
  if (disks) {
    issues.push(...uniqueNames(disks, [...devicesPath, "disks"], "disk"));
    issues.push(
      ...referenceIssues(disks, [...devicesPath, "disks"], spec.volumes, (name, i) => {
        const k8sField = `spec.template.spec.domain.devices.disks[${i}].Name`;
        return (
          `disk ${JSON.stringify(name)} has no volume of the same name in ${volumesPath} ` +
          `(KubeVirt rejects this: "${k8sField} '${name}' not found.")`
        );
      }),
    );
  }

  const interfaces = list(devices?.interfaces);
  if (interfaces) {
    issues.push(...uniqueNames(interfaces, [...devicesPath, "interfaces"], "interface"));
    issues.push(
      ...referenceIssues(
        interfaces,
        [...devicesPath, "interfaces"],
        spec.networks,
        (name) =>
          `interface ${JSON.stringify(name)} has no network of the same name in ${networksPath} ` +
          "(KubeVirt rejects interfaces without a matching network)",
      ),
    );
  }
  return issues;
}

/**
 * An issue for each item of `items` whose name no item of `targets` has (each disk needs its volume, each
 * interface its network). Absent `targets` means none at all; nothing is reported while any target's
 * name is not known yet.
 *
 * @param message the message for the item at index `i` with the name `name`
 */
function referenceIssues(
  items: unknown[],
  at: readonly PropertyKey[],
  targets: unknown,
  message: (name: string, i: number) => string,
): ValidationIssue[] {
  const targetList = targets === undefined ? [] : list(targets);
  const names = targetList ? knownNames(targetList) : undefined;
  if (!names) return [];
  const issues: ValidationIssue[] = [];
  items.forEach((item, i) => {
    if (!isObj(item) || typeof item.name !== "string" || isUnknown(item.name)) return;
    if (!names.has(item.name)) issues.push(issue("not_found", [...at, i, "name"], message(item.name, i)));
  });
  return issues;
}

function uniqueNames(
  items: unknown[] | undefined,
  at: readonly PropertyKey[],
  what: string,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!items) return issues;
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    if (!isObj(item) || typeof item.name !== "string" || isUnknown(item.name)) return;
    const first = seen.get(item.name);
    if (first === undefined) seen.set(item.name, i);
    else
      issues.push(
        issue(
          "duplicate",
          [...at, i, "name"],
          `${what} name ${JSON.stringify(item.name)} is already used by ${formatIndex(at, first)}; names must be unique`,
        ),
      );
  });
  return issues;
}

function formatIndex(at: readonly PropertyKey[], index: number): string {
  return `${at.map(String).join(".")}[${index}]`;
}
