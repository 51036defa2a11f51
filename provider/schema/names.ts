/**
 * Kubernetes object-name rules, with Kubernetes' own messages
 * (`k8s.io/apimachinery/pkg/util/validation`: `IsDNS1123Subdomain`, `IsDNS1123Label`, `IsQualifiedName`,
 * `IsValidLabelValue`).
 */

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const LABEL_RE = new RegExp(`^${DNS1123_LABEL}$`);
const SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN}$`);

/** Kubernetes' two checks of a name: at most `maxLength` characters, and matching `pattern` (else `mismatch`). */
function lengthAndPatternErrors(
  value: string,
  maxLength: number,
  pattern: RegExp,
  mismatch: string,
): string[] {
  const errors: string[] = [];
  if (value.length > maxLength) errors.push(`must be no more than ${maxLength} characters`);
  if (!pattern.test(value)) errors.push(mismatch);
  return errors;
}

/** Problems with `value` as a DNS-1123 subdomain (object names such as a VirtualMachine's); empty if valid. */
export function dns1123SubdomainErrors(value: string): string[] {
  return lengthAndPatternErrors(
    value,
    253,
    SUBDOMAIN_RE,
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
      "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for " +
      `validation is '${DNS1123_SUBDOMAIN}')`,
  );
}

/** Problems with `value` as a DNS-1123 label (namespace names); empty if valid. */
export function dns1123LabelErrors(value: string): string[] {
  return lengthAndPatternErrors(
    value,
    63,
    LABEL_RE,
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must " +
      "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for " +
      `validation is '${DNS1123_LABEL}')`,
  );
}

const QUALIFIED_NAME = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME}$`);
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE}$`);
const QUALIFIED_NAME_MESSAGE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric " +
  `character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QUALIFIED_NAME}')`;

/**
 * Problems with `value` as a qualified name (label and annotation keys: an optional DNS-1123 subdomain
 * prefix and `/`, then a name of at most 63 characters), as Kubernetes' `IsQualifiedName` words them;
 * empty if valid.
 */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split("/");
  if (parts.length > 2) {
    return [
      `a qualified name ${QUALIFIED_NAME_MESSAGE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  const errors: string[] = [];
  const name = parts[parts.length - 1]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) errors.push("prefix part must be non-empty");
    else errors.push(...dns1123SubdomainErrors(prefix).map((e) => `prefix part ${e}`));
  }
  if (name.length === 0) errors.push("name part must be non-empty");
  const nameErrors = lengthAndPatternErrors(name, 63, QUALIFIED_NAME_RE, QUALIFIED_NAME_MESSAGE);
  errors.push(...nameErrors.map((e) => `name part ${e}`));
  return errors;
}

/** Problems with `value` as a label value (Kubernetes' `IsValidLabelValue`); empty if valid. */
export function labelValueErrors(value: string): string[] {
  return lengthAndPatternErrors(
    value,
    63,
    LABEL_VALUE_RE,
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and " +
      "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', " +
      `regex used for validation is '${LABEL_VALUE}')`,
  );
}
