import { ApiError, describeApiFailure, forEngine, isAlreadyExists, isRetryable } from "./errors";

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
