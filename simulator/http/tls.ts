/**
 * A throwaway certificate authority and a server certificate for localhost, 127.0.0.1 and ::1 (and any extra
 * names), made at start; or a CA and the server and client certificates it signs, for a chosen subject. node-forge
 * writes the certificates (RSA keys, SHA-256); Node's crypto makes the keys and the signatures, which node-forge
 * would compute in JavaScript, at seconds a certificate under a test runner.
 */
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";

/** PEM-encoded CA certificate, server certificate and server key. */
export interface ServerCertificates {
  caCert: string;
  cert: string;
  key: string;
}

/** An RSA key pair: the public key in node-forge's form, the private key in Node's. */
interface KeyPair {
  publicKey: forge.pki.rsa.PublicKey;
  privateKey: KeyObject;
}

function keyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const spki = publicKey.export({ type: "spki", format: "pem" }) as string;
  return { publicKey: forge.pki.publicKeyFromPem(spki), privateKey };
}

/**
 * Signs `cert` with SHA-256 and RSA by Node's crypto. `cert.sign` hands its digest the DER of the
 * TBSCertificate and asks its key for the signature: this digest keeps those bytes, this key signs them.
 */
function signWithNode(cert: forge.pki.Certificate, key: KeyObject): void {
  let tbs = "";
  const digest = {
    algorithm: "sha256",
    update(bytes: string) {
      tbs += bytes;
      return digest;
    },
  };
  const signer = { sign: () => sign("sha256", Buffer.from(tbs, "binary"), key).toString("binary") };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, digest as unknown as forge.md.MessageDigest);
}

interface CertificateInput {
  subject: string;
  issuer: string;
  publicKey: forge.pki.rsa.PublicKey;
  signingKey: KeyObject;
  validDays: number;
  extensions: object[];
}

function certificate(input: CertificateInput): string {
  const now = Date.now();
  const cert = forge.pki.createCertificate();
  cert.publicKey = input.publicKey;
  // A positive serial of 16 random bytes (RFC 5280 4.1.2.2).
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  cert.validity.notBefore = new Date(now - 3600_000);
  cert.validity.notAfter = new Date(now + input.validDays * 86400_000);
  cert.setSubject([{ name: "commonName", value: input.subject }]);
  cert.setIssuer([{ name: "commonName", value: input.issuer }]);
  cert.setExtensions(input.extensions);
  signWithNode(cert, input.signingKey);
  return forge.pki.certificateToPem(cert);
}

/** A certificate authority that signs further certificates ({@link issueCertificate}). */
export interface CertificateAuthority {
  /** The PEM-encoded CA certificate. */
  cert: string;
  /** Its subject (and issuer) common name. */
  name: string;
  /** Its private key. */
  key: KeyObject;
}

/** A PEM-encoded certificate and its key. */
export interface IssuedCertificate {
  cert: string;
  key: string;
}

/** What {@link issueCertificate} makes: the subject, the extended key usages and any alternative names. */
export interface CertificateRequest {
  commonName: string;
  usages: ("serverAuth" | "clientAuth")[];
  /** DNS names and IP addresses (subjectAltName). */
  names?: string[];
}

/** Makes a self-signed CA named `name`, valid ten years. */
export function generateCertificateAuthority(name = "kubevirt-simulator-ca"): CertificateAuthority {
  const { publicKey, privateKey } = keyPair();
  const cert = certificate({
    subject: name,
    issuer: name,
    publicKey,
    signingKey: privateKey,
    validDays: 3650,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { cert, name, key: privateKey };
}

/** Makes a key and a certificate for `request`, signed by `ca`, valid a year. */
export function issueCertificate(ca: CertificateAuthority, request: CertificateRequest): IssuedCertificate {
  const { publicKey, privateKey } = keyPair();
  const names = request.names ?? [];
  const altNames = names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n }));
  const cert = certificate({
    subject: request.commonName,
    issuer: ca.name,
    publicKey,
    signingKey: ca.key,
    validDays: 365,
    extensions: [
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", ...Object.fromEntries(request.usages.map((u) => [u, true])) },
      ...(altNames.length > 0 ? [{ name: "subjectAltName", altNames }] : []),
    ],
  });
  return { cert, key: privateKey.export({ type: "pkcs8", format: "pem" }) as string };
}

/** Makes a CA and a server certificate valid for `localhost`, `127.0.0.1` and `::1` (and any extra names). */
export function generateServerCertificates(extraNames: string[] = []): ServerCertificates {
  const ca = generateCertificateAuthority();
  const server = issueCertificate(ca, {
    commonName: "kubevirt-simulator",
    usages: ["serverAuth"],
    names: ["localhost", "127.0.0.1", "::1", ...extraNames],
  });
  return { caCert: ca.cert, ...server };
}
