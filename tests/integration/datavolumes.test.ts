import { CIRROS_TEMPLATE, providerOnSimulator } from "../support/provider-harness";
import { operatorRequest } from "../support/operator";

// DataVolume templates at `check` (docs/kubevirt-behaviour.md §11): what a new template names must exist, or the
// VM would wait for ever with `Provisioning`. The provider's check against the simulator, asserting the failures
// and the requests the simulator received (reads only: nothing is written before the objects are found).

const harness = providerOnSimulator({}, { reads: "get" });
const ownerOf = (name: string) => `urn:pulumi:test::integration::kubevirt:index:VirtualMachine::${name}`;
const SIZE = { resources: { requests: { storage: "1Gi" } } };
let counter = 0;

/** The raw inputs of an Always VM that boots from the DataVolume template `spec`. */
function news(spec: Record<string, unknown>): Record<string, unknown> {
  const name = `dv-${++counter}`;
  return {
    name,
    owner: ownerOf(name),
    runStrategy: "Always",
    dataVolumeTemplates: [{ metadata: { name: `${name}-root` }, spec }],
    template: {
      spec: {
        ...CIRROS_TEMPLATE.spec,
        volumes: [{ name: "containerdisk", dataVolume: { name: `${name}-root` } }],
      },
    },
    kubeconfig: harness.sim.kubeconfigPath,
  };
}

/** The failures of `check`, and the requests it sent, as `METHOD path`. */
async function check(spec: Record<string, unknown>): Promise<{ failures: string[]; requests: string[] }> {
  const mark = harness.sim.requests.mark();
  const result = await harness.provider.check({}, news(spec));
  const requests = harness.sim.requests.list({ afterSeq: mark }).map((r) => `${r.method} ${r.path}`);
  return { failures: (result.failures ?? []).map((f) => f.reason), requests };
}

describe("check: the objects a DataVolume template names", () => {
  beforeAll(async () => {
    await operatorRequest(
      harness.sim.kubeconfig,
      "POST",
      "/api/v1/namespaces/default/persistentvolumeclaims",
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: { name: "golden" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      },
    );
  });

  it("should pass a template whose StorageClass and clone source exist, looking each up once", async () => {
    const spec = { source: { pvc: { name: "golden" } }, storage: { storageClassName: "standard" } };
    const first = await check(spec);
    expect(first.failures).toEqual([]);
    expect(first.requests).toEqual(
      expect.arrayContaining([
        "GET /apis/storage.k8s.io/v1/storageclasses/standard",
        "GET /api/v1/namespaces/default/persistentvolumeclaims/golden",
      ]),
    );
    expect(first.requests.filter((r) => !r.startsWith("GET "))).toEqual([]);
    // Found objects are not looked up again by the same provider.
    const again = await check(spec);
    expect(again.requests.filter((r) => r.includes("storageclasses") || r.includes("golden"))).toEqual([]);
  });

  it("should fail, naming the field, for a StorageClass, PVC or VolumeSnapshot that does not exist", async () => {
    const missing = await check({
      source: { pvc: { name: "nope", namespace: "images" } },
      storage: { ...SIZE, storageClassName: "fast" },
    });
    expect(missing.failures).toEqual([
      'dataVolumeTemplates[0].spec.storage.storageClassName: StorageClass "fast" not found',
      'dataVolumeTemplates[0].spec.source.pvc: PersistentVolumeClaim "nope" in namespace "images" not found',
    ]);
    expect((await check({ source: { snapshot: { name: "snap" } }, storage: {} })).failures).toEqual([
      'dataVolumeTemplates[0].spec.source.snapshot: VolumeSnapshot "snap" in namespace "default" not found',
    ]);
    expect(missing.requests.filter((r) => !r.startsWith("GET "))).toEqual([]);
  });
});
