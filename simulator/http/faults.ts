/**
 * Fault injection: rules matched per request (HTTP method or Kubernetes verb, and a path pattern), each with an
 * optional count after which it expires. Settable in-process ({@link FaultInjector}) and through the control API
 * (`POST /_simulator/faults/add|clear|list`).
 */

/** What a fault does. */
export type FaultAction =
  /** Answer with this status code and a Status body (429 also gets `Retry-After`). */
  | { kind: "status"; code: number; message?: string; reason?: string; retryAfterSeconds?: number }
  /** Wait this long before handling the request normally (combines with the other kinds). */
  | { kind: "latency"; ms: number }
  /** Destroy the connection without answering. */
  | { kind: "drop" }
  /** Handle the request (a create is carried out), then destroy the connection instead of answering. */
  | { kind: "lose-response" }
  /** On watch requests: keep the stream open but deliver nothing (no events, no bookmarks). */
  | { kind: "silent-watch" }
  /** On watch requests: close the stream after this many events (`abrupt`: destroy the socket instead). */
  | { kind: "cut-watch"; afterEvents: number; abrupt?: boolean }
  /** On watch requests: answer with an ERROR event carrying 410 Expired, then close. */
  | { kind: "watch-gone" };

/** A fault rule. */
export interface FaultRule {
  /** Set by {@link FaultInjector.add} when absent. */
  id?: string;
  /** HTTP method (`GET`, `PUT`, ...) or Kubernetes verb (`get`, `list`, `watch`, `update`, `patch`, ...); absent or `*` = any. */
  verb?: string;
  /**
   * The URL path to match: a string where `*` matches any run of characters (e.g.
   * `/apis/kubevirt.io/v1/namespaces/* /virtualmachines/vm1`), or a RegExp (in-process only). Absent = any path.
   */
  path?: string | RegExp;
  /** How many requests the rule fires for before it expires. Absent = until removed. */
  count?: number;
  action: FaultAction;
}

/** The request a fault is matched against. */
export interface FaultTarget {
  method: string;
  verb: string;
  path: string;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

/** Keeps the fault rules and says which fire for a request. */
export class FaultInjector {
  private rules: (FaultRule & { id: string; matcher: RegExp | undefined })[] = [];
  private nextId = 1;

  /** Adds a rule; returns its id. */
  add(rule: FaultRule): string {
    validateRule(rule);
    const id = rule.id ?? `fault-${this.nextId++}`;
    const matcher =
      rule.path === undefined
        ? undefined
        : typeof rule.path === "string"
          ? globToRegExp(rule.path)
          : rule.path;
    this.rules.push({ ...rule, id, matcher });
    return id;
  }

  /** Removes one rule by id, or every rule. */
  clear(id?: string): void {
    this.rules = id === undefined ? [] : this.rules.filter((r) => r.id !== id);
  }

  /** The active rules (with their remaining counts). */
  list(): FaultRule[] {
    return this.rules.map(({ matcher: _m, path, ...r }) => ({
      ...r,
      path: path instanceof RegExp ? path : path,
    }));
  }

  /**
   * The rules that fire for a request, in the order added; consumes one count of each. Watch-only kinds match
   * only watch requests.
   */
  take(target: FaultTarget): FaultAction[] {
    const fired: FaultAction[] = [];
    for (const r of this.rules) {
      const isWatchKind =
        r.action.kind === "cut-watch" || r.action.kind === "watch-gone" || r.action.kind === "silent-watch";
      if (isWatchKind && target.verb !== "watch") continue;
      if (r.verb !== undefined && r.verb !== "*" && r.verb !== target.method && r.verb !== target.verb)
        continue;
      if (r.matcher && !r.matcher.test(target.path)) continue;
      fired.push(r.action);
      if (r.count !== undefined) r.count--;
    }
    this.rules = this.rules.filter((r) => r.count === undefined || r.count > 0);
    return fired;
  }
}

function validateRule(rule: FaultRule): void {
  const a = rule?.action as FaultAction | undefined;
  if (!a || typeof a !== "object") throw new Error("a fault rule needs an action");
  switch (a.kind) {
    case "status":
      if (!Number.isInteger(a.code) || a.code < 400 || a.code > 599)
        throw new Error(`fault status code must be 400-599, got ${a.code}`);
      return;
    case "latency":
      if (!(a.ms >= 0)) throw new Error(`fault latency must be >= 0 ms, got ${a.ms}`);
      return;
    case "cut-watch":
      if (!Number.isInteger(a.afterEvents) || a.afterEvents < 0)
        throw new Error(`cut-watch afterEvents must be >= 0, got ${a.afterEvents}`);
      return;
    case "drop":
    case "lose-response":
    case "watch-gone":
    case "silent-watch":
      return;
    default:
      throw new Error(`unknown fault kind ${JSON.stringify((a as { kind: unknown }).kind)}`);
  }
}
