import * as grpc from "@grpc/grpc-js";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import type { LogRequest } from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { engineAddress, engineSink } from "./engine-log";
import { asOperationOf, logTo, type ProgressSink } from "./sink";

/** A stand-in for the engine's Log service: records what it is sent. */
async function fakeEngine(): Promise<{ address: string; seen: object[]; stop(): void }> {
  const seen: object[] = [];
  const server = new grpc.Server();
  server.addService(EngineService, {
    log: (call: grpc.ServerUnaryCall<LogRequest, Empty>, done: grpc.sendUnaryData<Empty>) => {
      const r = call.request;
      seen.push({
        severity: r.getSeverity(),
        message: r.getMessage(),
        urn: r.getUrn(),
        ephemeral: r.getEphemeral(),
      });
      done(null, new Empty());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, seen, stop: () => server.forceShutdown() };
}

describe("engineSink", () => {
  it("should send each line with its resource's URN, in order, ephemeral only for statuses", async () => {
    const engine = await fakeEngine();
    try {
      const sink = engineSink(engine.address, () => undefined);
      const log = logTo(sink);
      await asOperationOf("urn:pulumi:s::p::a$b::vm", async () => {
        log("vm: Starting (VMI Scheduled), 1s", "status");
        log("vm: start vm", "info");
        log("insecure", "warning");
      });
      log("the watch was cut");
      await sink.flush();
      expect(engine.seen).toEqual([
        {
          severity: 1,
          message: "vm: Starting (VMI Scheduled), 1s",
          urn: "urn:pulumi:s::p::a$b::vm",
          ephemeral: true,
        },
        { severity: 1, message: "vm: start vm", urn: "urn:pulumi:s::p::a$b::vm", ephemeral: false },
        { severity: 2, message: "insecure", urn: "urn:pulumi:s::p::a$b::vm", ephemeral: false },
        { severity: 1, message: "the watch was cut", urn: "", ephemeral: false },
      ]);
    } finally {
      engine.stop();
    }
  });

  it("should hand a line the engine does not take to the fallback, with no trace", async () => {
    const engine = await fakeEngine();
    engine.stop();
    const fallen: Parameters<ProgressSink>[] = [];
    const sink = engineSink(engine.address, (line, where) => fallen.push([line, where]));
    asOperationOf("urn:x", () => logTo(sink)("vm: stop vm"));
    await sink.flush();
    expect(fallen).toEqual([["vm: stop vm", { urn: "urn:x", kind: "info" }]]);
  });
});

describe("engineAddress", () => {
  it("should be the first argument of Pulumi's provider host, and nothing elsewhere", () => {
    const host = ["node", "/x/@pulumi/pulumi/cmd/dynamic-provider/index.js", "127.0.0.1:40123"];
    expect(engineAddress(host, true)).toBe("127.0.0.1:40123");
    expect(engineAddress(host, false)).toBeUndefined();
    expect(engineAddress(["node", "/x/cmd/dynamic-provider/index.js"], true)).toBeUndefined();
    expect(engineAddress(["node", "/x/cmd/dynamic-provider/index.js", "--flag"], true)).toBeUndefined();
  });
});
