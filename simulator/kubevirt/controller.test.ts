import type { KubeObject } from "../store/types";
import { installKubeVirt, type InstalledKubeVirt } from "./index";
import { FakeClock } from "./timings";
import { TestHost } from "./test-host";
import { VM_KEY, VMI_KEY } from "./api";

function newVM(
  name: string,
  runStrategy: string,
  templateMeta: Record<string, unknown> = {},
  domain: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name, namespace: "default" },
    spec: {
      runStrategy,
      template: {
        metadata: { labels: { "kubevirt.io/vm": name }, ...templateMeta },
        spec: {
          domain: { devices: {}, memory: { guest: "1Gi" }, ...domain },
          terminationGracePeriodSeconds: 30,
          volumes: [{ name: "root", containerDisk: { image: "quay.io/containerdisks/fedora:40" } }],
        },
      },
    },
  };
}

describe("KubeVirtController with a fake clock (fast timings)", () => {
  let clock: FakeClock;
  let host: TestHost;
  let kv: InstalledKubeVirt;
  const vmOf = (n: string) => host.store.get(VM_KEY, "default", n)!;
  const vmiOf = (n: string) => host.store.get(VMI_KEY, "default", n);

  beforeEach(() => {
    clock = new FakeClock();
    host = new TestHost(() => clock.now());
    kv = installKubeVirt(host, { timings: "fast", clock, timers: clock, seed: 3 });
  });
  afterEach(() => kv.stop());

  it("should bring an Always VM to Running with an IP, then replace it after a guest shutdown", () => {
    host.store.create(VM_KEY, newVM("a", "Always"));
    clock.advance(300);
    const vm = vmOf("a");
    expect(vm.metadata.finalizers).toEqual(["kubevirt.io/virtualMachineControllerFinalize"]);
    expect(vm.status).toMatchObject({
      printableStatus: "Running",
      ready: true,
      created: true,
      runStrategy: "Always",
    });
    const vmi = vmiOf("a")!;
    expect(vmi.status).toMatchObject({ phase: "Running", nodeName: "node01" });
    expect((vmi.status!.interfaces as { ipAddress?: string }[])[0].ipAddress).toMatch(/^10\.244\.0\.\d+$/);
    const uid = vmi.metadata.uid;
    kv.world.guestShutdown("default", "a");
    clock.advance(300);
    expect(vmiOf("a")!.metadata.uid).not.toBe(uid);
    expect(vmOf("a").status!.printableStatus).toBe("Running");
  });

  it("should stop an Always VM through the stop subresource and flip it to Halted", async () => {
    host.store.create(VM_KEY, newVM("b", "Always"));
    clock.advance(300);
    expect(await host.call("virtualmachines", "stop", "default", "b")).toEqual({ code: 202 });
    expect(vmOf("b").spec!.runStrategy).toBe("Halted");
    clock.advance(1);
    expect(vmOf("b").status!.printableStatus).toBe("Stopping");
    clock.advance(300);
    expect(vmiOf("b")).toBeUndefined();
    expect(vmOf("b").status).toMatchObject({ printableStatus: "Stopped", ready: false, created: false });
  });

  it("should crash-loop with growing backoff and count each failure once", () => {
    host.store.create(VM_KEY, newVM("c", "Always", { labels: { "sim.kubevirt.io/crash-loop": "true" } }));
    // Record when each failure is counted, stepping 5 ms at a time.
    const seen: number[] = [];
    const start = clock.now();
    while (clock.now() - start < 1500) {
      clock.advance(5);
      const n =
        (vmOf("c").status!.startFailure as { consecutiveFailCount: number } | undefined)
          ?.consecutiveFailCount ?? 0;
      if (n > seen.length) {
        expect(n).toBe(seen.length + 1);
        seen.push(clock.now() - start);
        expect(vmOf("c").status!.printableStatus).toMatch(/CrashLoopBackOff|Starting/);
      }
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    // fast timings scale 10·n² s by 1/100: ≥100 ms after the first failure, ≥400 ms after the second.
    expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(100);
    expect(seen[2] - seen[1]).toBeGreaterThanOrEqual(400);
  });

  it("should mark an oversized VM ErrorUnschedulable and schedule it once the node grows", () => {
    host.store.create(VM_KEY, newVM("d", "Always", {}, { memory: { guest: "64Gi" } }));
    clock.advance(200);
    expect(vmOf("d").status!.printableStatus).toBe("ErrorUnschedulable");
    expect(vmiOf("d")!.status!.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: expect.stringMatching(/^0\/1 nodes are available: 1 Insufficient memory\./),
        }),
      ]),
    );
    kv.world.configure({ node: { memory: "128Gi" } });
    clock.advance(200);
    expect(vmOf("d").status!.printableStatus).toBe("Running");
  });

  it("should delete a VM: Terminating, VMI gone, then the VM gone (§6)", () => {
    host.store.create(VM_KEY, newVM("e", "Always"));
    clock.advance(300);
    host.store.delete(VM_KEY, "default", "e");
    clock.advance(1);
    expect(vmOf("e").status!.printableStatus).toBe("Terminating");
    clock.advance(300);
    expect(vmiOf("e")).toBeUndefined();
    expect(host.store.get(VM_KEY, "default", "e")).toBeUndefined();
  });

  it("should restart a Manual VM with a new VMI uid and clear the requests", async () => {
    host.store.create(VM_KEY, newVM("f", "Manual"));
    clock.advance(50);
    expect(vmOf("f").status!.printableStatus).toBe("Stopped");
    await host.call("virtualmachines", "start", "default", "f");
    clock.advance(300);
    const uid = vmiOf("f")!.metadata.uid;
    await host.call("virtualmachines", "restart", "default", "f");
    clock.advance(400);
    expect(vmiOf("f")!.metadata.uid).not.toBe(uid);
    expect(vmOf("f").status!.stateChangeRequests).toBeUndefined();
    expect(vmOf("f").spec!.runStrategy).toBe("Manual");
    expect(vmOf("f").status!.printableStatus).toBe("Running");
  });

  it("should honour a guest that ignores ACPI for the whole (scaled) grace period", () => {
    host.store.create(
      VM_KEY,
      newVM("g", "Halted", { annotations: { "sim.kubevirt.io/ignore-acpi": "true" } }),
    );
    const stored = vmOf("g");
    host.store.update(VM_KEY, { ...stored, spec: { ...stored.spec, runStrategy: "Always" } });
    clock.advance(300);
    const s = vmOf("g");
    host.store.update(VM_KEY, { ...s, spec: { ...s.spec, runStrategy: "Halted" } });
    clock.advance(200); // grace 30 s × 0.01 = 300 ms
    expect(vmiOf("g")!.status!.phase).toBe("Running");
    expect(vmOf("g").status!.printableStatus).toBe("Stopping");
    clock.advance(200);
    expect(vmiOf("g")).toBeUndefined();
  });
});
