import {
  ApiException,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  type KubernetesObject,
  CustomObjectsApi,
} from "@kubernetes/client-node";
import { startSimulator, type SimulatorHandle } from "../index";
import { StatusError, type KubeObject } from "../store/types";
import { request, WIDGETS, type HttpResponse } from "./testing";

type Widget = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

let sim: SimulatorHandle;
let kc: KubeConfig;
let api: KubernetesObjectApi;
const ALICE = "alice-token";

const widget = (name: string, extra: Partial<Widget> = {}): Widget => ({
  apiVersion: "test.sim.io/v1",
  kind: "Widget",
  metadata: { name, namespace: "default", ...(extra.metadata ?? {}) },
  spec: { color: "blue", ...(extra.spec ?? {}) },
  ...(extra.status ? { status: extra.status } : {}),
});

/** The Status body of a failed client-node call. */
async function failure(p: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) {
      const body =
        typeof e.body === "string"
          ? (JSON.parse(e.body) as Record<string, unknown>)
          : (e.body as Record<string, unknown>);
      return { code: e.code, body };
    }
    throw e;
  }
  throw new Error("expected the call to fail");
}

function raw(
  method: string,
  path: string,
  body?: unknown,
  contentType?: string,
  token = sim.token,
): Promise<HttpResponse> {
  return request({ url: sim.url, token, ca: sim.caCert }, method, path, { body, contentType });
}

const W = "/apis/test.sim.io/v1/namespaces/default/widgets";

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("condition not met in time");
}

beforeAll(async () => {
  sim = await startSimulator({
    kubevirt: false,
    bookmarkIntervalMs: 100,
    historySize: 20,
    users: [
      {
        name: "alice",
        token: ALICE,
        rules: [{ verbs: ["get", "list", "watch"], apiGroups: ["test.sim.io"], resources: ["widgets"] }],
      },
    ],
  });
  sim.host.registerResource(WIDGETS);
  sim.host.registerResource({
    key: { group: "test.sim.io", version: "v1", resource: "churns" },
    kind: "Churn",
    listKind: "ChurnList",
    singular: "churn",
    namespaced: true,
    statusSubresource: false,
  });
  sim.host.registerAdmission(WIDGETS.key, (req) => {
    const color = (req.object.spec as { color?: string } | undefined)?.color;
    if (color === "black") {
      throw new StatusError(
        422,
        "Invalid",
        'admission webhook "widget.test.sim.io" denied the request: black is not a color',
      );
    }
    return color === "red" ? { warnings: ["red is deprecated"] } : undefined;
  });
  sim.host.registerSubresource("subresources.test.sim.io", ["v1", "v1alpha1"], "widgets", "poke", (req) => {
    if (req.name === "missing")
      throw new StatusError(404, "NotFound", `widget.test.sim.io "${req.name}" not found`);
    return { code: 202 };
  });
  kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig);
  api = KubernetesObjectApi.makeApiClient(kc);
});

afterAll(async () => {
  await sim.stop();
});

afterEach(() => {
  sim.faults.clear();
});

describe("discovery", () => {
  it("should list registered groups, resources, status and custom subresources", async () => {
    const groups = (await raw("GET", "/apis")).json as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toEqual(["subresources.test.sim.io", "test.sim.io"]);
    const list = (await raw("GET", "/apis/test.sim.io/v1")).json as { resources: Record<string, unknown>[] };
    expect(list.resources).toContainEqual(
      expect.objectContaining({
        name: "widgets",
        kind: "Widget",
        singularName: "widget",
        namespaced: true,
        shortNames: ["wd"],
      }),
    );
    expect(list.resources).toContainEqual(
      expect.objectContaining({ name: "widgets/status", verbs: ["get", "patch", "update"] }),
    );
    const subs = (await raw("GET", "/apis/subresources.test.sim.io/v1alpha1")).json as {
      resources: Record<string, unknown>[];
    };
    expect(subs.resources).toEqual([
      expect.objectContaining({ name: "widgets/poke", kind: "Widget", verbs: ["update"] }),
    ]);
    const core = (await raw("GET", "/api/v1")).json as { resources: { name: string }[] };
    expect(core.resources.map((r) => r.name)).toContain("namespaces");
    expect(((await raw("GET", "/version")).json as { major: string }).major).toBe("1");
    expect((await raw("GET", "/openapi/v2")).status).toBe(200);
    expect((await raw("GET", "/openapi/v3")).status).toBe(200);
    expect((await raw("GET", "/apis/nope.io/v1")).status).toBe(404);
  });
});

