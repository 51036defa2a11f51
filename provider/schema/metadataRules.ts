/**
 * Label and annotation rules, as the Kubernetes API server applies them to any object's metadata
 * (`k8s.io/apimachinery/pkg/api/validation`: `ValidateLabels`, `ValidateAnnotations`): label keys are
 * qualified names and values label values; annotation keys are qualified names (checked in lower case, as
 * Kubernetes does), their values are free, and all of them together hold at most 256 KiB. Checked for the
 * VM itself, its instance template and each DataVolume template. Unknown values (preview) and values of
 * the wrong type (the schema reports those) are skipped.
 */
import { issue, type ValidationIssue } from "./issues";
import { labelValueErrors, qualifiedNameErrors } from "./names";
import { isObj, type Obj } from "./objects";
import { isUnknown } from "./unknown";

/** Kubernetes' `TotalAnnotationSizeLimitB`: keys and values of all annotations together, in bytes. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

function invalid(at: readonly PropertyKey[], value: string, errors: string[]): ValidationIssue[] {
  return errors.length === 0
    ? []
    : [issue("invalid_format", at, `Invalid value: ${JSON.stringify(value)}: ${errors.join(", ")}`)];
}

/** Issues with the label map `labels` at `at`. */
export function labelIssues(labels: unknown, at: readonly PropertyKey[]): ValidationIssue[] {
  if (!isObj(labels)) return [];
  return Object.entries(labels).flatMap(([key, value]) => [
    ...invalid([...at, key], key, qualifiedNameErrors(key)),
    ...(typeof value === "string" && !isUnknown(value)
      ? invalid([...at, key], value, labelValueErrors(value))
      : []),
  ]);
}

/** Issues with the annotation map `annotations` at `at`. */
export function annotationIssues(annotations: unknown, at: readonly PropertyKey[]): ValidationIssue[] {
  if (!isObj(annotations)) return [];
  const issues = Object.keys(annotations).flatMap((key) =>
    invalid([...at, key], key, qualifiedNameErrors(key.toLowerCase())),
  );
  const bytes = Object.entries(annotations).reduce(
    (sum, [key, value]) =>
      sum + Buffer.byteLength(key) + (typeof value === "string" ? Buffer.byteLength(value) : 0),
    0,
  );
  if (bytes > ANNOTATIONS_MAX_BYTES) {
    issues.push(issue("too_big", at, `Too long: must have at most ${ANNOTATIONS_MAX_BYTES} bytes`));
  }
  return issues;
}

function metaIssues(meta: unknown, at: readonly PropertyKey[]): ValidationIssue[] {
  if (!isObj(meta)) return [];
  return [
    ...labelIssues(meta.labels, [...at, "labels"]),
    ...annotationIssues(meta.annotations, [...at, "annotations"]),
  ];
}

/**
 * Label and annotation issues of the provider inputs: the VM's own `labels` and `annotations`,
 * `template.metadata` and each `dataVolumeTemplates[i].metadata`.
 */
export function metadataRuleIssues(inputs: Obj): ValidationIssue[] {
  const issues = [
    ...labelIssues(inputs.labels, ["labels"]),
    ...annotationIssues(inputs.annotations, ["annotations"]),
  ];
  if (isObj(inputs.template)) issues.push(...metaIssues(inputs.template.metadata, ["template", "metadata"]));
  if (Array.isArray(inputs.dataVolumeTemplates)) {
    inputs.dataVolumeTemplates.forEach((dvt, i) => {
      if (isObj(dvt)) issues.push(...metaIssues(dvt.metadata, ["dataVolumeTemplates", i, "metadata"]));
    });
  }
  return issues;
}
