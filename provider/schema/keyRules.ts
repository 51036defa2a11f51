/**
 * Unknown input keys are errors that name the closest known key (`runstrategy: unknown input; did you mean
 * runStrategy?`), or list the allowed keys when none is close. Plain JavaScript does not type-check the
 * arguments, so a misspelt key would otherwise be silently ignored.
 */
import { ARG_KEYS, METADATA_KEYS, UNKNOWN_ARGS, UNKNOWN_METADATA, unknownKeys } from "./argKeys";
import { closestKey } from "./closest";
import { issue, type ValidationIssue } from "./issues";
import { isUnknown } from "./unknown";

/**
 * The message for the unknown key `key` among the allowed `known` keys; the suggestion is the closest of
 * `suggestions` (by default the allowed keys).
 */
export function unknownKeyMessage(
  key: string,
  known: readonly string[],
  suggestions: readonly string[] = known,
): string {
  const closest = closestKey(key, suggestions);
  return closest === undefined
    ? `unknown input (allowed: ${known.join(", ")})`
    : `unknown input; did you mean ${closest}?`;
}

/**
 * One issue per key of the object `value` (at `at`) that is neither in `known` nor in `alsoAllowed` (keys
 * that are accepted but not offered). Nothing for values that are not objects (the schema reports those).
 */
export function unknownKeyIssues(
  value: unknown,
  known: readonly string[],
  at: readonly PropertyKey[],
  alsoAllowed: readonly string[] = [],
): ValidationIssue[] {
  return unknownKeys(value, [...known, ...alsoAllowed]).map((key) =>
    issue("unknown_key", [...at, key], unknownKeyMessage(key, known)),
  );
}

/** Names listed in a list-of-names input; none when it is absent, unknown or not a list of strings. */
function listedNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((name): name is string => typeof name === "string" && !isUnknown(name));
}

/**
 * Issues for the component arguments and `metadata` keys the component did not know, as it reports them
 * in the inputs {@link UNKNOWN_ARGS} and {@link UNKNOWN_METADATA}. A top-level argument that is a
 * `metadata` key (`name`) suggests `metadata.name`.
 */
export function componentKeyIssues(inputs: Record<string, unknown>): ValidationIssue[] {
  const suggestions = [...ARG_KEYS, ...METADATA_KEYS.map((key) => `metadata.${key}`)];
  return [
    ...listedNames(inputs[UNKNOWN_ARGS]).map((key) =>
      issue("unknown_key", [key], unknownKeyMessage(key, ARG_KEYS, suggestions)),
    ),
    ...listedNames(inputs[UNKNOWN_METADATA]).map((key) =>
      issue("unknown_key", ["metadata", key], unknownKeyMessage(key, METADATA_KEYS)),
    ),
  ];
}
