/**
 * KubeVirt's VirtualMachine webhooks as far as the simulator reproduces them:
 * - the mutating webhook's rejections (§5): its schema check (`spec`, `spec.template` required) and its decoding
 *   of the object (a quantity that does not parse is a 400);
 * - Kubernetes' own metadata.name validation (DNS-1123 subdomain);
 * - the validating webhook (§4): the conflicts of the template with the VM's instance type (§10),
 *   `ValidateVirtualMachineSpec` (missing template; disks without a volume and
 *   duplicate disk names from the VMI spec validator; `validateRunStrategy`) and the `spec.running`
 *   deprecation warning.
 */
import { StatusError, type KubeObject, type Store } from "../store/types";
import type { AdmissionRequest, Admitter } from "../store/extensions";
import { isObject } from "../store/json";
import { VALID_RUN_STRATEGIES } from "./api";
import { conflictMessage, findReferenced, instancetypeConflicts } from "./instancetype";

export const WEBHOOK_NAME = "virtualmachine-validator.kubevirt.io";
export const MUTATOR_WEBHOOK_NAME = "virtualmachines-mutator.kubevirt.io";
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
  /** Where the instance types and preferences a VM references are looked up (§10); none: not looked up. */
  store?: Store;
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

/** `v` when it is a JSON object, else an empty one. */
function obj(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

/** `v` when it is a JSON array, else an empty one. */
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** A disk's or volume's `name` as Go decodes it (absent: ""). */
function nameOf(v: unknown): string {
  const n = obj(v).name;
  return typeof n === "string" ? n : "";
}

/**
 * Pure: the template's disk causes, in the VMI spec validator's order (§4): first `validateBootOrder`
 * (vmi-create-admitter.go: a disk without a volume of its name), then `ValidateDisks` (pkg/storage/admitters/disks.go,
 * reached through `validateDomainSpec`: a disk named like an earlier one).
 */
export function validateTemplateDisks(
  templateSpec: Record<string, unknown>,
  options: AdmissionOptions = {},
): Cause[] {
  const field = "spec.template.spec.domain.devices.disks";
  const disks = arr(obj(obj(obj(templateSpec).domain).devices).disks);
  const volumeNames = new Set(arr(obj(templateSpec).volumes).map(nameOf));
  const causes: Cause[] = [];
  disks.forEach((disk, idx) => {
    const name = nameOf(disk);
    if (volumeNames.has(name)) return;
    const cdrom = obj(disk).cdrom;
    if (cdrom === undefined || cdrom === null) {
      causes.push({
        reason: "FieldValueInvalid",
        message: `${field}[${idx}].Name '${name}' not found.`,
        field: `${field}[${idx}].name`,
      });
    } else if (!(options.featureGates ?? []).includes("DeclarativeHotplugVolumes")) {
      causes.push({
        reason: "FieldValueInvalid",
        message: "DeclarativeHotplugVolumes feature gate not enabled, cannot define an empty CD-ROM disk",
        field: `${field}[${idx}].name`,
      });
    }
  });
  disks.forEach((disk, idx) => {
    const name = nameOf(disk);
    for (let other = 0; other < idx; other++) {
      if (nameOf(disks[other]) !== name) continue;
      causes.push({
        reason: "FieldValueInvalid",
        message: `${field}[${idx}] and ${field}[${other}] must not have the same Name.`,
        field: `${field}[${idx}].name`,
      });
    }
  });
  return causes;
}

/**
 * Pure: all causes for a VM spec, in KubeVirt's order: a missing template alone (`ValidateVirtualMachineSpec`
 * returns at once), else the template's disk causes, then the run strategy.
 */
export function validateVirtualMachineSpec(
  spec: Record<string, unknown> | undefined,
  options: AdmissionOptions = {},
): Cause[] {
  const s = spec ?? {};
  if (s.template === undefined || s.template === null) {
    return [
      {
        reason: "FieldValueRequired",
        message: "missing virtual machine template.",
        field: "spec.template",
      },
    ];
  }
  return [...validateTemplateDisks(obj(obj(s.template).spec), options), ...validateRunStrategy(s, options)];
}

/** `resource.ErrFormatWrong` (k8s.io/apimachinery/pkg/api/resource/quantity.go). */
export const QUANTITY_FORMAT_WRONG =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** `resource.ErrNumeric`. */
export const QUANTITY_NUMERIC_WRONG = "unable to parse numeric part of quantity";
/** `resource.ErrSuffix`. */
export const QUANTITY_SUFFIX_WRONG = "unable to parse quantity's suffix";

type SuffixFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";
const DECIMAL_SUFFIXES: Record<string, number> = {
  "": 0,
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** The suffixer's `interpret` (suffix.go): a known suffix, or `e`/`E` and an int64 (strconv.ParseInt). */
function interpretSuffix(suffix: string): { exponent: number; format: SuffixFormat } | undefined {
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix))
    return { exponent: DECIMAL_SUFFIXES[suffix], format: "DecimalSI" };
  if (Object.hasOwn(BINARY_SUFFIXES, suffix))
    return { exponent: BINARY_SUFFIXES[suffix], format: "BinarySI" };
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E")) {
    const exp = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(exp)) return undefined;
    const n = BigInt(exp);
    if (n < -(2n ** 63n) || n > 2n ** 63n - 1n) return undefined;
    return { exponent: Number(BigInt.asIntN(32, n)), format: "DecimalExponent" };
  }
  return undefined;
}

