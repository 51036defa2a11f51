/**
 * A catalogue of malformed VirtualMachine arguments, as plain JavaScript would pass them (no type checks:
 * typos, numbers for strings, strings for booleans, null, lists for objects), each with the property the
 * provider's `check` must name and the message it must give. bad-inputs.test.ts runs them all.
 */

/** What the cases may refer to: the cluster's kubeconfig (a secret) and its credential. */
export interface CaseEnv {
  /** The kubeconfig's contents (YAML). */
  kubeconfig: string;
  /** The file holding it. */
  kubeconfigPath: string;
  /** The bearer token inside it. */
  token: string;
}

/** One malformed input. */
export interface BadInputCase {
  /** What is wrong, in a few words (the test's title). */
  what: string;
  /**
   * The component's arguments over {@link validArgs}: a key given here replaces that argument (`undefined`
   * removes it).
   */
  args: Record<string, unknown>;
  /** The property path the failure names, as `check` reports it. */
  property: string;
  /** The failure's message. */
  message: RegExp;
  /** Also run through the real engine (`pulumi preview`). */
  engine?: true;
}

const CONTAINER_DISK = {
  name: "containerdisk",
  containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" },
};
const DISK = { name: "containerdisk", disk: { bus: "virtio" } };

/** A valid template (the KubeVirt docs' vm-cirros). */
export const TEMPLATE = {
  spec: {
    domain: { devices: { disks: [DISK] }, memory: { guest: "128Mi" } },
    volumes: [CONTAINER_DISK],
    terminationGracePeriodSeconds: 0,
  },
};

/** Arguments of a valid VM, which every case changes in one place. */
export function validArgs(env: CaseEnv): Record<string, unknown> {
  return { runStrategy: "Always", template: TEMPLATE, kubeconfig: env.kubeconfigPath };
}

/** `TEMPLATE` with `spec` changed. */
function withSpec(spec: Record<string, unknown>): Record<string, unknown> {
  return { spec: { ...TEMPLATE.spec, ...spec } };
}

/** `TEMPLATE` with `spec.domain` changed. */
function withDomain(domain: Record<string, unknown>): Record<string, unknown> {
  return withSpec({ domain: { ...TEMPLATE.spec.domain, ...domain } });
}

const RUN_STRATEGIES = /is not one of Always, RerunOnFailure, Once, Manual, Halted$/;
const NAME_PART =
  /name part must consist of alphanumeric characters, '-', '_' or '\.', and must start and end/;
const LABEL_VALUE = /a valid label must be an empty string or consist of alphanumeric characters/;
const NOT_SHOWN = /\(the value is a secret and is not shown\)$/;
const KUBECONFIG_INVALID =
  /^kubeconfig: not a path to an existing file, nor kubeconfig contents in YAML, JSON or base64 \(the value is a secret and is not shown\)$/;
const TOO_LONG = /is longer than the longest supported timeout \(596h31m23s\)$/;

const base64 = (text: string) => Buffer.from(text).toString("base64");

