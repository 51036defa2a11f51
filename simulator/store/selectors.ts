/**
 * Label and field selectors as list and watch requests send them (`labelSelector=app=web,tier in (a,b)`,
 * `fieldSelector=metadata.name=vm1`). Parsing follows k8s.io/apimachinery/pkg/labels (the common subset).
 */
import { badRequest } from "./errors";
import type { KubeObject } from "./types";

/** One parsed requirement of a label selector. */
export interface LabelRequirement {
  key: string;
  operator: "=" | "!=" | "in" | "notin" | "exists" | "!";
  values: string[];
}

/** A compiled selector: a predicate over objects. */
export type Selector = (obj: KubeObject) => boolean;

const everything: Selector = () => true;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      terms.push(current);
      current = "";
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

/** Parses a label selector; throws 400 BadRequest on syntax it does not understand. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const term of splitTerms(text)) {
    let m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
      reqs.push({ key: m[1], operator: m[2] as "in" | "notin", values });
      continue;
    }
    m = /^([^\s!=()]+)\s*(==|!=|=)\s*([^\s!=(),]*)$/.exec(term);
    if (m) {
      reqs.push({ key: m[1], operator: m[2] === "!=" ? "!=" : "=", values: [m[3]] });
      continue;
    }
    m = /^!\s*([^\s!=()]+)$/.exec(term);
    if (m) {
      reqs.push({ key: m[1], operator: "!", values: [] });
      continue;
    }
    m = /^([^\s!=()]+)$/.exec(term);
    if (m) {
      reqs.push({ key: m[1], operator: "exists", values: [] });
      continue;
    }
    throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
  }
  return reqs;
}

/** Whether a label set satisfies every requirement. */
export function matchLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.operator) {
      case "=":
        return has && l[r.key] === r.values[0];
      case "!=":
        return !has || l[r.key] !== r.values[0];
      case "in":
        return has && r.values.includes(l[r.key]);
      case "notin":
        return !has || !r.values.includes(l[r.key]);
      case "exists":
        return has;
      case "!":
        return !has;
    }
    return false;
  });
}

/** Compiles a `labelSelector` query value (undefined or "" selects everything). */
export function labelSelector(text: string | undefined): Selector {
  if (!text) return everything;
  const reqs = parseLabelSelector(text);
  return (obj) => matchLabels(reqs, obj.metadata.labels);
}

/** The fields custom resources can be selected by (kube-apiserver allows only these without `selectableFields`). */
const FIELDS: Record<string, (obj: KubeObject) => string> = {
  "metadata.name": (o) => o.metadata.name,
  "metadata.namespace": (o) => o.metadata.namespace ?? "",
};

/** Compiles a `fieldSelector` query value; 400 `field label not supported: X` for other fields. */
export function fieldSelector(text: string | undefined): Selector {
  if (!text) return everything;
  const tests: Selector[] = [];
  for (const term of splitTerms(text)) {
    const m = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const get = FIELDS[m[1]];
    if (!get) throw badRequest(`field label not supported: ${m[1]}`);
    const value = m[3];
    tests.push(m[2] === "!=" ? (o) => get(o) !== value : (o) => get(o) === value);
  }
  return (obj) => tests.every((t) => t(obj));
}
