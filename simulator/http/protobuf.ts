/**
 * Reading the protobuf bodies client-go sends for built-in kinds (`Content-Type:
 * application/vnd.kubernetes.protobuf`): clients generated with `--prefers-protobuf` (client-go's typed
 * clientset, used by `kubectl create namespace`) send them whatever the server's discovery says, and client-go
 * falls back to JSON after a 415 only for CBOR (k8s.io/client-go/rest/client.go,
 * `requestClientContentConfigProvider`). The simulator answers in JSON, which those clients also accept.
 *
 * The envelope is k8s.io/apimachinery/pkg/runtime/serializer/protobuf: the 4 bytes `k8s\0`, then a
 * `runtime.Unknown` (typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3, contentType = 4)
 * whose `raw` is the object's own message. Only the kinds in {@link PROTOBUF_KINDS} are decoded, field numbers
 * from the `generated.proto` files of k8s.io/api/core/v1 and k8s.io/apimachinery/pkg/apis/meta/v1. The result is
 * the JSON a client would send for the same object: zero values of `omitempty` fields and empty structs are left
 * out (gogo writes every non-pointer field, so an unset `metadata.namespace` arrives as ""), pointer fields are
 * kept.
 */

/** The 4-byte prefix of every protobuf body (`protobuf.NewSerializer`'s `protoEncodingPrefix`). */
export const PROTOBUF_PREFIX = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A malformed message; the caller answers 400. */
export class ProtobufError extends Error {}

type Json = Record<string, unknown>;

/** One field of a message as read from the wire. */
interface Field {
  no: number;
  /** Wire type 0 (varint) as a 64-bit integer, wire type 2 as its bytes; fixed32/64 are skipped. */
  value: bigint | Buffer;
}

/** The fields of one message in wire order (repeated fields appear once per element). */
function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new ProtobufError("unexpected EOF");
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new ProtobufError("proto: integer overflow");
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) throw new ProtobufError("proto: illegal tag 0");
    if (wire === 0) out.push({ no, value: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new ProtobufError("unexpected EOF");
      out.push({ no, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) throw new ProtobufError("unexpected EOF");
    } else throw new ProtobufError(`proto: illegal wireType ${wire}`);
  }
  return out;
}

const bytes = (f: Field): Buffer => {
  if (!Buffer.isBuffer(f.value)) throw new ProtobufError(`proto: wrong wireType for field ${f.no}`);
  return f.value;
};
const str = (f: Field): string => bytes(f).toString("utf8");
const int = (f: Field): number => {
  if (Buffer.isBuffer(f.value)) throw new ProtobufError(`proto: wrong wireType for field ${f.no}`);
  return Number(BigInt.asIntN(64, f.value));
};
const bool = (f: Field): boolean => int(f) !== 0;

/** A metav1.Time as Go's JSON writes it (RFC 3339, seconds); the zero time is undefined (omitted). */
function time(buf: Buffer): string | undefined {
  let seconds = 0;
  for (const f of fields(buf)) if (f.no === 1) seconds = int(f);
  return seconds === 0 ? undefined : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A `map<string, string>` entry: key = 1, value = 2. */
function mapEntry(buf: Buffer): [string, string] {
  let key = "";
  let value = "";
  for (const f of fields(buf)) {
    if (f.no === 1) key = str(f);
    else if (f.no === 2) value = str(f);
  }
  return [key, value];
}

/** Drops the zero values of `omitempty` fields: "", 0, empty arrays and objects, undefined. */
function compact(obj: Json, keep: string[] = []): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!keep.includes(k)) {
      if (v === undefined || v === "" || v === 0) continue;
      if (Array.isArray(v) && v.length === 0) continue;
      if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    }
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function ownerReference(buf: Buffer): Json {
  const ref: Json = {};
  for (const f of fields(buf)) {
    if (f.no === 5) ref.apiVersion = str(f);
    else if (f.no === 1) ref.kind = str(f);
    else if (f.no === 3) ref.name = str(f);
    else if (f.no === 4) ref.uid = str(f);
    else if (f.no === 6) ref.controller = bool(f);
    else if (f.no === 7) ref.blockOwnerDeletion = bool(f);
  }
  // apiVersion, kind, name and uid have no omitempty; controller and blockOwnerDeletion are pointers.
  return { apiVersion: "", kind: "", name: "", uid: "", ...ref };
}