/** The catalogue. */
export function badInputCases(env: CaseEnv): BadInputCase[] {
  return [
    // Run strategies and power states.
    {
      what: "an unknown run strategy",
      args: { runStrategy: "Sometimes" },
      property: "runStrategy",
      message: /^runStrategy: "Sometimes" is not one of Always, RerunOnFailure, Once, Manual, Halted$/,
    },
    {
      what: "a run strategy in lower case",
      args: { runStrategy: "always" },
      property: "runStrategy",
      message: RUN_STRATEGIES,
    },
    {
      what: "a run strategy as a number",
      args: { runStrategy: 1 },
      property: "runStrategy",
      message: RUN_STRATEGIES,
    },
    {
      what: "a run strategy as a list",
      args: { runStrategy: ["Always"] },
      property: "runStrategy",
      message: RUN_STRATEGIES,
    },
    {
      what: "no run strategy",
      args: { runStrategy: undefined },
      property: "runStrategy",
      message: /^runStrategy: 'runStrategy' is required \(KubeVirt rejects a VirtualMachine without it/,
    },
    {
      what: "both runStrategy and running",
      args: { running: true },
      property: "running",
      message: /^running: Only one of 'runStrategy' and 'running' may be set; 'running' is deprecated/,
    },
    {
      what: "running as a string",
      args: { runStrategy: undefined, running: "true" },
      property: "running",
      message: /^running: expected a boolean \(true or false\), got the string "true"$/,
    },
    {
      what: "an unknown power state",
      args: { runStrategy: "Manual", powerState: "On" },
      property: "powerState",
      message: /^powerState: "On" is not one of Running, Stopped, Paused$/,
    },
    {
      what: "a power state as a boolean",
      args: { runStrategy: "Manual", powerState: true },
      property: "powerState",
      message: /is not one of Running, Stopped, Paused$/,
    },
    {
      what: "Halted with powerState Running",
      args: { runStrategy: "Halted", powerState: "Running" },
      property: "powerState",
      message:
        /^powerState: "Running" contradicts runStrategy "Halted" \(KubeVirt keeps a Halted VM stopped\)/,
    },
    {
      what: "Halted with powerState Paused",
      args: { runStrategy: "Halted", powerState: "Paused" },
      property: "powerState",
      message:
        /^powerState: "Paused" contradicts runStrategy "Halted" .*a paused VM needs a running instance, so with "Halted" powerState may only be "Stopped"/,
    },
    {
      what: "Always with powerState Stopped",
      args: { powerState: "Stopped" },
      property: "powerState",
      message: /^powerState: "Stopped" contradicts runStrategy "Always"/,
    },
    {
      what: "Once with powerState Stopped",
      args: { runStrategy: "Once", powerState: "Stopped" },
      property: "powerState",
      message: /^powerState: "Stopped" contradicts runStrategy "Once"/,
    },
    {
      what: "running: false with powerState Running",
      args: { runStrategy: undefined, running: false, powerState: "Running" },
      property: "powerState",
      message: /^powerState: "Running" contradicts running: false/,
    },

    // Unknown keys.
    {
      what: "a misspelt argument (runstrategy)",
      args: { runStrategy: undefined, runstrategy: "Halted" },
      property: "runstrategy",
      message: /^runstrategy: unknown input; did you mean runStrategy\?$/,
      engine: true,
    },
    {
      what: "a misspelt argument (powerstate)",
      args: { runStrategy: "Manual", powerstate: "Stopped" },
      property: "powerstate",
      message: /^powerstate: unknown input; did you mean powerState\?$/,
    },
    {
      what: "a metadata key at the top level",
      args: { name: "vm-1" },
      property: "name",
      message: /^name: unknown input; did you mean metadata\.name\?$/,
    },
    {
      what: "an argument that does not exist",
      args: { colour: "blue" },
      property: "colour",
      message:
        /^colour: unknown input \(allowed: metadata, runStrategy, running, powerState, template, .*, kubeconfig, context\)$/,
    },
    {
      what: "a misspelt metadata key",
      args: { metadata: { nmae: "vm-1" } },
      property: "metadata.nmae",
      message: /^metadata\.nmae: unknown input; did you mean name\?$/,
      engine: true,
    },

    // Names and namespaces.
    {
      what: "a name that is not a DNS subdomain",
      args: { metadata: { name: "VM_1" } },
      property: "name",
      message: /^name: Invalid value: "VM_1": a lowercase RFC 1123 subdomain must consist of/,
    },
    {
      what: "a name longer than 253 characters",
      args: { metadata: { name: "a".repeat(254) } },
      property: "name",
      message: /: must be no more than 253 characters$/,
    },
    {
      what: "a name as a number",
      args: { metadata: { name: 42 } },
      property: "name",
      message: /^name: expected a string, got number 42$/,
    },
    {
      what: "a namespace that is not a DNS label",
      args: { metadata: { namespace: "my.ns" } },
      property: "namespace",
      message: /^namespace: Invalid value: "my\.ns": a lowercase RFC 1123 label must consist of/,
    },
    {
      what: "a namespace longer than 63 characters",
      args: { metadata: { namespace: "n".repeat(64) } },
      property: "namespace",
      message: /must be no more than 63 characters/,
    },
    {
      what: "an empty namespace",
      args: { metadata: { namespace: "" } },
      property: "namespace",
      message: /^namespace: Invalid value: "": a lowercase RFC 1123 label/,
    },

    // Labels and annotations.
    {
      what: "a label key with a space",
      args: { metadata: { labels: { "bad key": "x" } } },
      property: 'labels["bad key"]',
      message: new RegExp(`^labels\\["bad key"\\]: Invalid value: "bad key": ${NAME_PART.source}`),
      engine: true,
    },
    {
      what: "a label key with an empty name part",
      args: { metadata: { labels: { "example.com/": "x" } } },
      property: 'labels["example.com/"]',
      message: /name part must be non-empty/,
    },
    {
      what: "a label key with two slashes",
      args: { metadata: { labels: { "a/b/c": "x" } } },
      property: 'labels["a/b/c"]',
      message: /a qualified name must consist of .* with an optional DNS subdomain prefix and '\/'/,
    },
    {
      what: "a label key whose prefix is not a DNS subdomain",
      args: { metadata: { labels: { "Example.com/tier": "web" } } },
      property: 'labels["Example.com/tier"]',
      message: /prefix part a lowercase RFC 1123 subdomain must consist of/,
    },
    {
      what: "a label value that starts with a dash",
      args: { metadata: { labels: { tier: "-web" } } },
      property: "labels.tier",
      message: new RegExp(`^labels\\.tier: Invalid value: "-web": ${LABEL_VALUE.source}`),
    },
    {
      what: "a label value longer than 63 characters",
      args: { metadata: { labels: { tier: "w".repeat(64) } } },
      property: "labels.tier",
      message: /: must be no more than 63 characters$/,
    },
    {
      what: "a label value as a number",
      args: { metadata: { labels: { tier: 1 } } },
      property: "labels.tier",
      message: /^labels\.tier: expected a string, got number 1$/,
    },
    {
      what: "labels as a list",
      args: { metadata: { labels: ["tier=web"] } },
      property: "labels",
      message: /^labels: expected an object, got an array$/,
    },
    {
      what: "an annotation key with a space",
      args: { metadata: { annotations: { "my note": "anything goes here: / ?" } } },
      property: 'annotations["my note"]',
      message: NAME_PART,
    },
    {
      what: "an annotation value as a number",
      args: { metadata: { annotations: { note: 5 } } },
      property: "annotations.note",
      message: /^annotations\.note: expected a string, got number 5$/,
    },
    {
      what: "annotations over 256 KiB",
      args: { metadata: { annotations: { a: "x".repeat(200_000), b: "y".repeat(70_000) } } },
      property: "annotations",
      message: /^annotations: Too long: must have at most 262144 bytes$/,
    },

    // Timeouts.
    {
      what: "a timeout longer than a JavaScript timer holds",
      args: { timeouts: { create: "720h" } },
      property: "timeouts.create",
      message: /^timeouts\.create: "720h" is longer than the longest supported timeout \(596h31m23s\)$/,
      engine: true,
    },
    {
      what: "a timeout one second over the longest",
      args: { timeouts: { update: "596h31m24s" } },
      property: "timeouts.update",
      message: TOO_LONG,
    },
    {
      what: "a timeout of 10^20 hours",
      args: { timeouts: { delete: "100000000000000000000h" } },
      property: "timeouts.delete",
      message: TOO_LONG,
    },
    {
      what: "a timeout in words",
      args: { timeouts: { update: "10 minutes" } },
      property: "timeouts.update",
      message: /^timeouts\.update: "10 minutes" is not a duration \(use a Go-style duration such as "90s"/,
    },
    {
      what: "a negative timeout",
      args: { timeouts: { create: "-5s" } },
      property: "timeouts.create",
      message: /"-5s" is not a duration/,
    },
    {
      what: "a zero timeout",
      args: { timeouts: { delete: "0s" } },
      property: "timeouts.delete",
      message: /^timeouts\.delete: "0s" must be longer than zero$/,
    },
    {
      what: "a timeout as a number of seconds",
      args: { timeouts: { create: 90 } },
      property: "timeouts.create",
      message: /^timeouts\.create: expected a string, got number 90$/,
    },
    {
      what: "a misspelt timeout",
      args: { timeouts: { craete: "1m" } },
      property: "timeouts.craete",
      message: /^timeouts\.craete: unknown input; did you mean create\?$/,
    },
    {
      what: "timeouts as a string",
      args: { timeouts: "10m" },
      property: "timeouts",
      message: /^timeouts: expected an object, got the string "10m"$/,
    },

    // Templates.
    {
      what: "no template",
      args: { template: undefined },
      property: "template",
      message: /^template: is required \(the VirtualMachine's instance template/,
    },
    {
      what: "a null template",
      args: { template: null },
      property: "template",
      message: /^template: expected an object, got null$/,
    },
    {
      what: "a template as a list",
      args: { template: [TEMPLATE] },
      property: "template",
      message: /^template: expected an object, got an array$/,
    },
    {
      what: "a template without spec",
      args: { template: { metadata: {} } },
      property: "template.spec",
      message: /^template\.spec: is required/,
    },
    {
      what: "a template without domain",
      args: { template: withSpec({ domain: undefined }) },
      property: "template.spec.domain",
      message: /^template\.spec\.domain: is required \(the instance's virtual hardware/,
    },
    {
      what: "a disk without a volume",
      args: { template: withSpec({ volumes: [] }) },
      property: "template.spec.domain.devices.disks[0].name",
      message: /disk "containerdisk" has no volume of the same name in template\.spec\.volumes/,
    },
    {
      what: "an unknown disk bus",
      args: { template: withDomain({ devices: { disks: [{ ...DISK, disk: { bus: "ide" } }] } }) },
      property: "template.spec.domain.devices.disks[0].disk.bus",
      message: /"ide" is not one of virtio, sata, scsi, usb$/,
    },
    {
      what: "CPU cores as a string",
      args: { template: withDomain({ cpu: { cores: "2" } }) },
      property: "template.spec.domain.cpu.cores",
      message: /expected a number, got the string "2"$/,
    },
    {
      what: "duplicate volume names",
      args: { template: withSpec({ volumes: [CONTAINER_DISK, CONTAINER_DISK] }) },
      property: "template.spec.volumes[1].name",
      message: /volume name "containerdisk" is already used by template\.spec\.volumes\[0\]/,
    },
    {
      what: "a template label value with a space",
      args: { template: { ...TEMPLATE, metadata: { labels: { "kubevirt.io/vm": "vm cirros" } } } },
      property: 'template.metadata.labels["kubevirt.io/vm"]',
      message: LABEL_VALUE,
    },

    // DataVolume templates.
    {
      what: "dataVolumeTemplates as an object",
      args: { dataVolumeTemplates: { metadata: { name: "root" }, spec: { storage: {} } } },
      property: "dataVolumeTemplates",
      message: /^dataVolumeTemplates: expected a list, got an object$/,
    },
    {
      what: "a DataVolume template without a name",
      args: {
        dataVolumeTemplates: [{ metadata: {}, spec: { source: { pvc: { name: "golden" } }, storage: {} } }],
      },
      property: "dataVolumeTemplates[0].metadata.name",
      message: /is required$/,
    },
    {
      what: "a DataVolume template with neither storage nor pvc",
      args: { dataVolumeTemplates: [{ metadata: { name: "root" }, spec: { source: { blank: {} } } }] },
      property: "dataVolumeTemplates[0].spec",
      message: /give 'storage' \(recommended\) or 'pvc'/,
    },
    {
      what: "a DataVolume template with two sources",
      args: {
        dataVolumeTemplates: [
          {
            metadata: { name: "root" },
            spec: {
              source: { http: { url: "https://example.org/disk.img" }, blank: {} },
              storage: { resources: { requests: { storage: "1Gi" } } },
            },
          },
        ],
      },
      property: "dataVolumeTemplates[0].spec.source",
      message: /give exactly one of http, registry, pvc, snapshot, blank, .*; given: http, blank$/,
    },
    {
      what: "a registry source without docker://",
      args: {
        dataVolumeTemplates: [
          {
            metadata: { name: "root" },
            spec: {
              source: { registry: { url: "quay.io/containerdisks/fedora:43" } },
              storage: { resources: { requests: { storage: "1Gi" } } },
            },
          },
        ],
      },
      property: "dataVolumeTemplates[0].spec.source.registry.url",
      message: /must start with docker:\/\/ or oci-archive:\/\//,
    },

    // Policies.
    {
      what: "an unknown restart policy",
      args: { restartPolicy: "Sometimes" },
      property: "restartPolicy",
      message: /^restartPolicy: "Sometimes" is not one of Never, IfRequired, Always$/,
    },
    {
      what: "an unknown waitFor",
      args: { waitFor: "Booted" },
      property: "waitFor",
      message: /^waitFor: "Booted" is not one of Created, Running, Ready, AgentConnected, HasIP$/,
    },
    {
      what: "waitFor as a boolean",
      args: { waitFor: true },
      property: "waitFor",
      message: /is not one of Created, Running, Ready, AgentConnected, HasIP$/,
    },
    {
      what: "an unknown powerDrift",
      args: { powerDrift: "Fight" },
      property: "powerDrift",
      message: /^powerDrift: "Fight" is not one of Correct, Ignore$/,
    },
    {
      what: "a restartTrigger as a number",
      args: { restartTrigger: 3 },
      property: "restartTrigger",
      message: /^restartTrigger: expected a string, got number 3$/,
    },
    {
      what: "a negative stop grace period",
      args: { stopGracePeriodSeconds: -5 },
      property: "stopGracePeriodSeconds",
      message: /^stopGracePeriodSeconds: must not be negative$/,
    },
    {
      what: "a fractional stop grace period",
      args: { stopGracePeriodSeconds: 2.5 },
      property: "stopGracePeriodSeconds",
      message: /^stopGracePeriodSeconds: expected a whole number, got number 2\.5$/,
    },
    {
      what: "a stop grace period as a string",
      args: { stopGracePeriodSeconds: "30" },
      property: "stopGracePeriodSeconds",
      message: /^stopGracePeriodSeconds: expected a number, got the string "30"$/,
    },
    {
      what: "adopt as a string",
      args: { adopt: "false" },
      property: "adopt",
      message: /^adopt: expected a boolean \(true or false\), got the string "false"$/,
    },

    // Kubeconfig and context (the kubeconfig is a secret: no message may show any of it).
    {
      what: "a bare token as kubeconfig",
      args: { kubeconfig: env.token },
      property: "kubeconfig",
      message: KUBECONFIG_INVALID,
      engine: true,
    },
    {
      what: "a bearer token as kubeconfig",
      args: { kubeconfig: `Bearer ${env.token}` },
      property: "kubeconfig",
      message: KUBECONFIG_INVALID,
    },
    {
      what: "base64 of something that is no kubeconfig",
      args: { kubeconfig: base64(`token=${env.token}`) },
      property: "kubeconfig",
      message: KUBECONFIG_INVALID,
    },
    {
      what: "a path that does not exist",
      args: { kubeconfig: `${env.kubeconfigPath}.missing` },
      property: "kubeconfig",
      message: KUBECONFIG_INVALID,
    },
    {
      what: "kubeconfig contents that do not parse",
      args: { kubeconfig: `${env.kubeconfig}\nusers: [unterminated\n` },
      property: "kubeconfig",
      message: /^kubeconfig: cannot load the kubeconfig contents: not a valid kubeconfig/,
    },
    {
      what: "base64 of kubeconfig contents that do not parse",
      args: { kubeconfig: base64(`apiVersion: v1\nusers: [{token: ${env.token}\n`) },
      property: "kubeconfig",
      message: /^kubeconfig: cannot load the base64-encoded kubeconfig contents: not a valid kubeconfig/,
    },
    {
      what: "base64 of a kubeconfig without clusters",
      args: { kubeconfig: base64("apiVersion: v1\nkind: Config\n") },
      property: "kubeconfig",
      message: /^kubeconfig: the current context names no cluster/,
    },
    {
      what: "a kubeconfig as a number",
      args: { kubeconfig: 42 },
      property: "kubeconfig",
      message: /^kubeconfig: expected a path or kubeconfig contents \(a string\), got a number/,
    },
    {
      what: "a kubeconfig as an object",
      args: { kubeconfig: { apiVersion: "v1", users: [{ name: "admin", user: { token: env.token } }] } },
      property: "kubeconfig",
      message: NOT_SHOWN,
    },
    {
      what: "an empty kubeconfig",
      args: { kubeconfig: "" },
      property: "kubeconfig",
      message: /^kubeconfig: must not be empty/,
    },
    {
      what: "a missing context (kubeconfig as base64)",
      args: { kubeconfig: base64(env.kubeconfig), context: "lab" },
      property: "context",
      message: /^context: "lab" is not in the kubeconfig \(contexts: kubevirt-simulator\)$/,
    },
    {
      what: "a missing context (kubeconfig as a path)",
      args: { context: "prod" },
      property: "context",
      message: /^context: "prod" is not in the kubeconfig/,
    },
    {
      what: "a context as a number",
      args: { context: 7 },
      property: "context",
      message: /^context: expected a string, got number 7$/,
    },
    {
      what: "an empty context",
      args: { context: "" },
      property: "context",
      message: /^context: must not be empty/,
    },
  ];
}
