/**
 * The resource verbs of the API server, one named step each: get, list, create, update, patch, delete and
 * deletecollection run their handler from `resources.ts`; a get or list asked for as a Table is answered as one.
 */
import { badRequest, methodNotSupported } from "../store/errors";
import type { KubeObject } from "../store/types";
import {
  createObject,
  deleteCollection,
  deleteObject,
  getObject,
  listObjects,
  patchObject,
  updateObject,
  type HandlerContext,
  type HandlerResult,
} from "./resources";
import { toTable } from "./table";

/** POST: neither a named path nor the `status` subresource can be created. */
function createVerb(ctx: HandlerContext): HandlerResult {
  if (ctx.route.subresource === "status" || ctx.route.name)
    throw methodNotSupported(ctx.route.def.key, "create");
  return createObject(ctx);
}

/** DELETE of one object: the `status` subresource cannot be deleted. */
function deleteVerb(ctx: HandlerContext): HandlerResult {
  if (ctx.route.subresource === "status") throw methodNotSupported(ctx.route.def.key, "delete");
  return deleteObject(ctx);
}

const VERB_HANDLERS = new Map<string, (ctx: HandlerContext) => HandlerResult>([
  ["get", getObject],
  ["list", listObjects],
  ["create", createVerb],
  ["update", updateObject],
  ["patch", patchObject],
  ["delete", deleteVerb],
  ["deletecollection", deleteCollection],
]);

/** Runs the handler of `verb`; a verb without one is answered 405. */
export function runVerb(verb: string, ctx: HandlerContext): HandlerResult {
  const handler = VERB_HANDLERS.get(verb);
  if (!handler) throw methodNotSupported(ctx.route.def.key, verb);
  return handler(ctx);
}

/**
 * The answer of a get or list of a main resource as a meta.k8s.io Table of version `table` (what `kubectl get`
 * asks for); any other answer, or no `table`, is returned unchanged.
 */
export function asTable(
  verb: string,
  ctx: HandlerContext,
  result: HandlerResult,
  table: string | undefined,
): HandlerResult {
  if (!table || ctx.route.subresource || (verb !== "get" && verb !== "list")) return result;
  const body = result.body as KubeObject & { items?: KubeObject[] };
  const objects = verb === "get" ? [body] : (body.items ?? []);
  const rv = verb === "get" ? body.metadata.resourceVersion : ctx.store.currentResourceVersion();
  return { code: result.code, body: toTable(ctx.route.def, table, objects, rv) };
}

/** Whether the query asks for a dry run; every `dryRun` value other than `All` is a 400. */
export function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll("dryRun");
  for (const v of values)
    if (v !== "All") throw badRequest(`Invalid dryRun value: ${v}; only "All" is supported`);
  return values.includes("All");
}