describe("create, read, update", () => {
  it("should assign uid, resourceVersion, generation and creationTimestamp, and refuse a taken name", async () => {
    const created = await api.create(widget("w-create"));
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata?.generation).toBe(1);
    expect(created.metadata?.creationTimestamp).toBeDefined();
    const again = await failure(api.create(widget("w-create")));
    expect(again.code).toBe(409);
    expect(again.body).toMatchObject({
      kind: "Status",
      reason: "AlreadyExists",
      message: 'widgets.test.sim.io "w-create" already exists',
      details: { name: "w-create", group: "test.sim.io", kind: "widgets" },
    });
  });

  it("should answer 404 with Kubernetes' message for a missing object and a missing namespace", async () => {
    const missing = await failure(
      api.read({
        apiVersion: "test.sim.io/v1",
        kind: "Widget",
        metadata: { name: "nope", namespace: "default" },
      }),
    );
    expect(missing.code).toBe(404);
    expect(missing.body.message).toBe('widgets.test.sim.io "nope" not found');
    const noNs = await failure(api.create({ ...widget("w"), metadata: { name: "w", namespace: "ghost" } }));
    expect(noNs.code).toBe(404);
    expect(noNs.body.message).toBe('namespaces "ghost" not found');
  });

  it("should answer 409 Conflict on a stale resourceVersion and bump generation only for spec changes", async () => {
    const v1 = await api.create<Widget>(widget("w-update"));
    const v2 = await api.replace<Widget>({ ...v1, spec: { color: "green" } });
    expect(v2.metadata?.generation).toBe(2);
    const v3 = await api.replace<Widget>({ ...v2, metadata: { ...v2.metadata!, labels: { a: "b" } } });
    expect(v3.metadata?.generation).toBe(2);
    expect(Number(v3.metadata?.resourceVersion)).toBeGreaterThan(Number(v2.metadata?.resourceVersion));
    const stale = await failure(api.replace<Widget>({ ...v1, spec: { color: "pink" } }));
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on widgets.test.sim.io "w-update": the object has been modified; please apply your changes to the latest version and try again',
    });
    // A no-op update writes nothing: same resourceVersion.
    const same = await api.replace<Widget>(v3);
    expect(same.metadata?.resourceVersion).toBe(v3.metadata?.resourceVersion);
  });

  it("should keep status out of main-resource writes and everything else out of status writes", async () => {
    const created = await api.create<Widget>(widget("w-status", { status: { phase: "Ignored" } }));
    expect(created.status).toBeUndefined();
    const s = await raw("PUT", `${W}/w-status/status`, {
      ...created,
      spec: { color: "changed" },
      status: { phase: "Ready" },
    });
    expect(s.status).toBe(200);
    const afterStatus = s.json as Widget;
    expect(afterStatus.status).toEqual({ phase: "Ready" });
    expect(afterStatus.spec).toEqual({ color: "blue" });
    expect(afterStatus.metadata?.generation).toBe(1);
    const main = await api.replace<Widget>({
      ...afterStatus,
      status: { phase: "Hacked" },
      spec: { color: "teal" },
    });
    expect(main.status).toEqual({ phase: "Ready" });
    expect(main.spec).toEqual({ color: "teal" });
    const patched = await raw(
      "PATCH",
      `${W}/w-status/status`,
      { status: { phase: "Done" } },
      PatchStrategy.MergePatch,
    );
    expect((patched.json as Widget).status).toEqual({ phase: "Done" });
    expect(((await raw("GET", `${W}/w-status/status`)).json as Widget).status).toEqual({ phase: "Done" });
  });

  it("should not store anything on dryRun=All", async () => {
    const dry = await api.create(widget("w-dry"), undefined, "All");
    expect(dry.metadata?.name).toBe("w-dry");
    expect(sim.store.get(WIDGETS.key, "default", "w-dry")).toBeUndefined();
  });

  it("should run admitters: warnings as Warning headers, denials as their Status", async () => {
    const red = await raw("POST", W, widget("w-red", { spec: { color: "red" } }));
    expect(red.status).toBe(201);
    expect(red.headers.warning).toBe('299 - "red is deprecated"');
    const black = await raw("POST", W, widget("w-black", { spec: { color: "black" } }));
    expect(black.status).toBe(422);
    expect((black.json as { message: string }).message).toContain("black is not a color");
  });
});

