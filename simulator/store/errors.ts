/**
 * Constructors for the Kubernetes API errors the simulator answers with, worded as kube-apiserver words them
 * (k8s.io/apimachinery/pkg/api/errors/errors.go). Each returns a {@link StatusError}; {@link toStatus} turns one
 * into the `metav1.Status` body the HTTP layer writes.
 */
import { StatusError, type ResourceKey } from "./types";

/** `<resource>.<group>`, or just `<resource>` for the core group (schema.GroupResource.String()). */
export function groupResource(key: Pick<ResourceKey, "group" | "resource">): string {
  return key.group ? `${key.resource}.${key.group}` : key.resource;
}

function details(key: Pick<ResourceKey, "group" | "resource">, name?: string): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (name) d.name = name;
  if (key.group) d.group = key.group;
  if (key.resource) d.kind = key.resource;
  return d;
}

/** 404 `<resource>.<group> "<name>" not found`. */
export function notFound(key: Pick<ResourceKey, "group" | "resource">, name: string): StatusError {
  return new StatusError(404, "NotFound", `${groupResource(key)} "${name}" not found`, details(key, name));
}

/** 409 `<resource>.<group> "<name>" already exists`. */
export function alreadyExists(key: Pick<ResourceKey, "group" | "resource">, name: string): StatusError {
  return new StatusError(
    409,
    "AlreadyExists",
    `${groupResource(key)} "${name}" already exists`,
    details(key, name),
  );
}

/** The message of an optimistic-concurrency conflict (registry.OptimisticLockErrorMsg). */
export const OPTIMISTIC_LOCK_MESSAGE =
  "the object has been modified; please apply your changes to the latest version and try again";

/** 409 `Operation cannot be fulfilled on <resource>.<group> "<name>": <message>`. */
export function conflict(
  key: Pick<ResourceKey, "group" | "resource">,
  name: string,
  message: string = OPTIMISTIC_LOCK_MESSAGE,
): StatusError {
  return new StatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${groupResource(key)} "${name}": ${message}`,
    details(key, name),
  );
}

/** One field error of an Invalid (422) answer. */
export interface FieldCause {
  /** e.g. `FieldValueInvalid`, `FieldValueRequired`, `FieldValueForbidden`. */
  type: string;
  field: string;
  message: string;
}

/**
 * 422 `<Kind>.<group> "<name>" is invalid: <field>: <message>` (several causes are listed in brackets, joined by
 * ", ", as utilerrors.Aggregate prints them).
 */
export function invalid(kind: string, group: string, name: string, causes: FieldCause[]): StatusError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  return new StatusError(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${joined}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: causes.map((c) => ({ reason: c.type, message: c.message, field: c.field })),
  });
}

/** 400 BadRequest with the message as given. */
export function badRequest(message: string): StatusError {
  return new StatusError(400, "BadRequest", message);
}

/** 410 Expired, as a watch or list from a compacted resourceVersion gets it. */
export function expired(message: string): StatusError {
  return new StatusError(410, "Expired", message);
}

/** 500 `Internal error occurred: <message>`. */
export function internalError(message: string): StatusError {
  return new StatusError(500, "InternalError", `Internal error occurred: ${message}`, {
    causes: [{ message }],
  });
}

/** 403 `<resource>.<group> "<name>" is forbidden: <message>` (errors.NewForbidden). */
export function forbidden(
  key: Pick<ResourceKey, "group" | "resource">,
  name: string,
  message: string,
): StatusError {
  const gr = groupResource(key);
  let text: string;
  if (!key.resource && !key.group) text = `forbidden: ${message}`;
  else if (!name) text = `${gr} is forbidden: ${message}`;
  else text = `${gr} "${name}" is forbidden: ${message}`;
  return new StatusError(403, "Forbidden", text, details(key, name));
}

/** 401 `Unauthorized`, as the authentication filter answers it. */
export function unauthorized(): StatusError {
  return new StatusError(401, "Unauthorized", "Unauthorized");
}

/** 405 `<verb> is not supported on resources of kind "<resource>.<group>"`. */
export function methodNotSupported(
  key: Pick<ResourceKey, "group" | "resource">,
  action: string,
): StatusError {
  return new StatusError(
    405,
    "MethodNotAllowed",
    `${action} is not supported on resources of kind "${groupResource(key)}"`,
    details(key),
  );
}

/** 415 as the patch handler answers an unsupported patch type (negotiation.NewUnsupportedMediaTypeError). */
export function unsupportedMediaType(accepted: string[]): StatusError {
  return new StatusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );
}

/** The `metav1.Status` body of an error. */
export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason?: string;
  details?: Record<string, unknown>;
  code: number;
}

/** Turns any thrown value into a Status body (non-StatusErrors become 500 InternalError). */
export function toStatus(err: unknown): StatusBody {
  const e =
    err instanceof StatusError ? err : internalError(err instanceof Error ? err.message : String(err));
  const body: StatusBody = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: e.message,
    code: e.code,
  };
  if (e.reason && e.reason !== "Unknown") body.reason = e.reason;
  if (e.details) body.details = e.details;
  return body;
}

/** Whether a value is a StatusError with this code. */
export function isStatus(err: unknown, code: number): err is StatusError {
  return err instanceof StatusError && err.code === code;
}
