/**
 * How API-specific behaviour (KubeVirt's admission webhook, its subresource API, its controller and the
 * simulated world) plugs into the generic Kubernetes API layer of the simulator.
 */
import type { KubeObject, ResourceKey, Store } from "./types";

/** A resource type the API layer serves and lists in discovery. */
export interface ResourceDefinition {
  key: ResourceKey;
  kind: string;
  listKind: string;
  singular: string;
  shortNames?: string[];
  /** Discovery categories, e.g. `["all"]` (`kubectl get all`). */
  categories?: string[];
  namespaced: boolean;
  /** Whether the resource has a `status` subresource (writes to the main resource then ignore `status`). */
  statusSubresource: boolean;
  /**
   * The CRD's `additionalPrinterColumns`, for `kubectl get` (server-side Table output). Absent: an `Age` column,
   * as for a CRD without printer columns.
   */
  printerColumns?: PrinterColumn[];
}

/** One printer column (`apiextensions.k8s.io/v1` CustomResourceColumnDefinition). */
export interface PrinterColumn {
  name: string;
  /** `string`, `integer`, `number`, `boolean` or `date` (shown as an age, e.g. `5m`). */
  type: "string" | "integer" | "number" | "boolean" | "date";
  /** A simple JSONPath: `.a.b`, `.a[0].b`, `.a[?(@.type=='Ready')].status`. */
  jsonPath: string;
  description?: string;
  /** 0 = shown by default; above 0 only with `-o wide`. */
  priority?: number;
  format?: string;
}

/** What an admitter sees. */
export interface AdmissionRequest {
  operation: "CREATE" | "UPDATE";
  key: ResourceKey;
  object: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
}

/** An admitter allows a request by returning (optionally with warnings) and denies it by throwing a StatusError. */
export type Admitter = (request: AdmissionRequest) => { warnings?: string[] } | void;

/** A call to a custom subresource such as `PUT .../virtualmachines/NAME/start`. */
export interface SubresourceRequest {
  namespace: string;
  name: string;
  /** The raw request body ("" when none was sent). */
  body: string;
  /** `dryRun` query parameter values. */
  dryRun: string[];
}

/** The answer of a subresource handler; errors are thrown as StatusError. */
export interface SubresourceResponse {
  code: number;
  body?: unknown;
}

/** Handles one custom subresource. */
export type SubresourceHandler = (
  request: SubresourceRequest,
) => SubresourceResponse | Promise<SubresourceResponse>;

/** A route under the simulator's control path (not part of the Kubernetes API), e.g. `POST /_simulator/...`. */
export type ControlHandler = (body: unknown) => unknown | Promise<unknown>;

/** What the API layer offers to an extension. */
export interface ExtensionHost {
  readonly store: Store;
  registerResource(definition: ResourceDefinition): void;
  registerAdmission(key: ResourceKey, admit: Admitter): void;
  /**
   * Serves `PUT /apis/{group}/{version}/namespaces/{ns}/{resource}/{name}/{subresource}` for each version,
   * and lists the group in discovery.
   */
  registerSubresource(
    group: string,
    versions: string[],
    resource: string,
    subresource: string,
    handler: SubresourceHandler,
  ): void;
  /** Serves `POST {controlPath}/{name}` with a JSON body. */
  registerControl(name: string, handler: ControlHandler): void;
}