describe("patch", () => {
  it("should apply JSON patch, answer 422 for a failed test op, apply merge patch and refuse strategic merge with 415", async () => {
    await api.create(widget("w-patch"));
    const ok = await raw(
      "PATCH",
      `${W}/w-patch`,
      [
        { op: "test", path: "/spec/color", value: "blue" },
        { op: "replace", path: "/spec/color", value: "red" },
      ],
      PatchStrategy.JsonPatch,
    );
    expect(ok.status).toBe(200);
    expect((ok.json as Widget).spec).toEqual({ color: "red" });
    expect((ok.json as Widget).metadata?.generation).toBe(2);

    const failed = await raw(
      "PATCH",
      `${W}/w-patch`,
      [{ op: "test", path: "/spec/color", value: "blue" }],
      PatchStrategy.JsonPatch,
    );
    expect(failed.status).toBe(422);
    expect(failed.json).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "the server rejected our request due to an error in our request",
      reason: "Invalid",
      details: {},
      code: 422,
    });

    const merged = await api.patch<Widget>(
      {
        apiVersion: "test.sim.io/v1",
        kind: "Widget",
        metadata: { name: "w-patch", namespace: "default", labels: { x: "y" } },
        spec: { size: 3 },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      PatchStrategy.MergePatch,
    );
    expect(merged.spec).toEqual({ color: "red", size: 3 });
    expect(merged.metadata?.labels).toEqual({ x: "y" });

    const smp = await failure(
      api.patch({
        apiVersion: "test.sim.io/v1",
        kind: "Widget",
        metadata: { name: "w-patch", namespace: "default" },
      }),
    );
    expect(smp.code).toBe(415);
    expect(smp.body.message).toBe(
      "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    );

    const stale = await raw(
      "PATCH",
      `${W}/w-patch`,
      { metadata: { resourceVersion: "1" } },
      PatchStrategy.MergePatch,
    );
    expect(stale.status).toBe(409);
  });

  it("should patch through CustomObjectsApi with an explicit JSON patch", async () => {
    await api.create(widget("w-coa"));
    const custom = kc.makeApiClient(CustomObjectsApi);
    const { setHeaderOptions } = await import("@kubernetes/client-node");
    const out = (await custom.patchNamespacedCustomObject(
      {
        group: "test.sim.io",
        version: "v1",
        namespace: "default",
        plural: "widgets",
        name: "w-coa",
        body: [{ op: "add", path: "/spec/size", value: 1 }],
      },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    )) as Widget;
    expect(out.spec).toEqual({ color: "blue", size: 1 });
  });
});

describe("list", () => {
  it("should filter by label and field selectors and list across namespaces", async () => {
    await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "other" } });
    await api.create(widget("sel-a", { metadata: { name: "sel-a", labels: { app: "x", tier: "web" } } }));
    await api.create(widget("sel-b", { metadata: { name: "sel-b", labels: { app: "y" } } }));
    await api.create({
      ...widget("sel-c"),
      metadata: { name: "sel-c", namespace: "other", labels: { app: "x" } },
    });
    const names = async (selector: { label?: string; field?: string }) =>
      (
        await api.list(
          "test.sim.io/v1",
          "Widget",
          "default",
          undefined,
          undefined,
          undefined,
          selector.field,
          selector.label,
        )
      ).items.map((i) => i.metadata?.name);
    expect(await names({ label: "app=x" })).toEqual(["sel-a"]);
    expect(await names({ label: "app in (x,y),!tier" })).toEqual(["sel-b"]);
    expect(await names({ field: "metadata.name=sel-b" })).toEqual(["sel-b"]);
    const all = (await raw("GET", "/apis/test.sim.io/v1/widgets?labelSelector=app%3Dx")).json as {
      kind: string;
      items: KubeObject[];
      metadata: { resourceVersion: string };
    };
    expect(all.kind).toBe("WidgetList");
    expect(all.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual([
      "default/sel-a",
      "other/sel-c",
    ]);
    expect(all.metadata.resourceVersion).toBe(sim.store.currentResourceVersion());
    const bad = await raw("GET", `${W}?fieldSelector=spec.color%3Dblue`);
    expect(bad.status).toBe(400);
    expect((bad.json as { message: string }).message).toBe("field label not supported: spec.color");
  });
});

