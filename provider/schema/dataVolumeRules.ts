/**
 * Rules inside each DataVolume template (`dataVolumeTemplates[i].spec`) that CDI's DataVolume webhook enforces
 * when KubeVirt creates the DataVolume, after the VM itself was accepted: checked at `pulumi preview` instead,
 * with the property path, so a bad source never becomes a VM stuck without its disk. Values still unknown during
 * preview, and values of the wrong type (the schema reports those), are skipped.
 */
import { issue, type ValidationIssue } from "./issues";
import { isObj } from "./objects";
import { isUnknown } from "./unknown";

/** CDI's source kinds (`DataVolumeSource`); a template gives exactly one of them, or a `sourceRef`. */
export const DATA_VOLUME_SOURCES = [
  "http",
  "registry",
  "pvc",
  "snapshot",
  "blank",
  "upload",
  "s3",
  "gcs",
  "imageio",
  "vddk",
] as const;

/** Sources that copy an existing volume: CDI takes the size from it when none is given. */
const CLONE_SOURCES: readonly string[] = ["pvc", "snapshot"];

/** The registry URL schemes CDI's importer takes. */
const REGISTRY_SCHEMES = ["docker://", "oci-archive://"];

/** A known string value, or undefined (absent, unknown during preview, or not a string). */
function knownString(value: unknown): string | undefined {
  return typeof value === "string" && !isUnknown(value) ? value : undefined;
}

/** Whether `value` is an absolute http(s) URL. */
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.host !== "";
  } catch {
    return false;
  }
}

/** The source kinds `source` gives, in CDI's order (others after them, sorted): the same whatever the key order. */
function sourceKinds(source: Record<string, unknown>): string[] {
  const rank = (k: string) => {
    const i = (DATA_VOLUME_SOURCES as readonly string[]).indexOf(k);
    return i < 0 ? DATA_VOLUME_SOURCES.length : i;
  };
  return Object.keys(source)
    .filter((k) => source[k] !== undefined && source[k] !== null)
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Whether a volume populator fills the claim (`dataSourceRef` or `dataSource` in `storage` or `pvc`): no source then. */
function populatedElsewhere(spec: Record<string, unknown>): boolean {
  return [spec.storage, spec.pvc].some(
    (claim) => isObj(claim) && (claim.dataSourceRef !== undefined || claim.dataSource !== undefined),
  );
}

/** Exactly one source, or a `sourceRef`; issues for the URL of an http or registry source. */
function sourceIssues(spec: Record<string, unknown>, at: readonly PropertyKey[]): ValidationIssue[] {
  const { source, sourceRef } = spec;
  if (isUnknown(source) || isUnknown(sourceRef)) return [];
  const allowed = `${DATA_VOLUME_SOURCES.join(", ")} (or a sourceRef to a DataSource)`;
  if (source === undefined) {
    return sourceRef === undefined && !populatedElsewhere(spec)
      ? [issue("required", [...at, "source"], `give the disk's source: one of ${allowed}`)]
      : [];
  }
  if (!isObj(source)) return [];
  const kinds = sourceKinds(source);
  if (sourceRef !== undefined) {
    return [issue("conflict", at, "give 'source' or 'sourceRef', not both: CDI takes one of them")];
  }
  if (kinds.length !== 1) {
    const given = kinds.length === 0 ? "none" : kinds.join(", ");
    return [issue("invalid_value", [...at, "source"], `give exactly one of ${allowed}; given: ${given}`)];
  }
  return urlIssues(kinds[0]!, source[kinds[0]!], [...at, "source", kinds[0]!]);
}

/** The URL of an http source is an http(s) URL; a registry source's URL starts with docker:// or oci-archive://. */
function urlIssues(kind: string, value: unknown, at: readonly PropertyKey[]): ValidationIssue[] {
  if (!isObj(value)) return [];
  const url = knownString(value.url);
  if (kind === "http" && url !== undefined && !isHttpUrl(url)) {
    return [issue("invalid_format", [...at, "url"], `${JSON.stringify(url)} is not an http or https URL`)];
  }
  if (kind === "registry") {
    if (value.url === undefined && value.imageStream === undefined) {
      return [
        issue("required", [...at, "url"], "give the image, e.g. docker://quay.io/containerdisks/fedora:43"),
      ];
    }
    if (url !== undefined && !REGISTRY_SCHEMES.some((s) => url.startsWith(s))) {
      return [
        issue(
          "invalid_format",
          [...at, "url"],
          `${JSON.stringify(url)} must start with ${REGISTRY_SCHEMES.join(" or ")}, e.g. docker://quay.io/containerdisks/fedora:43`,
        ),
      ];
    }
  }
  return [];
}

/** `storage` or `pvc`; with `storage`, a size unless the source is a clone (CDI takes the source's size then). */
function storageIssues(spec: Record<string, unknown>, at: readonly PropertyKey[]): ValidationIssue[] {
  const { storage, pvc, source } = spec;
  if (storage === undefined && pvc === undefined) {
    return [issue("required", at, "give 'storage' (recommended) or 'pvc': a DataVolume needs one of them")];
  }
  if (!isObj(storage) || !isObj(source) || sourceKinds(source).some((k) => CLONE_SOURCES.includes(k))) {
    return [];
  }
  const resources = storage.resources;
  if (isUnknown(resources)) return [];
  const requests = isObj(resources) ? resources.requests : undefined;
  if (isUnknown(requests) || (isObj(requests) && requests.storage !== undefined)) return [];
  return [
    issue(
      "required",
      [...at, "storage", "resources", "requests", "storage"],
      'give the disk\'s size, e.g. "10Gi": only a clone (source pvc or snapshot) takes its size from the source',
    ),
  ];
}

/** CDI's rules for each DataVolume template: a source, storage, valid URLs, a size. */
export function dataVolumeTemplateRuleIssues(
  templates: unknown,
  at: readonly PropertyKey[] = ["dataVolumeTemplates"],
): ValidationIssue[] {
  if (!Array.isArray(templates)) return [];
  return templates.flatMap((dvt, i) => {
    if (!isObj(dvt) || !isObj(dvt.spec)) return [];
    const specAt = [...at, i, "spec"];
    return [...sourceIssues(dvt.spec, specAt), ...storageIssues(dvt.spec, specAt)];
  });
}
