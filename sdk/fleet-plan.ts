/**
 * The pure part of {@link VirtualMachineFleet}: validating its fleet options (zod), naming its members,
 * resolving `maxUnavailable` to a number of VMs and cutting the members into batches.
 *
 * @module
 */
import { z } from "zod";
import { issue, type ValidationIssue } from "../provider/schema/issues";
import { dns1123SubdomainErrors } from "../provider/schema/names";
import type { MaxUnavailable } from "./fleet";

/** `maxUnavailable` when none is given: Kubernetes' Deployment default. */
export const DEFAULT_MAX_UNAVAILABLE: MaxUnavailable = "25%";

/** A whole percentage from 1 % to 100 %, as Kubernetes writes them in an IntOrString (`"25%"`). */
const PERCENT = /^(?:[1-9][0-9]?|100)%$/;

/** How a value the user gave reads in a message. */
function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : String(value);
}

/** One message per field, whichever of its checks failed: what was given and what is allowed. */
const allowed =
  (what: string) =>
  (iss: { input?: unknown }): string =>
    `${shown(iss.input)} is not allowed; expected ${what}`;

const MAX_UNAVAILABLE_ALLOWED = allowed(
  `a whole number of VMs, at least 1 (e.g. 5), or a percentage of the fleet from "1%" to "100%" (e.g. "25%")`,
);
const COUNT_ALLOWED = allowed("a whole number of VMs, at least 0");
const NAMES_ALLOWED = allowed("a list of VirtualMachine names");
const NAME_ALLOWED = allowed("a VirtualMachine name (a string)");

const maxUnavailableSchema = z.union(
  [
    z
      .number({ error: MAX_UNAVAILABLE_ALLOWED })
      .int({ error: MAX_UNAVAILABLE_ALLOWED })
      .min(1, { error: MAX_UNAVAILABLE_ALLOWED }),
    z.string({ error: MAX_UNAVAILABLE_ALLOWED }).regex(PERCENT, { error: MAX_UNAVAILABLE_ALLOWED }),
  ],
  { error: MAX_UNAVAILABLE_ALLOWED },
);

/** The fleet's own options (the members' inputs are checked by each member's provider, as for any VM). */
const fleetOptionsSchema = z.object({
  count: z
    .number({ error: COUNT_ALLOWED })
    .int({ error: COUNT_ALLOWED })
    .min(0, { error: COUNT_ALLOWED })
    .optional(),
  names: z.array(z.string({ error: NAME_ALLOWED }), { error: NAMES_ALLOWED }).optional(),
  maxUnavailable: maxUnavailableSchema.default(DEFAULT_MAX_UNAVAILABLE),
  metadata: z.unknown().optional(),
});

/** What {@link planFleet} works out for a fleet. */
export interface FleetPlan {
  /** The members' names (Pulumi resource names and VirtualMachine names alike), in roll order. */
  members: string[];
  /** `maxUnavailable` as given (or the default). */
  requested: MaxUnavailable;
  /** `maxUnavailable` resolved against the fleet's size: at least 1. */
  maxUnavailable: number;
  /** The members cut into consecutive batches of at most {@link FleetPlan.maxUnavailable}. */
  batches: string[][];
}

/**
 * `maxUnavailable` as a number of VMs for a fleet of `size`: a number as given; a percentage of the fleet
 * rounded down, as Kubernetes' Deployment controller rounds `maxUnavailable`
 * (`intstr.GetScaledValueFromIntOrPercent(..., roundUp=false)`); at least 1 either way, as a Deployment whose
 * `maxSurge` is 0 is (a fleet never surges: a member is restarted in place).
 */
export function resolveMaxUnavailable(maxUnavailable: MaxUnavailable, size: number): number {
  const scaled =
    typeof maxUnavailable === "number"
      ? maxUnavailable
      : Math.floor((Number(maxUnavailable.slice(0, -1)) * size) / 100);
  return Math.max(1, scaled);
}

