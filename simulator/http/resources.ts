/**
 * The resource handlers: get, list, create, update, patch, delete, deletecollection, the `status` subresource
 * and custom subresources, with kube-apiserver's checks and messages where clients rely on them.
 */
import { randomBytes } from "node:crypto";
import type { ResourceDefinition } from "../store/extensions";
import { badRequest, internalError, notFound, unsupportedMediaType } from "../store/errors";
import { isObject } from "../store/json";
import type { MemoryStore } from "../store/memory-store";
import { fieldSelector, labelSelector, type Selector } from "../store/selectors";
import { StatusError, type DeleteOptions, type KubeObject } from "../store/types";
import { applyMergePatch } from "../store/patch";
import { applyJsonPatch, parseJsonPatch } from "./patch";
import type { ApiRegistry } from "./registry";
import { NAMESPACES } from "./registry";

/** The patch types custom resources accept (kube-apiserver's list for CRDs). */
export const CUSTOM_RESOURCE_PATCH_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/apply-patch+yaml",
];

/** A parsed resource request. */
export interface ResourceRoute {
  def: ResourceDefinition;
  version: string;
  namespace?: string;
  name?: string;
  /** `status` or a custom subresource name. */
  subresource?: string;
}

/** What every handler gets. */
export interface HandlerContext {
  store: MemoryStore;
  registry: ApiRegistry;
  route: ResourceRoute;
  query: URLSearchParams;
  body: string;
  contentType: string;
  dryRun: boolean;
  /** Admission warnings to send back. */
  warnings: string[];
}

/** A handler's answer. */
export interface HandlerResult {
  code: number;
  body?: unknown;
}

function apiVersionOf(def: ResourceDefinition, version: string): string {
  return def.key.group ? `${def.key.group}/${version}` : version;
}

/** The object as served in the requested version. */
export function served(def: ResourceDefinition, version: string, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: apiVersionOf(def, version), kind: def.kind };
}

/** Label and field selectors of a list or watch request. */
export function selectorOf(query: URLSearchParams): Selector {
  const labels = labelSelector(query.get("labelSelector") ?? undefined);
  const fields = fieldSelector(query.get("fieldSelector") ?? undefined);
  return (o) => labels(o) && fields(o);
}

