/**
 * The body of a create, update or delete as the handlers read it (JSON text), from what the client sent, by its
 * `Content-Type`, as kube-apiserver's handlers negotiate it (k8s.io/apiserver/pkg/endpoints/handlers: create.go,
 * update.go and delete.go call `negotiation.NegotiateInputSerializer`):
 *
 * - no `Content-Type`: the first supported type, JSON;
 * - `application/json`: as is;
 * - `application/vnd.kubernetes.protobuf` (what client-go's typed clientset sends for built-in kinds, e.g.
 *   `kubectl create namespace`): decoded for the kinds of protobuf.ts (Namespace, and DeleteOptions on any
 *   resource); a decoding error is kube-apiserver's 400. For a custom resource, or a built-in kind without a
 *   decoder, a 415 listing JSON and YAML. (kube-apiserver 1.37.2 lists protobuf for custom resources but cannot
 *   decode into `unstructured.Unstructured`: a protobuf create of one panics in apiextensions-apiserver's
 *   `schemaCoercingDecoder.Decode` and the connection is dropped. No client sends that: client-go's dynamic
 *   client and generated custom-resource clients send JSON.)
 * - a type kube-apiserver does not know: 415 `UnsupportedMediaType` with negotiation/errors.go's message and the
 *   media types of apimachinery's `CodecFactory` (JSON, YAML, protobuf; CBOR only behind a disabled gate).
 *
 * `application/yaml` is one kube-apiserver accepts that the simulator does not parse: a 400 that says so.
 * Patches keep their own types (resources.ts); custom subresources (virt-api) get the body as it came.
 */
import { badRequest, unsupportedMediaType } from "../store/errors";
import type { ResourceDefinition } from "../store/extensions";
import { decodeEnvelope, PROTOBUF_KINDS, ProtobufError } from "./protobuf";
import type { ResourceRoute } from "./resources";

export const CONTENT_TYPE_JSON = "application/json";
export const CONTENT_TYPE_YAML = "application/yaml";
export const CONTENT_TYPE_PROTOBUF = "application/vnd.kubernetes.protobuf";

/** The input media types of kube-apiserver's serializers, in `CodecFactory` order (codec_factory.go). */
export const INPUT_MEDIA_TYPES = [CONTENT_TYPE_JSON, CONTENT_TYPE_YAML, CONTENT_TYPE_PROTOBUF];

/** A body ready for the handlers: JSON text (or the body as sent, for a patch), with its media type. */
export interface DecodedBody {
  body: string;
  contentType: string;
}

/**
 * Decodes the body of `verb` on `route`; `contentType` is the bare media type (respond.ts' `mediaType`). Throws
 * the Status errors described in the module comment.
 */
export function decodeBody(
  route: ResourceRoute,
  verb: string,
  contentType: string,
  raw: Buffer,
): DecodedBody {
  const { def } = route;
  const text = () => raw.toString("utf8");
  const isDelete = verb === "delete" || verb === "deletecollection";
  // A verb the route does not serve is answered 405 by verbs.ts, before any body is read.
  const served =
    (verb === "create" && !route.name && !route.subresource) ||
    verb === "update" ||
    (isDelete && route.subresource !== "status");
  if (!served) return { body: text(), contentType };
  // delete.go negotiates only when there is a body.
  if (isDelete && raw.length === 0) return { body: "", contentType };
  switch (contentType) {
    case "":
    case CONTENT_TYPE_JSON:
      return { body: text(), contentType: CONTENT_TYPE_JSON };
    case CONTENT_TYPE_PROTOBUF:
      return {
        body: JSON.stringify(decodeProtobuf(def, isDelete ? "DeleteOptions" : def.kind, raw)),
        contentType: CONTENT_TYPE_JSON,
      };
    case CONTENT_TYPE_YAML:
      throw badRequest(
        `the object provided is unrecognized (must be of type ${isDelete ? "DeleteOptions" : def.kind}): ` +
          "the simulator does not decode application/yaml bodies; send application/json",
      );
    default:
      throw unsupportedMediaType(INPUT_MEDIA_TYPES);
  }
}

/** The media types the simulator decodes for every resource (415's list where protobuf is not decoded). */
const TEXT_MEDIA_TYPES = [CONTENT_TYPE_JSON, CONTENT_TYPE_YAML];

function decodeProtobuf(def: ResourceDefinition, kind: string, raw: Buffer): Record<string, unknown> {
  // A custom resource, or a built-in kind protobuf.ts has no decoder for: see the module comment.
  const decode = PROTOBUF_KINDS.get(kind);
  if (!decode || (kind !== "DeleteOptions" && def.key.group !== ""))
    throw unsupportedMediaType(TEXT_MEDIA_TYPES);
  try {
    const env = decodeEnvelope(raw);
    // copyKindDefaults: what the envelope leaves out comes from the request's path.
    return {
      ...(env.apiVersion ? { apiVersion: env.apiVersion } : {}),
      kind: env.kind || kind,
      ...decode(env.raw),
    };
  } catch (e) {
    if (!(e instanceof ProtobufError)) throw e;
    // delete.go answers the decoder's error; create.go and update.go wrap it (transformDecodeError, rest.go).
    throw badRequest(
      kind === "DeleteOptions"
        ? e.message
        : `the object provided is unrecognized (must be of type ${kind}): ${e.message} (${summarizeData(raw)})`,
    );
  }
}

/** handlers/rest.go `summarizeData(body, 30)`: a JSON body's start as text, anything else in hex. */
function summarizeData(data: Buffer, max = 30): string {
  if (data.length === 0) return "<empty>";
  const more = data.length > max ? " ..." : "";
  const head = data.subarray(0, max);
  return (data[0] === 0x7b ? head.toString("utf8") : head.toString("hex")) + more;
}
