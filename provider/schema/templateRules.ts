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

  const disks = list(devices?.disks);
  if (disks) {
    issues.push(...uniqueNames(disks, [...devicesPath, "disks"], "disk"));
    // Absent `volumes` means no volumes at all; an unknown one means we cannot tell.
    const volumes = spec.volumes === undefined ? [] : list(spec.volumes);
    const volumeNames = volumes ? knownNames(volumes) : undefined;
    if (volumeNames) {
      disks.forEach((disk, i) => {
        if (!isObj(disk) || typeof disk.name !== "string" || isUnknown(disk.name)) return;
        if (volumeNames.has(disk.name)) return;
        const k8sField = `spec.template.spec.domain.devices.disks[${i}].Name`;
        issues.push(
          issue(
            "not_found",
            [...devicesPath, "disks", i, "name"],
            `disk ${JSON.stringify(disk.name)} has no volume of the same name in ` +
              `${[...specPath, "volumes"].join(".")} (KubeVirt rejects this: "${k8sField} '${disk.name}' not found.")`,
          ),
        );
      });
    }
  }

  const interfaces = list(devices?.interfaces);
  if (interfaces) {
    issues.push(...uniqueNames(interfaces, [...devicesPath, "interfaces"], "interface"));
    const networks = spec.networks === undefined ? [] : list(spec.networks);
    const networkNames = networks ? knownNames(networks) : undefined;
    if (networkNames) {
      interfaces.forEach((iface, i) => {
        if (!isObj(iface) || typeof iface.name !== "string" || isUnknown(iface.name)) return;
        if (networkNames.has(iface.name)) return;
        issues.push(
          issue(
            "not_found",
            [...devicesPath, "interfaces", i, "name"],
            `interface ${JSON.stringify(iface.name)} has no network of the same name in ` +
              `${[...specPath, "networks"].join(".")} (KubeVirt rejects interfaces without a matching network)`,
          ),
        );
      });
    }
  }
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

/** Each DataVolume template gives `spec.storage` or `spec.pvc` (CDI rejects a DataVolume with neither). */
export function dataVolumeTemplateRuleIssues(
  templates: unknown,
  at: readonly PropertyKey[] = ["dataVolumeTemplates"],
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const items = list(templates);
  if (!items) return issues;
  items.forEach((dvt, i) => {
    if (!isObj(dvt) || !isObj(dvt.spec)) return;
    const { storage, pvc } = dvt.spec;
    if (storage === undefined && pvc === undefined) {
      issues.push(
        issue(
          "required",
          [...at, i, "spec"],
          "give 'storage' (recommended) or 'pvc': a DataVolume needs one of them",
        ),
      );
    }
  });
  return issues;
}
