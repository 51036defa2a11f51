import type { EngineEvent } from "@pulumi/pulumi/automation";
import { startFleet, type Fleet } from "../support/fleet";

// Where the provider's progress shows: through the real engine, every line the provider sends (wait statuses,
// power actions, adoption notes) is a diagnostic of the VM resource it is about, never of the stack.

const RESOURCE_TYPE = "pulumi-nodejs:dynamic/kubevirt:VirtualMachine";

/** One diagnostic as the Automation API reports it. */
interface Diagnostic {
  urn: string;
  message: string;
  severity: string;
  ephemeral: boolean;
}

/** Collects the diagnostics of one engine operation (not the engine's own debug lines). */
function diagnostics(): { seen: Diagnostic[]; onEvent: (e: EngineEvent) => void } {
  const seen: Diagnostic[] = [];
  return {
    seen,
    onEvent: (e) => {
      const d = e.diagnosticEvent;
      // The engine also sends its debug lines as events, although the type does not list them.
      if (d && (d.severity as string) !== "debug") {
        seen.push({
          urn: d.urn ?? "",
          message: d.message.trim(),
          severity: d.severity,
          ephemeral: d.ephemeral ?? false,
        });
      }
    },
  };
}

/** The URN of the VM resource named `name` (the component's child). */
function vmUrn(urns: string[], name: string): string {
  const urn = urns.find((u) => u.endsWith(`$${RESOURCE_TYPE}::${name}`));
  if (!urn) throw new Error(`no ${RESOURCE_TYPE} ${name} among ${urns.join(", ")}`);
  return urn;
}

describe("progress on the VM's own row", () => {
  let fleet: Fleet;
  let urns: string[];

  beforeAll(async () => {
    fleet = await startFleet("progress");
  });
  afterAll(async () => {
    await fleet?.dispose();
  });

  const stateUrns = async () =>
    ((await fleet.stack.exportStack()).deployment.resources ?? []).map((r: { urn: string }) => r.urn);

  it("should attach every wait status of a create to the VM, as ephemeral status, and nothing to the stack", async () => {
    await fleet.stack.setConfig("vms", {
      value: JSON.stringify({ "row-a": { runStrategy: "Always" }, "row-b": { runStrategy: "Always" } }),
    });
    const d = diagnostics();
    const result = await fleet.stack.up({ onEvent: d.onEvent });
    expect(result.summary.result).toBe("succeeded");
    urns = await stateUrns();
    const rows = { "row-a": vmUrn(urns, "row-a"), "row-b": vmUrn(urns, "row-b") };
    const ours = d.seen.filter((x) => /^row-[ab]: /.test(x.message));
    for (const [name, urn] of Object.entries(rows)) {
      const mine = ours.filter((x) => x.message.startsWith(`${name}: `));
      // The waits' statuses (Provisioning/Starting ...) as ephemeral lines, then the outcome, kept.
      expect(mine.filter((x) => x.ephemeral).length).toBeGreaterThan(0);
      expect(mine.filter((x) => !x.ephemeral).map((x) => x.message)).toContainEqual(
        expect.stringMatching(new RegExp(`^${name}: Ready after \\d+s$`)),
      );
      expect(mine.filter((x) => x.urn !== urn)).toEqual([]);
    }
    // Nothing of the provider's about no resource or about the stack.
    expect(d.seen.filter((x) => x.urn === "" || x.urn.includes("pulumi:pulumi:Stack"))).toEqual([]);
  });

  it("should attach preview's planned power actions and up's power calls to the VM they are about", async () => {
    await fleet.stack.setConfig("vms", {
      value: JSON.stringify({ "row-a": { runStrategy: "Halted" }, "row-b": { runStrategy: "Always" } }),
    });
    const planned = diagnostics();
    await fleet.stack.preview({ onEvent: planned.onEvent });
    expect(planned.seen).toContainEqual({
      urn: vmUrn(urns, "row-a"),
      message: "will stop row-a (runStrategy Always → Halted)",
      severity: "info",
      ephemeral: false,
    });
    expect(planned.seen.filter((x) => x.urn !== vmUrn(urns, "row-a"))).toEqual([]);

    const done = diagnostics();
    await fleet.stack.up({ onEvent: done.onEvent });
    const kept = done.seen.filter((x) => !x.ephemeral);
    expect(kept).toContainEqual(expect.objectContaining({ urn: vmUrn(urns, "row-a"), severity: "info" }));
    expect(kept.map((x) => x.message)).toContainEqual(expect.stringMatching(/^row-a: stop row-a/));
    expect(done.seen.filter((x) => x.urn !== vmUrn(urns, "row-a"))).toEqual([]);
  });
});
