/**
 * Three-way merge of declared values into live objects, as `kubectl apply` does: fields the program declares
 * win, fields it declared before and no longer declares are removed, and everything else on the live
 * object (server defaults such as the firmware UUID, fields other tools own) is kept. This is what keeps
 * server-set defaults from turning into perpetual diffs.
 */

type Json = unknown;

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Structural equality of JSON values (object key order does not matter). */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!jsonEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/**
 * Returns `live` with `desired` applied: objects merge key by key; arrays and scalars are replaced; keys in
 * `previous` (what was declared last time) but not in `desired` are deleted. `undefined` in `desired` means
 * "not declared".
 */
export function threeWayMerge(live: Json, previous: Json, desired: Json): Json {
  if (desired === undefined) return live;
  if (!isPlainObject(desired) || !isPlainObject(live)) return desired;
  const prev = isPlainObject(previous) ? previous : {};
  const out: Record<string, Json> = { ...live };
  for (const key of Object.keys(prev)) {
    if (!(key in desired)) delete out[key];
  }
  for (const [key, value] of Object.entries(desired)) {
    if (value === undefined) continue;
    out[key] = threeWayMerge(live[key], prev[key], value);
  }
  return out;
}
