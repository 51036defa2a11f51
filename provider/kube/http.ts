/**
 * A thin JSON-over-HTTP(S) layer for the Kubernetes API. TLS and credentials (tokens, client certificates,
 * exec plugins) come from @kubernetes/client-node's `applyToHTTPSOptions`; only the request itself is here,
 * because KubeVirt's subresources (`PUT .../start`) have no typed call in the client. {@link sendRequest} is
 * the one place that speaks HTTP; {@link apiRequest} turns its non-2xx answers into ApiErrors.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiError, parseJson, statusError } from "./errors";

/** A successful answer. */
export interface ApiResponse<T = unknown> {
  code: number;
  body: T;
  /** `Warning` headers (e.g. KubeVirt's deprecation warning for `spec.running`). */
  warnings: string[];
}

/** Options of one request. */
export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
}

/** Options of {@link sendRequest}. */
export interface SendOptions extends RequestOptions {
  /** A JSON value, or a string sent as is (e.g. YAML or a malformed body). */
  body?: unknown;
  /**
   * More request headers. `Accept` is JSON, then any type, unless given here, as client-go sends it: KubeVirt's
   * start/stop/restart routes declare no representation, so `application/json` alone is answered 406.
   */
  headers?: Record<string, string>;
  /** The agent to send with, e.g. a shared keep-alive agent; by default the kubeconfig's agent. */
  agent?: http.Agent | false;
}

/** Any answer of {@link sendRequest}, whatever its status. */
export interface HttpResponse<T = unknown> {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is empty or not JSON). */
  json: T;
  /** `Warning` headers (e.g. KubeVirt's deprecation warning for `spec.running`). */
  warnings: string[];
}

/** How long one request may take before it counts as a broken connection. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Sends one request to the current cluster of `kc` and reads the whole answer; it does not throw on an HTTP
 * status. Network errors (and a missing cluster) reject with an ApiError of code 0 naming the request.
 */
export async function sendRequest<T = unknown>(
  kc: KubeConfig,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<HttpResponse<T>> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ApiError(0, "NoCluster", "kubeconfig: no current cluster");
  const base = new URL(cluster.server);
  const url = new URL(base.pathname.replace(/\/$/, "") + path, base);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const payload =
    options.body === undefined || typeof options.body === "string"
      ? options.body
      : JSON.stringify(options.body);
  const headers: Record<string, string> = { Accept: "application/json, */*", ...options.headers };
  if (payload !== undefined) {
    headers["Content-Type"] = options.contentType ?? "application/json";
    headers["Content-Length"] = String(Buffer.byteLength(payload));
  }
  const requestOptions: https.RequestOptions = { method, headers };
  await kc.applyToHTTPSOptions(requestOptions);
  if (options.agent !== undefined) requestOptions.agent = options.agent;
  const transport = url.protocol === "http:" ? http : https;
  return new Promise<HttpResponse<T>>((resolve, reject) => {
    const req = transport.request(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (err) => reject(networkError(err, method, path)));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: parseJson(text) as T,
          warnings: warningsOf(res.headers.warning),
        });
      });
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(Object.assign(new Error("request timed out"), { code: "RequestTimeout" })),
    );
    req.on("error", (err) => reject(networkError(err, method, path)));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Sends one request to the current cluster of `kc` and parses the JSON answer; non-2xx answers throw ApiError. */
export async function apiRequest<T = unknown>(
  kc: KubeConfig,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const res = await sendRequest(kc, method, path, {
    ...options,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const code = res.status;
  // An answer that is not JSON is kept as text.
  const body = res.json === undefined && res.text ? res.text : res.json;
  if (code >= 200 && code < 300) return { code, body: body as T, warnings: res.warnings };
  const retryAfter = res.headers["retry-after"];
  throw statusError(code, body ?? "", typeof retryAfter === "string" ? retryAfter : undefined, method, path);
}

function networkError(err: Error, method: string, path: string): ApiError {
  const code = (err as NodeJS.ErrnoException).code ?? "NetworkError";
  return new ApiError(0, code, `${method} ${path}: ${err.message}`);
}

function warningsOf(header: string | string[] | undefined): string[] {
  return (Array.isArray(header) ? header : header ? [header] : []).flatMap(warningTexts);
}

/** The texts of `Warning` headers (RFC 7234: `299 - "text"`, several joined by commas). */
export function warningTexts(header: string | undefined): string[] {
  if (!header) return [];
  const texts = [...header.matchAll(/\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
  return texts.length > 0 ? texts : [header];
}
