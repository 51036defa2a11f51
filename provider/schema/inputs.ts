/**
 * The dynamic provider's inputs after the component resolved every `pulumi.Input`: the zod schema, the
 * cross-field rules and {@link validateVmInputs}, which `check(olds, news)` uses.
 *
 * During `pulumi preview` any value may be Pulumi's unknown sentinel ({@link UNKNOWN}). Unknown values are
 * accepted as they are and every rule that depends on one is skipped; the returned value then still
 * contains the sentinel at those places (its static type does not say so: use {@link containsUnknown}
 * before planning).
 */
import { z } from "zod";
import {
  InstancetypeKind,
  PowerDrift,
  PowerState,
  PreferenceKind,
  RestartPolicy,
  RunStrategy,
  WaitFor,
} from "../../sdk/enums";
import { UNKNOWN_ARGS, UNKNOWN_METADATA } from "./argKeys";
import {
  invalidDurationMessage,
  MAX_TIMEOUT_SECONDS,
  tooLongDurationMessage,
  tryParseDuration,
} from "./duration";
import { fromZodIssues, issue, type ValidationIssue } from "./issues";
import { instancetypeRuleIssues } from "./instancetypeRules";
import { componentKeyIssues, unknownKeyIssues } from "./keyRules";
import { metadataRuleIssues } from "./metadataRules";
import { dns1123LabelErrors, dns1123SubdomainErrors } from "./names";
import { dataVolumeTemplateRuleIssues } from "./dataVolumeRules";
import { templateRuleIssues } from "./templateRules";
import { dataVolumeTemplateSchema, templateSchema } from "./template";
import { isUnknown, UNKNOWN } from "./unknown";
import { closedSet, u } from "./zodUtil";

/** Default for each of `timeouts.create`, `.update`, `.delete`: 10 minutes, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 600;

const nameRule =
  (errorsOf: (value: string) => string[]) =>
  (value: string, ctx: z.core.$RefinementCtx<string>): void => {
    if (value === UNKNOWN) return;
    const errors = errorsOf(value);
    if (errors.length > 0) {
      ctx.addIssue({
        code: "custom",
        message: `Invalid value: ${JSON.stringify(value)}: ${errors.join(", ")}`,
        input: value,
      });
    }
  };

const duration = () =>
  u(
    z.string().transform((text, ctx) => {
      const seconds = tryParseDuration(text);
      if (seconds === undefined) {
        ctx.issues.push({ code: "custom", message: invalidDurationMessage(text), input: text });
        return z.NEVER;
      }
      if (seconds <= 0) {
        ctx.issues.push({
          code: "custom",
          message: `${JSON.stringify(text)} must be longer than zero`,
          input: text,
        });
        return z.NEVER;
      }
      if (seconds > MAX_TIMEOUT_SECONDS) {
        ctx.issues.push({ code: "custom", message: tooLongDurationMessage(text), input: text });
        return z.NEVER;
      }
      return seconds;
    }),
  );

/** Unknown keys are reported by {@link unknownKeyIssues}, with the closest known key. */
const timeoutsSchema = z.looseObject({
  create: duration().default(DEFAULT_TIMEOUT_SECONDS),
  update: duration().default(DEFAULT_TIMEOUT_SECONDS),
  delete: duration().default(DEFAULT_TIMEOUT_SECONDS),
});
const TIMEOUT_KEYS = Object.keys(timeoutsSchema.shape);

/**
 * A reference to an instance type or preference (`spec.instancetype`, `spec.preference`): a name (a DNS-1123
 * subdomain, as every object name) and optionally a kind of the closed set. Unknown keys are reported by
 * {@link unknownKeyIssues}.
 */
const referenceSchema = <V extends string>(kinds: Record<string, V>) =>
  z.looseObject({
    name: u(z.string().superRefine(nameRule(dns1123SubdomainErrors))),
    kind: u(closedSet(kinds)).optional(),
  });
const instancetypeSchema = referenceSchema(InstancetypeKind);
const REFERENCE_KEYS = Object.keys(instancetypeSchema.shape);

const stringMap = () => u(z.record(z.string(), u(z.string())));

const names = () => u(z.array(z.string())).optional();

/**
 * Schema of the resolved provider inputs. It keeps keys it does not declare; {@link validateVmInputs}
 * rejects those, except the few the engine and the component add.
 */
