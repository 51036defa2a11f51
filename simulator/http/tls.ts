/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1/localhost, made at start with
 * Node's crypto (EC P-256, ECDSA-SHA256). Node has no X.509 writer, so the certificates are DER-encoded here
 * (RFC 5280, only what a TLS server certificate needs); Node's own X509Certificate parses and verifies them in
 * the tests.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

/** PEM-encoded CA certificate, server certificate and server key. */
export interface ServerCertificates {
  caCert: string;
  cert: string;
  key: string;
}

// ---- minimal DER ----
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>= 8;
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(content.length), content]);
}
const seq = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer) => tlv(0x04, b);
const bitString = (b: Buffer) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);
function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}
function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const bytes = [40 * parts[0] + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    let v = p >> 7;
    while (v > 0) {
      chunk.unshift((v & 0x7f) | 0x80);
      v >>= 7;
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
function time(d: Date): Buffer {
  const s = d
    .toISOString()
    .replace(/[-:T]/g, "")
    .replace(/\.\d{3}Z$/, "Z");
  // UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(s.slice(2))) : tlv(0x18, Buffer.from(s));
}
const name = (cn: string) => seq(set(seq(oid("2.5.4.3"), utf8(cn))));
const ecdsaWithSha256 = seq(oid("1.2.840.10045.4.3.2"));
function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

interface CertificateInput {
  subject: string;
  issuer: string;
  publicKey: KeyObject;
  signingKey: KeyObject;
  ca: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
  validDays: number;
}

function certificate(input: CertificateInput): string {
  const now = Date.now();
  const spki = input.publicKey.export({ type: "spki", format: "der" });
  const extensions: Buffer[] = [];
  if (input.ca) {
    extensions.push(extension("2.5.29.19", true, seq(bool(true))));
    extensions.push(extension("2.5.29.15", true, bitString(Buffer.from([0x06])))); // keyCertSign | cRLSign
  } else {
    extensions.push(extension("2.5.29.19", true, seq()));
    extensions.push(extension("2.5.29.15", true, bitString(Buffer.from([0x80])))); // digitalSignature
    extensions.push(extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1")))); // serverAuth
    const altNames = [
      ...(input.dnsNames ?? []).map((d) => tlv(0x82, Buffer.from(d, "ascii"))),
      ...(input.ipAddresses ?? []).map((ip) => tlv(0x87, Buffer.from(ip.split(".").map(Number)))),
    ];
    extensions.push(extension("2.5.29.17", false, seq(...altNames)));
  }
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    ecdsaWithSha256,
    name(input.issuer),
    seq(time(new Date(now - 3600_000)), time(new Date(now + input.validDays * 86400_000))),
    name(input.subject),
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign("sha256", tbs, input.signingKey); // DER-encoded ECDSA signature, as X.509 wants
  const der = seq(tbs, ecdsaWithSha256, bitString(signature));
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

/** Makes a CA and a server certificate valid for `localhost` and `127.0.0.1` (and any extra names). */
export function generateServerCertificates(extraNames: string[] = []): ServerCertificates {
  const ca = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const server = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const caCert = certificate({
    subject: "kubevirt-simulator-ca",
    issuer: "kubevirt-simulator-ca",
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
    ca: true,
    validDays: 3650,
  });
  const ips = ["127.0.0.1", ...extraNames.filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n))];
  const dns = ["localhost", ...extraNames.filter((n) => !/^\d+\.\d+\.\d+\.\d+$/.test(n))];
  const cert = certificate({
    subject: "kubevirt-simulator",
    issuer: "kubevirt-simulator-ca",
    publicKey: server.publicKey,
    signingKey: ca.privateKey,
    ca: false,
    dnsNames: dns,
    ipAddresses: ips,
    validDays: 365,
  });
  const key = createPrivateKey(server.privateKey.export({ type: "pkcs8", format: "pem" })).export({
    type: "pkcs8",
    format: "pem",
  }) as string;
  return { caCert, cert, key };
}