describe("delete", () => {
  const ref = (owner: KubernetesObject, block = false) => ({
    apiVersion: "test.sim.io/v1",
    kind: "Widget",
    name: owner.metadata!.name!,
    uid: owner.metadata!.uid!,
    ...(block ? { blockOwnerDeletion: true } : {}),
  });

  it("should only mark an object with finalizers and remove it with the last finalizer", async () => {
    const w = await api.create<Widget>(
      widget("w-fin", { metadata: { name: "w-fin", finalizers: ["test/keep"] } }),
    );
    await api.delete(w);
    const marked = sim.store.get(WIDGETS.key, "default", "w-fin")! as unknown as Widget & {
      metadata: KubeObject["metadata"];
    };
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(marked.metadata.generation).toBe(2);
    const refused = await failure(
      api.replace({ ...marked, metadata: { ...marked.metadata, finalizers: ["test/keep", "test/new"] } }),
    );
    expect(refused.code).toBe(422);
    await api.replace({ ...marked, metadata: { ...marked.metadata, finalizers: [] } });
    expect(sim.store.get(WIDGETS.key, "default", "w-fin")).toBeUndefined();
  });

  it("should delete collections by selector and namespaces with their contents", async () => {
    await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "doomed" } });
    const mk = (name: string, labels: Record<string, string>) =>
      raw("POST", "/apis/test.sim.io/v1/namespaces/doomed/widgets", {
        ...widget(name),
        metadata: { name, labels },
      });
    expect((await mk("dc-a", { kill: "yes" })).status).toBe(201);
    expect((await mk("dc-b", { kill: "no" })).status).toBe(201);
    const gen = await raw("POST", "/apis/test.sim.io/v1/namespaces/doomed/widgets", {
      ...widget(""),
      metadata: { generateName: "gen-" },
    });
    expect((gen.json as KubeObject).metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
    const dc = await raw("DELETE", "/apis/test.sim.io/v1/namespaces/doomed/widgets?labelSelector=kill%3Dyes");
    expect((dc.json as { items: KubeObject[] }).items.map((i) => i.metadata.name)).toEqual(["dc-a"]);
    expect(
      sim.store
        .list(WIDGETS.key, "doomed")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(["dc-b", (gen.json as KubeObject).metadata.name].sort());
    expect((await raw("DELETE", "/api/v1/namespaces/doomed")).status).toBe(200);
    expect(sim.store.list(WIDGETS.key, "doomed")).toEqual([]);
    expect((await raw("GET", "/api/v1/namespaces/doomed")).status).toBe(404);
  });

  it("should honour a resourceVersion precondition", async () => {
    await api.create<Widget>(widget("w-pre"));
    const res = await raw("DELETE", `${W}/w-pre`, { preconditions: { resourceVersion: "1" } });
    expect(res.status).toBe(409);
    expect((res.json as { message: string }).message).toMatch(
      /^Operation cannot be fulfilled on widgets.test.sim.io "w-pre": Precondition failed/,
    );
  });

  it("should collect dependents in Background, keep them on Orphan, and wait for blocking ones in Foreground", async () => {
    const owner = await api.create<Widget>(widget("gc-owner"));
    await api.create(widget("gc-dep", { metadata: { name: "gc-dep", ownerReferences: [ref(owner)] } }));
    await api.delete(owner);
    await eventually(() => !sim.store.get(WIDGETS.key, "default", "gc-dep"));

    const owner2 = await api.create<Widget>(widget("orphan-owner"));
    await api.create(
      widget("orphan-dep", { metadata: { name: "orphan-dep", ownerReferences: [ref(owner2)] } }),
    );
    await api.delete(owner2, undefined, undefined, undefined, undefined, "Orphan");
    await eventually(() => !sim.store.get(WIDGETS.key, "default", "orphan-owner"));
    expect(sim.store.get(WIDGETS.key, "default", "orphan-dep")?.metadata.ownerReferences).toBeUndefined();

    const owner3 = await api.create<Widget>(widget("fg-owner"));
    await api.create(
      widget("fg-dep", {
        metadata: { name: "fg-dep", finalizers: ["test/hold"], ownerReferences: [ref(owner3, true)] },
      }),
    );
    await api.delete(owner3, undefined, undefined, undefined, undefined, "Foreground");
    await eventually(() => !!sim.store.get(WIDGETS.key, "default", "fg-dep")?.metadata.deletionTimestamp);
    expect(sim.store.get(WIDGETS.key, "default", "fg-owner")?.metadata.finalizers).toEqual([
      "foregroundDeletion",
    ]);
    const dep = sim.store.get(WIDGETS.key, "default", "fg-dep")!;
    sim.store.update(WIDGETS.key, { ...dep, metadata: { ...dep.metadata, finalizers: [] } });
    await eventually(() => !sim.store.get(WIDGETS.key, "default", "fg-owner"));
  });
});

