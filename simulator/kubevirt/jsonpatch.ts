/**
 * A minimal RFC 6902 JSON patch (add, remove, replace, test) used for virt-api's test-then-replace
 * patches (§1.3). Errors carry evanphx/json-patch-like texts so the handlers can map a failed `test`
 * to 409 ("jsonpatch test operation does not apply") and everything else to 500.
 */
import { clone, stableStringify } from "./api";

export interface PatchOp {
  op: "add" | "remove" | "replace" | "test";
  path: string;
  value?: unknown;
}

export class JsonPatchError extends Error {}

function parsePointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new JsonPatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function getParent(
  doc: unknown,
  tokens: string[],
  path: string,
): { parent: Record<string, unknown> | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (cur === null || typeof cur !== "object") throw new JsonPatchError(`doc is missing path: "${path}"`);
    cur = (cur as Record<string, unknown>)[t];
  }
  if (cur === null || typeof cur !== "object") throw new JsonPatchError(`doc is missing path: "${path}"`);
  return { parent: cur as Record<string, unknown> | unknown[], key: tokens[tokens.length - 1] };
}

/** Applies `ops` to a copy of `doc` and returns the copy; throws JsonPatchError. */
export function applyJsonPatch<T>(doc: T, ops: PatchOp[]): T {
  const out = clone(doc) as unknown;
  for (const op of ops) {
    const tokens = parsePointer(op.path);
    if (tokens.length === 0) throw new JsonPatchError("patching the document root is not supported");
    const { parent, key } = getParent(out, tokens, op.path);
    const has = Array.isArray(parent)
      ? Number(key) < parent.length
      : Object.prototype.hasOwnProperty.call(parent, key);
    const current = has ? (parent as Record<string, unknown>)[key] : undefined;
    switch (op.op) {
      case "test": {
        const want = op.value === undefined ? null : op.value;
        const got = current === undefined ? null : current;
        if (stableStringify(want) !== stableStringify(got)) {
          throw new JsonPatchError(
            `testing value ${op.path} failed: jsonpatch test operation does not apply`,
          );
        }
        break;
      }
      case "add":
        if (Array.isArray(parent)) {
          if (key === "-") parent.push(clone(op.value));
          else parent.splice(Number(key), 0, clone(op.value));
        } else parent[key] = clone(op.value);
        break;
      case "replace":
        if (!has)
          throw new JsonPatchError(`replace operation does not apply: doc is missing key: ${op.path}`);
        (parent as Record<string, unknown>)[key] = clone(op.value);
        break;
      case "remove":
        if (!has)
          throw new JsonPatchError(`remove operation does not apply: doc is missing path: ${op.path}`);
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      default:
        throw new JsonPatchError(`unsupported operation ${(op as PatchOp).op}`);
    }
  }
  return out as T;
}
