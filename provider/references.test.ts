import { referencesOf } from "./references";
import type { VmOutputs } from "./vm-outputs";

const vm = (extra: Partial<VmOutputs> = {}): VmOutputs =>
  ({ name: "web", namespace: "apps", ...extra }) as unknown as VmOutputs;
const dataVolumeTemplates = [
  {
    metadata: { name: "root" },
    spec: { source: { pvc: { name: "golden", namespace: "images" } }, storage: { storageClassName: "fast" } },
  },
  { metadata: { name: "data" }, spec: { source: { snapshot: { name: "snap" } }, pvc: {} } },
  { metadata: { name: "os" }, spec: { sourceRef: { kind: "DataSource", name: "fedora" }, storage: {} } },
] as unknown as VmOutputs["dataVolumeTemplates"];

describe("referencesOf", () => {
  it("should name what a new VM's instance type, preference and DataVolume templates need", () => {
    const refs = referencesOf(undefined, vm({ instancetype: { name: "u1.small" }, dataVolumeTemplates }));
    expect(refs.map((r) => [r.path, r.ref.kind, r.ref.name, r.ref.namespace])).toEqual([
      ["instancetype", "VirtualMachineClusterInstancetype", "u1.small", "apps"],
      ["dataVolumeTemplates[0].spec.storage.storageClassName", "StorageClass", "fast", "apps"],
      ["dataVolumeTemplates[0].spec.source.pvc", "PersistentVolumeClaim", "golden", "images"],
      ["dataVolumeTemplates[1].spec.source.snapshot", "VolumeSnapshot", "snap", "apps"],
      ["dataVolumeTemplates[2].spec.sourceRef", "DataSource", "fedora", "apps"],
    ]);
    expect(new Set(refs.slice(1).map((r) => r.property))).toEqual(new Set(["dataVolumeTemplates"]));
  });

  it("should name nothing an existing VM already had", () => {
    const old = vm({ instancetype: { name: "u1.small" }, dataVolumeTemplates });
    expect(referencesOf(old, vm({ instancetype: { name: "u1.small" }, dataVolumeTemplates }))).toEqual([]);
    const changed = referencesOf(old, vm({ instancetype: { name: "u1.medium" }, dataVolumeTemplates }));
    expect(changed.map((r) => r.ref.name)).toEqual(["u1.medium"]);
  });
});