const isDigit = (c: string) => c >= "0" && c <= "9";

/**
 * Pure: why `resource.ParseQuantity` refuses `str` (the message of ErrFormatWrong, ErrSuffix or ErrNumeric), or
 * undefined when it parses. A port of `parseQuantityString`, the suffix lookup and the one way ParseQuantity's
 * slow path fails (no digits at all, e.g. "Ei" or "e-10").
 */
export function quantityError(str: string): string | undefined {
  if (str.length === 0) return QUANTITY_FORMAT_WRONG;
  if (str === "0") return undefined;
  const end = str.length;
  let pos = 0;
  if (str[0] === "-" || str[0] === "+") pos++;
  while (pos < end && str[pos] === "0") pos++;
  const numStart = pos;
  while (pos < end && isDigit(str[pos])) pos++;
  const num = str.slice(numStart, pos) || "0";
  let denom = "";
  if (pos < end && str[pos] === ".") {
    const denomStart = ++pos;
    while (pos < end && isDigit(str[pos])) pos++;
    denom = str.slice(denomStart, pos);
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && "eEinumkKMGTP".includes(str[pos])) pos++;
  if (pos < end) {
    if (str[pos] === "-" || str[pos] === "+") pos++;
    while (pos < end && isDigit(str[pos])) pos++;
    if (pos < end) return QUANTITY_FORMAT_WRONG;
  }
  const suffix = interpretSuffix(str.slice(suffixStart));
  if (!suffix) return QUANTITY_SUFFIX_WRONG;
  // ParseQuantity's fast path (an int64 mantissa) cannot fail; the slow one (inf.Dec.SetString) fails without digits.
  let precision: number;
  let scale = 0;
  if (suffix.format === "BinarySI") {
    precision =
      suffix.exponent >= 0 && denom.length === 0
        ? 15 - num.length - Math.trunc((suffix.exponent * 3) / 10) - 1
        : -1;
  } else {
    scale = suffix.exponent;
    precision = 18 - (num.length + denom.length);
  }
  const fast = precision >= 0 && scale - denom.length >= -9;
  if (!fast && !/[0-9]/.test(value)) return QUANTITY_NUMERIC_WRONG;
  return undefined;
}

/**
 * The `resource.Quantity` fields of a VM's template spec (staging/src/kubevirt.io/api/core/v1/schema.go), as paths:
 * `*` is any key of a map (a `ResourceList`), `[]` any element of a list.
 */
const QUANTITY_PATHS: readonly (readonly string[])[] = [
  "spec.template.spec.domain.resources.requests.*",
  "spec.template.spec.domain.resources.limits.*",
  "spec.template.spec.domain.memory.guest",
  "spec.template.spec.domain.memory.maxGuest",
  "spec.template.spec.volumes.[].emptyDisk.capacity",
  "spec.template.spec.volumes.[].hostDisk.capacity",
].map((p) => p.split("."));

