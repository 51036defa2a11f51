/**
 * Watch streams: newline-delimited JSON `{"type":..,"object":..}` events, resumable from a resourceVersion,
 * with periodic BOOKMARKs on request and `timeoutSeconds`. A resourceVersion older than the store's history is
 * answered as kube-apiserver answers it: HTTP 200, then one ERROR event carrying a 410 Expired Status, then the
 * end of the stream (the cacher returns "a watch that immediately reports the error"). A watch-list
 * (`sendInitialEvents=true`) gets the current state, then the bookmark that ends it, as kube-apiserver sends them.
 */
import type { ServerResponse } from "node:http";
import type { ResourceDefinition } from "../store/extensions";
import { toStatus } from "../store/errors";
import type { MemoryStore, StoredEvent } from "../store/memory-store";
import type { Selector } from "../store/selectors";
import { StatusError, type KubeObject } from "../store/types";
import type { FaultAction } from "./faults";
import { toTable } from "./table";

/** What one watch request asked for. */
export interface WatchRequest {
  def: ResourceDefinition;
  /** The version the client asked for; objects are served with this apiVersion. */
  version: string;
  namespace?: string;
  selector: Selector;
  resourceVersion?: string;
  bookmarks: boolean;
  /**
   * `sendInitialEvents=true` (a watch-list, as client-go's reflectors and `kubectl delete --wait` send it): the
   * current objects as ADDED, then a BOOKMARK annotated `k8s.io/initial-events-end`, then the changes.
   */
  initialEvents?: boolean;
  timeoutSeconds?: number;
  bookmarkIntervalMs: number;
  faults: FaultAction[];
  /** Send each object as a one-row meta.k8s.io Table of this version (kubectl get -w); column headers only once. */
  table?: string;
}

/** Serves one watch until the client goes away, the timeout passes, a fault cuts it, or `stop` is called. */
export function serveWatch(
  store: MemoryStore,
  res: ServerResponse,
  w: WatchRequest,
  onEnd: () => void,
): { stop: () => void } {
  const stream = new WatchStream(store, res, w, onEnd);
  stream.open();
  return { stop: () => stream.end() };
}

/** One watch response: its event stream, its timers and the faults it was asked to suffer. */
class WatchStream {
  private readonly apiVersion: string;
  private readonly cut: Extract<FaultAction, { kind: "cut-watch" }> | undefined;
  private readonly silent: boolean;
  private sent = 0;
  private ended = false;
  private unsubscribe: (() => void) | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly store: MemoryStore,
    private readonly res: ServerResponse,
    private readonly w: WatchRequest,
    private readonly onEnd: () => void,
  ) {
    this.apiVersion = w.def.key.group ? `${w.def.key.group}/${w.version}` : w.version;
    this.cut = w.faults.find((f): f is Extract<FaultAction, { kind: "cut-watch" }> => f.kind === "cut-watch");
    this.silent = w.faults.some((f) => f.kind === "silent-watch");
  }

  /** Sends the headers, then the events from the requested resourceVersion on, or the error that ends it. */
  open(): void {
    this.res.writeHead(200, {
      "Content-Type": "application/json",
      "Cache-Control": "no-cache, private",
      "Transfer-Encoding": "chunked",
    });
    this.res.flushHeaders();
    this.res.on("close", () => this.end());

    if (this.w.faults.some((f) => f.kind === "watch-gone")) {
      const rv = `${this.w.resourceVersion ?? "0"} (${this.store.currentResourceVersion()})`;
      return this.fail(new StatusError(410, "Expired", `too old resource version: ${rv}`));
    }
    if (this.cut && this.cut.afterEvents === 0) return this.end(this.cut.abrupt);
    if (!this.subscribe()) return;
    if (this.w.initialEvents) this.bookmark({ "k8s.io/initial-events-end": "true" });
    if (this.w.bookmarks) this.scheduleBookmark();
    const timeout = this.w.timeoutSeconds;
    if (timeout !== undefined && timeout > 0) this.timers.push(setTimeout(() => this.end(), timeout * 1000));
  }

  /** Ends the stream (abruptly: the connection is destroyed) and releases what it holds; once. */
  end(abrupt = false): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    if (abrupt) this.res.socket?.destroy();
    else this.res.end();
    this.onEnd();
  }

  /** Watches the store; false when the watch could not start, or ended during the replay of past events. */
  private subscribe(): boolean {
    try {
      // A watch-list starts from the current state, whatever resourceVersion it names.
      const from = this.w.initialEvents ? undefined : this.w.resourceVersion;
      this.unsubscribe = this.store.watch(this.w.def.key, from, (e) => this.deliver(e));
    } catch (err) {
      if (err instanceof StatusError) this.fail(err);
      else this.fail(new StatusError(500, "InternalError", `Internal error occurred: ${String(err)}`));
      return false;
    }
    if (this.ended) {
      this.unsubscribe();
      return false;
    }
    return true;
  }

  private scheduleBookmark(): void {
    this.timers.push(
      setTimeout(() => {
        this.bookmark();
        this.scheduleBookmark();
      }, this.w.bookmarkIntervalMs),
    );
  }

  /** A BOOKMARK at the store's current resourceVersion (with `annotations`, e.g. the end of the initial events). */
  private bookmark(annotations?: Record<string, string>): void {
    this.write("BOOKMARK", {
      kind: this.w.def.kind,
      apiVersion: this.apiVersion,
      metadata: {
        resourceVersion: this.store.currentResourceVersion(),
        creationTimestamp: null,
        ...(annotations ? { annotations } : {}),
      },
    });
  }

  private write(type: string, object: unknown): void {
    if (this.ended || this.silent) return;
    this.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private fail(err: StatusError): void {
    this.write("ERROR", toStatus(err));
    this.end();
  }

  private inScope(obj: KubeObject): boolean {
    return (!this.w.namespace || obj.metadata.namespace === this.w.namespace) && this.w.selector(obj);
  }

  /** The event's type for this watcher: an object that leaves the selection is DELETED (as the watch cache does). */
  private typeFor(e: StoredEvent): string | undefined {
    const wasInScope = e.type === "MODIFIED" && !!e.oldObject && this.inScope(e.oldObject);
    if (!this.inScope(e.object)) return wasInScope ? "DELETED" : undefined;
    if (e.type === "MODIFIED" && e.oldObject && !wasInScope) return "ADDED";
    return e.type;
  }

  private deliver(e: StoredEvent): void {
    if (this.ended) return;
    const type = this.typeFor(e);
    if (type === undefined) return;
    const obj = e.object;
    if (this.w.table)
      this.write(
        type,
        toTable(this.w.def, this.w.table, [obj], obj.metadata.resourceVersion, this.sent === 0),
      );
    else this.write(type, obj.apiVersion === this.apiVersion ? obj : { ...obj, apiVersion: this.apiVersion });
    this.sent++;
    if (this.cut && this.sent >= this.cut.afterEvents) this.end(this.cut.abrupt);
  }
}
