/**
 * Type-level tests of the public args, checked by `npm run lint` (`tsc --noEmit`): jest only transpiles,
 * so no jest test can check a type. A check fails by not compiling: an `Expect` of `false`, an
 * `ExpectNone` of a mismatch path, or a `// @ts-expect-error` line that no longer has an error. The one
 * value here, {@link vmCirros}, is also the example the schema's runtime tests start from.
 *
 * The central check: the provider's zod schema accepts exactly the shapes {@link VirtualMachineArgs}
 * allows, once resolved, so the public types and the validation cannot drift apart.
 *
 * @module
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { UNKNOWN_ARGS, UNKNOWN_METADATA } from "../provider/schema/argKeys";
import type { vmInputsSchema } from "../provider/schema/inputs";
import type { Resolved } from "../provider/schema/resolved";
import type { VirtualMachineArgs, VirtualMachineMetadata } from "./args";

/** `true` when `A` and `B` are mutually assignable. */
export type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** `true` when a value of type `V` may be given where `T` is expected. */
export type Accepts<T, V> = [V] extends [T] ? true : false;
/** Compiles only when `T` is `true`. */
export type Expect<T extends true> = T;

/** The keys of `T` other than its index signatures. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: 0 };
/** `T[K]` for a key `K` of `T`. */
type Field<T, K> = T[K & keyof T];
/** Whether the key `K` of `T` is optional. */
type IsOptional<T, K> = Partial<Pick<T, K & keyof T>> extends Pick<T, K & keyof T> ? true : false;
/** The value type of the string index signature of `T`, `never` if it has none. */
type IndexValue<T> = string extends keyof T ? T[string & keyof T] : never;

/**
 * The paths at which `A` (the SDK's type) and `B` (the schema's) differ, `never` if nowhere: a field only
 * one side has, a field optional on one side only, leaves that are not {@link Equals}, index signatures
 * of different value types. A plain `Equals<A, B>` is not enough: a pass-through index signature
 * (`[field: string]: unknown`) on both sides silently absorbs a field that one side lacks.
 */
export type Mismatches<A, B, Path extends string = "args"> = [A] extends [readonly (infer EA)[]]
  ? [B] extends [readonly (infer EB)[]]
    ? Mismatches<EA, EB, `${Path}[]`>
    : Path
  : [A] extends [object]
    ? [B] extends [object]
      ? FieldMismatches<A, B, Path> | IndexMismatches<IndexValue<A>, IndexValue<B>, Path>
      : Path
    : Equals<A, B> extends true
      ? never
      : Path;

/** {@link Mismatches} of the known fields of two object types. */
type FieldMismatches<A, B, Path extends string> = {
  [K in KnownKeys<A> | KnownKeys<B>]: K extends KnownKeys<A>
    ? K extends KnownKeys<B>
      ? IsOptional<A, K> extends IsOptional<B, K>
        ? Mismatches<
            Exclude<Field<A, K>, undefined>,
            Exclude<Field<B, K>, undefined>,
            `${Path}.${K & string}`
          >
        : `${Path}.${K & string} (optional on one side only)`
      : `${Path}.${K & string} (only in the SDK)`
    : `${Path}.${K & string} (only in the schema)`;
}[KnownKeys<A> | KnownKeys<B>];

/** {@link Mismatches} of two index signatures' value types, where both sides have one. */
type IndexMismatches<A, B, Path extends string> = [A] extends [never]
  ? never
  : [B] extends [never]
    ? never
    : Mismatches<A, B, `${Path}[key]`>;

/** Compiles only when `T` is `never`: no mismatch. */
export type ExpectNone<T extends never> = T;

/** `T` without the keys `K`; unlike `Omit`, it keeps the other keys of a type with an index signature. */
type Without<T, K extends PropertyKey> = { [P in keyof T as P extends K ? never : P]: T[P] };

/** What the provider's `check` validates, before defaults apply. */
type SchemaInputs = z.input<typeof vmInputsSchema>;
/** The provider inputs the component fills from `metadata`. */
type MetadataKeys = "name" | "namespace" | "labels" | "annotations";

/** The args other than `metadata` are the provider's inputs as they are. */
export type ArgsMatchSchema = ExpectNone<
  Mismatches<
    Resolved<Without<VirtualMachineArgs, "metadata">>,
    Without<SchemaInputs, MetadataKeys | typeof UNKNOWN_ARGS | typeof UNKNOWN_METADATA>
  >
