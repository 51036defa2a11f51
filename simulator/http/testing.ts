/**
 * Test helpers for the API layer, shared by the simulator's tests, its benchmarks and the project's suites: a
 * throwaway resource, and the one HTTP client for calls @kubernetes/client-node has no method for.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import type { ResourceDefinition } from "../store/extensions";

/** A namespaced test resource with a status subresource: `widgets.test.sim.io/v1`. */
export const WIDGETS: ResourceDefinition = {
  key: { group: "test.sim.io", version: "v1", resource: "widgets" },
  kind: "Widget",
  listKind: "WidgetList",
  singular: "widget",
  shortNames: ["wd"],
  namespaced: true,
  statusSubresource: true,
};

/** Where a {@link request} goes: an API server's URL, with the bearer token and the CA of its certificate. */
export interface Endpoint {
  url: string;
  token?: string;
  /** PEM; without it, Node's default CAs. */
  ca?: string;
}

/** Options of one {@link request}. */
export interface RequestOptions {
  /** A JSON value, or a string or Buffer sent as is (e.g. YAML, protobuf or a malformed body). */
  body?: unknown;
  /** The `Content-Type` of a body; `application/json` by default. */
  contentType?: string;
  /**
   * More request headers. `Accept` is JSON, then any type, unless given here, as client-go sends it: KubeVirt's
   * start/stop/restart routes declare no representation, so `application/json` alone is answered 406.
   */
  headers?: Record<string, string>;
  /** The agent to send with, e.g. a shared keep-alive agent; by default the kubeconfig's (or Node's global) one. */
  agent?: http.Agent | false;
}

/** Any answer of {@link request}, whatever its status. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is empty or not JSON). */
  json: T;
  /** The texts of the `Warning` headers (`299 - "text"`). */
  warnings: string[];
}

/** How long one request may take before it counts as a broken connection. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * One HTTP call, to the cluster of a kubeconfig (its TLS and credentials) or to an {@link Endpoint}; any status
 * is an answer, only network errors reject. For what @kubernetes/client-node has no call for: custom
 * subresources, JSON patch, malformed bodies, the simulator's control API.
 */
export async function request<T = unknown>(
  to: KubeConfig | Endpoint,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResponse<T>> {
  const { server, tls } = await connectionOf(to);
  const base = new URL(server);
  const url = new URL(base.pathname.replace(/\/$/, "") + path, base);
  const payload =
    options.body === undefined || typeof options.body === "string" || Buffer.isBuffer(options.body)
      ? options.body
      : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(tls.headers as Record<string, string> | undefined),
    Accept: "application/json, */*",
    ...options.headers,
  };
  if (payload !== undefined) {
    headers["Content-Type"] = options.contentType ?? "application/json";
    headers["Content-Length"] = String(Buffer.byteLength(payload));
  }
  const requestOptions: https.RequestOptions = { ...tls, method, headers };
  if (options.agent !== undefined) requestOptions.agent = options.agent;
  const transport = url.protocol === "http:" ? http : https;
  return new Promise<HttpResponse<T>>((resolve, reject) => {
    const fail = (err: Error) => reject(new Error(`${method} ${path}: ${err.message}`, { cause: err }));
    const req = transport.request(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", fail);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: parseJson(text) as T,
          warnings: warningTexts(res.headers.warning),
        });
      });
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error("request timed out")));
    req.on("error", fail);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** The server URL of `to`, and the TLS and auth options (CA, client certificate, token header) to reach it. */
async function connectionOf(
  to: KubeConfig | Endpoint,
): Promise<{ server: string; tls: https.RequestOptions }> {
  if ("url" in to) {
    const headers = to.token === undefined ? {} : { Authorization: `Bearer ${to.token}` };
    return { server: to.url, tls: { ca: to.ca, headers } };
  }
  const cluster = to.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig: no current cluster");
  const tls: https.RequestOptions = {};
  await to.applyToHTTPSOptions(tls);
  return { server: cluster.server, tls };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The quoted texts of `Warning` headers (RFC 7234: `299 - "text"`); a header of another form is kept whole. */
function warningTexts(header: string | string[] | undefined): string[] {
  return (Array.isArray(header) ? header : header ? [header] : []).flatMap((h) => {
    const texts = [...h.matchAll(/\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
    return texts.length > 0 ? texts : [h];
  });
}
