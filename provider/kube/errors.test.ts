import { ApiException } from "@kubernetes/client-node";
import {
  ApiError,
  describeApiFailure,
  forEngine,
  isAlreadyExists,
  isRetryable,
  statusError,
  toApiError,
} from "./errors";

describe("isRetryable", () => {
  it.each([
    [429, "TooManyRequests", true],
    [500, "InternalError", true],
    [503, "ServiceUnavailable", true],
    [504, "Timeout", true],
    [0, "ECONNREFUSED", true],
    [0, "ECONNRESET", true],
    [0, "RequestTimeout", true],
    [0, "DEPTH_ZERO_SELF_SIGNED_CERT", false],
    [0, "UNABLE_TO_VERIFY_LEAF_SIGNATURE", false],
    [0, "ERR_TLS_CERT_ALTNAME_INVALID", false],
    [0, "CERT_HAS_EXPIRED", false],
    [400, "BadRequest", false],
    [401, "Unauthorized", false],
    [403, "Forbidden", false],
    [404, "NotFound", false],
    [409, "AlreadyExists", false],
    [422, "Invalid", false],
  ])("should classify %i %s as retryable: %s", (code, reason, expected) => {
    expect(isRetryable(new ApiError(code, reason, "m"))).toBe(expected);
  });

  it("should not retry errors that are not API errors", () => {
    expect(isRetryable(new Error("boom"))).toBe(false);
  });
});

describe("describeApiFailure", () => {
  it("should say what went wrong in the server's words", () => {
    expect(describeApiFailure(new ApiError(401, "Unauthorized", "Unauthorized"))).toBe(
      "the cluster refused the credentials (401 Unauthorized: Unauthorized)",
    );
    expect(
      describeApiFailure(new ApiError(0, "ECONNREFUSED", "GET /x: connect ECONNREFUSED 127.0.0.1:1")),
    ).toBe("cannot reach the cluster (GET /x: connect ECONNREFUSED 127.0.0.1:1)");
    expect(describeApiFailure(new ApiError(0, "SELF_SIGNED_CERT_IN_CHAIN", "GET /x: self-signed"))).toMatch(
      /^cannot connect to the cluster securely \(SELF_SIGNED_CERT_IN_CHAIN/,
    );
  });
});

describe("forEngine", () => {
  it("should drop the numeric code that gRPC would take as its status, keeping the message", () => {
    const out = forEngine(new ApiError(0, "ECONNRESET", "socket hang up"));
    expect(out).not.toHaveProperty("code");
    expect(out.message).toBe("socket hang up");
    expect(out.stack).toBe("Error: socket hang up");
  });

  it("should keep what the engine needs to record a partial create", () => {
    const partial = Object.assign(new Error("not Ready"), {
      id: "ns/vm",
      properties: { a: 1 },
      reasons: ["r"],
    });
    expect(forEngine(partial)).toMatchObject({ id: "ns/vm", properties: { a: 1 }, reasons: ["r"] });
  });

  it("should tell AlreadyExists from other conflicts", () => {
    expect(isAlreadyExists(new ApiError(409, "AlreadyExists", "x"))).toBe(true);
    expect(isAlreadyExists(new ApiError(409, "Conflict", "x"))).toBe(false);
  });
});

describe("statusError", () => {
  const status = (code: number, reason: string, message: string) =>
    JSON.stringify({ kind: "Status", code, reason, message });

  it("should keep a 4xx message, which names the object, as the server said it", () => {
    const err = statusError(
      404,
      status(404, "NotFound", 'virtualmachines.kubevirt.io "x" not found'),
      undefined,
      "GET",
      "/p",
    );
    expect(err).toMatchObject({
      code: 404,
      reason: "NotFound",
      message: 'virtualmachines.kubevirt.io "x" not found',
    });
  });

  it("should name the request in 5xx and 429 messages, and in answers that are not a Status", () => {
    expect(statusError(503, status(503, "ServiceUnavailable", "busy"), undefined, "PUT", "/p").message).toBe(
      "PUT /p: busy",
    );
    expect(statusError(429, status(429, "TooManyRequests", "slow down"), "2", "GET", "/p")).toMatchObject({
      message: "GET /p: slow down",
      retryAfterSeconds: 2,
    });
    expect(statusError(502, "bad gateway", undefined, "GET", "/p")).toMatchObject({
      reason: "Bad Gateway",
      message: "GET /p: bad gateway",
    });
    expect(statusError(500, undefined, undefined, "GET", "/p").message).toBe("GET /p: HTTP 500");
  });
});

/** What undici's fetch rejects with when the connection fails. */
const fetchFailure = (cause: Record<string, unknown>) =>
  Object.assign(new TypeError("fetch failed"), { cause });

describe("toApiError", () => {
  it("should turn client-node's ApiException into the server's Status", () => {
    const body = JSON.stringify({
      kind: "Status",
      reason: "Conflict",
      message: "the object has been modified",
    });
    const err = toApiError(new ApiException(409, "Conflict", body, {}), "PATCH", "/p");
    expect(err).toEqual(new ApiError(409, "Conflict", "the object has been modified"));
  });

  it("should give network failures code 0 and the errno code as the reason, naming the request", () => {
    const refused = toApiError(
      fetchFailure({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:1" }),
      "GET",
      "/p",
    );
    expect(refused).toMatchObject({
      code: 0,
      reason: "ECONNREFUSED",
      message: "GET /p: connect ECONNREFUSED 127.0.0.1:1",
    });
    expect(isRetryable(refused)).toBe(true);
    const everyAddress = fetchFailure({
      code: "ECONNREFUSED",
      message: "",
      errors: [{ message: "connect ECONNREFUSED ::1:1" }],
    });
    expect(toApiError(everyAddress, "GET", "/p")).toMatchObject({
      message: "GET /p: connect ECONNREFUSED ::1:1",
    });
    const tls = toApiError(
      fetchFailure({ code: "SELF_SIGNED_CERT_IN_CHAIN", message: "self-signed" }),
      "GET",
      "/p",
    );
    expect(isRetryable(tls)).toBe(false);
  });
});

describe("toApiError of requests that got no answer", () => {
  it("should word a connection closed before the answer as Node's HTTP client does", () => {
    const closed = toApiError(
      fetchFailure({ code: "UND_ERR_SOCKET", message: "other side closed" }),
      "GET",
      "/p",
    );
    expect(closed).toMatchObject({ code: 0, reason: "ECONNRESET", message: "GET /p: socket hang up" });
  });

  it("should make a timed-out request a retryable RequestTimeout", () => {
    const timedOut = toApiError(
      new DOMException("The operation was aborted due to timeout", "TimeoutError"),
      "GET",
      "/p",
    );
    expect(timedOut).toMatchObject({
      code: 0,
      reason: "RequestTimeout",
      message: "GET /p: request timed out",
    });
    expect(isRetryable(timedOut)).toBe(true);
  });

  it("should leave other errors as they are", () => {
    const own = new ApiError(404, "NotFound", "x");
    expect(toApiError(own, "GET", "/p")).toBe(own);
    const other = new Error("kubeconfig: exec plugin failed");
    expect(toApiError(other, "GET", "/p")).toBe(other);
  });
});
