/** JSON merge patches (RFC 7386) computed from two versions of a document. */
import { deepEqual, isObject } from "../store/json";

/**
 * The merge patch that turns `before` into `after`, or undefined when they are equal. Objects are patched member
 * by member (a removed member becomes `null`); anything else, arrays included, is replaced whole.
 */
export function mergePatchDiff(before: unknown, after: unknown): unknown {
  if (deepEqual(before, after)) return undefined;
  if (!isObject(before) || !isObject(after)) return after === undefined ? null : after;
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) {
    if (v === undefined) continue;
    const d = mergePatchDiff(before[k], v);
    if (d !== undefined) patch[k] = d;
  }
  for (const [k, v] of Object.entries(before)) {
    if (v !== undefined && after[k] === undefined) patch[k] = null;
  }
  return patch;
}
