/**
 * The simulator's Kubernetes API server: HTTPS (or plain HTTP when asked) on 127.0.0.1, bearer-token auth,
 * discovery, CRUD + watch of every registered resource, custom subresources, the control API under
 * `/_simulator/`, fault injection and the request log. It is the {@link ExtensionHost} extensions plug into.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Admitter, ControlHandler, ExtensionHost, ResourceDefinition } from "../store/extensions";
import { badRequest, conflict, methodNotSupported, unauthorized } from "../store/errors";
import { MemoryStore } from "../store/memory-store";
import { StatusError, type ResourceKey } from "../store/types";
import { allows, authenticate, forbiddenError, type RequestAttributes, type SimulatorUser } from "./auth";
import { FaultInjector, type FaultAction, type FaultRule } from "./faults";
import { ApiRegistry, NAMESPACES } from "./registry";
import { RequestLog, type RequestFilter, type RequestRecord } from "./request-log";
import { selectorOf, type HandlerContext, type ResourceRoute } from "./resources";
import { decodeBody } from "./body";
import { mediaType, readBody, readBodyBytes, writeError, writeJson } from "./respond";
import type { ServerCertificates } from "./tls";
import { tableVersion } from "./table";
import { asTable, isDryRun, runVerb } from "./verbs";
import { serveWatch } from "./watch";

/** Options of {@link ApiServer}. */
export interface ApiServerOptions {
  /** The store to serve; default a new {@link MemoryStore}. */
  store?: MemoryStore;
  /** Who may call; at least one user. */
  users: SimulatorUser[];
  /** Certificates for HTTPS; absent = plain HTTP. */
  tls?: ServerCertificates;
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** Milliseconds between BOOKMARK events on watches that ask for them. Default 10 000. */
  bookmarkIntervalMs?: number;
  /** Where the control API lives. Default `/_simulator`. */
  controlPath?: string;
  faults?: FaultInjector;
  requests?: RequestLog;
  /** What `/version` reports. Default Kubernetes v1.33.0. */
  kubernetesVersion?: { major: string; minor: string };
}

/** Paths anyone may read without a token (system:public-info-viewer). */
const PUBLIC_PATHS = new Set(["/healthz", "/livez", "/readyz", "/version"]);

