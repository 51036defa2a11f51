/**
 * Kubernetes object-name rules, with Kubernetes' own messages
 * (`k8s.io/apimachinery/pkg/util/validation`: `IsDNS1123Subdomain`, `IsDNS1123Label`).
 */

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const LABEL_RE = new RegExp(`^${DNS1123_LABEL}$`);
const SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN}$`);

/** Problems with `value` as a DNS-1123 subdomain (object names such as a VirtualMachine's); empty if valid. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push("must be no more than 253 characters");
  if (!SUBDOMAIN_RE.test(value)) {
    errors.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', " +
        "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for " +
        `validation is '${DNS1123_SUBDOMAIN}')`,
    );
  }
  return errors;
}

/** Problems with `value` as a DNS-1123 label (namespace names); empty if valid. */
export function dns1123LabelErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push("must be no more than 63 characters");
  if (!LABEL_RE.test(value)) {
    errors.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must " +
        "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for " +
        `validation is '${DNS1123_LABEL}')`,
    );
  }
  return errors;
}