/** metav1.ObjectMeta (managedFields, 17, is skipped: the simulator keeps none). */
function objectMeta(buf: Buffer): Json {
  const m: Json = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const ownerReferences: Json[] = [];
  const finalizers: string[] = [];
  for (const f of fields(buf)) {
    switch (f.no) {
      case 1:
        m.name = str(f);
        break;
      case 2:
        m.generateName = str(f);
        break;
      case 3:
        m.namespace = str(f);
        break;
      case 4:
        m.selfLink = str(f);
        break;
      case 5:
        m.uid = str(f);
        break;
      case 6:
        m.resourceVersion = str(f);
        break;
      case 7:
        m.generation = int(f);
        break;
      case 8:
        m.creationTimestamp = time(bytes(f));
        break;
      case 9:
        m.deletionTimestamp = time(bytes(f));
        break;
      case 10:
        m.deletionGracePeriodSeconds = int(f);
        break;
      case 11: {
        const [k, v] = mapEntry(bytes(f));
        labels[k] = v;
        break;
      }
      case 12: {
        const [k, v] = mapEntry(bytes(f));
        annotations[k] = v;
        break;
      }
      case 13:
        ownerReferences.push(ownerReference(bytes(f)));
        break;
      case 14:
        finalizers.push(str(f));
        break;
    }
  }
  return compact({ ...m, labels, annotations, ownerReferences, finalizers });
}

/** core/v1 NamespaceCondition: type = 1, status = 2, lastTransitionTime = 4, reason = 5, message = 6. */
function namespaceCondition(buf: Buffer): Json {
  const c: Json = {};
  for (const f of fields(buf)) {
    if (f.no === 1) c.type = str(f);
    else if (f.no === 2) c.status = str(f);
    else if (f.no === 4) c.lastTransitionTime = time(bytes(f));
    else if (f.no === 5) c.reason = str(f);
    else if (f.no === 6) c.message = str(f);
  }
  return compact({ type: "", status: "", ...c }, ["type", "status"]);
}

/** core/v1 Namespace: metadata = 1, spec = 2 {finalizers = 1}, status = 3 {phase = 1, conditions = 2}. */
function namespace(buf: Buffer): Json {
  let metadata: Json = {};
  const finalizers: string[] = [];
  let phase = "";
  const conditions: Json[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1) metadata = objectMeta(bytes(f));
    else if (f.no === 2) {
      for (const s of fields(bytes(f))) if (s.no === 1) finalizers.push(str(s));
    } else if (f.no === 3) {
      for (const s of fields(bytes(f))) {
        if (s.no === 1) phase = str(s);
        else if (s.no === 2) conditions.push(namespaceCondition(bytes(s)));
      }
    }
  }
  // Go would write `{}` for an empty spec or status (structs); they are left out, as from a JSON body without them.
  return compact({ metadata, spec: compact({ finalizers }), status: compact({ phase, conditions }) });
}

/**
 * meta/v1 DeleteOptions: gracePeriodSeconds = 1, preconditions = 2 {uid = 1, resourceVersion = 2},
 * orphanDependents = 3, propagationPolicy = 4, dryRun = 5, ignoreStoreReadErrorWithClusterBreakingPotential = 6.
 * All but dryRun are pointers, so a field on the wire is kept even when zero (`gracePeriodSeconds: 0`).
 */
