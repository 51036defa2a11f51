/**
 * virt-handler's console server, as the node stand-in (node.ts) plays it: the HTTPS server on the node that
 * virt-api forwards a VMI's `pause` and `unpause` to (docs/kubevirt-behaviour.md §1.8).
 *
 * virt-api finds virt-handler's pod on the VMI's node and PUTs
 * `https://<podIP>:<--console-server-port>/v1/namespaces/<ns>/virtualmachineinstances/<name>/pause` (or
 * `unpause`) with its handler client certificate. Both sides check each other against the KubeVirt CA (the
 * `kubevirt-ca` ConfigMap), with KubeVirt's common names: the server presents
 * `kubevirt.io:system:node:virt-handler` (extended key usage serverAuth), the client
 * `kubevirt.io:system:client:virt-handler` (clientAuth). This server does the same: a client without a certificate
 * signed by the CA, with that name and usage, is disconnected.
 *
 * A pause or unpause of a VMI the node runs is answered 202 and handed to the node's domains (the VMI's `Paused`
 * condition follows from there, as virt-handler's `updatePausedConditions` writes it); a VMI the node does not
 * know is a 404 `VMI <ns>/<name> does not exist`; any other request is a 404.
 */
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { X509Certificate } from "node:crypto";
import {
  issueCertificate,
  type CertificateAuthority,
  type IssuedCertificate,
} from "../../../simulator/http/tls";

/** The common name of virt-handler's server certificate (KubeVirt's `VirtHandlerServerCertSecretName`). */
const SERVER_COMMON_NAME = "kubevirt.io:system:node:virt-handler";
/** The common name of virt-api's client certificate for virt-handler (KubeVirt's `VirtHandlerCertSecretName`). */
const CLIENT_COMMON_NAME = "kubevirt.io:system:client:virt-handler";
/** The OID of the clientAuth extended key usage. */
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
const ROUTE = /^\/v1\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/(pause|unpause)$/;

/** The client certificate virt-api presents to virt-handler (its `--handler-cert-file`), signed by `ca`. */
export function handlerClientCertificate(ca: CertificateAuthority): IssuedCertificate {
  return issueCertificate(ca, { commonName: CLIENT_COMMON_NAME, usages: ["clientAuth"] });
}

/** Where virt-api reaches virt-handler's console server, and the CA both sides trust. */
export interface ConsoleEndpoint {
  /** The port (virt-api's `--console-server-port`). */
  port: number;
  /** The KubeVirt CA: it signs the server's certificate and the client certificates it accepts. */
  ca: CertificateAuthority;
}

/** Options of {@link startConsoleServer}. */
export interface ConsoleServerOptions extends ConsoleEndpoint {
  /** The address to listen on (the virt-handler pod's IP). */
  host: string;
  /** Pauses (or unpauses) the domain of the VMI; false when the node runs no such VMI. */
  setPaused(namespace: string, name: string, paused: boolean): boolean;
}

/** A running console server. */
export interface ConsoleServer {
  stop(): Promise<void>;
}

/** Starts the console server; resolves once it listens. */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const { cert, key } = issueCertificate(options.ca, {
    commonName: SERVER_COMMON_NAME,
    usages: ["serverAuth"],
    names: [options.host],
  });
  const server = createServer(
    { cert, key, ca: [options.ca.cert], requestCert: true, rejectUnauthorized: true },
    (req, res) => answer(req, res, options),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { stop: () => close(server) };
}

/** Whether the peer presents virt-api's handler client certificate (the CA was checked by the handshake). */
function isHandlerClient(socket: TLSSocket): boolean {
  const peer = socket.getPeerX509Certificate();
  return !!peer && commonName(peer) === CLIENT_COMMON_NAME && (peer.keyUsage ?? []).includes(CLIENT_AUTH);
}

/** The certificate's subject common name. */
function commonName(cert: X509Certificate): string | undefined {
  return cert.subject
    .split("\n")
    .find((line) => line.startsWith("CN="))
    ?.slice(3);
}

/**
 * Answers one request: PUT pause or unpause of a known VMI → 202, else 404; a client that is not virt-api's
 * handler client is disconnected unanswered.
 */
function answer(req: IncomingMessage, res: ServerResponse, options: ConsoleServerOptions): void {
  if (!isHandlerClient(req.socket as TLSSocket)) return void req.socket.destroy();
  req.resume();
  const match = req.method === "PUT" ? ROUTE.exec(req.url ?? "") : null;
  if (!match) return reply(res, 404, "404: Page Not Found");
  const [, namespace, name, action] = match;
  if (!options.setPaused(namespace, name, action === "pause")) {
    return reply(res, 404, `VMI ${namespace}/${name} does not exist`);
  }
  reply(res, 202);
}

function reply(res: ServerResponse, status: number, text = ""): void {
  res.writeHead(status, { "content-type": "text/plain" }).end(text);
}

/** Closes the server and every connection it still has. */
function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
