/**
 * JSON patch (RFC 6902, on fast-json-patch) and JSON merge patch (RFC 7386) for plain JSON documents, with the
 * answers of evanphx/json-patch, the library kube-apiserver and KubeVirt apply patches with: a `test` for null
 * (or without a value) passes when the member is absent, and errors carry evanphx-like texts. Each layer maps a
 * {@link JsonPatchError} to its own answer (kube-apiserver's 422, virt-api's 409 or 500).
 */
import {
  applyOperation,
  getValueByPointer,
  JsonPatchError as OperationError,
  unescapePathComponent,
  type Operation,
} from "fast-json-patch";
import { clone, deepEqual, isObject } from "./json";

/** One JSON patch operation. */
export interface PatchOp {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: unknown;
}

/** A JSON patch that does not apply; the message is worded as evanphx/json-patch words it. */
export class JsonPatchError extends Error {}

/** The text evanphx/json-patch gives for an operation that does not apply. */
function errorText(op: PatchOp, e: InstanceType<typeof OperationError>): string {
  switch (e.name) {
    case "TEST_OPERATION_FAILED":
      return `testing value ${op.path} failed: jsonpatch test operation does not apply`;
    case "OPERATION_PATH_UNRESOLVABLE":
    case "OPERATION_FROM_UNRESOLVABLE":
      return `${op.op} operation does not apply: doc is missing path: ${op.from ?? op.path}`;
    default:
      return `${op.op} operation does not apply: ${e.message.split("\n")[0]}`;
  }
}

/** Whether `op` is a `test` for null whose member is absent from an existing parent (evanphx passes it). */
function isAbsentNullTest(doc: unknown, op: PatchOp): boolean {
  if (op.op !== "test" || (op.value !== undefined && op.value !== null)) return false;
  const cut = op.path.lastIndexOf("/");
  if (cut < 0) return false;
  let parent: unknown;
  try {
    parent = getValueByPointer(doc, op.path.slice(0, cut));
  } catch {
    return false; // the parent is missing: the library's own answer
  }
  if (parent === null || typeof parent !== "object") return false;
  return !Object.prototype.hasOwnProperty.call(parent, unescapePathComponent(op.path.slice(cut + 1)));
}

/** Applies `ops` to a copy of `doc` and returns the copy (the inputs are left alone); throws {@link JsonPatchError}. */
export function applyJsonPatch<T>(doc: T, ops: readonly PatchOp[]): T {
  let out: unknown = clone(doc);
  clone(ops).forEach((op, index) => {
    if (isAbsentNullTest(out, op)) return;
    const operation = (op.op === "test" ? { ...op, value: op.value ?? null } : op) as Operation;
    try {
      out = applyOperation(out, operation, true, true, true, index).newDocument;
    } catch (e) {
      if (e instanceof OperationError) throw new JsonPatchError(errorText(op, e));
      throw e;
    }
  });
  return out as T;
}

/** Applies a JSON merge patch (RFC 7386) to a copy of `doc`. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(doc) ? clone(doc) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/**
 * The merge patch that turns `before` into `after`, or undefined when they are equal: the inverse of
 * {@link applyMergePatch}. Objects are patched member by member (a removed member becomes `null`); anything else,
 * arrays included, is replaced whole.
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
