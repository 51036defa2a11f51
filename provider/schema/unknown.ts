/**
 * The value Pulumi puts in place of not-yet-known inputs during `pulumi preview`.
 *
 * It equals `pulumi.runtime.unknownValue` (`@pulumi/pulumi/runtime/rpc`); it is copied here so the
 * provider's validation does not load the Pulumi SDK (a test checks the two stay equal).
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when `value` is Pulumi's unknown sentinel. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** True when `value` is the unknown sentinel or contains it anywhere (object values, array elements). */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}
