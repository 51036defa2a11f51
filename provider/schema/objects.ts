/** The plain-object test the validation rules share. */

/** A JSON object. */
export type Obj = Record<string, unknown>;

/** True when `value` is an object that is neither null nor an array. */
export function isObj(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
