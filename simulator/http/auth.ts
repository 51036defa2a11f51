/**
 * Bearer-token authentication and a small RBAC-like authorizer. Messages follow kube-apiserver:
 * 401 `Unauthorized`; 403 from responsewriters.forbiddenMessage + errors.NewForbidden, e.g.
 * `virtualmachines.subresources.kubevirt.io "vm1" is forbidden: User "alice" cannot update resource
 * "virtualmachines/start" in API group "subresources.kubevirt.io" in the namespace "default"`.
 */
import { timingSafeEqual } from "node:crypto";
import { forbidden } from "../store/errors";
import type { StatusError } from "../store/types";

/** One rule, as in an RBAC (Cluster)Role: every list matches when it contains the value or `*`. */
export interface AccessRule {
  /** Kubernetes verbs: get, list, watch, create, update, patch, delete, deletecollection, or `*`. */
  verbs: string[];
  /** API groups (`""` is the core group), or `*`. Default `["*"]`. */
  apiGroups?: string[];
  /** Resources, with subresources as `resource/subresource` (e.g. `virtualmachines/start`), or `*`; a `*` before `/status` matches every status subresource. */
  resources: string[];
  /** Namespaces the rule applies to; absent = all namespaces and cluster-scoped resources. */
  namespaces?: string[];
}

/** A user of the simulator: a name, its bearer token and what it may do. */
export interface SimulatorUser {
  name: string;
  token: string;
  /** Absent = allowed everything (a cluster-admin). */
  rules?: AccessRule[];
  /** Whether the user may call the control API (`/_simulator/...`). Default: true when `rules` is absent. */
  control?: boolean;
}

/** What a request wants to do (authorizer.Attributes). */
export interface RequestAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

function listMatches(list: string[] | undefined, value: string): boolean {
  return list === undefined || list.includes("*") || list.includes(value);
}

/** rbac.ResourceMatches: `*`, the exact `resource/subresource`, or a star followed by `/subresource`. */
function resourceMatches(rule: AccessRule, a: RequestAttributes): boolean {
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return rule.resources.some(
    (r) => r === "*" || r === combined || (a.subresource !== undefined && r === `*/${a.subresource}`),
  );
}

/** Whether a user may do what the attributes describe. */
export function allows(user: SimulatorUser, a: RequestAttributes): boolean {
  if (!user.rules) return true;
  return user.rules.some(
    (rule) =>
      listMatches(rule.verbs, a.verb) &&
      listMatches(rule.apiGroups ?? ["*"], a.apiGroup) &&
      resourceMatches(rule, a) &&
      (rule.namespaces === undefined ||
        (a.namespace !== undefined && listMatches(rule.namespaces, a.namespace))),
  );
}

/** The 403 kube-apiserver writes when the authorizer denies a resource request. */
export function forbiddenError(user: SimulatorUser, a: RequestAttributes): StatusError {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  const message = `User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
  return forbidden({ group: a.apiGroup, resource: a.resource }, a.name ?? "", message);
}

/** Finds the user of a bearer token (constant-time comparison per user). */
export function authenticate(
  users: SimulatorUser[],
  authorization: string | undefined,
): SimulatorUser | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  if (!m) return undefined;
  const given = Buffer.from(m[1].trim());
  return users.find((u) => {
    const want = Buffer.from(u.token);
    return want.length === given.length && timingSafeEqual(want, given);
  });
}
