import { MemoryStore, type StoredEvent } from "./memory-store";
import { StatusError, type KubeObject } from "./types";

const KEY = { group: "test.sim.io", version: "v1", resource: "widgets" };
const obj = (name: string, extra: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "test.sim.io/v1",
  kind: "Widget",
  metadata: { name, namespace: "ns", ...extra },
  spec: { n: 1 },
});

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) return e.code;
    throw e;
  }
  return undefined;
}

describe("MemoryStore", () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore({ historySize: 3, now: () => new Date("2026-01-02T03:04:05.678Z") });
  });
  afterEach(() => store.close());

  it("should tell commit listeners of every committed change, with its resourceVersion, until unsubscribed", () => {
    const seen: string[] = [];
    const off = store.onCommit((e) => seen.push(`${e.type} ${e.object.metadata.name} ${e.rv}`));
    store.create(KEY, obj("a"));
    store.create(KEY, obj("dry"), { dryRun: true });
    const a = store.get(KEY, "ns", "a")!;
    store.update(KEY, { ...a, spec: { n: 2 } });
    store.delete(KEY, "ns", "a");
    off();
    store.create(KEY, obj("b"));
    expect(seen).toEqual(["ADDED a 1", "MODIFIED a 2", "DELETED a 3"]);
  });

  it("should use one resourceVersion counter across collections", () => {
    const a = store.create(KEY, obj("a"));
    const b = store.create({ ...KEY, resource: "gadgets" }, obj("b"));
    expect(Number(b.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(store.currentResourceVersion()).toBe(b.metadata.resourceVersion);
    expect(a.metadata.creationTimestamp).toBe("2026-01-02T03:04:05Z");
  });

  it("should return copies that callers may change freely", () => {
    const a = store.create(KEY, obj("a"));
    a.spec!.n = 99;
    store.get(KEY, "ns", "a")!.spec!.n = 98;
    expect(store.get(KEY, "ns", "a")!.spec).toEqual({ n: 1 });
  });

  it("should ignore status in updates and everything but status in status updates", () => {
    const a = store.create(KEY, { ...obj("a"), status: { phase: "A" } });
    const u = store.update(KEY, { ...a, spec: { n: 2 }, status: { phase: "B" } });
    expect(u.status).toEqual({ phase: "A" });
    expect(u.metadata.generation).toBe(2);
    const s = store.update(
      KEY,
      { ...u, spec: { n: 3 }, metadata: { ...u.metadata, labels: { x: "y" } }, status: { phase: "C" } },
      "status",
    );
    expect(s.spec).toEqual({ n: 2 });
    expect(s.metadata.labels).toBeUndefined();
    expect(s.status).toEqual({ phase: "C" });
    expect(s.metadata.generation).toBe(2);
  });

  it("should write status in main updates of resources without a status subresource", () => {
    store.defineResource(KEY, { namespaced: true, statusSubresource: false });
    const a = store.create(KEY, obj("a"));
    expect(store.update(KEY, { ...a, status: { phase: "B" } }).status).toEqual({ phase: "B" });
  });

  it("should keep server-owned metadata", () => {
    const a = store.create(KEY, obj("a"));
    const u = store.update(KEY, {
      ...a,
      metadata: { ...a.metadata, uid: "forged", creationTimestamp: "x", generation: 7 },
    });
    expect(u.metadata.uid).toBe(a.metadata.uid);
    expect(u.metadata.creationTimestamp).toBe(a.metadata.creationTimestamp);
    expect(u.metadata.generation).toBe(1);
  });

  it("should answer 409 on a stale resourceVersion and on a taken name, 404 on a missing object", () => {
    const a = store.create(KEY, obj("a"));
    store.update(KEY, { ...a, spec: { n: 2 } });
    expect(code(() => store.update(KEY, { ...a, spec: { n: 3 } }))).toBe(409);
    expect(code(() => store.create(KEY, obj("a")))).toBe(409);
    expect(code(() => store.update(KEY, obj("zz")))).toBe(404);
    expect(code(() => store.delete(KEY, "ns", "zz"))).toBe(404);
  });

  it("should replay history from a resourceVersion and answer 410 when it is older than the history", () => {
    const first = store.create(KEY, obj("a"));
    for (let n = 2; n <= 5; n++) store.update(KEY, { ...store.get(KEY, "ns", "a")!, spec: { n } });
    const seen: StoredEvent[] = [];
    const stop = store.watch(KEY, String(Number(store.currentResourceVersion()) - 2), (e) => seen.push(e));
    expect(seen.map((e) => e.object.spec)).toEqual([{ n: 4 }, { n: 5 }]);
    stop();
    let err: unknown;
    try {
      store.watch(KEY, first.metadata.resourceVersion, () => undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(410);
    expect((err as StatusError).message).toBe(
      `too old resource version: ${first.metadata.resourceVersion} (2)`,
    );
  });

  it("should send synthetic ADDED events for a watch without a resourceVersion", () => {
    store.create(KEY, obj("b"));
    store.create(KEY, obj("a"));
    const seen: string[] = [];
    store.watch(KEY, undefined, (e) => seen.push(`${e.type}:${e.object.metadata.name}`))();
    expect(seen).toEqual(["ADDED:a", "ADDED:b"]);
  });

  it("should deliver copies to subscribers and a DELETED event carrying the deletion's resourceVersion", () => {
    const events: string[] = [];
    store.subscribe(KEY, (e) => events.push(`${e.type}:${e.object.metadata.resourceVersion}`));
    const a = store.create(KEY, obj("a"));
    const gone = store.delete(KEY, "ns", "a");
    expect(Number(gone.metadata.resourceVersion)).toBe(Number(a.metadata.resourceVersion) + 1);
    expect(events).toEqual([
      `ADDED:${a.metadata.resourceVersion}`,
      `DELETED:${gone.metadata.resourceVersion}`,
    ]);
  });

  it("should mark objects with finalizers, refuse new finalizers then, and remove them with the last finalizer", () => {
    store.create(KEY, obj("a", { finalizers: ["x"] }));
    const marked = store.delete(KEY, "ns", "a", { gracePeriodSeconds: 5 });
    expect(marked.metadata.deletionTimestamp).toBe("2026-01-02T03:04:05Z");
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(5);
    expect(
      code(() => store.update(KEY, { ...marked, metadata: { ...marked.metadata, finalizers: ["x", "y"] } })),
    ).toBe(422);
    store.update(KEY, { ...marked, metadata: { ...marked.metadata, finalizers: [] } });
    expect(store.get(KEY, "ns", "a")).toBeUndefined();
  });

  it("should collect dependents whose owners are gone and drop dangling references of objects with other owners", () => {
    const o1 = store.create(KEY, obj("o1"));
    const o2 = store.create(KEY, obj("o2"));
    const ref = (o: KubeObject) => ({
      apiVersion: "test.sim.io/v1",
      kind: "Widget",
      name: o.metadata.name,
      uid: o.metadata.uid!,
    });
    store.create(KEY, obj("only-o1", { ownerReferences: [ref(o1)] }));
    store.create(KEY, obj("both", { ownerReferences: [ref(o1), ref(o2)] }));
    store.delete(KEY, "ns", "o1");
    store.collectGarbage();
    expect(store.get(KEY, "ns", "only-o1")).toBeUndefined();
    expect(store.get(KEY, "ns", "both")!.metadata.ownerReferences).toEqual([ref(o2)]);
  });
});
