/**
 * What the API layer serves: resource definitions, admitters, custom subresources and control routes, as
 * registered through the {@link ExtensionHost} methods. Also answers the discovery documents from them.
 */
import type { Admitter, ControlHandler, ResourceDefinition, SubresourceHandler } from "../store/extensions";
import type { ResourceKey } from "../store/types";

/** A registered custom subresource. */
export interface SubresourceRegistration {
  group: string;
  version: string;
  resource: string;
  subresource: string;
  handler: SubresourceHandler;
}

/** The namespaces resource of the core group. */
export const NAMESPACES: ResourceDefinition = {
  key: { group: "", version: "v1", resource: "namespaces" },
  kind: "Namespace",
  listKind: "NamespaceList",
  singular: "namespace",
  shortNames: ["ns"],
  namespaced: false,
  statusSubresource: true,
};

/** The verbs of a full resource, in kube-apiserver's order. */
const RESOURCE_VERBS = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];

function gvr(key: ResourceKey): string {
  return `${key.group}/${key.version}/${key.resource}`;
}

/** The registry; see the module comment. */
export class ApiRegistry {
  private readonly resources = new Map<string, ResourceDefinition>();
  private readonly admitters = new Map<string, Admitter[]>();
  private readonly subresources = new Map<string, SubresourceRegistration>();
  private readonly controls = new Map<string, ControlHandler>();
  /** group -> versions in registration order (the first is preferred). */
  private readonly groups = new Map<string, string[]>();

  addResource(def: ResourceDefinition): void {
    if (!def.key.version || !def.key.resource || !def.kind)
      throw new Error("a resource needs a version, a resource name and a kind");
    this.resources.set(gvr(def.key), { ...def, key: { ...def.key } });
    if (def.key.group) this.addGroupVersion(def.key.group, def.key.version);
  }

  addAdmitter(key: ResourceKey, admit: Admitter): void {
    // Admission applies to the resource in every version (kube-apiserver admits the stored resource).
    const id = `${key.group}/${key.resource}`;
    this.admitters.set(id, [...(this.admitters.get(id) ?? []), admit]);
  }

  addSubresource(reg: SubresourceRegistration): void {
    this.subresources.set(`${reg.group}/${reg.version}/${reg.resource}/${reg.subresource}`, reg);
    this.addGroupVersion(reg.group, reg.version);
  }

  addControl(name: string, handler: ControlHandler): void {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name))
      throw new Error(`invalid control name ${JSON.stringify(name)}`);
    this.controls.set(name, handler);
  }

  resource(group: string, version: string, resource: string): ResourceDefinition | undefined {
    return this.resources.get(`${group}/${version}/${resource}`);
  }

  allResources(): ResourceDefinition[] {
    return [...this.resources.values()];
  }

  admittersFor(key: ResourceKey): Admitter[] {
    return this.admitters.get(`${key.group}/${key.resource}`) ?? [];
  }

  subresource(
    group: string,
    version: string,
    resource: string,
    sub: string,
  ): SubresourceRegistration | undefined {
    return this.subresources.get(`${group}/${version}/${resource}/${sub}`);
  }

  control(name: string): ControlHandler | undefined {
    return this.controls.get(name);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return group === "" ? version === "v1" : (this.groups.get(group) ?? []).includes(version);
  }

  private addGroupVersion(group: string, version: string): void {
    const versions = this.groups.get(group) ?? [];
    if (!versions.includes(version)) versions.push(version);
    this.groups.set(group, versions);
  }

  // ---- discovery documents ----

  /** `/api` */
  coreVersions(serverAddress: string): unknown {
    return {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
    };
  }

  /** `/apis/<group>` (undefined when unknown). */
  group(name: string): Record<string, unknown> | undefined {
    const versions = this.groups.get(name);
    if (!versions) return undefined;
    const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { kind: "APIGroup", apiVersion: "v1", name, versions: list, preferredVersion: list[0] };
  }

  /** `/apis` */
  groupList(): unknown {
    const groups = [...this.groups.keys()].sort().map((g) => {
      const { kind: _k, apiVersion: _a, ...rest } = this.group(g) ?? {};
      return rest;
    });
    return { kind: "APIGroupList", apiVersion: "v1", groups };
  }

  /** `/api/v1` or `/apis/<group>/<version>` (undefined when unknown). */
  resourceList(group: string, version: string): unknown {
    if (!this.hasGroupVersion(group, version)) return undefined;
    const resources: Record<string, unknown>[] = [];
    for (const def of this.resources.values()) {
      if (def.key.group !== group || def.key.version !== version) continue;
      resources.push({
        name: def.key.resource,
        singularName: def.singular,
        namespaced: def.namespaced,
        kind: def.kind,
        verbs: RESOURCE_VERBS,
        ...(def.shortNames?.length ? { shortNames: def.shortNames } : {}),
        ...(def.categories?.length ? { categories: def.categories } : {}),
      });
      if (def.statusSubresource) {
        resources.push({
          name: `${def.key.resource}/status`,
          singularName: "",
          namespaced: def.namespaced,
          kind: def.kind,
          verbs: ["get", "patch", "update"],
        });
      }
    }
    for (const sub of this.subresources.values()) {
      if (sub.group !== group || sub.version !== version) continue;
      const owner = [...this.resources.values()].find((d) => d.key.resource === sub.resource);
      resources.push({
        name: `${sub.resource}/${sub.subresource}`,
        singularName: "",
        namespaced: owner?.namespaced ?? true,
        kind: owner?.kind ?? "",
        verbs: ["update"],
      });
    }
    return {
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: group ? `${group}/${version}` : version,
      resources,
    };
  }
}
