/**
 * A thin JSON-over-HTTP(S) layer for the Kubernetes API. TLS and credentials (tokens, client certificates,
 * exec plugins) come from @kubernetes/client-node's `applyToHTTPSOptions`; only the request itself is here,
 * because KubeVirt's subresources (`PUT .../start`) have no typed call in the client.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { ApiError } from "./errors";

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

/** How long one request may take before it counts as a broken connection. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Sends one request to the current cluster of `kc` and parses the JSON answer; non-2xx answers throw ApiError. */
export async function apiRequest<T = unknown>(
  kc: KubeConfig,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ApiError(0, "NoCluster", "kubeconfig: no current cluster");
  const base = new URL(cluster.server);
  const url = new URL(base.pathname.replace(/\/$/, "") + path, base);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (payload !== undefined) {
    headers["Content-Type"] = options.contentType ?? "application/json";
    headers["Content-Length"] = String(Buffer.byteLength(payload));
  }
  const requestOptions: https.RequestOptions = { method, headers };
  await kc.applyToHTTPSOptions(requestOptions);
  const transport = url.protocol === "http:" ? http : https;
  return new Promise<ApiResponse<T>>((resolve, reject) => {
    const req = transport.request(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (err) => reject(networkError(err, method, path)));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const code = res.statusCode ?? 0;
        let body: unknown = undefined;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
        if (code >= 200 && code < 300) {
          resolve({ code, body: body as T, warnings: warningsOf(res.headers.warning) });
          return;
        }
        const status = (body ?? {}) as { message?: string; reason?: string };
        const retryAfter = Number(res.headers["retry-after"]);
        const said = status.message ?? (typeof body === "string" && body ? body : `HTTP ${code}`);
        // kube-apiserver's 4xx messages name the object; its 5xx and 429 messages do not: name the request.
        const message = code >= 500 || code === 429 || !status.message ? `${method} ${path}: ${said}` : said;
        reject(
          new ApiError(
            code,
            status.reason ?? http.STATUS_CODES[code] ?? "Error",
            message,
            Number.isFinite(retryAfter) ? retryAfter : undefined,
          ),
        );
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

function networkError(err: Error, method: string, path: string): ApiError {
  const code = (err as NodeJS.ErrnoException).code ?? "NetworkError";
  return new ApiError(0, code, `${method} ${path}: ${err.message}`);
}

function warningsOf(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const values = Array.isArray(header) ? header : [header];
  // RFC 7234: `299 - "text"`.
  return values.map((v) => /^\d{3}\s+\S+\s+"(.*)"/.exec(v)?.[1] ?? v);
}
