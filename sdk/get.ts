/**
 * `VirtualMachine.get`: a read of a VirtualMachine the program does not manage. The component is built from
 * a read of the live VM (the engine's "read" of the inner dynamic resource, by id); the engine never
 * updates or deletes a resource read this way, and the provider's read only sends GET requests.
 *
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { READ_ONLY } from "../provider/read-only";

/** Where to find the cluster, for {@link VirtualMachine.get} and the lookup functions. */
export interface VirtualMachineConnection {
  /**
   * Kubeconfig to use: a file path, the kubeconfig contents (YAML/JSON) or their base64. Stored as a secret
   * and never quoted in a message. Default: `KUBECONFIG`, `~/.kube/config`, else the in-cluster account.
   */
  kubeconfig?: pulumi.Input<string>;
  /** Kubeconfig context to use. Default: the kubeconfig's current context. */
  context?: pulumi.Input<string>;
}

/** Options of {@link VirtualMachine.get}: the usual resource options plus where to find the cluster. */
export interface VirtualMachineGetOptions extends pulumi.ComponentResourceOptions, VirtualMachineConnection {}

const GET = Symbol("pulumi-kubevirt:VirtualMachine.get");

/** What `VirtualMachine.get` hands to the component's constructor in place of its args. */
export interface GetRequest {
  readonly [GET]: { id: pulumi.Input<string> } & VirtualMachineConnection;
}

/** Splits `get`'s options into the request for the constructor and the component's own resource options. */
export function getRequest(
  id: pulumi.Input<string>,
  opts: VirtualMachineGetOptions = {},
): { request: GetRequest; opts: pulumi.ComponentResourceOptions } {
  const { kubeconfig, context, ...resourceOpts } = opts;
  return { request: { [GET]: { id, kubeconfig, context } }, opts: resourceOpts };
}

/** Whether the constructor's args are a {@link GetRequest}. */
export function isGetRequest(args: unknown): args is GetRequest {
  return typeof args === "object" && args !== null && GET in args;
}

/**
 * The inputs and options of the inner dynamic resource of a get: only the read-only flag and the connection
 * (the kubeconfig wrapped as a secret, its output kept secret too), read by id.
 */
export function readOnlyResource(
  request: GetRequest,
  parent: pulumi.Resource,
): { props: pulumi.Inputs; opts: pulumi.CustomResourceOptions } {
  const { id, kubeconfig, context } = request[GET];
  return {
    props: {
      [READ_ONLY]: true,
      kubeconfig: kubeconfig === undefined ? undefined : pulumi.secret(kubeconfig),
      context,
      // Outputs of the read (a resource's outputs are the keys of its inputs).
      name: undefined,
      namespace: undefined,
    },
    opts: { parent, id, additionalSecretOutputs: ["kubeconfig"] },
  };
}
