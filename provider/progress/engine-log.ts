/**
 * Progress through the Pulumi engine's `Log` RPC, as @pulumi/pulumi's own log module sends it from a program:
 * each line carries the URN of the resource it is about, so the CLI shows it on that resource's row (an
 * ephemeral status replaces the row's previous one; info and warnings are kept under the resource in
 * Diagnostics) and Automation API events carry the URN. Pulumi starts every provider with the engine's address
 * as its first argument, the dynamic provider host included.
 */
import { createRequire } from "node:module";
import type * as grpcModule from "@grpc/grpc-js";
import type { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import type { ProgressSink } from "./sink";

const SEVERITY = { info: LogSeverity.INFO, warning: LogSeverity.WARNING, status: LogSeverity.INFO } as const;

/**
 * A sink that sends each line to the engine at `address`, in order (one RPC at a time, like @pulumi/pulumi's
 * log module). A line the engine does not take (it is shutting down) goes to `fallback` instead, so nothing is
 * lost and no gRPC trace is printed.
 */
export function engineSink(
  address: string,
  fallback: ProgressSink,
): ProgressSink & { flush(): Promise<void> } {
  // The gRPC library @pulumi/pulumi's generated client was built with (one copy: its classes must match).
  const load = createRequire(require.resolve("@pulumi/pulumi/proto/engine_grpc_pb"));
  const grpc = load("@grpc/grpc-js") as typeof grpcModule;
  const { EngineClient: Client } = load("./engine_grpc_pb") as { EngineClient: typeof EngineClient };
  const client = new Client(address, grpc.credentials.createInsecure());
  let last = Promise.resolve();
  const sink = (line: string, where: { urn?: string; kind: "info" | "warning" | "status" }) => {
    const req = new LogRequest();
    req.setSeverity(SEVERITY[where.kind]);
    req.setMessage(line);
    req.setUrn(where.urn ?? "");
    req.setEphemeral(where.kind === "status");
    last = last.then(
      () =>
        new Promise<void>((resolve) => client.log(req, (err) => (err && fallback(line, where), resolve()))),
    );
  };
  return Object.assign(sink, { flush: () => last });
}

/** The engine's address when this process is a provider Pulumi started (its first argument), else undefined. */
export function engineAddress(argv: readonly string[], isProviderHost: boolean): string | undefined {
  const address = argv[2];
  return isProviderHost && address && /^[\w.[\]:-]+:\d+$/.test(address) ? address : undefined;
}