/** The methods that change something (and carry a body). */
const MUTATING_METHODS = ["POST", "PUT", "PATCH", "DELETE"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server; see the module comment. */
export class ApiServer implements ExtensionHost {
  readonly store: MemoryStore;
  readonly faults: FaultInjector;
  readonly requests: RequestLog;
  readonly registry = new ApiRegistry();
  private readonly server: Server;
  private readonly users: SimulatorUser[];
  private readonly controlPath: string;
  private readonly bookmarkIntervalMs: number;
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<{ stop: () => void }>();
  private readonly version: { major: string; minor: string };
  private address: string | undefined;

  constructor(private readonly options: ApiServerOptions) {
    if (!options.users.length) throw new Error("the API server needs at least one user");
    this.store = options.store ?? new MemoryStore();
    this.faults = options.faults ?? new FaultInjector();
    this.requests = options.requests ?? new RequestLog();
    this.users = options.users;
    this.controlPath = (options.controlPath ?? "/_simulator").replace(/\/$/, "");
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 10_000;
    this.version = options.kubernetesVersion ?? { major: "1", minor: "33" };
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    this.server = options.tls
      ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
      : createHttpServer(handler);
    const track = (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    };
    this.server.on("connection", track);
    this.server.on("secureConnection", track);
    this.registerResource(NAMESPACES);
    for (const ns of ["default", "kube-system", "kube-public"]) {
      this.store.create(NAMESPACES.key, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: ns, labels: { "kubernetes.io/metadata.name": ns } },
        spec: { finalizers: ["kubernetes"] },
        status: { phase: "Active" },
      });
    }
    this.registerBuiltInControls();
  }

  // ---- ExtensionHost ----

  registerResource(definition: ResourceDefinition): void {
    this.registry.addResource(definition);
    const { key, namespaced, statusSubresource } = definition;
    this.store.defineResource(key, { namespaced, statusSubresource });
  }

  registerAdmission(key: ResourceKey, admit: Admitter): void {
    this.registry.addAdmitter(key, admit);
  }

  registerSubresource(...args: Parameters<ExtensionHost["registerSubresource"]>): void {
    const [group, versions, resource, subresource, handler] = args;
    for (const version of versions)
      this.registry.addSubresource({ group, version, resource, subresource, handler });
  }

  registerControl(name: string, handler: ControlHandler): void {
    this.registry.addControl(name, handler);
  }

  // ---- lifecycle ----

  /** Starts listening on 127.0.0.1; resolves to the base URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, "127.0.0.1", () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.address = `127.0.0.1:${port}`;
    return `${this.options.tls ? "https" : "http"}://${this.address}`;
  }

  /** Ends every watch, closes every connection and stops listening. */
  async close(): Promise<void> {
    for (const w of [...this.watches]) w.stop();
    this.store.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections?.();
    await closed;
  }

  // ---- request handling ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const method = (req.method ?? "GET").toUpperCase();
    const isControl = path === this.controlPath || path.startsWith(`${this.controlPath}/`);
    const warnings: string[] = [];
    let record: RequestRecord | undefined;
    res.on("close", () => {
      if (record) {
        record.status = res.statusCode && res.headersSent ? res.statusCode : 0;
        record.durationMs = Math.round((performance.now() - started) * 100) / 100;
      }
    });

    try {
      const user = this.authenticate(req, path);
      const { route, verb, routeError } = this.resolve(path, method, url.searchParams, isControl);
      if (!isControl) record = this.startRecord(url, path, method, verb, user);
      if (!user) throw unauthorized();
      if (isControl) return await this.handleControl(req, res, path, method, user);

      const fired = await this.injectFaults(req, res, { method, verb, path }, route, record);
      if (!fired) return;
      if (routeError) throw routeError;

      if (!route) return this.handleNonResource(res, path, method, req.headers.accept);
      this.authorize(user, verb, route);
      await this.handleResource(req, res, route, verb, url.searchParams, warnings, fired);
    } catch (err) {
      writeError(res, err, warnings);
    }
  }

  /**
   * The route and verb of a resource request. A resource path that does not route gives its error instead, to
   * answer after authentication (and to log); other paths have the method as their verb.
   */
  private resolve(
    path: string,
    method: string,
    query: URLSearchParams,
    isControl: boolean,
  ): { route?: ResourceRoute; verb: string; routeError?: unknown } {
    if (isControl || path === "/" || this.isNonResourcePath(path)) return { verb: method.toLowerCase() };
    try {
      const route = this.route(path);
      return { route, verb: this.verbOf(method, route, query) };
    } catch (routeError) {
      return { verb: method.toLowerCase(), routeError };
    }
  }

  /** Opens the request log's record of a request. */
  private startRecord(
    url: URL,
    path: string,
    method: string,
    verb: string,
    user: SimulatorUser | undefined,
  ): RequestRecord {
    return this.requests.start({
      time: new Date().toISOString(),
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      verb,
      mutating: MUTATING_METHODS.includes(method),
      user: user?.name,
      dryRun: url.searchParams.getAll("dryRun").includes("All"),
    });
  }

  /**
   * Applies the fault rules the request fires, in order: latency, a dropped connection, a lost response, an
   * injected status (thrown). Resolves to the fired actions, or to undefined when the connection was dropped.
   */
  private async injectFaults(
    req: IncomingMessage,
    res: ServerResponse,
    target: { method: string; verb: string; path: string },
    route: ResourceRoute | undefined,
    record: RequestRecord | undefined,
  ): Promise<FaultAction[] | undefined> {
    const fired = this.faults.take(target);
    if (fired.length && record) record.faults = fired.map((f) => f.kind);
    for (const f of fired) if (f.kind === "latency") await sleep(f.ms);
    if (fired.some((f) => f.kind === "drop")) {
      req.socket.destroy();
      return undefined;
    }
    if (fired.some((f) => f.kind === "lose-response")) loseResponse(req, res);
    const statusFault = fired.find((f): f is Extract<FaultAction, { kind: "status" }> => f.kind === "status");
    if (statusFault) throw faultError(statusFault, route);
    return fired;
  }

  private authenticate(req: IncomingMessage, path: string): SimulatorUser | undefined {
    const header = req.headers.authorization;
    const user = authenticate(this.users, header);
    if (!user && !header && PUBLIC_PATHS.has(path)) return { name: "system:anonymous", token: "", rules: [] };
    return user;
  }

  private authorize(user: SimulatorUser, verb: string, route: ResourceRoute): void {
    const attrs: RequestAttributes = {
      verb,
      apiGroup: route.def.key.group,
      resource: route.def.key.resource,
      subresource: route.subresource,
      namespace: route.def.namespaced ? route.namespace : undefined,
      name: route.name,
    };
    if (!allows(user, attrs)) throw forbiddenError(user, attrs);
  }

  private isNonResourcePath(path: string): boolean {
    if (PUBLIC_PATHS.has(path) || path === "/api" || path === "/apis" || path.startsWith("/openapi/"))
      return true;
    const parts = path.split("/").filter(Boolean);
    if (parts[0] === "api") return parts.length <= 2;
    if (parts[0] === "apis") return parts.length <= 3;
    return true;
  }

  private handleNonResource(
    res: ServerResponse,
    path: string,
    method: string,
    accept: string | undefined,
  ): void {
    if (method !== "GET" && method !== "HEAD") throw methodNotSupported({ group: "", resource: "" }, method);
    const parts = path.split("/").filter(Boolean);
    if (path === "/healthz" || path === "/livez" || path === "/readyz") {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("ok");
      return;
    }
    if (path === "/version") {
      return writeJson(res, 200, {
        major: this.version.major,
        minor: this.version.minor,
        gitVersion: `v${this.version.major}.${this.version.minor}.0-kubevirt-simulator`,
        gitCommit: "0000000000000000000000000000000000000000",
        gitTreeState: "clean",
        buildDate: "2026-01-01T00:00:00Z",
        goVersion: "go1.24.0",
        compiler: "gc",
        platform: "linux/amd64",
      });
    }
    if (path === "/openapi/v2") {
      // kubectl asks for protobuf; an empty protobuf message (zero bytes) is a valid, empty OpenAPI v2 document.
      if ((accept ?? "").includes("protobuf")) {
        res.writeHead(200, {
          "Content-Type": "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
          "Content-Length": 0,
        });
        res.end();
        return;
      }
      return writeJson(res, 200, {
        swagger: "2.0",
        info: { title: "Kubernetes", version: "v1.33.0" },
        paths: {},
        definitions: {},
      });
    }
    if (path === "/openapi/v3") return writeJson(res, 200, { paths: {} });
    if (path === "/api") return writeJson(res, 200, this.registry.coreVersions(this.address ?? "127.0.0.1"));
    if (path === "/apis") return writeJson(res, 200, this.registry.groupList());
    if (parts[0] === "api" && parts.length === 2) {
      const list = this.registry.resourceList("", parts[1]);
      if (list) return writeJson(res, 200, list);
    }
    if (parts[0] === "apis" && parts.length === 2) {
      const group = this.registry.group(parts[1]);
      if (group) return writeJson(res, 200, group);
    }
    if (parts[0] === "apis" && parts.length === 3) {
      const list = this.registry.resourceList(parts[1], parts[2]);
      if (list) return writeJson(res, 200, list);
    }
    throw pageNotFound();
  }

  /** Parses `/api/v1/...` and `/apis/<g>/<v>/...` resource paths. */
  private route(path: string): ResourceRoute {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === "api") [group, version, rest] = ["", parts[1], parts.slice(2)];
    else if (parts[0] === "apis") [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
    else throw pageNotFound();
    if (!this.registry.hasGroupVersion(group, version)) throw pageNotFound();
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      const namespacedDef = this.registry.resource(group, version, rest[2]);
      const customSub = rest.length >= 5 && this.registry.subresource(group, version, rest[2], rest[4]);
      if ((namespacedDef && namespacedDef.namespaced) || customSub) {
        namespace = rest[1];
        rest = rest.slice(2);
      }
    }
    const [resource, name, subresource, ...extra] = rest;
    if (!resource || extra.length) throw pageNotFound();
    const def = this.registry.resource(group, version, resource);
    if (subresource && subresource !== "status") {
      const custom = this.registry.subresource(group, version, resource, subresource);
      if (!custom) throw pageNotFound();
      const owner = def ?? this.registry.allResources().find((d) => d.key.resource === resource);
      const syntheticDef: ResourceDefinition = owner
        ? { ...owner, key: { group, version, resource } }
        : {
            key: { group, version, resource },
            kind: "",
            listKind: "",
            singular: "",
            namespaced: true,
            statusSubresource: false,
          };
      return { def: syntheticDef, version, namespace, name, subresource };
    }
    if (!def) throw pageNotFound();
    if (def.namespaced ? namespace === undefined && name !== undefined : namespace !== undefined)
      throw pageNotFound();
    if (subresource === "status" && !def.statusSubresource) throw pageNotFound();
    return { def, version, namespace, name, subresource };
  }

  private verbOf(method: string, route: ResourceRoute, query: URLSearchParams): string {
    if (isCustomSubresource(route))
      return method === "PUT" ? "update" : method === "GET" ? "get" : method.toLowerCase();
    switch (method) {
      case "GET":
      case "HEAD":
        if (route.name) return "get";
        return ["true", "1"].includes(query.get("watch") ?? "") ? "watch" : "list";
      case "POST":
        return "create";
      case "PUT":
        return "update";
      case "PATCH":
        return "patch";
      case "DELETE":
        return route.name ? "delete" : "deletecollection";
      default:
        return method.toLowerCase();
    }
  }

  /** Serves a resource request: a custom subresource, a watch, or one of the verbs of `verbs.ts`. */
  private async handleResource(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    verb: string,
    query: URLSearchParams,
    warnings: string[],
    fired: FaultAction[],
  ): Promise<void> {
    const raw = MUTATING_METHODS.includes(req.method ?? "") ? await readBodyBytes(req) : Buffer.alloc(0);
    const dryRun = isDryRun(query);
    if (isCustomSubresource(route)) {
      const text = raw.toString("utf8");
      return this.serveCustomSubresource(req, res, route, verb, text, query.getAll("dryRun"), warnings);
    }
    if (verb === "watch") return this.serveWatchRequest(req, res, route, query, fired);
    const ctx: HandlerContext = {
      store: this.store,
      registry: this.registry,
      route,
      query,
      ...decodeBody(route, verb, mediaType(req.headers["content-type"]), raw),
      dryRun,
      warnings,
    };
    const result = asTable(verb, ctx, runVerb(verb, ctx), tableVersion(req.headers.accept));
    writeJson(res, result.code, result.body, warnings);
  }

  /**
   * PUT of a custom subresource: the registered handler answers. virt-api's routes (go-restful) declare no
   * representation, so an `Accept` header that does not allow any type is answered 406 before the handler runs
   * (docs/kubevirt-behaviour.md §1.1).
   */
  private async serveCustomSubresource(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    verb: string,
    body: string,
    dryRun: string[],
    warnings: string[],
  ): Promise<void> {
    const { group, resource } = route.def.key;
    const custom = this.registry.subresource(group, route.version, resource, route.subresource ?? "");
    if (!custom || verb !== "update") throw methodNotSupported(route.def.key, verb);
    if (!acceptsAnyType(req.headers.accept)) {
      const text = "406: Not Acceptable\n\nAvailable representations: ";
      res.writeHead(406, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const result = await custom.handler({
      namespace: route.namespace ?? "",
      name: route.name ?? "",
      body,
      dryRun,
    });
    if (result.body === undefined) {
      res.writeHead(result.code, { "Content-Length": 0 });
      res.end();
    } else writeJson(res, result.code, result.body, warnings);
  }

  /** A watch of a collection, kept until it ends so that {@link close} can end it. */
  private serveWatchRequest(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
    fired: FaultAction[],
  ): void {
    const timeout = query.get("timeoutSeconds");
    const watch = serveWatch(
      this.store,
      res,
      {
        def: route.def,
        version: route.version,
        namespace: route.namespace,
        selector: selectorOf(query),
        resourceVersion: query.get("resourceVersion") ?? undefined,
        bookmarks: query.get("allowWatchBookmarks") === "true",
        initialEvents: query.get("sendInitialEvents") === "true",
        timeoutSeconds: timeout === null ? undefined : Number(timeout),
        bookmarkIntervalMs: this.bookmarkIntervalMs,
        faults: fired,
        table: tableVersion(req.headers.accept),
      },
      () => this.watches.delete(watch),
    );
    this.watches.add(watch);
  }

  // ---- control API ----

  private async handleControl(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    method: string,
    user: SimulatorUser,
  ): Promise<void> {
    if (!(user.control ?? user.rules === undefined)) {
      throw new StatusError(403, "Forbidden", `forbidden: User "${user.name}" cannot post path "${path}"`);
    }
    const name = path.slice(this.controlPath.length + 1);
    const handler = this.registry.control(name);
    if (!handler) throw pageNotFound();
    if (method !== "POST")
      throw new StatusError(405, "MethodNotAllowed", "the control API takes POST with a JSON body");
    const text = await readBody(req);
    let body: unknown = undefined;
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch (e) {
        throw badRequest(`invalid JSON: ${(e as Error).message}`);
      }
    }
    let result: unknown;
    try {
      result = await handler(body);
    } catch (e) {
      if (e instanceof StatusError) throw e;
      throw badRequest(e instanceof Error ? e.message : String(e));
    }
    writeJson(res, 200, result ?? {});
  }

  private registerBuiltInControls(): void {
    this.registerControl("faults/add", (body) => ({ id: this.faults.add(body as FaultRule) }));
    this.registerControl("faults/clear", (body) => {
      this.faults.clear((body as { id?: string } | undefined)?.id);
      return {};
    });
    this.registerControl("faults/list", () => ({ faults: this.faults.list() }));
    this.registerControl("requests/list", (body) => ({
      requests: this.requests.list((body ?? {}) as RequestFilter),
    }));
    this.registerControl("requests/clear", () => {
      this.requests.clear();
      return {};
    });
    this.registerControl("requests/mark", () => ({ seq: this.requests.mark() }));
  }
}

