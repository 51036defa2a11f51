import { vmCirros } from "../../sdk/args.typetest";
import { MESSAGE_BOTH_RUN_FIELDS, MESSAGE_RUN_STRATEGY_REQUIRED, validateVmInputs } from "./inputs";
import type { ValidationIssue } from "./issues";
import { UNKNOWN } from "./unknown";

/** The Always example of the KubeVirt run-strategy docs (vm-cirros), as resolved provider inputs. */
function cirros(): Record<string, unknown> {
  const { metadata, ...args } = structuredClone(vmCirros);
  return { ...metadata, ...args };
}

/** Deep-set `value` at `path` in a copy of the cirros inputs. */
function cirrosWith(path: (string | number)[], value: unknown): Record<string, unknown> {
  const inputs = cirros();
  let node: Record<string | number, unknown> = inputs;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return inputs;
}

function issuesOf(raw: unknown): ValidationIssue[] {
  const result = validateVmInputs(raw);
  if (result.ok) throw new Error(`expected validation to fail, got ${JSON.stringify(result.value)}`);
  return result.issues;
}

function messagesOf(raw: unknown): string[] {
  return issuesOf(raw).map((i) => i.message);
}

describe("validateVmInputs", () => {
  describe("with the vm-cirros example", () => {
    it("should accept it and apply the defaults", () => {
      const result = validateVmInputs(cirros());
      expect(result).toEqual({
        ok: true,
        value: {
          ...cirros(),
          restartPolicy: "IfRequired",
          powerDrift: "Correct",
          waitFor: "Ready",
          timeouts: { create: 600, update: 600, delete: 600 },
          adopt: false,
        },
      });
    });

    it("should keep explicit values instead of the defaults", () => {
      const explicit = {
        namespace: "vms",
        restartPolicy: "Never",
        restartTrigger: "2026-11-25",
        stopGracePeriodSeconds: 0,
        powerDrift: "Ignore",
        waitFor: "HasIP",
        adopt: true,
        kubeconfig: "/home/me/.kube/config",
        context: "lab",
      };
      const result = validateVmInputs({ ...cirros(), ...explicit });
      expect(result.ok && result.value).toMatchObject(explicit);
    });
  });

  describe("quantities", () => {
    it("should keep strings and write numbers as the canonical strings KubeVirt stores", () => {
      const inputs = cirrosWith(["template", "spec", "domain", "memory"], { guest: 2e9 });
      const spec = (
        inputs.template as { spec: Record<string, unknown> & { domain: Record<string, unknown> } }
      ).spec;
      spec.domain.resources = { requests: { cpu: 0.5, memory: "1Gi" }, limits: { cpu: 2 } };
      spec.volumes = [
        ...(spec.volumes as unknown[]),
        { name: "scratch", emptyDisk: { capacity: 1073741824 } },
      ];
      const result = validateVmInputs(inputs);
      expect(result.ok && result.value.template.spec).toMatchObject({
        domain: {
          memory: { guest: "2G" },
          resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2" } },
        },
        volumes: [{ name: "containerdisk" }, { name: "scratch", emptyDisk: { capacity: "1073741824" } }],
      });
    });

    it("should reject a quantity that is neither a string nor a number", () => {
      const inputs = cirrosWith(["template", "spec", "domain", "memory"], { guest: true });
      expect(issuesOf(inputs).map((i) => i.path)).toEqual(["template.spec.domain.memory.guest"]);
    });
  });

  describe("pass-through", () => {
    it("should keep template fields it does not type, at every level", () => {
      const inputs = cirros();
      const template = inputs.template as {
        spec: Record<string, unknown> & { domain: Record<string, unknown> };
      };
      template.spec.accessCredentials = [{ sshPublicKey: { source: { secret: { secretName: "keys" } } } }];
      template.spec.domain.features = { smm: { enabled: true } };
      (template.spec.domain.devices as Record<string, unknown>).tpm = { persistent: true };
      (
        (template.spec.volumes as Record<string, unknown>[])[0]!.containerDisk as Record<string, unknown>
      ).path = "/disk";
      const result = validateVmInputs(inputs);
      expect(result.ok && result.value.template).toEqual(inputs.template);
    });

    it("should keep unknown top-level keys such as the dynamic provider's __provider", () => {
      const result = validateVmInputs({ ...cirros(), __provider: "exports.handler = ..." });
      expect(result.ok && (result.value as Record<string, unknown>).__provider).toBe("exports.handler = ...");
    });

    it("should keep data volume templates unchanged", () => {
      const dvt = {
        apiVersion: "cdi.kubevirt.io/v1beta1",
        metadata: { name: "root" },
        spec: {
          source: { registry: { url: "docker://quay.io/containerdisks/fedora:latest" } },
          storage: { resources: { requests: { storage: "10Gi" } } },
        },
      };
      const result = validateVmInputs({ ...cirros(), dataVolumeTemplates: [dvt] });
      expect(result.ok && result.value.dataVolumeTemplates).toEqual([dvt]);
    });
  });

  describe("run strategy rules", () => {
    it("should name the allowed values for an unknown run strategy", () => {
      expect(messagesOf(cirrosWith(["runStrategy"], "Sometimes"))).toEqual([
        'runStrategy: "Sometimes" is not one of Always, RerunOnFailure, Once, Manual, Halted',
      ]);
    });

    it("should reject runStrategy together with running", () => {
      expect(issuesOf({ ...cirros(), running: true })).toEqual([
        { code: "conflict", path: "running", message: `running: ${MESSAGE_BOTH_RUN_FIELDS}` },
      ]);
      expect(MESSAGE_BOTH_RUN_FIELDS).toBe(
        "Only one of 'runStrategy' and 'running' may be set; 'running' is deprecated, use 'runStrategy'",
      );
    });

    it("should require runStrategy when running is absent", () => {
      expect(issuesOf(cirrosWith(["runStrategy"], undefined))).toEqual([
        { code: "required", path: "runStrategy", message: `runStrategy: ${MESSAGE_RUN_STRATEGY_REQUIRED}` },
      ]);
      expect(MESSAGE_RUN_STRATEGY_REQUIRED).toBe(
        "'runStrategy' is required (KubeVirt rejects a VirtualMachine without it: RunStrategy must be specified)",
      );
    });

    it("should accept the deprecated running without runStrategy", () => {
      const inputs = cirrosWith(["runStrategy"], undefined);
      expect(validateVmInputs({ ...inputs, running: false }).ok).toBe(true);
    });

    it("should reject a running flag that is not a boolean", () => {
      const inputs = cirrosWith(["runStrategy"], undefined);
      expect(messagesOf({ ...inputs, running: "yes" })).toEqual([
        'running: expected a boolean (true or false), got the string "yes"',
      ]);
    });
  });

  describe("power state rules", () => {
    it.each([
      [
        "Halted",
        "Running",
        'powerState: "Running" contradicts runStrategy "Halted" (KubeVirt keeps a Halted VM stopped); use runStrategy "Always", or "Manual" with powerState "Running"',
      ],
      [
        "Always",
        "Stopped",
        'powerState: "Stopped" contradicts runStrategy "Always" (KubeVirt keeps an Always VM running); use runStrategy "Halted", or "Manual" with powerState "Stopped"',
      ],
      [
        "Once",
        "Stopped",
        'powerState: "Stopped" contradicts runStrategy "Once" (KubeVirt starts a Once VM when it is created); use runStrategy "Halted", or "Manual" with powerState "Stopped"',
      ],
      [
        "Halted",
        "Paused",
        'powerState: "Paused" contradicts runStrategy "Halted" (KubeVirt keeps a Halted VM stopped); a paused VM needs a running instance, so with "Halted" powerState may only be "Stopped"; use runStrategy "Always", or "Manual" with powerState "Paused"',
      ],
    ])("should reject runStrategy %s with powerState %s", (runStrategy, powerState, message) => {
      expect(issuesOf({ ...cirros(), runStrategy, powerState })).toEqual([
        { code: "conflict", path: "powerState", message },
      ]);
    });

    it.each([
      [
        true,
        "Stopped",
        'powerState: "Stopped" contradicts running: true (which keeps the VM running); use runStrategy "Manual" to choose the power state yourself',
      ],
      [
        false,
        "Running",
        'powerState: "Running" contradicts running: false (which keeps the VM stopped); use runStrategy "Manual" to choose the power state yourself',
      ],
      [
        false,
        "Paused",
        'powerState: "Paused" contradicts running: false (which keeps the VM stopped); use runStrategy "Manual" to choose the power state yourself',
      ],
    ])("should reject running %s with powerState %s", (running, powerState, message) => {
      const inputs = cirrosWith(["runStrategy"], undefined);
      expect(messagesOf({ ...inputs, running, powerState })).toEqual([message]);
    });

    it.each([
      ["Manual", "Running"],
      ["Manual", "Stopped"],
      ["RerunOnFailure", "Running"],
      ["RerunOnFailure", "Stopped"],
      ["Always", "Running"],
      ["Halted", "Stopped"],
      ["Once", "Running"],
      // A paused VM is a running one: Paused goes wherever Running does.
      ["Manual", "Paused"],
      ["RerunOnFailure", "Paused"],
      ["Always", "Paused"],
      ["Once", "Paused"],
    ])("should accept runStrategy %s with powerState %s", (runStrategy, powerState) => {
      expect(validateVmInputs({ ...cirros(), runStrategy, powerState }).ok).toBe(true);
    });

    it("should accept running: true with powerState Paused", () => {
      const inputs = cirrosWith(["runStrategy"], undefined);
      expect(validateVmInputs({ ...inputs, running: true, powerState: "Paused" }).ok).toBe(true);
    });

    it("should name the allowed power states", () => {
      expect(messagesOf({ ...cirros(), powerState: "On" })).toEqual([
        'powerState: "On" is not one of Running, Stopped, Paused',
      ]);
    });
  });

  describe("names", () => {
    it("should reject a name that is not a DNS-1123 subdomain with Kubernetes' message", () => {
      expect(issuesOf(cirrosWith(["name"], "VM_1"))).toEqual([
        {
          code: "custom",
          path: "name",
          message:
            "name: Invalid value: \"VM_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        },
      ]);
    });

    it("should reject a name longer than 253 characters", () => {
      const name = "a".repeat(254);
      expect(messagesOf(cirrosWith(["name"], name))).toEqual([
        `name: Invalid value: "${name}": must be no more than 253 characters`,
      ]);
    });

    it("should require a name", () => {
      expect(messagesOf(cirrosWith(["name"], undefined))).toEqual([
        "name: is required (the component sets it from metadata.name or an auto-name)",
      ]);
    });

    it("should reject a namespace that is not a DNS-1123 label", () => {
      expect(messagesOf({ ...cirros(), namespace: "my.ns" })).toEqual([
        "namespace: Invalid value: \"my.ns\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ]);
    });

    it("should reject label values that are not strings", () => {
      expect(messagesOf({ ...cirros(), labels: { tier: 1 } })).toEqual([
        "labels.tier: expected a string, got number 1",
      ]);
    });
  });

  describe("labels and annotations", () => {
    const NAME_PART =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    it("should reject a label key that is not a qualified name, naming it in brackets", () => {
      expect(issuesOf({ ...cirros(), labels: { "bad key": "x" } })).toEqual([
        {
          code: "invalid_format",
          path: 'labels["bad key"]',
          message: `labels["bad key"]: Invalid value: "bad key": ${NAME_PART}`,
        },
      ]);
    });

    it("should reject a label key whose prefix is not a DNS subdomain", () => {
      expect(messagesOf({ ...cirros(), labels: { "Example.com/tier": "web" } })).toEqual([
        expect.stringMatching(
          /^labels\["Example\.com\/tier"\]: Invalid value: "Example\.com\/tier": prefix part a lowercase RFC 1123 subdomain/,
        ),
      ]);
    });

    it("should reject a label value that Kubernetes would reject", () => {
      expect(messagesOf({ ...cirros(), labels: { tier: "-web", owner: "a".repeat(64) } })).toEqual([
        `labels.tier: Invalid value: "-web": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
        `labels.owner: Invalid value: "${"a".repeat(64)}": must be no more than 63 characters`,
      ]);
    });

    it("should accept an empty label value and prefixed keys", () => {
      const labels = { "kubevirt.io/vm": "vm-cirros", "app.kubernetes.io/part-of": "", Tier_1: "A.b-c" };
      expect(validateVmInputs({ ...cirros(), labels }).ok).toBe(true);
    });

    it("should check annotation keys (in lower case, as Kubernetes does) but not their values", () => {
      const annotations = { "Example.com/Note": "any value: with spaces / and slashes", "a/b/c": "x" };
      expect(messagesOf({ ...cirros(), annotations })).toEqual([
        expect.stringMatching(
          /^annotations\["a\/b\/c"\]: Invalid value: "a\/b\/c": a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/,
        ),
      ]);
    });

    it("should reject annotations larger than 256 KiB in total", () => {
      const annotations = { a: "x".repeat(200 * 1024), b: "y".repeat(60 * 1024) };
      expect(messagesOf({ ...cirros(), annotations })).toEqual([
        "annotations: Too long: must have at most 262144 bytes",
      ]);
    });

    it("should check the instance template's and the DataVolume templates' labels too", () => {
      const inputs = cirrosWith(["template", "metadata", "labels"], { "kubevirt.io/vm": "vm cirros" });
      inputs.dataVolumeTemplates = [
        {
          metadata: { name: "root", annotations: { "/x": "" } },
          spec: { source: { pvc: { name: "golden" } }, storage: {} },
        },
      ];
      expect(messagesOf(inputs)).toEqual([
        expect.stringMatching(
          /^template\.metadata\.labels\["kubevirt\.io\/vm"\]: Invalid value: "vm cirros": a valid label/,
        ),
        'dataVolumeTemplates[0].metadata.annotations["/x"]: Invalid value: "/x": prefix part must be non-empty',
      ]);
    });

    it("should skip label values that are unknown during preview", () => {
      expect(validateVmInputs({ ...cirros(), labels: { tier: UNKNOWN }, annotations: UNKNOWN }).ok).toBe(
        true,
      );
    });
  });

  describe("unknown keys", () => {
    it("should reject an unknown input and name the closest known one", () => {
      expect(issuesOf({ ...cirros(), waitfor: "Ready" })).toEqual([
        { code: "unknown_key", path: "waitfor", message: "waitfor: unknown input; did you mean waitFor?" },
      ]);
    });

    it("should list the inputs when none is close", () => {
      expect(messagesOf({ ...cirros(), colour: "blue" })).toEqual([
        "colour: unknown input (allowed: name, namespace, labels, annotations, runStrategy, running, powerState, template, dataVolumeTemplates, instancetype, preference, restartPolicy, restartTrigger, stopGracePeriodSeconds, powerDrift, waitFor, timeouts, adopt, kubeconfig, context)",
      ]);
    });

    it("should allow the keys the engine and the component add", () => {
      const internal = {
        __provider: "exports.handler = ...",
        autoNamePrefix: "vm",
        owner: "urn:x",
        observed: {},
      };
      expect(validateVmInputs({ ...cirros(), ...internal }).ok).toBe(true);
    });

    it("should reject the component arguments and metadata keys the component did not know", () => {
      expect(
        issuesOf({
          ...cirrosWith(["runStrategy"], undefined),
          unknownArgs: ["runstrategy", "name", "colour"],
          unknownMetadata: ["nmae"],
        }),
      ).toEqual([
        {
          code: "unknown_key",
          path: "runstrategy",
          message: "runstrategy: unknown input; did you mean runStrategy?",
        },
        { code: "unknown_key", path: "name", message: "name: unknown input; did you mean metadata.name?" },
        {
          code: "unknown_key",
          path: "colour",
          message:
            "colour: unknown input (allowed: metadata, runStrategy, running, powerState, template, dataVolumeTemplates, instancetype, preference, restartPolicy, restartTrigger, stopGracePeriodSeconds, powerDrift, waitFor, timeouts, adopt, kubeconfig, context)",
        },
        {
          code: "unknown_key",
          path: "metadata.nmae",
          message: "metadata.nmae: unknown input; did you mean name?",
        },
        { code: "required", path: "runStrategy", message: `runStrategy: ${MESSAGE_RUN_STRATEGY_REQUIRED}` },
      ]);
    });

    it("should name a metadata key that is not an identifier in brackets", () => {
      expect(messagesOf({ ...cirros(), unknownMetadata: ["my labels", "x y"] })).toEqual([
        'metadata["my labels"]: unknown input; did you mean labels?',
        'metadata["x y"]: unknown input (allowed: name, namespace, labels, annotations)',
      ]);
    });

    it("should accept the lists while they are unknown during preview", () => {
      expect(validateVmInputs({ ...cirros(), unknownArgs: UNKNOWN, unknownMetadata: UNKNOWN }).ok).toBe(true);
    });
  });

  describe("template rules", () => {
    it("should require a template", () => {
      expect(messagesOf(cirrosWith(["template"], undefined))).toEqual([
        "template: is required (the VirtualMachine's instance template; KubeVirt rejects a VM without one: missing virtual machine template.)",
      ]);
    });

    it("should require template.spec.domain", () => {
      expect(issuesOf(cirrosWith(["template", "spec", "domain"], undefined))).toEqual([
        {
          code: "required",
          path: "template.spec.domain",
          message:
            "template.spec.domain: is required (the instance's virtual hardware: cpu, memory, devices)",
        },
      ]);
    });

    it("should require template.spec.domain.devices", () => {
      expect(messagesOf(cirrosWith(["template", "spec", "domain", "devices"], undefined))).toEqual([
        "template.spec.domain.devices: is required (write {} for the default devices)",
      ]);
    });

    it("should reject a disk without a volume of the same name, naming both", () => {
      expect(
        issuesOf(cirrosWith(["template", "spec", "domain", "devices", "disks", 0, "name"], "rootdisk")),
      ).toEqual([
        {
          code: "not_found",
          path: "template.spec.domain.devices.disks[0].name",
          message:
            'template.spec.domain.devices.disks[0].name: disk "rootdisk" has no volume of the same name in template.spec.volumes (KubeVirt rejects this: "spec.template.spec.domain.devices.disks[0].Name \'rootdisk\' not found.")',
        },
      ]);
    });

    it("should reject disks when the template has no volumes at all", () => {
      expect(messagesOf(cirrosWith(["template", "spec", "volumes"], undefined))).toEqual([
        'template.spec.domain.devices.disks[0].name: disk "containerdisk" has no volume of the same name in template.spec.volumes (KubeVirt rejects this: "spec.template.spec.domain.devices.disks[0].Name \'containerdisk\' not found.")',
      ]);
    });

    it("should reject an interface without a network of the same name", () => {
      const inputs = cirrosWith(
        ["template", "spec", "domain", "devices", "interfaces"],
        [{ name: "default", masquerade: {} }],
      );
      expect(messagesOf(inputs)).toEqual([
        'template.spec.domain.devices.interfaces[0].name: interface "default" has no network of the same name in template.spec.networks (KubeVirt rejects interfaces without a matching network)',
      ]);
      (inputs.template as { spec: Record<string, unknown> }).spec.networks = [{ name: "default", pod: {} }];
      expect(validateVmInputs(inputs).ok).toBe(true);
    });

    it("should reject duplicate volume names", () => {
      const volume = { name: "containerdisk", containerDisk: { image: "a" } };
      expect(messagesOf(cirrosWith(["template", "spec", "volumes"], [volume, volume]))).toEqual([
        'template.spec.volumes[1].name: volume name "containerdisk" is already used by template.spec.volumes[0]; names must be unique',
      ]);
    });

    it("should name the allowed disk buses with the full path", () => {
      expect(
        messagesOf(cirrosWith(["template", "spec", "domain", "devices", "disks", 0, "disk", "bus"], "ide")),
      ).toEqual([
        'template.spec.domain.devices.disks[0].disk.bus: "ide" is not one of virtio, sata, scsi, usb',
      ]);
    });

    it("should reject a disk name that is not a string", () => {
      expect(
        messagesOf(cirrosWith(["template", "spec", "domain", "devices", "disks", 0, "name"], 7)),
      ).toEqual(["template.spec.domain.devices.disks[0].name: expected a string, got number 7"]);
    });

    it("should require a container disk image", () => {
      expect(messagesOf(cirrosWith(["template", "spec", "volumes", 0, "containerDisk"], {}))).toEqual([
        "template.spec.volumes[0].containerDisk.image: is required",
      ]);
    });

    it("should reject fractional and negative CPU counts and grace periods", () => {
      const inputs = cirrosWith(["template", "spec", "domain", "cpu"], { cores: 1.5, sockets: 0 });
      (inputs.template as { spec: Record<string, unknown> }).spec.terminationGracePeriodSeconds = -1;
      expect(messagesOf(inputs)).toEqual([
        "template.spec.domain.cpu.cores: expected a whole number, got number 1.5",
        "template.spec.domain.cpu.sockets: sockets must be at least 1",
        "template.spec.terminationGracePeriodSeconds: terminationGracePeriodSeconds must not be negative",
      ]);
    });

    it("should require a name and a storage or pvc in each data volume template", () => {
      expect(
        messagesOf({ ...cirros(), dataVolumeTemplates: [{ metadata: {}, spec: { source: { blank: {} } } }] }),
      ).toEqual([
        "dataVolumeTemplates[0].metadata.name: is required",
        "dataVolumeTemplates[0].spec: give 'storage' (recommended) or 'pvc': a DataVolume needs one of them",
      ]);
    });
  });

  describe("timeouts", () => {
    it("should convert Go-style durations to seconds and default the rest to 600", () => {
      const result = validateVmInputs({ ...cirros(), timeouts: { create: "90s", delete: "1h30m" } });
      expect(result.ok && result.value.timeouts).toEqual({ create: 90, update: 600, delete: 5400 });
    });

    it("should reject a duration that does not parse", () => {
      expect(issuesOf({ ...cirros(), timeouts: { create: "10 minutes" } })).toEqual([
        {
          code: "custom",
          path: "timeouts.create",
          message:
            'timeouts.create: "10 minutes" is not a duration (use a Go-style duration such as "90s", "10m" or "1h30m")',
        },
      ]);
    });

    it("should reject a zero duration", () => {
      expect(messagesOf({ ...cirros(), timeouts: { update: "0s" } })).toEqual([
        'timeouts.update: "0s" must be longer than zero',
      ]);
    });

    it("should reject a misspelt timeout and name the closest one", () => {
      expect(issuesOf({ ...cirros(), timeouts: { craete: "1m" } })).toEqual([
        {
          code: "unknown_key",
          path: "timeouts.craete",
          message: "timeouts.craete: unknown input; did you mean create?",
        },
      ]);
    });

    it("should name the allowed timeouts when no key is close", () => {
      expect(messagesOf({ ...cirros(), timeouts: { build: "1m" } })).toEqual([
        "timeouts.build: unknown input (allowed: create, update, delete)",
      ]);
    });

    it("should reject a duration longer than a JavaScript timer can hold", () => {
      expect(messagesOf({ ...cirros(), timeouts: { create: "720h", delete: "596h31m24s" } })).toEqual([
        'timeouts.create: "720h" is longer than the longest supported timeout (596h31m23s)',
        'timeouts.delete: "596h31m24s" is longer than the longest supported timeout (596h31m23s)',
      ]);
    });

    it("should accept the longest supported timeout", () => {
      const result = validateVmInputs({ ...cirros(), timeouts: { update: "596h31m23s" } });
      expect(result.ok && result.value.timeouts.update).toBe(2_147_483);
    });

    it("should reject a number of seconds instead of a duration string", () => {
      expect(messagesOf({ ...cirros(), timeouts: { create: 90 } })).toEqual([
        "timeouts.create: expected a string, got number 90",
      ]);
    });
  });

  describe("other fields", () => {
    it.each([
      ["restartPolicy", "Sometimes", 'restartPolicy: "Sometimes" is not one of Never, IfRequired, Always'],
      ["powerDrift", "Fight", 'powerDrift: "Fight" is not one of Correct, Ignore'],
      ["waitFor", "Booted", 'waitFor: "Booted" is not one of Created, Running, Ready, AgentConnected, HasIP'],
      ["stopGracePeriodSeconds", -5, "stopGracePeriodSeconds: must not be negative"],
      ["stopGracePeriodSeconds", 2.5, "stopGracePeriodSeconds: expected a whole number, got number 2.5"],
      ["adopt", "yes", 'adopt: expected a boolean (true or false), got the string "yes"'],
      ["kubeconfig", "", "kubeconfig: must not be empty (omit it to use the default kubeconfig)"],
      [
        "kubeconfig",
        42,
        "kubeconfig: expected a path or kubeconfig contents (a string), got a number (the value is a secret and is not shown)",
      ],
      ["restartTrigger", 3, "restartTrigger: expected a string, got number 3"],
    ])("should reject %s %j", (field, value, message) => {
      expect(messagesOf({ ...cirros(), [field]: value })).toEqual([message]);
    });

    it("should reject inputs that are not an object", () => {
      expect(issuesOf("vm")).toEqual([
        {
          code: "invalid_type",
          path: "inputs",
          message: "inputs: expected an object of VirtualMachine inputs",
        },
      ]);
    });

    it("should report every problem at once", () => {
      const messages = messagesOf({
        ...cirros(),
        name: "Bad",
        runStrategy: "Sometimes",
        waitFor: "Booted",
        timeouts: { create: "x" },
      });
      expect(messages.map((m) => m.split(":")[0])).toEqual([
        "name",
        "runStrategy",
        "waitFor",
        "timeouts.create",
      ]);
      expect(messages).toContain(
        'runStrategy: "Sometimes" is not one of Always, RerunOnFailure, Once, Manual, Halted',
      );
      expect(messages).toContain(
        'waitFor: "Booted" is not one of Created, Running, Ready, AgentConnected, HasIP',
      );
    });
  });

  describe("with unknown values during preview", () => {
    it.each([
      ["name"],
      ["namespace"],
      ["runStrategy"],
      ["powerState"],
      ["template"],
      ["dataVolumeTemplates"],
      ["restartPolicy"],
      ["stopGracePeriodSeconds"],
      ["waitFor"],
      ["timeouts"],
      ["adopt"],
      ["kubeconfig"],
    ])("should accept an unknown %s and keep the sentinel", (field) => {
      const result = validateVmInputs({ ...cirros(), [field]: UNKNOWN });
      expect(result.ok && (result.value as Record<string, unknown>)[field]).toBe(UNKNOWN);
    });

    it("should accept unknown values deep in the template", () => {
      const inputs = cirros();
      const spec = (inputs.template as { spec: Record<string, unknown> }).spec;
      spec.terminationGracePeriodSeconds = UNKNOWN;
      spec.domain = {
        cpu: UNKNOWN,
        devices: { disks: [UNKNOWN, { name: UNKNOWN, disk: { bus: UNKNOWN } }] },
      };
      spec.volumes = [{ name: "containerdisk", containerDisk: { image: UNKNOWN } }];
      expect(validateVmInputs(inputs).ok).toBe(true);
    });

    it("should skip the disk-volume rule while a volume name is unknown", () => {
      const inputs = cirrosWith(["template", "spec", "volumes", 0, "name"], UNKNOWN);
      expect(validateVmInputs(inputs).ok).toBe(true);
    });

    it("should skip the disk-volume rule while the volumes are unknown", () => {
      expect(validateVmInputs(cirrosWith(["template", "spec", "volumes"], UNKNOWN)).ok).toBe(true);
    });

    it("should skip the powerState contradiction while the run strategy is unknown", () => {
      expect(validateVmInputs({ ...cirros(), runStrategy: UNKNOWN, powerState: "Stopped" }).ok).toBe(true);
    });

    it("should skip the runStrategy/running conflict while either is unknown", () => {
      expect(validateVmInputs({ ...cirros(), running: UNKNOWN }).ok).toBe(true);
      expect(validateVmInputs({ ...cirros(), runStrategy: UNKNOWN, running: true }).ok).toBe(true);
    });

    it("should keep an unknown timeout as the sentinel and convert the others", () => {
      const result = validateVmInputs({ ...cirros(), timeouts: { create: UNKNOWN, update: "1m" } });
      expect(result.ok && result.value.timeouts).toEqual({ create: UNKNOWN, update: 60, delete: 600 });
    });

    it("should still report problems in known fields next to unknown ones", () => {
      expect(messagesOf({ ...cirros(), name: UNKNOWN, waitFor: "Booted" })).toEqual([
        'waitFor: "Booted" is not one of Created, Running, Ready, AgentConnected, HasIP',
      ]);
    });
  });
});
