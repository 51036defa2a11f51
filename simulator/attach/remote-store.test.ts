import { loadKubeConfig } from "../../provider/kube/connection";
import { startSimulator, type SimulatorHandle } from "../index";
import { StatusError, type KubeObject, type WatchEvent } from "../store/types";
import { RemoteStore } from "./remote-store";

// The RemoteStore against a Kubernetes API over HTTP (the simulator's generic API layer, without KubeVirt): what
// the controller sees, and what reaches the server.

const KEY = { group: "example.com", version: "v1", resource: "widgets" };
const widget = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name, namespace: "default" },
  spec: { size: 1 },
  ...extra,
});

async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const v = read();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("RemoteStore", () => {
  let sim: SimulatorHandle;
  let store: RemoteStore;
  let events: WatchEvent[];

  beforeEach(async () => {
    sim = await startSimulator({ kubevirt: false });
    sim.host.registerResource({
      key: KEY,
      kind: "Widget",
      listKind: "WidgetList",
      singular: "widget",
      namespaced: true,
      statusSubresource: true,
    });
    sim.host.registerAdmission(KEY, (req) => {
      if (req.object.metadata.labels?.forbidden) throw new StatusError(422, "Invalid", "forbidden label");
    });
    sim.store.create(KEY, { ...widget("listed"), status: { phase: "A" } });
    store = new RemoteStore(loadKubeConfig({ kubeconfig: sim.kubeconfig }), [
      { key: KEY, statusSubresource: true },
    ]);
    await store.start();
    events = [];
    store.subscribe(KEY, (e) => events.push(e));
  });
  afterEach(async () => {
    await store.stop();
    await sim.stop();
  });

  it("should list at start and follow the server's changes, telling subscribers", async () => {
    expect(store.get(KEY, "default", "listed")?.metadata.uid).toBe(
      sim.store.get(KEY, "default", "listed")!.metadata.uid,
    );
    sim.store.create(KEY, widget("later"));
    const seen = await until(() => store.get(KEY, "default", "later"), "the watch to deliver");
    expect(seen.metadata.resourceVersion).toBe(
      sim.store.get(KEY, "default", "later")!.metadata.resourceVersion,
    );
    sim.store.delete(KEY, "default", "later");
    await until(() => !store.get(KEY, "default", "later") || undefined, "the deletion");
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      "ADDED later",
      "DELETED later",
    ]);
  });

  it("should show a status write at once and send only what changed, to the status subresource", async () => {
    const mark = sim.requests.mark();
    const current = store.get(KEY, "default", "listed")!;
    store.update(KEY, { ...current, status: { phase: "B" } }, "status");
    expect(store.get(KEY, "default", "listed")!.status).toEqual({ phase: "B" });
    // Meanwhile someone else changes the spec: the status patch must not undo it.
    const server = sim.store.get(KEY, "default", "listed")!;
    sim.store.update(KEY, { ...server, spec: { size: 2 } });
    await store.flushed();
    expect(sim.requests.list({ afterSeq: mark }).map((r) => `${r.method} ${r.path}`)).toEqual([
      "PATCH /apis/example.com/v1/namespaces/default/widgets/listed/status",
    ]);
    expect(sim.store.get(KEY, "default", "listed")).toMatchObject({
      spec: { size: 2 },
      status: { phase: "B" },
    });
    const synced = await until(
      () => (store.get(KEY, "default", "listed")?.spec?.size === 2 ? true : undefined),
      "the spec change",
    );
    expect(synced).toBe(true);
  });

  it("should create with a provisional uid and then take the server's", async () => {
    const made = store.create(KEY, widget("fresh"));
    expect(events.map((e) => e.type)).toEqual(["ADDED"]);
    await store.flushed();
    const server = sim.store.get(KEY, "default", "fresh")!;
    expect(server.metadata.uid).not.toBe(made.metadata.uid);
    expect(store.get(KEY, "default", "fresh")!.metadata.uid).toBe(server.metadata.uid);
  });

  it("should fall back to the server's version when a write is refused", async () => {
    const current = store.get(KEY, "default", "listed")!;
    store.update(KEY, { ...current, metadata: { ...current.metadata, labels: { forbidden: "yes" } } });
    expect(store.get(KEY, "default", "listed")!.metadata.labels).toEqual({ forbidden: "yes" });
    await store.flushed();
    expect(store.get(KEY, "default", "listed")!.metadata.labels).toBeUndefined();
    expect(sim.store.get(KEY, "default", "listed")!.metadata.labels).toBeUndefined();
  });

  it("should mark an object with finalizers as deleting, and send the uid as a precondition", async () => {
    const current = store.get(KEY, "default", "listed")!;
    store.update(KEY, { ...current, metadata: { ...current.metadata, finalizers: ["example.com/keep"] } });
    store.delete(KEY, "default", "listed");
    expect(store.get(KEY, "default", "listed")!.metadata.deletionTimestamp).toBeDefined();
    await store.flushed();
    const server = sim.store.get(KEY, "default", "listed")!;
    expect(server.metadata.deletionTimestamp).toBeDefined();
    expect(server.metadata.finalizers).toEqual(["example.com/keep"]);
  });
});
