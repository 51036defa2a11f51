/**
 * Where the provider's progress goes. Every line names the kind it is — a lasting `info` line (a power action,
 * an adoption), a `warning`, or a `status` that only says how a wait is going — and the URN of the resource it
 * is about, so the engine can show it on that resource's row.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** What a line is: kept (`info`, `warning`) or superseded by the next one (`status`). */
export type LineKind = "info" | "warning" | "status";

/** Receives progress lines with the resource they are about (none for the provider's own lines). */
export type ProgressSink = (line: string, where: { urn?: string; kind: LineKind }) => void;

/** The provider's log as operations see it: a line and its kind (`info` unless said). */
export type Log = (line: string, kind?: LineKind) => void;

/**
 * Console lines, for a provider with no engine to send them to (the CLI shows a provider's output as
 * diagnostics of no resource).
 */
export const consoleSink: ProgressSink = (line, where) => console.log(asText(line, where.kind));

/** A line as text on its own: a warning says so. */
export function asText(line: string, kind: LineKind): string {
  return kind === "warning" ? `warning: ${line}` : line;
}

/** The URN of the resource whose operation is running, for lines logged from inside it. */
const operation = new AsyncLocalStorage<string | undefined>();

/** Runs `fn` as the operation of the resource `urn` (lines logged inside it are about that resource). */
export function asOperationOf<R>(urn: string | undefined, fn: () => R): R {
  return operation.run(urn, fn);
}

/** Runs `fn` outside any operation: what it starts (a shared watch) logs lines about no resource. */
export function outsideOperations<R>(fn: () => R): R {
  return operation.exit(fn);
}

/** A {@link Log} that attributes each line to the resource whose operation logs it. */
export function logTo(sink: ProgressSink): Log {
  return (line, kind = "info") => sink(line, { urn: operation.getStore(), kind });
}
