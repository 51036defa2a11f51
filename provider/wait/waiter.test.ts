import { WaitFor } from "../../sdk/enums";
import type { NamespaceWatch, Observed } from "../kube/namespace-watch";
import type { LiveVm, LiveVmi } from "../model/kubevirt";
import type { LineKind } from "../progress/sink";
import { waitFor } from "./waiter";

/** A watch of one VM whose instance the test moves through its phases. */
function watchOf(vm: LiveVm) {
  let vmi: LiveVmi | undefined;
  const listeners = new Set<() => void>();
  let rv = 10;
  const watch = {
    failure: undefined,
    ready: async () => undefined,
    get: (): Observed => ({ vm, vmi }),
    onChange: (_name: string, l: () => void) => (listeners.add(l), () => listeners.delete(l)),
  } as unknown as NamespaceWatch;
  return {
    watch,
    phase(phase: string, ready = false) {
      vmi = {
        metadata: { name: "vm", resourceVersion: String(++rv), uid: "u1" },
        status: { phase, conditions: ready ? [{ type: "Ready", status: "True" }] : [] },
      } as LiveVmi;
      for (const l of listeners) l();
    },
  };
}

describe("waitFor's progress", () => {
  it("should send the first status at once and later ones at most once a second, the latest winning", async () => {
    const vm = {
      metadata: { name: "vm", resourceVersion: "1", generation: 1 },
      spec: { runStrategy: "Always" },
      status: {},
    } as unknown as LiveVm;
    const w = watchOf(vm);
    const lines: [string, LineKind | undefined][] = [];
    const done = waitFor(
      w.watch,
      "vm",
      { state: "running", level: WaitFor.Ready, strategy: "Always" },
      {},
      {
        deadline: Date.now() + 10_000,
        log: (line, kind) => lines.push([line, kind]),
        label: "Ready",
      },
    );
    await new Promise((r) => setTimeout(r, 10));
    w.phase("Pending");
    w.phase("Scheduling");
    w.phase("Scheduled");
    await new Promise((r) => setTimeout(r, 1_200));
    w.phase("Running", true);
    await done;
    const statuses = lines.filter(([, kind]) => kind === "status").map(([line]) => line);
    expect(statuses).toHaveLength(2);
    expect(statuses[1]).toMatch(/Scheduled/);
    expect(statuses.join("\n")).not.toMatch(/Scheduling/);
    expect(lines.at(-1)).toEqual(["vm: Ready after 1s", undefined]);
  });
});
