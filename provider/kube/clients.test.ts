import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { KubeConfig, PatchStrategy } from "@kubernetes/client-node";
import { makeClients } from "./clients";
import { warningTexts } from "./http";
import { toApiError, type ApiError } from "./errors";

/** A plain-HTTP API server on loopback answering with `handler`; it records every request. */
async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const requests: { method: string; url: string; body: string; contentType?: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      requests.push({ method: req.method!, url: req.url!, body, contentType: req.headers["content-type"] });
      handler(req, body, res);
    });
  });
  let connections = 0;
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    // client-node refuses plain http unless TLS verification is off.
    clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
  const close = () => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  };
  return { kc, requests, close, connections: () => connections };
}

const DISCOVERY = {
  kind: "APIResourceList",
  groupVersion: "kubevirt.io/v1",
  resources: [
    { name: "virtualmachines", kind: "VirtualMachine", namespaced: true, singularName: "", verbs: [] },
  ],
};

const VM = {
  apiVersion: "kubevirt.io/v1",
  kind: "VirtualMachine",
  metadata: { name: "vm", namespace: "ns", resourceVersion: "7", creationTimestamp: "2026-01-02T03:04:05Z" },
};

function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(code, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Answers discovery, and `VM` (with a deprecation warning) to everything else. */
function kubevirt(req: IncomingMessage, _body: string, res: ServerResponse) {
  if (req.url === "/apis/kubevirt.io/v1") return json(res, 200, DISCOVERY);
  json(res, 200, VM, { Warning: '299 - "spec.running is deprecated"' });
}

describe("makeClients' KubeVirt objects", () => {
  it("should discover the kind once for concurrent calls and keep KubeVirt's objects plain JSON", async () => {
    const server = await serve(kubevirt);
    try {
      const { objects } = makeClients(server.kc);
      const header = {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        metadata: { name: "vm", namespace: "ns" },
      };
      const read = await Promise.all([objects.read(header), objects.read(header), objects.read(header)]);
      expect(server.requests.filter((r) => r.url === "/apis/kubevirt.io/v1")).toHaveLength(1);
      expect(read[0]).toEqual(VM); // the timestamp stays a string
    } finally {
      await server.close();
    }
  });

  it("should send a JSON patch as the array of operations, with its content type", async () => {
    const server = await serve(kubevirt);
    try {
      const { objects } = makeClients(server.kc);
      const ops = [{ op: "replace", path: "/spec/runStrategy", value: "Halted" }];
      const patch = Object.assign([...ops], {
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        metadata: { name: "vm", namespace: "ns" },
      });
      await objects.patch(patch, undefined, undefined, undefined, undefined, PatchStrategy.JsonPatch);
      const sent = server.requests.find((r) => r.method === "PATCH")!;
      expect(sent.url).toBe("/apis/kubevirt.io/v1/namespaces/ns/virtualmachines/vm");
      expect(sent.contentType).toBe("application/json-patch+json");
      expect(JSON.parse(sent.body)).toEqual(ops);
    } finally {
      await server.close();
    }
  });
});

describe("makeClients' middleware", () => {
  it("should pass Warning headers on and throw non-2xx answers with the server's body", async () => {
    const server = await serve((req, body, res) => {
      if (req.url === "/api/v1/namespaces/gone") {
        return json(res, 401, { kind: "Status", message: "Unauthorized", reason: "Unauthorized", code: 401 });
      }
      kubevirt(req, body, res);
    });
    try {
      const warnings: string[] = [];
      const { objects, core } = makeClients(server.kc, { warn: (w) => warnings.push(w) });
      await objects.read({
        apiVersion: "kubevirt.io/v1",
        kind: "VirtualMachine",
        metadata: { name: "vm", namespace: "ns" },
      });
      expect(warnings).toEqual(["spec.running is deprecated"]);
      const err = await core.readNamespace({ name: "gone" }).catch((e: unknown) => e);
      expect(toApiError(err, "GET", "/api/v1/namespaces/gone")).toMatchObject({
        code: 401,
        reason: "Unauthorized",
        message: "Unauthorized",
      });
    } finally {
      await server.close();
    }
  });

  it("should reuse keep-alive connections for fixed credentials, not open one per request", async () => {
    const server = await serve(kubevirt);
    try {
      const { core } = makeClients(server.kc);
      for (let i = 0; i < 6; i++) await core.readNamespace({ name: "ns" }).catch(() => undefined);
      expect(server.requests).toHaveLength(6);
      // A connection returns to the pool a moment after its answer: the next request may open a second one.
      expect(server.connections()).toBeLessThanOrEqual(2);
    } finally {
      await server.close();
    }
  });

  it("should give up on a request that is never answered after the time limit", async () => {
    const server = await serve(() => undefined); // never answers
    try {
      const { core } = makeClients(server.kc, { timeoutMs: 200 });
      const started = Date.now();
      const err = (await core.readNamespace({ name: "ns" }).catch((e: unknown) => e)) as Error;
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(toApiError(err, "GET", "/api/v1/namespaces/ns")).toMatchObject({
        code: 0,
        reason: "RequestTimeout",
        message: "GET /api/v1/namespaces/ns: request timed out",
      } satisfies Partial<ApiError>);
    } finally {
      await server.close();
    }
  });
});

describe("warningTexts", () => {
  it("should take the text of each warning of a header", () => {
    expect(warningTexts(undefined)).toEqual([]);
    expect(warningTexts('299 - "a", 299 - "b \\"c\\""')).toEqual(["a", 'b \\"c\\"']);
    expect(warningTexts("not RFC 7234")).toEqual(["not RFC 7234"]);
  });
});