/** Walks `value` in document order (as encoding/json decodes) and returns the first quantity that does not parse. */
function firstQuantityError(
  value: unknown,
  paths: readonly (readonly string[])[],
  depth: number,
): string | undefined {
  if (Array.isArray(value)) {
    const next = paths.filter((p) => p[depth] === "[]");
    if (next.length === 0) return undefined;
    for (const item of value) {
      const err = firstQuantityError(item, next, depth + 1);
      if (err) return err;
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const next = paths.filter((p) => p[depth] === key || p[depth] === "*");
    if (next.length === 0) continue;
    if (next.some((p) => p.length === depth + 1)) {
      // Quantity.UnmarshalJSON trims spaces; null is an empty quantity; numbers always parse. Other JSON types are
      // left to the schema check, which the simulator does not reproduce.
      const err = typeof child === "string" ? quantityError(child.trim()) : undefined;
      if (err) return err;
      continue;
    }
    const err = firstQuantityError(child, next, depth + 1);
    if (err) return err;
  }
  return undefined;
}

/** Pure: the first quantity of the VM that `json.Unmarshal` would fail on (its error message), or undefined. */
export function virtualMachineQuantityError(object: KubeObject): string | undefined {
  return firstQuantityError(object, QUANTITY_PATHS, 0);
}

/**
 * Throws what the mutating webhook `virtualmachines-mutator.kubevirt.io` rejects before it mutates (§5,
 * `(*VMsMutator).Mutate`): `webhookutils.ValidateSchema` against the OpenAPI schema (only its `required` fields
 * `spec` and `spec.template` are reproduced) answers 422 Invalid with message-only causes; a decoding error
 * (`webhookutils.ToAdmissionResponseError`) answers 400 with no reason and no details, which kube-apiserver passes on
 * as it is.
 */
export function assertMutatorAccepts(object: KubeObject): void {
  const denied = (msg: string) => `admission webhook "${MUTATOR_WEBHOOK_NAME}" denied the request: ${msg}`;
  const spec = object.spec as unknown;
  let required: string | undefined;
  if (spec === undefined || spec === null) required = "spec in body is required";
  else if (obj(spec).template === undefined || obj(spec).template === null)
    required = "spec.template in body is required";
  if (required) throw new StatusError(422, "Invalid", denied(required), { causes: [{ message: required }] });
  const quantity = virtualMachineQuantityError(object);
  if (quantity) throw new StatusError(400, "", denied(quantity));
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

/**
 * Pure but for the lookup: the causes of `ApplyToVM` (§10), the template fields that conflict with the VM's
 * instance type. An instance type that is not found is no cause: the admitter ignores a failed lookup.
 */
export function instancetypeCauses(store: Store, vm: KubeObject): Cause[] {
  const { instancetype } = findReferenced(store, vm);
  if (!instancetype) return [];
  const templateSpec = obj(obj(obj(vm.spec).template).spec);
  return instancetypeConflicts(templateSpec).map((field) => ({
    reason: "FieldValueInvalid",
    message: conflictMessage(field),
    field,
  }));
}

/** The validating webhook's 422 for `causes`. */
function denied(vm: KubeObject, causes: Cause[]): StatusError {
  return new StatusError(
    422,
    "Invalid",
    `admission webhook "${WEBHOOK_NAME}" denied the request: ${joinCauses(causes)}`,
    { name: vm.metadata.name, group: "kubevirt.io", kind: "VirtualMachine", causes },
  );
}

/**
 * The VirtualMachine admitter registered with the API layer, in kube-apiserver's order: the mutating webhook
 * (which also checks VMs being deleted), then the object's own validation (metadata.name), then the validating
 * webhook.
 */
export function virtualMachineAdmitter(options: AdmissionOptions = {}): Admitter {
  return (req: AdmissionRequest) => {
    assertMutatorAccepts(req.object);
    assertValidName(req.object);
    // A VM being deleted is allowed without validation (vms-admitter.go).
    if (req.object.metadata.deletionTimestamp) return;
    // The instance type is applied to a copy first; its conflicts are answered alone (vms-admitter.go).
    const conflicts = options.store ? instancetypeCauses(options.store, req.object) : [];
    if (conflicts.length > 0) throw denied(req.object, conflicts);
    const causes = validateVirtualMachineSpec(req.object.spec, options);
    if (causes.length > 0) throw denied(req.object, causes);
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