/** Whether the route addresses a registered subresource other than `status`. */
function isCustomSubresource(route: ResourceRoute): boolean {
  return !!route.subresource && route.subresource !== "status";
}

/** The 404 of an unknown path. */
function pageNotFound(): StatusError {
  return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
}

/** The Status answer of a `status` fault (default messages as errors.NewGenericServerResponse words them). */
function faultError(
  f: Extract<FaultAction, { kind: "status" }>,
  route: ResourceRoute | undefined,
): StatusError {
  const defaults: Record<number, [string, string]> = {
    409: ["Conflict", "the server reported a conflict"],
    429: ["TooManyRequests", "the server has received too many requests and has asked us to try again later"],
    500: [
      "InternalError",
      'an error on the server ("injected fault") has prevented the request from succeeding',
    ],
    503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
    504: [
      "Timeout",
      "the server was unable to return a response in the time allotted, but may still be processing the request",
    ],
  };
  const [reason, message] = defaults[f.code] ?? ["InternalError", `injected fault ${f.code}`];
  const details: Record<string, unknown> = {};
  if (route?.name) details.name = route.name;
  if (route?.def.key.group) details.group = route.def.key.group;
  if (route) details.kind = route.def.key.resource;
  const retry = f.retryAfterSeconds ?? (f.code === 429 || f.code === 503 ? 1 : undefined);
  if (retry !== undefined) details.retryAfterSeconds = retry;
  if (f.code === 409 && route?.name && !f.message) {
    // Without a message, a 409 fault looks like an optimistic-concurrency conflict on the addressed object.
    const e = conflict(route.def.key, route.name);
    return new StatusError(409, f.reason ?? e.reason, e.message, details);
  }
  return new StatusError(f.code, f.reason ?? reason, f.message ?? message, details);
}

/** Lets the handler run to completion but destroys the connection instead of sending its answer. */
function loseResponse(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead = () => res;
  res.write = () => true;
  res.end = () => {
    req.socket.destroy();
    return res;
  };
}

/** Whether an `Accept` header lets go-restful answer with a route that declares no type: absent, empty or with a wildcard. */
function acceptsAnyType(accept: string | undefined): boolean {
  if (!accept?.trim()) return true;
  return accept.split(",").some((part) => part.split(";")[0].trim() === "*/*");
}
