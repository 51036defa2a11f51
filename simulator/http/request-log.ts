/** The request log: every API request with its outcome, for tests to assert on (e.g. "preview wrote nothing"). */

/** One logged request. */
export interface RequestRecord {
  /** Increasing number, from 1. */
  seq: number;
  /** When the request arrived (ISO 8601). */
  time: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection), or the lower-case method for non-resource paths. */
  verb: string;
  /** HTTP status; 0 while a request (e.g. a watch) is still running or when the connection was dropped. */
  status: number;
  /** Milliseconds from arrival to the end of the answer (for watches: until the stream closed). */
  durationMs: number;
  /** Whether the request may change state (POST, PUT, PATCH, DELETE). */
  mutating: boolean;
  /** The authenticated user, or undefined. */
  user?: string;
  /** The `dryRun` query parameter was `All`. */
  dryRun: boolean;
  /** The fault kinds that fired for this request. */
  faults?: string[];
}

/** Which records to return. */
export interface RequestFilter {
  method?: string;
  verb?: string;
  /** Exact path, or a RegExp (in-process only). */
  path?: string | RegExp;
  /** Path prefix. */
  pathPrefix?: string;
  mutating?: boolean;
  user?: string;
  status?: number;
  /** Only records with `seq` above this. */
  afterSeq?: number;
  /** Leave out dry-run requests. */
  excludeDryRun?: boolean;
}

/** Keeps the last `limit` requests. */
export class RequestLog {
  private records: RequestRecord[] = [];
  private seq = 0;

  constructor(private readonly limit = 10_000) {}

  /** Starts a record; the HTTP layer fills in status and duration when the answer ends. */
  start(record: Omit<RequestRecord, "seq" | "status" | "durationMs">): RequestRecord {
    const r: RequestRecord = { ...record, seq: ++this.seq, status: 0, durationMs: 0 };
    this.records.push(r);
    if (this.records.length > this.limit) this.records.shift();
    return r;
  }

  /** Records matching a filter (copies), oldest first. */
  list(filter: RequestFilter = {}): RequestRecord[] {
    return this.records
      .filter((r) => {
        if (filter.method !== undefined && r.method !== filter.method.toUpperCase()) return false;
        if (filter.verb !== undefined && r.verb !== filter.verb) return false;
        if (filter.path !== undefined) {
          if (typeof filter.path === "string" ? r.path !== filter.path : !filter.path.test(r.path))
            return false;
        }
        if (filter.pathPrefix !== undefined && !r.path.startsWith(filter.pathPrefix)) return false;
        if (filter.mutating !== undefined && r.mutating !== filter.mutating) return false;
        if (filter.user !== undefined && r.user !== filter.user) return false;
        if (filter.status !== undefined && r.status !== filter.status) return false;
        if (filter.afterSeq !== undefined && r.seq <= filter.afterSeq) return false;
        if (filter.excludeDryRun && r.dryRun) return false;
        return true;
      })
      .map((r) => ({ ...r, query: { ...r.query } }));
  }

  /** The seq of the latest record (0 when none): pass it as `afterSeq` to see only what comes next. */
  mark(): number {
    return this.seq;
  }

  /** Forgets every record (seq keeps counting). */
  clear(): void {
    this.records = [];
  }
}
