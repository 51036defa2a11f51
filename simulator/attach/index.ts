/**
 * `attachKubeVirt()`: the simulator's KubeVirt running against a real kube-apiserver instead of its own API
 * layer. VirtualMachines and VirtualMachineInstances live in the real apiserver (under KubeVirt's own CRDs, so
 * schema validation, pruning, resourceVersions, watches and RBAC are the real ones); the simulated controller
 * reconciles them through a {@link RemoteStore}; the simulator's virt-api serves `subresources.kubevirt.io/v1`
 * behind the aggregation layer and validates VirtualMachines as KubeVirt's webhook.
 */
import { loadKubeConfig } from "../../provider/kube/connection";
import { generateServerCertificates } from "../http/tls";
import type { KubeObject } from "../store/types";
import { VM_KEY, VMI_KEY } from "../kubevirt/api";
import { startKubeVirtRuntime, type KubeVirtOptions, type KubeVirtWorld } from "../kubevirt/runtime";
import {
  installCrds,
  registerVirtApi,
  unregisterVirtApi,
  VIRT_API_NAMESPACE,
  VIRT_API_SERVICE,
} from "./registration";
import { RemoteStore } from "./remote-store";
import { startVirtApi } from "./virt-api";

/** Options of {@link attachKubeVirt}. */
export interface AttachOptions {
  /** A kubeconfig (path or contents) with the rights KubeVirt's components have (cluster admin will do). */
  kubeconfig: string;
  /** CRDs to install first (KubeVirt's VirtualMachine and VirtualMachineInstance CRDs); omitted: already there. */
  crds?: readonly KubeObject[];
  /** Timings, world settings, feature gates, log: as for the in-memory simulator. */
  kubevirt?: KubeVirtOptions;
}

/** A running attachment. */
export interface AttachedKubeVirt {
  /** The simulated world (node capacity, images, guest events), as for the in-memory simulator. */
  world: KubeVirtWorld;
  /** The controller's view of the cluster's VMs and VMIs. */
  store: RemoteStore;
  /** The loopback port virt-api listens on. */
  virtApiPort: number;
  /** Unregisters virt-api and the webhook, stops the controller and the server. */
  stop(): Promise<void>;
}

/** Attaches the simulated KubeVirt to the cluster of `options.kubeconfig`. */
export async function attachKubeVirt(options: AttachOptions): Promise<AttachedKubeVirt> {
  const kc = loadKubeConfig({ kubeconfig: options.kubeconfig });
  const log = options.kubevirt?.log;
  if (options.crds) await installCrds(kc, options.crds);
  const store = new RemoteStore(
    kc,
    [
      { key: VM_KEY, statusSubresource: true },
      { key: VMI_KEY, statusSubresource: false },
    ],
    log,
  );
  await store.start();
  const runtime = startKubeVirtRuntime(store, options.kubevirt);
  const certificates = generateServerCertificates([
    `${VIRT_API_SERVICE}.${VIRT_API_NAMESPACE}.svc`,
    `${VIRT_API_SERVICE}.${VIRT_API_NAMESPACE}.svc.cluster.local`,
  ]);
  const virtApi = await startVirtApi({
    kc,
    store,
    clock: runtime.clock,
    certificates,
    admission: { featureGates: options.kubevirt?.featureGates },
    log,
  });
  try {
    await registerVirtApi(kc, virtApi.port, certificates.caCert);
  } catch (err) {
    runtime.stop();
    await Promise.all([store.stop(), virtApi.close()]);
    throw err;
  }
  return {
    world: runtime.world,
    store,
    virtApiPort: virtApi.port,
    async stop() {
      await unregisterVirtApi(kc);
      runtime.stop();
      await store.stop();
      await virtApi.close();
    },
  };
}

export { RemoteStore } from "./remote-store";
