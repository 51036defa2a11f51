import { dataVolumeTemplateRuleIssues } from "./dataVolumeRules";
import { UNKNOWN } from "./unknown";

const SIZE = { resources: { requests: { storage: "10Gi" } } };
const messages = (spec: Record<string, unknown>) =>
  dataVolumeTemplateRuleIssues([{ metadata: { name: "root" }, spec }]).map((i) => i.message);

describe("dataVolumeTemplateRuleIssues", () => {
  it("should accept each source people use with a size, and a clone or a sourceRef without one", () => {
    const valid: Record<string, unknown>[] = [
      { source: { http: { url: "https://example.org/disk.qcow2" } }, storage: SIZE },
      { source: { registry: { url: "docker://quay.io/containerdisks/fedora:43" } }, storage: SIZE },
      { source: { registry: { url: "oci-archive:///images/disk.tar" } }, pvc: {} },
      { source: { blank: {} }, storage: SIZE },
      { source: { pvc: { name: "golden", namespace: "images" } }, storage: {} },
      { source: { snapshot: { name: "golden-snap" } }, storage: { storageClassName: "fast" } },
      { sourceRef: { kind: "DataSource", name: "fedora" }, storage: {} },
      { storage: { ...SIZE, dataSourceRef: { kind: "VolumeImportSource", name: "x" } } },
    ];
    for (const spec of valid) expect(messages(spec)).toEqual([]);
  });

  it("should name the field and the allowed sources when there is no source, or several", () => {
    const allowed =
      "http, registry, pvc, snapshot, blank, upload, s3, gcs, imageio, vddk (or a sourceRef to a DataSource)";
    expect(messages({ storage: SIZE })).toEqual([
      `dataVolumeTemplates[0].spec.source: give the disk's source: one of ${allowed}`,
    ]);
    // In CDI's order, whatever the order of the keys (the engine sorts them).
    for (const source of [
      { http: { url: "https://a/b" }, blank: {} },
      { blank: {}, http: { url: "https://a/b" } },
    ]) {
      expect(messages({ source, storage: SIZE })).toEqual([
        `dataVolumeTemplates[0].spec.source: give exactly one of ${allowed}; given: http, blank`,
      ]);
    }
    expect(messages({ source: {}, storage: SIZE })).toEqual([
      `dataVolumeTemplates[0].spec.source: give exactly one of ${allowed}; given: none`,
    ]);
    expect(
      messages({ source: { blank: {} }, sourceRef: { kind: "DataSource", name: "f" }, storage: SIZE }),
    ).toEqual(["dataVolumeTemplates[0].spec: give 'source' or 'sourceRef', not both: CDI takes one of them"]);
  });

  it("should refuse URLs CDI's importer cannot take", () => {
    expect(messages({ source: { http: { url: "example.org/disk.img" } }, storage: SIZE })).toEqual([
      'dataVolumeTemplates[0].spec.source.http.url: "example.org/disk.img" is not an http or https URL',
    ]);
    expect(
      messages({ source: { registry: { url: "quay.io/containerdisks/fedora" } }, storage: SIZE }),
    ).toEqual([
      'dataVolumeTemplates[0].spec.source.registry.url: "quay.io/containerdisks/fedora" must start with docker:// or oci-archive://, e.g. docker://quay.io/containerdisks/fedora:43',
    ]);
    expect(messages({ source: { registry: {} }, storage: SIZE })).toEqual([
      "dataVolumeTemplates[0].spec.source.registry.url: give the image, e.g. docker://quay.io/containerdisks/fedora:43",
    ]);
  });

  it("should require storage, and a size unless the source is a clone", () => {
    expect(messages({ source: { blank: {} } })).toEqual([
      "dataVolumeTemplates[0].spec: give 'storage' (recommended) or 'pvc': a DataVolume needs one of them",
    ]);
    expect(
      messages({ source: { http: { url: "https://a/b" } }, storage: { storageClassName: "x" } }),
    ).toEqual([
      'dataVolumeTemplates[0].spec.storage.resources.requests.storage: give the disk\'s size, e.g. "10Gi": only a clone (source pvc or snapshot) takes its size from the source',
    ]);
  });

  it("should skip what is unknown during preview", () => {
    expect(messages({ source: UNKNOWN, storage: SIZE })).toEqual([]);
    expect(messages({ source: { http: { url: UNKNOWN } }, storage: { resources: UNKNOWN } })).toEqual([]);
  });
});
