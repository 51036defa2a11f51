/**
 * Small zod helpers shared by the schemas: unknown-tolerant wrapping and closed-set enums.
 */
import { z } from "zod";
import { UNKNOWN } from "./unknown";

const unknownLiteral = z.literal(UNKNOWN);

/**
 * Accept Pulumi's unknown sentinel wherever `schema` is expected, so a value that is not known yet during
 * `pulumi preview` is never reported as invalid. The static type stays `T`: callers that plan actions
 * must check {@link containsUnknown} first (the provider only plans with fully known inputs).
 */
export function u<T extends z.ZodType>(schema: T): T {
  return z.union([schema, unknownLiteral]) as unknown as T;
}

/** A closed string set from an `as const` object (e.g. `RunStrategy`), in declaration order. */
export function closedSet<const V extends string>(values: Record<string, V>): z.ZodEnum<{ [K in V]: K }> {
  return z.enum(Object.values(values) as [V, ...V[]]);
}

/** The sentinel literal schema, used to recognise union branches that only exist for unknowns. */
export function isUnknownBranch(issues: readonly z.core.$ZodIssue[]): boolean {
  return (
    issues.length === 1 &&
    issues[0]!.code === "invalid_value" &&
    issues[0]!.values.length === 1 &&
    issues[0]!.values[0] === UNKNOWN
  );
}
