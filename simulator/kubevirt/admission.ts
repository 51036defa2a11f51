/**
 * The VirtualMachine validating webhook, as far as run strategies go (§4):
 * `ValidateVirtualMachineSpec` (missing template) + `validateRunStrategy`, the `spec.running`
 * deprecation warning, and Kubernetes' own metadata.name validation (DNS-1123 subdomain).
 */
import { StatusError, type KubeObject } from "../store/types";
import type { AdmissionRequest, Admitter } from "../store/extensions";
import { VALID_RUN_STRATEGIES } from "./api";

export const WEBHOOK_NAME = "virtualmachine-validator.kubevirt.io";
export const RUNNING_DEPRECATION_WARNING = "spec.running is deprecated, please use spec.runStrategy instead.";

/** A `metav1.StatusCause` (its JSON key for the type is `reason`). */
export interface Cause {
  reason: string;
  message: string;
  field: string;
}

export interface AdmissionOptions {
  /** KubeVirt feature gates; `DecentralizedLiveMigration` allows `runStrategy: WaitAsReceiver`. */
  featureGates?: readonly string[];
}

/** Pure: the causes `validateRunStrategy` would report (§4). */
export function validateRunStrategy(spec: Record<string, unknown>, options: AdmissionOptions = {}): Cause[] {
  const running = spec.running;
  const rs = spec.runStrategy;
  const hasRunning = running !== undefined && running !== null;
  const hasRs = rs !== undefined && rs !== null;
  if (hasRunning && hasRs) {
    return [
      {
        reason: "FieldValueInvalid",
        message:
          "Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead",
        field: "spec.running",
      },
    ];
  }
  if (!hasRunning && !hasRs) {
    return [{ reason: "FieldValueInvalid", message: "RunStrategy must be specified", field: "spec.running" }];
  }
  if (hasRs) {
    if (rs === "WaitAsReceiver") {
      if (!(options.featureGates ?? []).includes("DecentralizedLiveMigration")) {
        return [
          {
            reason: "FieldValueInvalid",
            message:
              "Invalid RunStrategy (WaitAsReceiver), DecentralizedLiveMigration feature gate is not enabled in kubevirt resource",
            field: "spec.runStrategy",
          },
        ];
      }
    } else if (typeof rs !== "string" || !VALID_RUN_STRATEGIES.includes(rs)) {
      return [
        {
          reason: "FieldValueInvalid",
          message: `Invalid RunStrategy (${String(rs)})`,
          field: "spec.runStrategy",
        },
      ];
    }
  }
  return [];
}

/** Pure: all causes for a VM spec, in KubeVirt's order (template first, then run strategy). */
export function validateVirtualMachineSpec(
  spec: Record<string, unknown> | undefined,
  options: AdmissionOptions = {},
): Cause[] {
  const s = spec ?? {};
  const causes: Cause[] = [];
  if (s.template === undefined || s.template === null) {
    causes.push({
      reason: "FieldValueRequired",
      message: "missing virtual machine template.",
      field: "spec.template",
    });
  }
  causes.push(...validateRunStrategy(s, options));
  return causes;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes' `IsDNS1123Subdomain` messages for metadata.name. */
export function validateObjectName(name: unknown): string[] {
  if (typeof name !== "string" || name === "") return ["name or generateName is required"];
  const errs: string[] = [];
  if (name.length > 253) errs.push("must be no more than 253 characters");
  if (!DNS1123_SUBDOMAIN.test(name)) {
    errs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errs;
}

/** Throws the apiserver's 422 for an invalid metadata.name (`<Kind>.kubevirt.io "NAME" is invalid: ...`). */
export function assertValidName(obj: KubeObject): void {
  const name = obj.metadata?.name;
  const errs = validateObjectName(name);
  if (errs.length === 0) return;
  const causes = errs.map((e) => ({
    reason: typeof name === "string" && name !== "" ? "FieldValueInvalid" : "FieldValueRequired",
    message:
      typeof name === "string" && name !== ""
        ? `Invalid value: ${JSON.stringify(name)}: ${e}`
        : `Required value: ${e}`,
    field: "metadata.name",
  }));
  throw new StatusError(
    422,
    "Invalid",
    `${obj.kind}.kubevirt.io ${JSON.stringify(name ?? "")} is invalid: ${causes.map((c) => `metadata.name: ${c.message}`).join(", ")}`,
    { name: name ?? "", group: "kubevirt.io", kind: obj.kind, causes },
  );
}

/** Joins causes the way `ToAdmissionResponse` does (max 10, then ", and N more validation errors"). */
export function joinCauses(causes: Cause[]): string {
  const shown = causes.slice(0, 10).map((c) => c.message);
  let msg = shown.join(", ");
  if (causes.length > 10) msg += `, and ${causes.length - 10} more validation errors`;
  return msg;
}

/** The VirtualMachine admitter registered with the API layer. */
export function virtualMachineAdmitter(options: AdmissionOptions = {}): Admitter {
  return (req: AdmissionRequest) => {
    assertValidName(req.object);
    // A VM being deleted is allowed without validation (vms-admitter.go).
    if (req.object.metadata.deletionTimestamp) return;
    const causes = validateVirtualMachineSpec(req.object.spec, options);
    if (causes.length > 0) {
      throw new StatusError(
        422,
        "Invalid",
        `admission webhook "${WEBHOOK_NAME}" denied the request: ${joinCauses(causes)}`,
        { name: req.object.metadata.name, group: "kubevirt.io", kind: "VirtualMachine", causes },
      );
    }
    const running = req.object.spec?.running;
    if (running !== undefined && running !== null) return { warnings: [RUNNING_DEPRECATION_WARNING] };
    return;
  };
}

/** The VirtualMachineInstance admitter: only name validation (the VMI spec validator is not simulated). */
export function virtualMachineInstanceAdmitter(): Admitter {
  return (req: AdmissionRequest) => {
    assertValidName(req.object);
  };
}
