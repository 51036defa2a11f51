/**
 * An in-process {@link ExtensionHost} over a {@link MemoryStore}, for unit tests of the KubeVirt logic
 * without HTTP: subresource and control handlers are kept in maps and called directly.
 */
import { MemoryStore } from "../store/memory-store";
import type {
  Admitter,
  ControlHandler,
  ExtensionHost,
  ResourceDefinition,
  SubresourceHandler,
  SubresourceResponse,
} from "../store/extensions";
import type { ResourceKey } from "../store/types";

export class TestHost implements ExtensionHost {
  readonly store: MemoryStore;
  readonly resources: ResourceDefinition[] = [];
  readonly admitters = new Map<string, Admitter>();
  readonly subresources = new Map<string, SubresourceHandler>();
  readonly controls = new Map<string, ControlHandler>();

  constructor(now?: () => number) {
    this.store = new MemoryStore(now ? { now: () => new Date(now()) } : {});
  }

  registerResource(definition: ResourceDefinition): void {
    this.resources.push(definition);
    this.store.defineResource(definition.key, {
      namespaced: definition.namespaced,
      statusSubresource: definition.statusSubresource,
    });
  }
  registerAdmission(key: ResourceKey, admit: Admitter): void {
    this.admitters.set(key.resource, admit);
  }
  registerSubresource(
    group: string,
    versions: string[],
    resource: string,
    sub: string,
    handler: SubresourceHandler,
  ): void {
    for (const v of versions) this.subresources.set(`${group}/${v}/${resource}/${sub}`, handler);
  }
  registerControl(name: string, handler: ControlHandler): void {
    this.controls.set(name, handler);
  }

  /** Calls `PUT /apis/subresources.kubevirt.io/v1/namespaces/{ns}/{resource}/{name}/{sub}`. */
  async call(
    resource: string,
    sub: string,
    namespace: string,
    name: string,
    body: unknown = "",
    dryRun: string[] = [],
  ): Promise<SubresourceResponse> {
    const h = this.subresources.get(`subresources.kubevirt.io/v1/${resource}/${sub}`);
    if (!h) throw new Error(`no subresource ${resource}/${sub}`);
    return h({ namespace, name, body: typeof body === "string" ? body : JSON.stringify(body), dryRun });
  }
}