export const vmInputsSchema = z.looseObject({
  name: u(z.string().superRefine(nameRule(dns1123SubdomainErrors))),
  namespace: u(z.string().superRefine(nameRule(dns1123LabelErrors))).optional(),
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
  runStrategy: u(closedSet(RunStrategy)).optional(),
  running: u(z.boolean()).optional(),
  powerState: u(closedSet(PowerState)).optional(),
  template: u(templateSchema),
  dataVolumeTemplates: u(z.array(u(dataVolumeTemplateSchema))).optional(),
  instancetype: u(instancetypeSchema).optional(),
  preference: u(referenceSchema(PreferenceKind)).optional(),
  restartPolicy: u(closedSet(RestartPolicy)).default(RestartPolicy.IfRequired),
  restartTrigger: u(z.string()).optional(),
  stopGracePeriodSeconds: u(
    z.number().int({ error: "must be a whole number of seconds" }).min(0, { error: "must not be negative" }),
  ).optional(),
  powerDrift: u(closedSet(PowerDrift)).default(PowerDrift.Correct),
  waitFor: u(closedSet(WaitFor)).default(WaitFor.Ready),
  timeouts: u(timeoutsSchema).default({
    create: DEFAULT_TIMEOUT_SECONDS,
    update: DEFAULT_TIMEOUT_SECONDS,
    delete: DEFAULT_TIMEOUT_SECONDS,
  }),
  adopt: u(z.boolean()).default(false),
  kubeconfig: u(
    z.string().min(1, { error: "must not be empty (omit it to use the default kubeconfig)" }),
  ).optional(),
  context: u(
    z.string().min(1, { error: "must not be empty (omit it to use the current context)" }),
  ).optional(),
  [UNKNOWN_ARGS]: names(),
  [UNKNOWN_METADATA]: names(),
});

/**
 * Inputs the engine or the component add beside the declared ones: the serialized provider, the
 * auto-name prefix, the owning component's URN, the VM resource's own URN and the observed state.
 */
const INTERNAL_KEYS: readonly string[] = ["__provider", "autoNamePrefix", "owner", "resourceUrn", "observed"];

/** The inputs a caller may give (what an unknown key is compared with). */
const INPUT_KEYS = Object.keys(vmInputsSchema.shape).filter(
  (key) => key !== UNKNOWN_ARGS && key !== UNKNOWN_METADATA,
);

/** Resolved, validated provider inputs with defaults applied and timeouts in seconds. */
export type VmInputs = z.output<typeof vmInputsSchema>;

/** Result of {@link validateVmInputs}: errors are data, each naming its property path. */
export type VmInputsValidation = { ok: true; value: VmInputs } | { ok: false; issues: ValidationIssue[] };

export const MESSAGE_BOTH_RUN_FIELDS =
  "Only one of 'runStrategy' and 'running' may be set; 'running' is deprecated, use 'runStrategy'";
export const MESSAGE_RUN_STRATEGY_REQUIRED =
  "'runStrategy' is required (KubeVirt rejects a VirtualMachine without it: RunStrategy must be specified)";

const RUN_STRATEGIES: readonly string[] = Object.values(RunStrategy);
const POWER_STATES: readonly string[] = Object.values(PowerState);

/**
 * The power state a run strategy forces, for the strategies that do not leave it open; `undefined` for
 * `Manual` and `RerunOnFailure`. `Once` counts as `Running`: that is what it does when created, so
 * `powerState: "Stopped"` contradicts it. A strategy that forces `Running` allows `Paused` too (see
 * {@link contradicts}).
 */
function impliedPowerState(runStrategy: RunStrategy): PowerState | undefined {
  switch (runStrategy) {
    case RunStrategy.Always:
    case RunStrategy.Once:
      return PowerState.Running;
    case RunStrategy.Halted:
      return PowerState.Stopped;
    default:
      return undefined;
  }
}

/** Whether `powerState` contradicts the power state a strategy forces: a paused VM is a running one. */
function contradicts(implied: PowerState, powerState: string): boolean {
  return implied !== powerState && !(implied === PowerState.Running && powerState === PowerState.Paused);
}

