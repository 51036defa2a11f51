import { desiredPowerState } from "./power";
import { UNKNOWN } from "./unknown";
import type { VmInputs } from "./inputs";

type PowerInputs = Pick<VmInputs, "runStrategy" | "running" | "powerState">;

describe("desiredPowerState", () => {
  it.each<[PowerInputs, string | undefined]>([
    [{ runStrategy: "Always" }, "Running"],
    [{ runStrategy: "Always", powerState: "Running" }, "Running"],
    [{ runStrategy: "Always", powerState: "Paused" }, "Paused"],
    [{ runStrategy: "Halted" }, "Stopped"],
    [{ running: true }, "Running"],
    [{ running: true, powerState: "Paused" }, "Paused"],
    [{ running: false }, "Stopped"],
    [{ runStrategy: "Manual" }, undefined],
    [{ runStrategy: "Manual", powerState: "Running" }, "Running"],
    [{ runStrategy: "Manual", powerState: "Stopped" }, "Stopped"],
    [{ runStrategy: "Manual", powerState: "Paused" }, "Paused"],
    [{ runStrategy: "RerunOnFailure" }, undefined],
    [{ runStrategy: "RerunOnFailure", powerState: "Running" }, "Running"],
    [{ runStrategy: "RerunOnFailure", powerState: "Stopped" }, "Stopped"],
    [{ runStrategy: "RerunOnFailure", powerState: "Paused" }, "Paused"],
    // Once: only whether its one run is paused (Running unpauses it); unset leaves it alone.
    [{ runStrategy: "Once" }, undefined],
    [{ runStrategy: "Once", powerState: "Running" }, "Running"],
    [{ runStrategy: "Once", powerState: "Paused" }, "Paused"],
    [{}, undefined],
  ])("should map %j to %s", (inputs, expected) => {
    expect(desiredPowerState(inputs)).toBe(expected);
  });

  it("should return undefined while the run strategy or power state is unknown", () => {
    expect(desiredPowerState({ runStrategy: UNKNOWN as never })).toBeUndefined();
    expect(desiredPowerState({ runStrategy: "Manual", powerState: UNKNOWN as never })).toBeUndefined();
    expect(desiredPowerState({ running: UNKNOWN as never })).toBeUndefined();
  });
});
