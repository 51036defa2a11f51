/**
 * Test helpers for the API layer: a throwaway resource, and raw HTTP calls with the simulator's CA and token
 * (for what @kubernetes/client-node has no call for: custom subresources, JSON patch, the control API).
 */
import { request as httpsRequest } from "node:https";
import { request as httpRequest } from "node:http";
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

/** An answer of {@link rawRequest}. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
}

/** One HTTP call to the simulator. */
export function rawRequest(
  baseUrl: string,
  options: {
    method?: string;
    path: string;
    token?: string;
    body?: unknown;
    contentType?: string;
    ca?: string;
    headers?: Record<string, string>;
  },
): Promise<RawResponse> {
  const url = new URL(options.path, baseUrl);
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = { Accept: "application/json", ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (body !== undefined) {
    headers["Content-Type"] = options.contentType ?? "application/json";
    headers["Content-Length"] = String(Buffer.byteLength(body));
  }
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: options.method ?? "GET", headers, ca: options.ca, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