/** Consecutive batches of at most `size` (at least 1) items, in order. */
export function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** The problems with the members' names: given ones must be unique VirtualMachine names. */
function memberNameIssues(
  fleetName: string,
  count: number | undefined,
  names: string[] | undefined,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (names !== undefined) {
    names.forEach((name, i) => {
      const errors = dns1123SubdomainErrors(name);
      if (errors.length > 0)
        issues.push(issue("invalid_value", ["names", i], `${shown(name)}: ${errors[0]}`));
      else if (names.indexOf(name) < i)
        issues.push(issue("duplicate", ["names", i], `${shown(name)} is listed twice`));
    });
  } else if (count !== undefined && count > 0) {
    // Derived names differ only in their index (digits, always allowed): the last one, the longest, decides.
    const last = `${fleetName}-${count - 1}`;
    const errors = dns1123SubdomainErrors(last);
    if (errors.length > 0) {
      issues.push(
        issue(
          "invalid_value",
          ["count"],
          `the members' names ("${fleetName}-0" ... ${shown(last)}, the fleet's name and an index) must be ` +
            `VirtualMachine names: ${errors[0]}; give the fleet such a name, or list the members' names in \`names\``,
        ),
      );
    }
  }
  return issues;
}

/** The problems with the fleet's options, each naming its field. */
function fleetIssues(fleetName: string, options: z.output<typeof fleetOptionsSchema>): ValidationIssue[] {
  const { count, names, metadata } = options;
  const issues: ValidationIssue[] = [];
  if ((count === undefined) === (names === undefined)) {
    issues.push(
      issue(
        count === undefined ? "required" : "conflict",
        ["count"],
        "give exactly one of `count` (members named <fleet name>-<index>) and `names`",
      ),
    );
  }
  if (typeof metadata === "object" && metadata !== null && "name" in metadata) {
    issues.push(
      issue(
        "conflict",
        ["metadata", "name"],
        "not allowed: the fleet names its members (`count` or `names`)",
      ),
    );
  }
  return [...issues, ...memberNameIssues(fleetName, count, names)];
}

/**
 * Checks a fleet's own options (`count`, `names`, `maxUnavailable`, and that `metadata` has no name) and works
 * out its members and batches. Throws, before any resource is registered, an error naming every bad field and
 * what it allows, e.g. `VirtualMachineFleet web: maxUnavailable: "30" is not allowed; expected a whole number
 * of VMs, at least 1 (e.g. 5), or a percentage of the fleet from "1%" to "100%" (e.g. "25%")`.
 */
export function planFleet(fleetName: string, options: Record<string, unknown>): FleetPlan {
  const parsed = fleetOptionsSchema.safeParse(options);
  const issues = parsed.success
    ? fleetIssues(fleetName, parsed.data)
    : parsed.error.issues.map((iss) => issue(iss.code, iss.path, iss.message));
  if (!parsed.success || issues.length > 0) {
    throw new Error(`VirtualMachineFleet ${fleetName}: ${issues.map((i) => i.message).join("; ")}`);
  }
  const { count, names, maxUnavailable } = parsed.data;
  const members = names ?? Array.from({ length: count! }, (_, i) => `${fleetName}-${i}`);
  const requested = maxUnavailable as MaxUnavailable;
  const resolved = resolveMaxUnavailable(requested, members.length);
  return { members, requested, maxUnavailable: resolved, batches: batchesOf(members, resolved) };
}

/** How the roll is cut, for the preview: `rolls 20 VMs in 4 batches of at most 5 (maxUnavailable 25%)`. */
export function rollSummary(plan: FleetPlan): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    `rolls ${plural(plan.members.length, "VM", "VMs")} in ${plural(plan.batches.length, "batch", "batches")} ` +
    `of at most ${plan.maxUnavailable} (maxUnavailable ${plan.requested})`
  );
}
