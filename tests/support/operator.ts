import { KubeConfig } from "@kubernetes/client-node";
import { ApiError } from "../../provider/kube/errors";
import { apiRequest } from "../../provider/kube/http";

/**
 * A request as an operator would make it with virtctl or kubectl, using a kubeconfig (YAML) such as the
 * simulator's. Returns the HTTP status and the parsed body; errors are answers, not exceptions.
 */
export async function operatorRequest(
  kubeconfig: string,
  method: string,
  path: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ code: number; body: any }> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  try {
    const res = await apiRequest(kc, method, path, { body });
    return { code: res.code, body: res.body };
  } catch (err) {
    if (err instanceof ApiError)
      return { code: err.code, body: { message: err.message, reason: err.reason } };
    throw err;
  }
}
