/**
 * Server-side printing: the `meta.k8s.io` Table that kubectl asks for (`Accept: application/json;as=Table;...`),
 * built from a resource's printer columns as kube-apiserver's CRD table convertor builds it (a `Name` column, then
 * the printer columns; `date` cells as a human-readable age).
 */
import type { PrinterColumn, ResourceDefinition } from "../store/extensions";
import { isObject } from "../store/json";
import type { KubeObject } from "../store/types";

/** The Table version asked for in an Accept header (`v1` or `v1beta1`), or undefined for plain JSON. */
export function tableVersion(accept: string | undefined): string | undefined {
  for (const part of (accept ?? "").split(",")) {
    const params = part.split(";").map((p) => p.trim());
    if (!params.includes("as=Table")) continue;
    const v = params.find((p) => p.startsWith("v="))?.slice(2);
    const g = params.find((p) => p.startsWith("g="))?.slice(2);
    if (g === "meta.k8s.io" && (v === "v1" || v === "v1beta1")) return v;
  }
  return undefined;
}

const AGE: PrinterColumn = { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" };
const NAME_DESCRIPTION =
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

/** Evaluates the JSONPath subset printer columns use; returns the first match. */
export function jsonPathFirst(obj: unknown, path: string): unknown {
  const tokens = path.match(/\.[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let current: unknown[] = [obj];
  for (const t of tokens) {
    const next: unknown[] = [];
    for (const v of current) {
      if (t.startsWith(".")) {
        if (isObject(v) && t.slice(1) in v) next.push(v[t.slice(1)]);
      } else if (/^\[\d+\]$/.test(t)) {
        if (Array.isArray(v) && Number(t.slice(1, -1)) < v.length) next.push(v[Number(t.slice(1, -1))]);
      } else if (t === "[*]") {
        if (Array.isArray(v)) next.push(...v);
      } else {
        const m = /^\[\?\(@\.([\w.]+)\s*==\s*['"](.*)['"]\)\]$/.exec(t);
        if (m && Array.isArray(v)) next.push(...v.filter((e) => jsonPathFirst(e, `.${m[1]}`) === m[2]));
      }
    }
    current = next;
  }
  return current.length ? current[0] : undefined;
}

/** duration.HumanDuration of k8s.io/apimachinery. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function cell(column: PrinterColumn, obj: KubeObject, now: number): unknown {
  const value = jsonPathFirst(obj, column.jsonPath);
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case "date": {
      const t = typeof value === "string" ? Date.parse(value) : NaN;
      return Number.isNaN(t) ? null : humanDuration(now - t);
    }
    case "string":
      return typeof value === "string" ? value : JSON.stringify(value);
    case "integer":
      return typeof value === "number" ? Math.trunc(value) : null;
    case "number":
      return typeof value === "number" ? value : null;
    case "boolean":
      return typeof value === "boolean" ? value : null;
  }
  return null;
}

/** A Table of objects; `headers: false` leaves out the column definitions (watch events after the first). */
export function toTable(
  def: ResourceDefinition,
  version: string,
  objects: KubeObject[],
  resourceVersion: string | undefined,
  headers = true,
): Record<string, unknown> {
  const columns = def.printerColumns?.length ? def.printerColumns : [AGE];
  const now = Date.now();
  return {
    kind: "Table",
    apiVersion: `meta.k8s.io/${version}`,
    metadata: resourceVersion ? { resourceVersion } : {},
    columnDefinitions: headers
      ? [
          { name: "Name", type: "string", format: "name", description: NAME_DESCRIPTION, priority: 0 },
          ...columns.map((c) => ({
            name: c.name,
            type: c.type,
            format: c.format ?? "",
            description: c.description ?? "",
            priority: c.priority ?? 0,
          })),
        ]
      : null,
    rows: objects.map((o) => ({
      cells: [o.metadata.name, ...columns.map((c) => cell(c, o, now))],
      object: { kind: "PartialObjectMetadata", apiVersion: `meta.k8s.io/${version}`, metadata: o.metadata },
    })),
  };
}