/** What to declare instead of a `powerState` that contradicts the run strategy. */
function remedy(powerState: string): string {
  switch (powerState) {
    case PowerState.Stopped:
      return `use runStrategy "Halted", or "Manual" with powerState "Stopped"`;
    case PowerState.Paused:
      return `a paused VM needs a running instance, so with "Halted" powerState may only be "Stopped"; use runStrategy "Always", or "Manual" with powerState "Paused"`;
    default:
      return `use runStrategy "Always", or "Manual" with powerState "Running"`;
  }
}

/** Cross-field rules on the top level: runStrategy vs running, powerState contradictions. */
function runRuleIssues(raw: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { runStrategy, running, powerState } = raw;
  const hasStrategy = runStrategy !== undefined && runStrategy !== null;
  const hasRunning = running !== undefined && running !== null;
  // An unknown value may still resolve to "unset", so a conflict with it cannot be decided yet.
  if (hasStrategy && hasRunning && !isUnknown(runStrategy) && !isUnknown(running)) {
    issues.push(issue("conflict", ["running"], MESSAGE_BOTH_RUN_FIELDS));
    return issues;
  }
  if (hasStrategy && hasRunning) return issues;
  if (!hasStrategy && !hasRunning) {
    issues.push(issue("required", ["runStrategy"], MESSAGE_RUN_STRATEGY_REQUIRED));
    return issues;
  }
  if (typeof powerState !== "string" || !POWER_STATES.includes(powerState)) return issues; // absent, unknown or reported by the schema
  if (hasStrategy) {
    if (typeof runStrategy !== "string" || !RUN_STRATEGIES.includes(runStrategy)) return issues;
    const implied = impliedPowerState(runStrategy as RunStrategy);
    if (implied !== undefined && contradicts(implied, powerState)) {
      issues.push(
        issue(
          "conflict",
          ["powerState"],
          `"${powerState}" contradicts runStrategy "${runStrategy}" (${STRATEGY_EFFECT[runStrategy as RunStrategy]}); ${remedy(powerState)}`,
        ),
      );
    }
  } else if (typeof running === "boolean") {
    const implied = running ? PowerState.Running : PowerState.Stopped;
    if (contradicts(implied, powerState)) {
      issues.push(
        issue(
          "conflict",
          ["powerState"],
          `"${powerState}" contradicts running: ${String(running)} (which keeps the VM ${running ? "running" : "stopped"}); ` +
            `use runStrategy "Manual" to choose the power state yourself`,
        ),
      );
    }
  }
  return issues;
}

const STRATEGY_EFFECT: Readonly<Record<RunStrategy, string>> = {
  Always: "KubeVirt keeps an Always VM running",
  Once: "KubeVirt starts a Once VM when it is created",
  Halted: "KubeVirt keeps a Halted VM stopped",
  Manual: "",
  RerunOnFailure: "",
};

/**
 * Validate raw provider inputs (what `check(olds, news)` receives as `news`).
 *
 * Returns every problem at once, each with its property path and a message that starts with that path;
 * on success, the inputs with defaults applied and timeouts converted to seconds. Unknown values
 * (preview) are accepted and skip the rules that depend on them.
 */
export function validateVmInputs(raw: unknown): VmInputsValidation {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, issues: [issue("invalid_type", [], "expected an object of VirtualMachine inputs")] };
  }
  const input = raw as Record<string, unknown>;
  const parsed = vmInputsSchema.safeParse(input, { reportInput: true });
  const issues: ValidationIssue[] = parsed.success ? [] : fromZodIssues(parsed.error.issues);
  issues.push(
    ...unknownKeyIssues(input, INPUT_KEYS, [], [UNKNOWN_ARGS, UNKNOWN_METADATA, ...INTERNAL_KEYS]),
    ...componentKeyIssues(input),
    ...unknownKeyIssues(input.timeouts, TIMEOUT_KEYS, ["timeouts"]),
    ...unknownKeyIssues(input.instancetype, REFERENCE_KEYS, ["instancetype"]),
    ...unknownKeyIssues(input.preference, REFERENCE_KEYS, ["preference"]),
    ...instancetypeRuleIssues(input),
    ...runRuleIssues(input),
    ...metadataRuleIssues(input),
  );
  if (!isUnknown(input.template)) issues.push(...templateRuleIssues(input.template));
  if (!isUnknown(input.dataVolumeTemplates))
    issues.push(...dataVolumeTemplateRuleIssues(input.dataVolumeTemplates));
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return { ok: true, value: parsed.data };
}
