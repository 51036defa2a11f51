/**
 * Watch streams: newline-delimited JSON `{"type":..,"object":..}` events, resumable from a resourceVersion,
 * with periodic BOOKMARKs on request and `timeoutSeconds`. A resourceVersion older than the store's history is
 * answered as kube-apiserver answers it: HTTP 200, then one ERROR event carrying a 410 Expired Status, then the
 * end of the stream (the cacher returns "a watch that immediately reports the error").
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
  const apiVersion = w.def.key.group ? `${w.def.key.group}/${w.version}` : w.version;
  const cut = w.faults.find((f): f is Extract<FaultAction, { kind: "cut-watch" }> => f.kind === "cut-watch");
  const gone = w.faults.some((f) => f.kind === "watch-gone");
  const silent = w.faults.some((f) => f.kind === "silent-watch");
  let sent = 0;
  let ended = false;
  let unsubscribe: (() => void) | undefined;
  const timers: NodeJS.Timeout[] = [];

  res.writeHead(200, {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private",
    "Transfer-Encoding": "chunked",
  });
  res.flushHeaders();

  const end = (abrupt = false) => {
    if (ended) return;
    ended = true;
    unsubscribe?.();
    for (const t of timers) clearTimeout(t);
    if (abrupt) res.socket?.destroy();
    else res.end();
    onEnd();
  };
  res.on("close", () => end());

  const write = (type: string, object: unknown) => {
    if (ended || silent) return;
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const serve = (obj: KubeObject): KubeObject =>
    obj.apiVersion === apiVersion ? obj : ({ ...obj, apiVersion } as KubeObject);
  const inScope = (obj: KubeObject) =>
    (!w.namespace || obj.metadata.namespace === w.namespace) && w.selector(obj);

  const deliver = (e: StoredEvent) => {
    if (ended) return;
    let type: string = e.type;
    if (!inScope(e.object)) {
      // An object that leaves the selection is DELETED for this watcher (as the watch cache does).
      if (e.type === "MODIFIED" && e.oldObject && inScope(e.oldObject)) type = "DELETED";
      else return;
    } else if (e.type === "MODIFIED" && e.oldObject && !inScope(e.oldObject)) type = "ADDED";
    if (w.table)
      write(type, toTable(w.def, w.table, [e.object], e.object.metadata.resourceVersion, sent === 0));
    else write(type, serve(e.object));
    sent++;
    if (cut && sent >= cut.afterEvents) end(cut.abrupt);
  };

  const fail = (err: StatusError) => {
    write("ERROR", toStatus(err));
    end();
  };

  if (gone) {
    fail(
      new StatusError(
        410,
        "Expired",
        `too old resource version: ${w.resourceVersion ?? "0"} (${store.currentResourceVersion()})`,
      ),
    );
    return { stop: () => end() };
  }
  if (cut && cut.afterEvents === 0) {
    end(cut.abrupt);
    return { stop: () => end() };
  }
  try {
    unsubscribe = store.watch(w.def.key, w.resourceVersion, deliver);
  } catch (err) {
    if (err instanceof StatusError) fail(err);
    else fail(new StatusError(500, "InternalError", `Internal error occurred: ${String(err)}`));
    return { stop: () => end() };
  }
  if (ended) {
    unsubscribe();
    return { stop: () => end() };
  }
  if (w.bookmarks) {
    const tick = () => {
      write("BOOKMARK", {
        kind: w.def.kind,
        apiVersion,
        metadata: { resourceVersion: store.currentResourceVersion(), creationTimestamp: null },
      });
      timers.push(setTimeout(tick, w.bookmarkIntervalMs));
    };
    timers.push(setTimeout(tick, w.bookmarkIntervalMs));
  }
  if (w.timeoutSeconds !== undefined && w.timeoutSeconds > 0) {
    timers.push(setTimeout(() => end(), w.timeoutSeconds * 1000));
  }
  return { stop: () => end() };
}
