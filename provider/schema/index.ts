/**
 * Validation of the dynamic provider's resolved inputs, and small pure helpers the provider needs.
 */
export { parseDuration, tryParseDuration } from "./duration";
export {
  DEFAULT_TIMEOUT_SECONDS,
  MESSAGE_BOTH_RUN_FIELDS,
  MESSAGE_RUN_STRATEGY_REQUIRED,
  validateVmInputs,
  vmInputsSchema,
} from "./inputs";
export type { VmInputs, VmInputsValidation } from "./inputs";
export type { ValidationIssue } from "./issues";
export { dns1123LabelErrors, dns1123SubdomainErrors } from "./names";
export { desiredPowerState } from "./power";
export { dataVolumeTemplateSchema, templateSchema } from "./template";
export type { DataVolumeTemplateInputs, TemplateInputs } from "./template";
export { containsUnknown, isUnknown, UNKNOWN } from "./unknown";
