/**
 * JSON patch (RFC 6902) requests as kube-apiserver takes them: a body that is not a list of operations is a 400,
 * and a patch that does not apply, a failed `test` included, is the 422 kube-apiserver answers
 * (errors.NewGenericServerResponse(422, ...)): reason `Invalid`, message "the server rejected our request due to
 * an error in our request", the library's own text dropped.
 */
import { badRequest } from "../store/errors";
import { isObject } from "../store/json";
import { applyJsonPatch as applyPatch, JsonPatchError, type PatchOp } from "../store/patch";
import { StatusError } from "../store/types";

/** The 422 kube-apiserver answers when a JSON patch does not apply. */
function patchDoesNotApply(): StatusError {
  return new StatusError(
    422,
    "Invalid",
    "the server rejected our request due to an error in our request",
    {},
  );
}

/** Parses a JSON patch body; 400 BadRequest when it is not a list of operations. */
export function parseJsonPatch(body: string): PatchOp[] {
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
  return ops as PatchOp[];
}

/** Applies a JSON patch to a copy of `doc`; throws the 422 of kube-apiserver when an operation does not apply. */
export function applyJsonPatch<T>(doc: T, ops: readonly PatchOp[]): T {
  try {
    return applyPatch(doc, ops);
  } catch (e) {
    if (e instanceof JsonPatchError) throw patchDoesNotApply();
    throw e;
  }
}