>;

/** `metadata` becomes the top-level `name`, `namespace`, `labels` and `annotations`; `check` fills in an absent name. */
export type MetadataMatchesSchema = ExpectNone<
  Mismatches<
    Resolved<VirtualMachineMetadata>,
    Without<Pick<SchemaInputs, MetadataKeys>, "name"> & Partial<Pick<SchemaInputs, "name">>,
    "metadata"
  >
>;

/** The vm-cirros example of the KubeVirt run-strategy docs, written as the docs show it. */
export const vmCirros = {
  metadata: { name: "vm-cirros", labels: { "kubevirt.io/vm": "vm-cirros" } },
  runStrategy: "Always",
  template: {
    metadata: { labels: { "kubevirt.io/vm": "vm-cirros" } },
    spec: {
      domain: { devices: { disks: [{ disk: { bus: "virtio" }, name: "containerdisk" }] } },
      terminationGracePeriodSeconds: 0,
      volumes: [
        { containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" }, name: "containerdisk" },
      ],
    },
  },
} satisfies VirtualMachineArgs;

type Cirros = typeof vmCirros;
type CirrosSpec = Cirros["template"]["spec"];
/** The vm-cirros args with the fields `D` added to `template.spec.domain`. */
type WithDomain<D> = Without<Cirros, "template"> & {
  template: { spec: Without<CirrosSpec, "domain"> & { domain: CirrosSpec["domain"] & D } };
};

/** Outputs may stand anywhere, and KubeVirt fields the SDK does not type pass through. */
export type AcceptsOutputsAndPassThrough = Expect<
  Accepts<
    VirtualMachineArgs,
    {
      runStrategy: pulumi.Output<"Manual">;
      powerState: "Stopped";
      timeouts: { create: "15m" };
      template: pulumi.Output<{
        spec: {
          domain: {
            cpu: { cores: 2 };
            firmware: { bootloader: { efi: { secureBoot: false } } };
            features: { acpi: object };
            devices: { disks: [{ name: "root"; bootOrder: 1 }]; tpm: object };
          };
          volumes: [{ name: "root"; containerDisk: { image: pulumi.Output<string> } }];
          tolerations: [{ key: "virt"; operator: "Exists"; effect: "NoSchedule" }];
          accessCredentials: [];
        };
      }>;
      dataVolumeTemplates: [
        { metadata: { name: "root" }; spec: { sourceRef: { kind: "DataSource"; name: "fedora" } } },
      ];
    }
  >
>;

/** Quantities may be strings or numbers, as in Kubernetes YAML. */
export type AcceptsNumericQuantities = Expect<
  Accepts<
    VirtualMachineArgs,
    WithDomain<{ memory: { guest: 1073741824 }; resources: { requests: { cpu: 1 } } }>
  >
>;

type UnknownStrategy = Without<Cirros, "runStrategy"> & { runStrategy: "Sometimes" };
// @ts-expect-error "Sometimes" is not a RunStrategy
export type RejectsUnknownStrategy = Expect<Accepts<VirtualMachineArgs, UnknownStrategy>>;

type BooleanMemory = WithDomain<{ memory: { guest: true } }>;
// @ts-expect-error a quantity is a string or a number
export type RejectsBooleanQuantity = Expect<Accepts<VirtualMachineArgs, BooleanMemory>>;

type StringCores = WithDomain<{ cpu: { cores: "2" } }>;
// @ts-expect-error cores is a number
export type RejectsStringCores = Expect<Accepts<VirtualMachineArgs, StringCores>>;

type NoTemplate = Without<Cirros, "template">;
// @ts-expect-error the template is required
export type RejectsMissingTemplate = Expect<Accepts<VirtualMachineArgs, NoTemplate>>;

/** Instance types and preferences: a name, and a kind of their own closed set. */
export type AcceptsInstancetypeAndPreference = Expect<
  Accepts<
    VirtualMachineArgs,
    Cirros & {
      instancetype: { name: "u1.medium"; kind: "VirtualMachineInstancetype" };
      preference: { name: pulumi.Output<string> };
    }
  >
>;

type WrongKind = Cirros & { instancetype: { name: "u1.medium"; kind: "VirtualMachineClusterPreference" } };
// @ts-expect-error a preference kind is no instance type kind
export type RejectsPreferenceKindForInstancetype = Expect<Accepts<VirtualMachineArgs, WrongKind>>;
