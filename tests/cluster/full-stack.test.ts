import { join } from "node:path";
import { operatorRequest } from "../support/operator";
import { startWorld, type World } from "../support/world";

// examples/full-stack on a real kube-apiserver: @pulumi/kubernetes resources (Namespace, Secret, Service) beside a
// VirtualMachine in one program, through the real Pulumi engine and the Pulumi Kubernetes provider plugin.

describe("examples/full-stack", () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld(join(__dirname, "../../examples/full-stack"), "full-stack", true);
    if (!w.target.controlPlane) throw new Error("tests/cluster need PULUMI_KUBEVIRT_TARGET=kubevirt");
  });
  afterAll(async () => {
    await w?.dispose();
  });

  const get = async (path: string) => operatorRequest(w.target.kubeconfig, "GET", path);

  it("should create the Namespace, the cloud-init Secret, the VM booting with it and the SSH Service in one up", async () => {
    const result = await w.stack.up();
    // Stack, Namespace, Secret, Service, the VirtualMachine component and its resource.
    expect(result.summary.resourceChanges).toEqual({ create: 6 });
    expect(result.outputs.powerState.value).toBe("Running");
    expect(result.outputs.sshService.value).toBe("full-stack/web-ssh:22");
    const secret = await get("/api/v1/namespaces/full-stack/secrets/web-cloud-init");
    expect(Buffer.from(secret.body.data.userdata, "base64").toString()).toMatch(/^#cloud-config\n/);
    const vm = await get("/apis/kubevirt.io/v1/namespaces/full-stack/virtualmachines/web");
    expect(vm.body.spec.template.spec.volumes).toContainEqual({
      name: "cloudinit",
      cloudInitNoCloud: { secretRef: { name: "web-cloud-init" } },
    });
    const svc = await get("/api/v1/namespaces/full-stack/services/web-ssh");
    expect(svc.body.spec.selector).toEqual(vm.body.spec.template.metadata.labels);
    expect(svc.body.spec.ports[0]).toMatchObject({ port: 22, targetPort: 22 });
  });

  it("should stop only the VM on a strategy flip, leaving the Kubernetes resources untouched", async () => {
    await w.stack.setConfig("runStrategy", { value: "Halted" });
    const mark = w.mark();
    const result = await w.stack.up();
    w.expectPowerCalls(mark, ["web/stop"]);
    expect(result.summary.resourceChanges).toEqual({ same: 5, update: 1 });
    expect(result.outputs.powerState.value).toBe("Stopped");
    const vmi = await get("/apis/kubevirt.io/v1/namespaces/full-stack/virtualmachineinstances/web");
    expect(vmi.code).toBe(404);
  });

  it("should destroy everything, the Namespace last", async () => {
    const result = await w.stack.destroy();
    expect(result.summary.resourceChanges).toEqual({ delete: 6 });
    expect((await get("/api/v1/namespaces/full-stack")).code).toBe(404);
  });
});