function deleteOptions(buf: Buffer): Json {
  const o: Json = {};
  const dryRun: string[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1) o.gracePeriodSeconds = int(f);
    else if (f.no === 2) {
      const p: Json = {};
      for (const s of fields(bytes(f))) {
        if (s.no === 1) p.uid = str(s);
        else if (s.no === 2) p.resourceVersion = str(s);
      }
      o.preconditions = p;
    } else if (f.no === 3) o.orphanDependents = bool(f);
    else if (f.no === 4) o.propagationPolicy = str(f);
    else if (f.no === 5) dryRun.push(str(f));
    else if (f.no === 6) o.ignoreStoreReadErrorWithClusterBreakingPotential = bool(f);
  }
  if (dryRun.length) o.dryRun = dryRun;
  return o;
}

/** The kinds whose protobuf messages the simulator reads, by kind. */
export const PROTOBUF_KINDS: ReadonlyMap<string, (raw: Buffer) => Json> = new Map([
  ["Namespace", namespace],
  ["DeleteOptions", deleteOptions],
]);

/** A decoded envelope: the `runtime.Unknown`'s type and its raw message. */
export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
}

/**
 * Opens the `k8s\0` + `runtime.Unknown` envelope, with the errors of apimachinery's `protobuf.Serializer.Decode`
 * for an empty or unprefixed body.
 */
export function decodeEnvelope(body: Buffer): ProtobufEnvelope {
  if (body.length === 0) throw new ProtobufError("empty data");
  if (body.length < PROTOBUF_PREFIX.length || !body.subarray(0, 4).equals(PROTOBUF_PREFIX))
    throw new ProtobufError(
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    );
  if (body.length === PROTOBUF_PREFIX.length) throw new ProtobufError("empty body");
  const env: ProtobufEnvelope = { apiVersion: "", kind: "", raw: Buffer.alloc(0) };
  for (const f of fields(body.subarray(4))) {
    if (f.no === 1) {
      for (const t of fields(bytes(f))) {
        if (t.no === 1) env.apiVersion = str(t);
        else if (t.no === 2) env.kind = str(t);
      }
    } else if (f.no === 2) env.raw = bytes(f);
  }
  return env;
}

/** Writes a field key; used by {@link encodeProtobuf} (tests build bodies with it). */
function key(no: number, wire: number): Buffer {
  return varintBytes(BigInt((no << 3) | wire));
}

function varintBytes(n: bigint): Buffer {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

/** A message to encode: field number to a value, a nested message, or a list of them (repeated). */
export type ProtoMessage = { [no: number]: ProtoValue | ProtoValue[] };
type ProtoValue = string | number | boolean | Buffer | ProtoMessage;

/** Encodes a message as gogo would (for tests: client-go's bodies without a Go toolchain). */
export function encodeProtobuf(msg: ProtoMessage): Buffer {
  const parts: Buffer[] = [];
  for (const [noText, v] of Object.entries(msg)) {
    const no = Number(noText);
    for (const item of Array.isArray(v) ? v : [v]) {
      if (typeof item === "number" || typeof item === "boolean") {
        parts.push(key(no, 0), varintBytes(BigInt(Number(item))));
      } else {
        const data =
          typeof item === "string"
            ? Buffer.from(item, "utf8")
            : Buffer.isBuffer(item)
              ? item
              : encodeProtobuf(item);
        parts.push(key(no, 2), varintBytes(BigInt(data.length)), data);
      }
    }
  }
  return Buffer.concat(parts);
}

/** A whole body as client-go sends it: the prefix and a `runtime.Unknown` around `raw`. */
export function protobufBody(apiVersion: string, kind: string, raw: ProtoMessage): Buffer {
  return Buffer.concat([
    PROTOBUF_PREFIX,
    encodeProtobuf({ 1: { 1: apiVersion, 2: kind }, 2: encodeProtobuf(raw), 3: "", 4: "" }),
  ]);
}
