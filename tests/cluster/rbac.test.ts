import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadYaml } from "@kubernetes/client-node";
import { createTestStack, type TestStack } from "../support/stack";
import { operatorRequest } from "../support/operator";
import { startTarget, type Target } from "../support/target";

// The documented least-privilege Role (examples/rbac/role.yaml) on a real kube-apiserver: a ServiceAccount bound
// to exactly that Role runs the product end to end; without the subresource rule, `up` fails with the
// apiserver's forbidden message.

const ROLE = loadYaml<{ rules: { resources: string[] }[] }>(
  readFileSync(join(__dirname, "../../examples/rbac/role.yaml"), "utf8"),
);
const FLEET = join(__dirname, "../e2e/programs/fleet");

describe("RBAC on a real kube-apiserver", () => {
  let target: Target;
  const stacks: TestStack[] = [];

  beforeAll(async () => {
    target = await startTarget();
    if (!target.controlPlane) throw new Error("tests/cluster need PULUMI_KUBEVIRT_TARGET=kubevirt");
  });
  afterAll(async () => {
    for (const s of stacks) await s.dispose().catch(() => undefined);
    await target?.stop();
  });

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await operatorRequest(target.kubeconfig, method, path, body);
    if (res.code >= 300) throw new Error(`${method} ${path}: ${res.code} ${res.body.message}`);
    return res.body;
  };

  /** A namespace with ServiceAccount `deployer` bound to `rules`; returns a stack of the fleet program run as it. */
  async function deployerStack(namespace: string, rules: unknown[]): Promise<TestStack> {
    const ns = `/api/v1/namespaces/${namespace}`;
    await admin("POST", "/api/v1/namespaces", { metadata: { name: namespace } });
    await admin("POST", `${ns}/serviceaccounts`, { metadata: { name: "deployer" } });
    await admin("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
      metadata: { name: "pulumi-kubevirt" },
      rules,
    });
    await admin("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
      metadata: { name: "pulumi-kubevirt" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pulumi-kubevirt" },
      subjects: [{ kind: "ServiceAccount", name: "deployer", namespace }],
    });
    const token = (
      await admin("POST", `${ns}/serviceaccounts/deployer/token`, { spec: { expirationSeconds: 3600 } })
    ).status.token as string;
    const path = join(target.controlPlane!.kubeconfigPath, `../deployer-${namespace}.kubeconfig`);
    writeFileSync(path, target.controlPlane!.kubeconfigFor("deployer", token, namespace), { mode: 0o600 });
    const stack = await createTestStack(FLEET, namespace, {
      KUBECONFIG: path,
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    });
    stacks.push(stack);
    return stack;
  }

  const up = async (stack: TestStack, vms: Record<string, object>) => {
    await stack.stack.setConfig("vms", { value: JSON.stringify(vms) });
    return (await stack.stack.up()).outputs.fleet.value as Record<string, { powerState: string }>;
  };

  it("should create, stop, start and destroy VMs as a ServiceAccount with exactly the documented Role", async () => {
    const stack = await deployerStack("rbac", ROLE.rules);
    expect((await up(stack, { web: { runStrategy: "Always" } })).web.powerState).toBe("Running");
    expect((await up(stack, { web: { runStrategy: "Halted" } })).web.powerState).toBe("Stopped");
    expect((await up(stack, { web: { runStrategy: "Always" } })).web.powerState).toBe("Running");
    const calls = target
      .controlPlane!.auditEvents()
      .filter((e) => e.user.username === "system:serviceaccount:rbac:deployer")
      .filter((e) => e.requestURI.startsWith("/apis/subresources.kubevirt.io/"))
      .map((e) => `${e.verb} ${e.requestURI.split("?")[0]} ${e.responseStatus?.code}`);
    expect(calls).toEqual([
      "update /apis/subresources.kubevirt.io/v1/namespaces/rbac/virtualmachines/web/stop 202",
      "update /apis/subresources.kubevirt.io/v1/namespaces/rbac/virtualmachines/web/start 202",
    ]);
    const destroyed = await stack.stack.destroy();
    expect(destroyed.summary.resourceChanges).toEqual({ delete: 3 });
    expect((await admin("GET", "/apis/kubevirt.io/v1/namespaces/rbac/virtualmachines")).items).toEqual([]);
  });

  it("should fail `up` with the apiserver's forbidden message when the Role lacks the subresource rule", async () => {
    const withoutSubresources = ROLE.rules.filter((r) => !r.resources.some((x) => x.includes("/")));
    expect(withoutSubresources).toHaveLength(ROLE.rules.length - 1);
    const stack = await deployerStack("rbac-nosub", withoutSubresources);
    expect((await up(stack, { web: { runStrategy: "Always" } })).web.powerState).toBe("Running");
    await expect(up(stack, { web: { runStrategy: "Halted" } })).rejects.toThrow(
      'User "system:serviceaccount:rbac-nosub:deployer" cannot update resource "virtualmachines/stop" in API group "subresources.kubevirt.io" in the namespace "rbac-nosub"',
    );
    const vm = await admin("GET", "/apis/kubevirt.io/v1/namespaces/rbac-nosub/virtualmachines/web");
    expect(vm.spec.runStrategy).toBe("Always");
  });
});
