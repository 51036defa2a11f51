/**
 * The @kubernetes/client-node API clients of one kubeconfig, sharing one configuration whose middleware does
 * what every request of the provider needs: a time limit, one keep-alive connection pool, `Warning` headers
 * passed on, and every non-2xx answer thrown with the server's body (as an `ApiException`, which
 * {@link toApiError} turns into an ApiError). KubeVirt's objects stay plain JSON, as the API server sent them.
 */
import { STATUS_CODES } from "node:http";
import {
  ApiException,
  CoreV1Api,
  createConfiguration,
  KubernetesObjectApi,
  ServerConfiguration,
  type Configuration,
  type KubeConfig,
  type Middleware,
  type RequestContext,
  type V1APIResource,
} from "@kubernetes/client-node";
// The registry of custom resource models is client-node's documented extension point, but its index does not
// export it.
import { ObjectSerializer } from "@kubernetes/client-node/dist/serializer.js";
import { DATA_VOLUME_API_VERSION, VM_API_VERSION } from "../model/manifest";
import { warningTexts } from "./http";

/** How long one request may take before it counts as a broken connection. */
const REQUEST_TIMEOUT_MS = 30_000;

/** Options of {@link makeClients}. */
export interface ClientOptions {
  /** Receives the text of every `Warning` header of an answer. */
  warn?: (message: string) => void;
  /** The time limit of one request, body included (default 30 s). */
  timeoutMs?: number;
}

/** The clients the provider calls. */
export interface Clients {
  /** VirtualMachine and VirtualMachineInstance CRUD, by kind (resolved once per instance by discovery). */
  objects: KubernetesObjectApi;
  /** Namespaces. */
  core: CoreV1Api;
}

/**
 * KubeVirt's kinds as client-node should (de)serialize them: as they are. Without this, client-node sends a
 * JSON patch (an array) as an object, and turns `metadata` timestamps into Dates.
 */
function registerPlainJson(): void {
  const plain = { serialize: (data: unknown) => data, deserialize: (data: unknown) => data };
  const kinds: [string, string][] = [
    [VM_API_VERSION, "VirtualMachine"],
    [VM_API_VERSION, "VirtualMachineList"],
    [VM_API_VERSION, "VirtualMachineInstance"],
    [VM_API_VERSION, "VirtualMachineInstanceList"],
    [DATA_VOLUME_API_VERSION, "DataVolume"],
    [DATA_VOLUME_API_VERSION, "DataVolumeList"],
  ];
  for (const [apiVersion, kind] of kinds) {
    const [group, version] = apiVersion.split("/") as [string, string];
    try {
      ObjectSerializer.registerModel({ group, version, kind }, plain);
    } catch {
      // Already registered (by another load of this module): the registry is client-node's, per process.
    }
  }
}
registerPlainJson();

/**
 * client-node's KubernetesObjectApi, whose discovery of a kind's resource (`GET /apis/kubevirt.io/v1`) is
 * shared by concurrent calls: client-node caches the answer, but every call made before it arrives would send
 * its own discovery request.
 */
class SharedDiscoveryObjectApi extends KubernetesObjectApi {
  private readonly discoveries = new Map<string, Promise<V1APIResource | undefined>>();

  protected override resource(
    apiVersion: string,
    kind: string,
    options?: Configuration,
  ): Promise<V1APIResource | undefined> {
    const key = `${apiVersion}/${kind}`;
    let found = this.discoveries.get(key);
    if (!found) {
      found = super.resource(apiVersion, kind, options);
      this.discoveries.set(key, found);
      found.catch(() => this.discoveries.delete(key)); // a failed discovery is tried again by the next call
    }
    return found;
  }
}

type Dispatcher = ReturnType<RequestContext["getDispatcher"]>;

/**
 * The middleware of {@link makeClients}. client-node builds a new connection pool (and so a new TLS connection)
 * for every request; with credentials fixed in the kubeconfig (no exec plugin or auth provider, which may
 * renew a client certificate) the first pool serves every request.
 */
function middleware(kc: KubeConfig, options: ClientOptions): Middleware {
  const user = kc.getCurrentUser();
  const fixedCredentials = !user?.exec && !user?.authProvider;
  let pool: Dispatcher;
  return {
    pre: async (request) => {
      request.setSignal(AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS));
      if (fixedCredentials) {
        pool ??= request.getDispatcher();
        if (pool) request.setDispatcher(pool);
      }
      return request;
    },
    post: async (response) => {
      for (const w of warningTexts(response.headers.warning)) options.warn?.(w);
      const code = response.httpStatusCode;
      if (code >= 200 && code < 300) return response;
      throw new ApiException(
        code,
        STATUS_CODES[code] ?? "Error",
        await response.body.text(),
        response.headers,
      );
    },
  };
}

/** The clients of the current context of `kc`. */
export function makeClients(kc: KubeConfig, options: ClientOptions = {}): Clients {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig: no current cluster");
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [middleware(kc, options)],
  });
  return { objects: new SharedDiscoveryObjectApi(configuration), core: new CoreV1Api(configuration) };
}
