/**
 * A machine-readable trace of when the provider saw what it waited for, for benchmarks: with
 * `PULUMI_KUBEVIRT_TRACE=<file>` in the environment (the engine passes it on to the provider host), every wait
 * that ends appends one JSON line `{"t": <epoch ms>, "event": "settled", "vm": <name>, "label": <target>,
 * "resourceVersion": <of the VMI or VM seen>}` to the file. Off (and free) otherwise.
 */
import { appendFileSync } from "node:fs";

/** Where the trace goes, if anywhere (read once per process). */
const TRACE_FILE = process.env.PULUMI_KUBEVIRT_TRACE;

/** Records that the wait for `label` on `vm` ended with `resourceVersion` in view. */
export function traceSettled(vm: string, label: string, resourceVersion: string | undefined): void {
  if (!TRACE_FILE) return;
  const line = {
    t: performance.timeOrigin + performance.now(),
    event: "settled",
    vm,
    label,
    resourceVersion,
  };
  appendFileSync(TRACE_FILE, `${JSON.stringify(line)}\n`);
}