describe("watch", () => {
  function collect(path: string, query: Record<string, string | number | boolean | undefined>) {
    const events: { type: string; object: KubeObject }[] = [];
    let doneErr: unknown = "not done";
    const controller = new Watch(kc).watch(
      path,
      query,
      (type, object) => events.push({ type, object }),
      (err) => (doneErr = err),
    );
    return { events, done: () => doneErr !== "not done", controller };
  }

  it("should stream ADDED, MODIFIED and DELETED and resume from a resourceVersion", async () => {
    const start = sim.store.currentResourceVersion();
    const w = collect(W, { resourceVersion: start, labelSelector: "watch=me" });
    await new Promise((r) => setTimeout(r, 50));
    const a = await api.create<Widget>(
      widget("watch-a", { metadata: { name: "watch-a", labels: { watch: "me" } } }),
    );
    const b = await api.replace<Widget>({ ...a, spec: { color: "red2" } });
    await api.delete(b);
    await eventually(() => w.events.length >= 3);
    expect(w.events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
    expect(w.events[2].object.metadata.name).toBe("watch-a");
    (await w.controller).abort();

    const resumed = collect(W, { resourceVersion: b.metadata!.resourceVersion, labelSelector: "watch=me" });
    await eventually(() => resumed.events.length >= 1);
    expect(resumed.events[0].type).toBe("DELETED");
    (await resumed.controller).abort();
  });

  it("should send an ERROR event with 410 Expired for a resourceVersion older than the history", async () => {
    const CH = "/apis/test.sim.io/v1/namespaces/default/churns";
    const first = await raw("POST", CH, {
      apiVersion: "test.sim.io/v1",
      kind: "Churn",
      metadata: { name: "c" },
      spec: { n: 0 },
    });
    const firstRv = (first.json as KubeObject).metadata.resourceVersion!;
    for (let n = 1; n <= 25; n++) {
      const cur = sim.store.get({ ...WIDGETS.key, resource: "churns" }, "default", "c")!;
      sim.store.update({ ...WIDGETS.key, resource: "churns" }, { ...cur, spec: { n } });
    }
    const w = collect(CH, { resourceVersion: firstRv });
    await eventually(() => w.done());
    expect(w.events).toHaveLength(1);
    expect(w.events[0].type).toBe("ERROR");
    expect(w.events[0].object).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
    expect((w.events[0].object as unknown as { message: string }).message).toMatch(
      /^too old resource version: \d+ \(\d+\)$/,
    );
  });

  it("should send BOOKMARK events when asked and end at timeoutSeconds", async () => {
    const w = collect(W, {
      resourceVersion: sim.store.currentResourceVersion(),
      allowWatchBookmarks: true,
      timeoutSeconds: 1,
    });
    await eventually(() => w.events.some((e) => e.type === "BOOKMARK"));
    expect(w.events.find((e) => e.type === "BOOKMARK")!.object).toMatchObject({
      kind: "Widget",
      apiVersion: "test.sim.io/v1",
    });
    await eventually(() => w.done(), 2500);
  });

  it("should answer a watch-list with the current objects, then the bookmark that ends them", async () => {
    const names = (await api.list("test.sim.io/v1", "Widget", "default")).items.map((o) => o.metadata!.name);
    expect(names.length).toBeGreaterThan(0);
    const w = collect(W, {
      sendInitialEvents: true,
      allowWatchBookmarks: true,
      resourceVersionMatch: "NotOlderThan",
      resourceVersion: sim.store.currentResourceVersion(),
      timeoutSeconds: 1,
    });
    await eventually(() => w.events.some((e) => e.type === "BOOKMARK"));
    const end = w.events.findIndex((e) => e.type === "BOOKMARK");
    expect(w.events.slice(0, end).map((e) => [e.type, e.object.metadata!.name])).toEqual(
      names.map((n) => ["ADDED", n]),
    );
    expect(w.events[end]!.object.metadata).toMatchObject({
      annotations: { "k8s.io/initial-events-end": "true" },
      resourceVersion: sim.store.currentResourceVersion(),
    });
    await eventually(() => w.done(), 2500);
  });

  it("should feed a client-node informer", async () => {
    const path = "/apis/test.sim.io/v1/namespaces/other/widgets";
    const list = async () => (await api.list("test.sim.io/v1", "Widget", "other")) as never;
    const informer = makeInformer<Widget>(kc, path, list);
    const seen: string[] = [];
    informer.on("add", (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on("update", (o) => seen.push(`update:${o.metadata?.name}`));
    informer.on("delete", (o) => seen.push(`delete:${o.metadata?.name}`));
    await informer.start();
    const o = await api.create<Widget>({ ...widget("inf"), metadata: { name: "inf", namespace: "other" } });
    await api.replace<Widget>({ ...o, spec: { color: "x" } });
    await api.delete(o);
    await eventually(() => seen.includes("delete:inf"));
    expect(seen).toEqual(expect.arrayContaining(["add:sel-c", "add:inf", "update:inf", "delete:inf"]));
    await informer.stop();
  });
});

describe("auth", () => {
  it("should answer 401 without a token or with a bad one", async () => {
    for (const token of [undefined, "wrong"]) {
      const res = await request({ url: sim.url, token, ca: sim.caCert }, "GET", W);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: "Unauthorized",
        reason: "Unauthorized",
        code: 401,
      });
    }
    expect((await request({ url: sim.url, ca: sim.caCert }, "GET", "/healthz")).status).toBe(200);
  });

  it("should answer 403 with the RBAC authorizer's message", async () => {
    await api.create(widget("w-auth"));
    expect((await raw("GET", `${W}/w-auth`, undefined, undefined, ALICE)).status).toBe(200);
    const upd = await raw(
      "PUT",
      "/apis/subresources.test.sim.io/v1/namespaces/default/widgets/w-auth/poke",
      undefined,
      undefined,
      ALICE,
    );
    expect(upd.status).toBe(403);
    expect(upd.json).toMatchObject({
      reason: "Forbidden",
      message:
        'widgets.subresources.test.sim.io "w-auth" is forbidden: User "alice" cannot update resource "widgets/poke" in API group "subresources.test.sim.io" in the namespace "default"',
      details: { name: "w-auth", group: "subresources.test.sim.io", kind: "widgets" },
    });
    const del = await raw("DELETE", `${W}/w-auth`, undefined, undefined, ALICE);
    expect((del.json as { message: string }).message).toBe(
      'widgets.test.sim.io "w-auth" is forbidden: User "alice" cannot delete resource "widgets" in API group "test.sim.io" in the namespace "default"',
    );
    const control = await raw("POST", "/_simulator/requests/list", {}, undefined, ALICE);
    expect(control.status).toBe(403);
    expect((await raw("POST", "/_simulator/requests/list", {}, undefined, "bad")).status).toBe(401);
  });

  it("should serve custom subresources for the admin", async () => {
    const ok = await raw("PUT", "/apis/subresources.test.sim.io/v1/namespaces/default/widgets/w-auth/poke");
    expect(ok.status).toBe(202);
    expect(ok.text).toBe("");
    const missing = await raw(
      "PUT",
      "/apis/subresources.test.sim.io/v1alpha1/namespaces/default/widgets/missing/poke",
    );
    expect(missing.status).toBe(404);
  });
});

describe("faults", () => {
  it("should answer injected status codes (429 with Retry-After) for the given count", async () => {
    sim.faults.add({
      verb: "get",
      path: `${W}/*`,
      count: 1,
      action: { kind: "status", code: 429, retryAfterSeconds: 2 },
    });
    const first = await raw("GET", `${W}/w-auth`);
    expect(first.status).toBe(429);
    expect(first.headers["retry-after"]).toBe("2");
    expect(first.json).toMatchObject({
      reason: "TooManyRequests",
      code: 429,
      details: { retryAfterSeconds: 2 },
    });
    expect((await raw("GET", `${W}/w-auth`)).status).toBe(200);
    for (const code of [500, 503, 409]) {
      sim.faults.add({ verb: "PUT", count: 1, action: { kind: "status", code } });
      const res = await raw("PUT", `${W}/w-auth`, widget("w-auth"));
      expect(res.status).toBe(code);
      expect((res.json as { kind: string }).kind).toBe("Status");
    }
  });

  it("should add latency and drop connections", async () => {
    sim.faults.add({ path: `${W}/w-auth`, count: 1, action: { kind: "latency", ms: 150 } });
    const t0 = Date.now();
    expect((await raw("GET", `${W}/w-auth`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    sim.faults.add({ path: `${W}/w-auth`, count: 1, action: { kind: "drop" } });
    await expect(raw("GET", `${W}/w-auth`)).rejects.toThrow(/socket hang up|ECONNRESET/);
  });

  it("should cut a watch after N events and answer a watch with 410", async () => {
    sim.faults.add({ verb: "watch", count: 1, action: { kind: "cut-watch", afterEvents: 1 } });
    const events: string[] = [];
    let ended = false;
    await new Watch(kc).watch(
      W,
      {},
      (type) => events.push(type),
      () => (ended = true),
    );
    await eventually(() => ended);
    expect(events).toEqual(["ADDED"]);

    sim.faults.add({ verb: "watch", count: 1, action: { kind: "watch-gone" } });
    const objs: Record<string, unknown>[] = [];
    ended = false;
    await new Watch(kc).watch(
      W,
      { resourceVersion: sim.store.currentResourceVersion() },
      (_t, o) => objs.push(o),
      () => (ended = true),
    );
    await eventually(() => ended);
    expect(objs).toEqual([expect.objectContaining({ code: 410, reason: "Expired" })]);
  });

  it("should be settable through the control API", async () => {
    const add = await raw("POST", "/_simulator/faults/add", {
      verb: "GET",
      path: `${W}/w-auth`,
      action: { kind: "status", code: 503 },
    });
    expect(add.status).toBe(200);
    const id = (add.json as { id: string }).id;
    expect(
      ((await raw("POST", "/_simulator/faults/list")).json as { faults: unknown[] }).faults,
    ).toHaveLength(1);
    expect((await raw("GET", `${W}/w-auth`)).status).toBe(503);
    await raw("POST", "/_simulator/faults/clear", { id });
    expect((await raw("GET", `${W}/w-auth`)).status).toBe(200);
    const bad = await raw("POST", "/_simulator/faults/add", { action: { kind: "explode" } });
    expect(bad.status).toBe(400);
  });
});

describe("request log", () => {
  it("should record method, path, query, verb, status, duration, mutation and user", async () => {
    const mark = sim.requests.mark();
    await raw("GET", `${W}?labelSelector=a%3Db`);
    await raw("POST", W, widget("w-log"), undefined);
    await raw("GET", `${W}/w-log`, undefined, undefined, ALICE);
    await raw("DELETE", `${W}/w-log`);
    const records = sim.requests.list({ afterSeq: mark });
    expect(records.map((r) => [r.method, r.verb, r.status, r.mutating, r.user])).toEqual([
      ["GET", "list", 200, false, "admin"],
      ["POST", "create", 201, true, "admin"],
      ["GET", "get", 200, false, "alice"],
      ["DELETE", "delete", 200, true, "admin"],
    ]);
    expect(records[0].query).toEqual({ labelSelector: "a=b" });
    expect(records[0].path).toBe(W);
    expect(records.every((r) => r.durationMs >= 0)).toBe(true);
    expect(sim.requests.list({ afterSeq: mark, mutating: true })).toHaveLength(2);
    const viaControl = await raw("POST", "/_simulator/requests/list", { afterSeq: mark, user: "alice" });
    expect((viaControl.json as { requests: unknown[] }).requests).toHaveLength(1);
    const unknown = await raw("GET", "/apis/test.sim.io/v1/namespaces/default/nothings");
    expect(unknown.status).toBe(404);
    expect(sim.requests.list({ afterSeq: mark, status: 404 }).map((r) => r.path)).toEqual([
      "/apis/test.sim.io/v1/namespaces/default/nothings",
    ]);
    sim.requests.clear();
    expect(sim.requests.list()).toEqual([]);
  });
});
