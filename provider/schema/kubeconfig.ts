/**
 * What a `kubeconfig` input is: kubeconfig contents (YAML or JSON), the base64 of such contents, or the
 * path of an existing file. The value is a secret (a token, a client key): nothing here, and no message
 * built from it, ever includes any part of it.
 */
import { statSync } from "node:fs";

/** Where to load a kubeconfig from, or `invalid` for a value that is none of the accepted shapes. */
export type KubeconfigSource =
  { kind: "contents"; text: string; base64: boolean } | { kind: "file"; path: string } | { kind: "invalid" };

/** Appended to every kubeconfig message, so that its absence reads as deliberate. */
export const KUBECONFIG_NOT_SHOWN = "(the value is a secret and is not shown)";

/** The message for a value that is neither an existing file, kubeconfig contents, nor base64 of them. */
export const MESSAGE_KUBECONFIG_INVALID =
  "not a path to an existing file, nor kubeconfig contents in YAML, JSON or base64 " + KUBECONFIG_NOT_SHOWN;

/** True when `text` reads as YAML or JSON kubeconfig contents rather than a path. */
function looksLikeContents(text: string): boolean {
  return text.includes("\n") || /^\s*(\{|apiVersion\s*:)/.test(text);
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
// Printable text: tabs, line breaks and everything from the space on, except DEL and C1 controls.
const PRINTABLE = /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/;

/** The kubeconfig contents `value` is the base64 of, if it is. */
function decodeBase64Contents(value: string): string | undefined {
  const compact = value.replace(/\s+/g, "");
  if (compact.length < 16 || !BASE64.test(compact)) return undefined;
  const text = Buffer.from(compact, "base64").toString("utf8");
  return PRINTABLE.test(text) && !text.includes("\ufffd") && looksLikeContents(text) ? text : undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Classifies a `kubeconfig` input. Base64 is tried first (`base64` wraps its output into lines, which would
 * otherwise read as YAML), then contents, then an existing file.
 */
export function kubeconfigSource(value: string): KubeconfigSource {
  const decoded = decodeBase64Contents(value);
  if (decoded !== undefined) return { kind: "contents", text: decoded, base64: true };
  if (looksLikeContents(value)) return { kind: "contents", text: value, base64: false };
  if (isFile(value)) return { kind: "file", path: value };
  return { kind: "invalid" };
}

/** The message for a `kubeconfig` input that is not a string, naming only its type. */
export function kubeconfigTypeMessage(value: unknown): string {
  const type =
    value === null
      ? "null"
      : Array.isArray(value)
        ? "a list"
        : typeof value === "object"
          ? "an object"
          : `a ${typeof value}`;
  return `expected a path or kubeconfig contents (a string), got ${type} ${KUBECONFIG_NOT_SHOWN}`;
}
