import { startSimulator, type SimulatorHandle } from "../index";
import { NAMESPACES } from "./registry";
import { protobufBody } from "./protobuf";
import { request, WIDGETS, type HttpResponse } from "./testing";

const PROTOBUF = "application/vnd.kubernetes.protobuf";
/**
 * The body kubectl v1.37.2 sends for `kubectl create namespace x` (captured): client-go's typed clientset
 * prefers protobuf for built-in kinds, and gogo writes every non-pointer field, empty or not.
 */
const KUBECTL_CREATE_NAMESPACE_X = Buffer.from(
  "6b3873000a0f0a02763112094e616d65737061636512190a110a017812001a0022002a0032003800420012001a020a001a002200",
  "hex",
);
const UNSUPPORTED =
  "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf";

let sim: SimulatorHandle;
const call = (method: string, path: string, body?: unknown, contentType?: string): Promise<HttpResponse> =>
  request({ url: sim.url, token: sim.token, ca: sim.caCert }, method, path, { body, contentType });
const status = (r: HttpResponse) => {
  const s = r.json as { code: number; reason: string; message: string };
  return [r.status, s.reason, s.message];
};

beforeAll(async () => {
  sim = await startSimulator({ kubevirt: false });
  sim.host.registerResource(WIDGETS);
});
afterAll(() => sim.stop());

describe("request bodies by Content-Type", () => {
  it("should decode the protobuf Namespace kubectl create namespace sends, keeping no gogo empty fields", async () => {
    const r = await call(
      "POST",
      "/api/v1/namespaces?fieldManager=kubectl-create",
      KUBECTL_CREATE_NAMESPACE_X,
      PROTOBUF,
    );
    expect(r.status).toBe(201);
    expect(r.headers["content-type"]).toBe("application/json");
    // The same namespace as the JSON body kubectl would send for it.
    await call("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "xj" },
    });
    const shape = (name: string) => {
      const { metadata, ...rest } = sim.store.get(NAMESPACES.key, "", name)!;
      return { ...rest, metadata: Object.keys(metadata).sort() };
    };
    expect(shape("x")).toEqual(shape("xj"));
    expect(r.json).toMatchObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } });
  });

  it("should decode labels, annotations, finalizers and owner references of a protobuf ObjectMeta", async () => {
    const owner = sim.store.get(NAMESPACES.key, "", "default")!.metadata.uid!;
    const body = protobufBody("v1", "Namespace", {
      1: {
        1: "pb-meta",
        2: "",
        3: "",
        8: {},
        11: [
          { 1: "team", 2: "a" },
          { 1: "tier", 2: "b" },
        ],
        12: { 1: "note", 2: "hello" },
        13: [{ 1: "Namespace", 3: "default", 4: owner, 5: "v1", 6: true }],
        14: ["example.com/keep"],
      },
      2: { 1: ["kubernetes"] },
      3: { 1: "" },
    });
    expect((await call("POST", "/api/v1/namespaces", body, PROTOBUF)).status).toBe(201);
    const ns = sim.store.get(NAMESPACES.key, "", "pb-meta")!;
    expect(ns.metadata.labels).toEqual({ team: "a", tier: "b" });
    expect(ns.metadata.annotations).toEqual({ note: "hello" });
    expect(ns.metadata.finalizers).toEqual(["example.com/keep"]);
    expect(ns.metadata.ownerReferences).toEqual([
      { apiVersion: "v1", kind: "Namespace", name: "default", uid: owner, controller: true },
    ]);
    expect(ns.spec).toEqual({ finalizers: ["kubernetes"] });
  });

  it("should read a protobuf DeleteOptions body, keeping a zero gracePeriodSeconds and the preconditions", async () => {
    await call("POST", "/api/v1/namespaces", { metadata: { name: "pb-del" } });
    const uid = sim.store.get(NAMESPACES.key, "", "pb-del")!.metadata.uid!;
    const stale = protobufBody("v1", "DeleteOptions", { 1: 0, 2: { 1: "not-the-uid" } });
    const refused = await call("DELETE", "/api/v1/namespaces/pb-del", stale, PROTOBUF);
    expect(refused.status).toBe(409);
    expect((refused.json as { message: string }).message).toContain("not-the-uid");
    const ok = protobufBody("v1", "DeleteOptions", { 1: 0, 2: { 1: uid }, 4: "Background" });
    expect((await call("DELETE", "/api/v1/namespaces/pb-del", ok, PROTOBUF)).status).toBe(200);
    expect(sim.store.get(NAMESPACES.key, "", "pb-del")).toBeUndefined();
  });

  it("should answer a malformed protobuf body with kube-apiserver's 400s", async () => {
    expect(status(await call("POST", "/api/v1/namespaces", "hello", PROTOBUF))).toEqual([
      400,
      "BadRequest",
      "the object provided is unrecognized (must be of type Namespace): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (68656c6c6f)",
    ]);
    expect(status(await call("POST", "/api/v1/namespaces", Buffer.from("k8s\0"), PROTOBUF))).toEqual([
      400,
      "BadRequest",
      "the object provided is unrecognized (must be of type Namespace): empty body (6b387300)",
    ]);
    await call("POST", "/api/v1/namespaces", { metadata: { name: "pb-bad-del" } });
    expect(status(await call("DELETE", "/api/v1/namespaces/pb-bad-del", "{}", PROTOBUF))).toEqual([
      400,
      "BadRequest",
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    ]);
  });

  it("should answer a media type kube-apiserver does not know with its 415 Status", async () => {
    const body = JSON.stringify({ metadata: { name: "plain" } });
    expect(status(await call("POST", "/api/v1/namespaces", body, "text/plain"))).toEqual([
      415,
      "UnsupportedMediaType",
      UNSUPPORTED,
    ]);
    expect(sim.store.get(NAMESPACES.key, "", "plain")).toBeUndefined();
    await call("POST", "/api/v1/namespaces", { metadata: { name: "plain-del" } });
    expect(status(await call("DELETE", "/api/v1/namespaces/plain-del", "{}", "text/plain"))).toEqual([
      415,
      "UnsupportedMediaType",
      UNSUPPORTED,
    ]);
    // delete.go negotiates only a body that is there; a verb the route lacks is 405 first.
    expect((await call("DELETE", "/api/v1/namespaces/plain-del", "", "text/plain")).status).toBe(200);
    expect((await call("POST", "/api/v1/namespaces/default", body, "text/plain")).status).toBe(405);
  });

  it("should take JSON with or without a Content-Type and parameters", async () => {
    const ns = (name: string) => JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
    expect(
      (await call("POST", "/api/v1/namespaces", ns("j1"), "application/json; charset=utf-8")).status,
    ).toBe(201);
    expect((await call("POST", "/api/v1/namespaces", ns("j2"), "")).status).toBe(201);
  });

  it("should answer protobuf for a custom resource with a 415 naming JSON and YAML", async () => {
    const body = protobufBody("test.sim.io/v1", "Widget", { 1: { 1: "w" } });
    expect(
      status(await call("POST", "/apis/test.sim.io/v1/namespaces/default/widgets", body, PROTOBUF)),
    ).toEqual([
      415,
      "UnsupportedMediaType",
      "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml",
    ]);
  });

  it("should say that it does not parse YAML bodies", async () => {
    const r = await call("POST", "/api/v1/namespaces", "metadata:\n  name: y\n", "application/yaml");
    expect(status(r)).toEqual([
      400,
      "BadRequest",
      "the object provided is unrecognized (must be of type Namespace): the simulator does not decode application/yaml bodies; send application/json",
    ]);
  });
});
