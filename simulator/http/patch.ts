/**
 * JSON patch (RFC 6902) and JSON merge patch (RFC 7386), applied as kube-apiserver applies them (it uses
 * evanphx/json-patch). Errors while applying a JSON patch, including a failed `test`, become the 422 that
 * kube-apiserver answers (errors.NewGenericServerResponse(422, ...)): reason `Invalid`, message "the server
 * rejected our request due to an error in our request", the library's own text dropped.
 */
import { badRequest } from "../store/errors";
import { clone, deepEqual, isObject } from "../store/json";
import { StatusError } from "../store/types";

/** One JSON patch operation. */
export interface JsonPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: unknown;
}

/** The 422 kube-apiserver answers when a JSON patch does not apply. */
export function patchDoesNotApply(): StatusError {
  return new StatusError(
    422,
    "Invalid",
    "the server rejected our request due to an error in our request",
    {},
  );
}

class ApplyError extends Error {}

function parsePointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new ApplyError(`invalid path ${path}`);
  return path
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

/** Resolves the parent container of a pointer and the last token. */
function parent(doc: unknown, tokens: string[]): { container: Container; key: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(cur, t, false);
      cur = cur[i];
    } else if (isObject(cur)) {
      if (!(t in cur)) throw new ApplyError(`missing path segment ${t}`);
      cur = cur[t];
    } else throw new ApplyError(`cannot traverse ${t}`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw new ApplyError("parent is not a container");
  return { container: cur, key: tokens[tokens.length - 1] };
}

function arrayIndex(arr: unknown[], token: string, forAdd: boolean): number {
  if (forAdd && token === "-") return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new ApplyError(`invalid array index ${token}`);
  const i = Number(token);
  if (i > arr.length || (!forAdd && i >= arr.length)) throw new ApplyError(`index out of range ${token}`);
  return i;
}

function getAt(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const { container, key } = parent(doc, tokens);
  if (Array.isArray(container)) return container[arrayIndex(container, key, false)];
  if (!(key in container)) throw new ApplyError(`missing path ${path}`);
  return container[key];
}

function add(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { container, key } = parent(doc, tokens);
  if (Array.isArray(container)) container.splice(arrayIndex(container, key, true), 0, value);
  else container[key] = value;
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new ApplyError("cannot remove the root");
  const { container, key } = parent(doc, tokens);
  if (Array.isArray(container)) container.splice(arrayIndex(container, key, false), 1);
  else {
    if (!(key in container)) throw new ApplyError(`missing path ${path}`);
    delete container[key];
  }
  return doc;
}

/** Parses a JSON patch body; 400 BadRequest when it is not a list of operations. */
export function parseJsonPatch(body: string): JsonPatchOperation[] {
  let ops: unknown;
  try {
    ops = JSON.parse(body);
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
  if (!Array.isArray(ops))
    throw badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== "string" || typeof op.path !== "string") {
      throw badRequest("json: cannot unmarshal into Go value of type jsonpatch.Operation");
    }
  }
  return ops as JsonPatchOperation[];
}

/** Applies a JSON patch to a copy of `doc`; throws the 422 of kube-apiserver when an operation does not apply. */
export function applyJsonPatch<T>(doc: T, ops: JsonPatchOperation[]): T {
  let out: unknown = clone(doc);
  try {
    for (const op of ops) {
      switch (op.op) {
        case "add":
          out = add(out, op.path, clone(op.value));
          break;
        case "remove":
          out = remove(out, op.path);
          break;
        case "replace":
          getAt(out, op.path); // must exist
          out = op.path === "" ? clone(op.value) : add(remove(out, op.path), op.path, clone(op.value));
          break;
        case "move": {
          const v = getAt(out, op.from ?? "");
          out = add(remove(out, op.from ?? ""), op.path, v);
          break;
        }
        case "copy":
          out = add(out, op.path, clone(getAt(out, op.from ?? "")));
          break;
        case "test":
          if (!deepEqual(getAt(out, op.path), op.value))
            throw new ApplyError(`testing value ${op.path} failed`);
          break;
        default:
          throw new ApplyError(`Unexpected kind: ${String((op as { op: unknown }).op)}`);
      }
    }
  } catch (e) {
    if (e instanceof ApplyError) throw patchDoesNotApply();
    throw e;
  }
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
