/**
 * Validation problems as data: each issue names the property path it is about, and its message starts
 * with that path so it reads on its own (`runStrategy: "Sometimes" is not one of Always, ...`).
 */
import type { z } from "zod";
import { kubeconfigTypeMessage } from "./kubeconfig";
import { isUnknownBranch } from "./zodUtil";

/** One validation problem. */
export interface ValidationIssue {
  /** Machine-readable kind: `invalid_type`, `invalid_value`, `required`, `conflict`, `invalid_format`, `custom`... */
  code: string;
  /** Property path in the provider inputs, e.g. `template.spec.domain.devices.disks[0].name`. */
  path: string;
  /** Human-readable message, starting with the path. */
  message: string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Render a path as `a.b[0].c` (the root is `inputs`); a key that is not an identifier, such as a label
 * key, in brackets: `labels["kubevirt.io/vm"]`.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (!IDENTIFIER.test(String(key))) out += `[${JSON.stringify(String(key))}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "inputs" : out;
}

/** Build an issue whose message is prefixed with its path. */
export function issue(code: string, path: readonly PropertyKey[], detail: string): ValidationIssue {
  const p = formatPath(path);
  return { code, path: p, message: `${p}: ${detail}` };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return `the string ${JSON.stringify(value)}`;
    case "number":
    case "boolean":
      return `${typeof value} ${String(value)}`;
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

/** Why a required field matters, for the fields whose absence KubeVirt would reject. */
const REQUIRED_HINT: Readonly<Record<string, string>> = {
  name: " (the component sets it from metadata.name or an auto-name)",
  template:
    " (the VirtualMachine's instance template; KubeVirt rejects a VM without one: missing virtual machine template.)",
  "template.spec": " (the instance spec: domain, volumes, networks)",
  "template.spec.domain": " (the instance's virtual hardware: cpu, memory, devices)",
  "template.spec.domain.devices": " (write {} for the default devices)",
};

const EXPECTED: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "a boolean (true or false)",
  object: "an object",
  record: "an object",
  array: "a list",
};

/** Convert zod issues (parsed with `reportInput: true`) to {@link ValidationIssue}s. */
export function fromZodIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const iss of issues) {
    const path = [...prefix, ...iss.path];
    switch (iss.code) {
      case "invalid_union": {
        // Our unions are `schema | UNKNOWN`: report what the real schema said, not the sentinel branch.
        const branch = iss.errors.find((b) => !isUnknownBranch(b)) ?? iss.errors[0] ?? [];
        out.push(...fromZodIssues(branch, path));
        break;
      }
      case "invalid_type":
        if (iss.input === undefined)
          out.push(issue("required", path, `is required${REQUIRED_HINT[formatPath(path)] ?? ""}`));
        else if (formatPath(path) === "kubeconfig")
          out.push(issue("invalid_type", path, kubeconfigTypeMessage(iss.input)));
        else
          out.push(
            issue(
              "invalid_type",
              path,
              `expected ${EXPECTED[iss.expected] ?? iss.expected}, got ${describe(iss.input)}`,
            ),
          );
        break;
      case "invalid_value":
        out.push(
          issue(
            "invalid_value",
            path,
            `${JSON.stringify(iss.input)} is not one of ${iss.values.map((v) => String(v)).join(", ")}`,
          ),
        );
        break;
      default:
        out.push(issue(iss.code, path, iss.message));
    }
  }
  return out;
}
