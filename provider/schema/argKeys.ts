/**
 * The keys of the component's arguments and of their `metadata`, and the props the component adds for the
 * keys it does not know. Shared by the component (which reports unknown keys) and the provider's check
 * (which rejects them); it loads nothing heavy, so the component can import it.
 */
import type { VirtualMachineArgs, VirtualMachineMetadata } from "../../sdk/args";
import { isObj } from "./objects";

const ARG_KEY_SET = {
  metadata: true,
  runStrategy: true,
  running: true,
  powerState: true,
  template: true,
  dataVolumeTemplates: true,
  instancetype: true,
  preference: true,
  restartPolicy: true,
  restartTrigger: true,
  stopGracePeriodSeconds: true,
  powerDrift: true,
  waitFor: true,
  timeouts: true,
  adopt: true,
  kubeconfig: true,
  context: true,
} satisfies Record<keyof VirtualMachineArgs, true>;

const METADATA_KEY_SET = {
  name: true,
  namespace: true,
  labels: true,
  annotations: true,
} satisfies Record<keyof VirtualMachineMetadata, true>;

/** Every key of {@link VirtualMachineArgs}, in declaration order. */
export const ARG_KEYS: readonly string[] = Object.keys(ARG_KEY_SET);

/** Every key of {@link VirtualMachineMetadata}, in declaration order. */
export const METADATA_KEYS: readonly string[] = Object.keys(METADATA_KEY_SET);

/**
 * Provider input listing the names of the component arguments it does not know (a plain-JavaScript typo
 * such as `runstrategy`); sent only when there are some, so it never causes a diff, and it carries names,
 * never values.
 */
export const UNKNOWN_ARGS = "unknownArgs";

/** Like {@link UNKNOWN_ARGS}, for the keys of `metadata` (`nmae`). */
export const UNKNOWN_METADATA = "unknownMetadata";

/** The own keys of `value` that are not in `known` (none when `value` is not an object). */
export function unknownKeys(value: unknown, known: readonly string[]): string[] {
  return isObj(value) ? Object.keys(value).filter((key) => !known.includes(key)) : [];
}
