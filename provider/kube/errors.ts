/**
 * The kube layer's errors, in one place: {@link ApiError} (an answer of the API server, or a request that got
 * none) and the one classification the rest of the provider relies on, as controller-runtime separates them:
 * a failure is either worth another try (the server was busy or the connection broke) or terminal (the server
 * said no, the credentials or the TLS peer are wrong). Classification goes by HTTP status, Status `reason` and
 * the network error's code, never by matching message text. {@link toApiError} is the one place where
 * @kubernetes/client-node's failures (an `ApiException`, a failed `fetch`) become ApiErrors.
 */
import { STATUS_CODES } from "node:http";
import { ApiException } from "@kubernetes/client-node";

/** A `metav1.Status` error answered by the API server, or a request that got no answer (`code` 0). */
export class ApiError extends Error {
  constructor(
    /** HTTP status code (0 when the connection failed before an answer). */
    readonly code: number,
    /** The Status `reason` (e.g. `Conflict`, `NotFound`, `Forbidden`), or the network error's code. */
    readonly reason: string,
    message: string,
    /** Seconds from a `Retry-After` header, if any. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** What a `metav1.Status` body may say. */
interface StatusBody {
  message?: string;
  reason?: string;
}

/**
 * The ApiError of a non-2xx answer to `method path`, in the server's words: the Status `reason` and `message`
 * of `body` (JSON text or parsed), else the body as text. kube-apiserver's 4xx messages name the object; its 5xx
 * and 429 messages do not, so those (and answers without a message) are prefixed with the request.
 */
export function statusError(
  code: number,
  body: unknown,
  retryAfter: string | undefined,
  method: string,
  path: string,
): ApiError {
  const parsed = typeof body === "string" ? parseJson(body) : body;
  const status = (parsed !== null && typeof parsed === "object" ? parsed : {}) as StatusBody;
  const text = typeof body === "string" ? body : "";
  const said = status.message ?? (text || `HTTP ${code}`);
  const message = code >= 500 || code === 429 || !status.message ? `${method} ${path}: ${said}` : said;
  const seconds = retryAfter === undefined ? NaN : Number(retryAfter);
  return new ApiError(
    code,
    status.reason ?? STATUS_CODES[code] ?? "Error",
    message,
    Number.isFinite(seconds) ? seconds : undefined,
  );
}

/** `text` parsed as JSON, or `undefined` when it is empty or not JSON. */
export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A failure below HTTP as `fetch` reports it: a TypeError whose `cause` is the socket's or TLS error. */
interface NetworkCause {
  code?: unknown;
  message?: string;
  /** Set when every address of the host failed (`AggregateError`). */
  errors?: { message?: string }[];
}

/**
 * The ApiError of any failure of the request `method path` through @kubernetes/client-node: an `ApiException`
 * (a non-2xx answer) by {@link statusError}; a request that timed out (code 0, `RequestTimeout`); a connection
 * that failed (code 0, the errno or TLS code as the reason, the request and the cause in the message). A
 * connection the server closed before answering reads as Node's own HTTP client says it (`ECONNRESET`, `socket
 * hang up`), not as undici's `other side closed`. ApiErrors and anything else are returned as they are.
 */
export function toApiError(err: unknown, method: string, path: string): unknown {
  if (err instanceof ApiError) return err;
  if (err instanceof ApiException) {
    const body = Buffer.isBuffer(err.body) ? err.body.toString("utf8") : err.body;
    return statusError(err.code, body, err.headers?.["retry-after"], method, path);
  }
  // By name and shape, not class: fetch's errors may come from another realm (e.g. under a test runner).
  const failure = (err ?? {}) as { name?: unknown; cause?: NetworkCause };
  if (failure.name === "TimeoutError") {
    return new ApiError(0, "RequestTimeout", `${method} ${path}: request timed out`);
  }
  const cause = failure.cause;
  if (failure.name !== "TypeError" || !cause || typeof cause.code !== "string") return err;
  if (cause.code === "UND_ERR_SOCKET")
    return new ApiError(0, "ECONNRESET", `${method} ${path}: socket hang up`);
  const said = cause.message || cause.errors?.find((e) => e.message)?.message || cause.code;
  return new ApiError(0, cause.code, `${method} ${path}: ${said}`);
}

/** Network error codes of a connection that broke or never opened: another try may succeed. */
const RETRYABLE_NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ENOTFOUND",
  "RequestTimeout",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Status reasons kube-apiserver gives to answers that may succeed later (`metav1.StatusReason`). */
const RETRYABLE_REASONS = new Set(["TooManyRequests", "ServerTimeout", "Timeout", "ServiceUnavailable"]);

/**
 * True for failures worth another try: 429 and 5xx answers, and connections that broke or were refused.
 * TLS failures (an unknown CA, a wrong host name, an expired certificate), 401, 403 and every other 4xx are
 * terminal: retrying cannot change them.
 */
export function isRetryable(err: unknown): err is ApiError {
  if (!(err instanceof ApiError)) return false;
  if (err.code === 0) return RETRYABLE_NETWORK.has(err.reason);
  return err.code === 429 || err.code >= 500 || RETRYABLE_REASONS.has(err.reason);
}

/** True when the server refused the credentials (401) or the permission (403). */
export function isAuthFailure(err: unknown): err is ApiError {
  return err instanceof ApiError && (err.code === 401 || err.code === 403);
}

/** True for a 404 NotFound answer. */
export function isNotFound(err: unknown): err is ApiError {
  return err instanceof ApiError && err.code === 404;
}

/** True for a 409 AlreadyExists answer to a create. */
export function isAlreadyExists(err: unknown): err is ApiError {
  return err instanceof ApiError && err.code === 409 && err.reason === "AlreadyExists";
}

/**
 * A short sentence for a failure to reach or use the cluster, in the server's words where it answered:
 * `the cluster refused the credentials (401 Unauthorized: ...)`, `cannot reach the cluster (connect
 * ECONNREFUSED 127.0.0.1:6443)`, `the cluster's TLS certificate is not trusted (...)`.
 */
export function describeApiFailure(err: unknown): string {
  if (!(err instanceof ApiError)) return err instanceof Error ? err.message : String(err);
  if (err.code === 401) return `the cluster refused the credentials (401 Unauthorized: ${err.message})`;
  if (err.code === 403) return `the cluster refused the request (403 Forbidden: ${err.message})`;
  if (err.code === 0 && !RETRYABLE_NETWORK.has(err.reason)) {
    return `cannot connect to the cluster securely (${err.reason}: ${err.message})`;
  }
  if (err.code === 0) return `cannot reach the cluster (${err.message})`;
  return err.message;
}

/**
 * The error to hand to Pulumi's dynamic provider host. The host passes check/diff/read/delete errors straight
 * to gRPC, which takes a numeric `code` property as the gRPC status: an ApiError with `code` 0 ("OK") would
 * reach the CLI as `cardinality violation: received no response message`. So every error leaves the provider
 * as a plain Error with the message (and, for partial creates, the `id`/`properties`/`reasons` the host reads).
 */
export function forEngine(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  const out = new Error(message);
  out.stack = `Error: ${message}`;
  const partial = err as { id?: unknown; properties?: unknown; reasons?: unknown };
  if (partial && typeof partial === "object" && partial.id !== undefined) {
    Object.assign(out, { id: partial.id, properties: partial.properties, reasons: partial.reasons });
  }
  return out;
}
