/** Writing answers: JSON bodies, Status errors, warning headers, reading request bodies. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { StatusError } from "../store/types";
import { toStatus } from "../store/errors";

/** Bodies larger than this are refused (kube-apiserver's limit is 3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** `Warning: 299 - "text"` values (RFC 7234 warn-code 299, as kube-apiserver writes admission warnings). */
export function warningHeaders(warnings: string[]): string[] {
  return warnings.map((w) => `299 - ${JSON.stringify(w.replace(/[\r\n]/g, " "))}`);
}

/** Writes a JSON body. */
export function writeJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[] | number> = {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache, private",
  };
  if (warnings.length) headers["Warning"] = warningHeaders(warnings);
  res.writeHead(code, headers);
  res.end(text);
}

/** Writes a thrown error as a `metav1.Status` body (429/503 with `Retry-After` when the error says so). */
export function writeError(res: ServerResponse, err: unknown, warnings: string[] = []): void {
  const status = toStatus(err);
  const retry =
    (err instanceof StatusError && (err.details?.retryAfterSeconds as number | undefined)) || undefined;
  if (retry !== undefined && !res.headersSent) res.setHeader("Retry-After", String(retry));
  writeJson(res, status.code, status, warnings);
}

/** Reads the whole request body as text; 413 past {@link MAX_BODY_BYTES}. */
export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).toString("utf8");
}

/** Reads the whole request body as bytes (a protobuf body is no text); 413 past {@link MAX_BODY_BYTES}. */
export function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new StatusError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The media type of a Content-Type header, without parameters, lower-cased. */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0].trim().toLowerCase();
}