function parseObject(ctx: HandlerContext): KubeObject {
  let obj: unknown;
  try {
    obj = JSON.parse(ctx.body);
  } catch (e) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${ctx.route.def.kind}): ${(e as Error).message}`,
    );
  }
  if (!isObject(obj))
    throw badRequest(`the object provided is unrecognized (must be of type ${ctx.route.def.kind})`);
  const { def, version } = ctx.route;
  if (obj.kind !== undefined && obj.kind !== def.kind) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${def.kind}): kind ${String(obj.kind)} does not match`,
    );
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(def, version)) {
    throw badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(def, version)})`,
    );
  }
  if (!isObject(obj.metadata)) obj.metadata = {};
  return { ...obj, apiVersion: apiVersionOf(def, version), kind: def.kind } as KubeObject;
}

function checkNamespace(ctx: HandlerContext, obj: KubeObject): void {
  const { def, namespace } = ctx.route;
  if (!def.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  obj.metadata.namespace = namespace;
}

function admit(
  ctx: HandlerContext,
  operation: "CREATE" | "UPDATE",
  object: KubeObject,
  oldObject?: KubeObject,
): void {
  for (const admitter of ctx.registry.admittersFor(ctx.route.def.key)) {
    const result = admitter({ operation, key: ctx.route.def.key, object, oldObject, dryRun: ctx.dryRun });
    if (result?.warnings) ctx.warnings.push(...result.warnings);
  }
}

const NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

/** GET of one object. */
export function getObject(ctx: HandlerContext): HandlerResult {
  const { def, version, namespace, name } = ctx.route;
  const obj = ctx.store.get(def.key, namespace ?? "", name ?? "");
  if (!obj) throw notFound(def.key, name ?? "");
  return { code: 200, body: served(def, version, obj) };
}

/** GET of a collection. */
export function listObjects(ctx: HandlerContext): HandlerResult {
  const { def, version, namespace } = ctx.route;
  const select = selectorOf(ctx.query);
  const rv = ctx.store.currentResourceVersion();
  const items = ctx.store
    .listShared(def.key, namespace)
    .filter(select)
    .map((o) => served(def, version, o));
  return {
    code: 200,
    body: {
      apiVersion: apiVersionOf(def, version),
      kind: def.listKind,
      metadata: { resourceVersion: rv },
      items,
    },
  };
}

/** POST to a collection. */
export function createObject(ctx: HandlerContext): HandlerResult {
  const { def, version, namespace } = ctx.route;
  const obj = parseObject(ctx);
  checkNamespace(ctx, obj);
  if (!obj.metadata.name && typeof obj.metadata.generateName === "string" && obj.metadata.generateName) {
    let suffix = "";
    for (const b of randomBytes(5)) suffix += NAME_CHARS[b % NAME_CHARS.length];
    obj.metadata.name = `${obj.metadata.generateName}${suffix}`;
  }
  if (def.namespaced && !ctx.store.get(NAMESPACES.key, "", namespace ?? ""))
    throw notFound(NAMESPACES.key, namespace ?? "");
  if (obj.metadata.resourceVersion)
    throw internalError("resourceVersion should not be set on objects to be created");
  if (def.statusSubresource) delete obj.status; // the status of a new object comes from its controller, not its creator
  const prepared = ctx.store.create(def.key, obj, { dryRun: true });
  admit(ctx, "CREATE", served(def, version, prepared));
  const created = ctx.dryRun ? prepared : ctx.store.create(def.key, obj);
  return { code: 201, body: served(def, version, created) };
}

function writeUpdate(ctx: HandlerContext, obj: KubeObject, old: KubeObject): HandlerResult {
  const { def, version, subresource } = ctx.route;
  const status = subresource === "status" ? "status" : undefined;
  const prepared = ctx.store.update(def.key, obj, status, { dryRun: true });
  if (!status) admit(ctx, "UPDATE", served(def, version, prepared), served(def, version, old));
  const updated = ctx.dryRun ? prepared : ctx.store.update(def.key, obj, status);
  return { code: 200, body: served(def, version, updated) };
}

function current(ctx: HandlerContext): KubeObject {
  const { def, namespace, name } = ctx.route;
  const old = ctx.store.get(def.key, namespace ?? "", name ?? "");
  if (!old) throw notFound(def.key, name ?? "");
  return old;
}

/** PUT of an object or its status. */
export function updateObject(ctx: HandlerContext): HandlerResult {
  const { name } = ctx.route;
  const obj = parseObject(ctx);
  if (obj.metadata.name !== name) {
    throw badRequest(
      `the name of the object (${String(obj.metadata.name ?? "")}) does not match the name on the URL (${name})`,
    );
  }
  checkNamespace(ctx, obj);
  const old = current(ctx);
  return writeUpdate(ctx, obj, old);
}

/** PATCH of an object or its status. */
export function patchObject(ctx: HandlerContext): HandlerResult {
  const { def, version, name, namespace } = ctx.route;
  const type = ctx.contentType;
  const old = current(ctx);
  const base = served(def, version, old);
  let patched: unknown;
  if (type === "application/json-patch+json") {
    patched = applyJsonPatch(base, parseJsonPatch(ctx.body));
  } else if (
    type === "application/merge-patch+json" ||
    (type === "application/strategic-merge-patch+json" && def.key.group === "")
  ) {
    // Built-in (core) resources accept strategic merge patch; for namespaces it equals a merge patch.
    let patch: unknown;
    try {
      patch = JSON.parse(ctx.body);
    } catch (e) {
      throw badRequest(`error decoding patch: ${(e as Error).message}`);
    }
    patched = applyMergePatch(base, patch);
  } else {
    throw unsupportedMediaType(CUSTOM_RESOURCE_PATCH_TYPES);
  }
  if (!isObject(patched) || !isObject(patched.metadata))
    throw badRequest("the patch did not produce an object");
  const obj = patched as KubeObject;
  obj.metadata.name = name ?? "";
  if (def.namespaced) obj.metadata.namespace = namespace;
  if (!obj.metadata.resourceVersion) obj.metadata.resourceVersion = old.metadata.resourceVersion;
  return writeUpdate(ctx, obj, old);
}

/** DeleteOptions from the body and the query (the query wins, as in kube-apiserver). */
export function deleteOptions(ctx: HandlerContext): DeleteOptions & { uid?: string } {
  let body: Record<string, unknown> = {};
  if (ctx.body.trim()) {
    try {
      const parsed: unknown = JSON.parse(ctx.body);
      if (isObject(parsed)) body = parsed;
    } catch (e) {
      throw badRequest(`error decoding DeleteOptions: ${(e as Error).message}`);
    }
  }
  const q = ctx.query;
  const opts: DeleteOptions & { uid?: string } = {};
  const policy = q.get("propagationPolicy") ?? (body.propagationPolicy as string | undefined);
  const orphan = q.get("orphanDependents") ?? (body.orphanDependents as boolean | string | undefined);
  if (policy !== undefined && policy !== null) {
    if (!["Orphan", "Background", "Foreground"].includes(policy)) {
      throw new StatusError(
        422,
        "Invalid",
        `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`,
      );
    }
    opts.propagationPolicy = policy as DeleteOptions["propagationPolicy"];
  } else if (orphan !== undefined && orphan !== null) {
    opts.propagationPolicy = String(orphan) === "true" ? "Orphan" : "Background";
  }
  const grace = q.get("gracePeriodSeconds") ?? body.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) opts.gracePeriodSeconds = Number(grace);
  const pre = isObject(body.preconditions) ? body.preconditions : {};
  if (typeof pre.resourceVersion === "string") opts.resourceVersion = pre.resourceVersion;
  if (typeof pre.uid === "string") opts.uid = pre.uid;
  return opts;
}

/** Deletes every object of every namespaced resource in the namespace. */
function deleteNamespaceContents(ctx: HandlerContext, namespace: string | undefined): void {
  for (const d of ctx.registry.allResources()) {
    if (!d.namespaced) continue;
    for (const o of ctx.store.listShared(d.key, namespace)) {
      try {
        ctx.store.delete(d.key, namespace ?? "", o.metadata.name, {});
      } catch {
        // gone already
      }
    }
  }
}

/** DELETE of one object (namespaces also delete what they contain). */
export function deleteObject(ctx: HandlerContext): HandlerResult {
  const { def, version, namespace, name } = ctx.route;
  const opts = deleteOptions(ctx);
  if (def === NAMESPACES || (def.key.group === "" && def.key.resource === "namespaces")) {
    current(ctx);
    if (!ctx.dryRun) deleteNamespaceContents(ctx, name);
  }
  const result = ctx.store.delete(def.key, namespace ?? "", name ?? "", { ...opts, dryRun: ctx.dryRun });
  return { code: 200, body: served(def, version, result) };
}

/** DELETE of a collection (with selectors). */
export function deleteCollection(ctx: HandlerContext): HandlerResult {
  const { def, version, namespace } = ctx.route;
  const opts = deleteOptions(ctx);
  const select = selectorOf(ctx.query);
  const items: KubeObject[] = [];
  for (const o of ctx.store.listShared(def.key, namespace).filter(select)) {
    try {
      items.push(
        served(
          def,
          version,
          ctx.store.delete(def.key, o.metadata.namespace ?? "", o.metadata.name, {
            ...opts,
            dryRun: ctx.dryRun,
          }),
        ),
      );
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }
  return {
    code: 200,
    body: {
      apiVersion: apiVersionOf(def, version),
      kind: def.listKind,
      metadata: { resourceVersion: ctx.store.currentResourceVersion() },
      items,
    },
  };
}
