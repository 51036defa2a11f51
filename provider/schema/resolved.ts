/**
 * The plain shape of a Pulumi input type, as the provider receives it once the engine resolved it.
 */
import type { OutputInstance } from "@pulumi/pulumi";

/**
 * `T` with every `pulumi.Input` (value, `Promise` or `Output`) replaced by its value, at every depth, e.g.
 * `Resolved<pulumi.Input<{ name: pulumi.Input<string> }[]>>` is `{ name: string }[]`.
 *
 * Unlike `pulumi.Unwrap`, it keeps `unknown` as it is (`Unwrap<unknown>` is `never`), so the pass-through
 * index signatures of the SDK's types (`[field: string]: unknown`) survive.
 */
export type Resolved<T> =
  T extends OutputInstance<infer U>
    ? Resolved<U>
    : T extends Promise<infer U>
      ? Resolved<U>
      : T extends readonly (infer E)[]
        ? Resolved<E>[]
        : T extends object
          ? { [K in keyof T]: Resolved<T[K]> }
          : T;
