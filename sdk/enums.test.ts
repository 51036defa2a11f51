import {
  PowerDrift,
  PowerState,
  RestartPolicy,
  RunStrategy,
  WAIT_FOR_LEVELS,
  WaitFor,
  waitForRank,
} from "./enums";

describe("enums", () => {
  it("should offer exactly the run strategies KubeVirt validates, without the feature-gated WaitAsReceiver", () => {
    expect(Object.values(RunStrategy)).toEqual(["Always", "RerunOnFailure", "Once", "Manual", "Halted"]);
  });

  it("should use each value as its own key, so constants and literals are interchangeable", () => {
    for (const set of [RunStrategy, PowerState, RestartPolicy, PowerDrift, WaitFor]) {
      for (const [key, value] of Object.entries(set)) expect(key).toBe(value);
    }
  });

  it("should order the waitFor levels from Created to HasIP", () => {
    expect(WAIT_FOR_LEVELS).toEqual(["Created", "Running", "Ready", "AgentConnected", "HasIP"]);
    expect(WAIT_FOR_LEVELS).toEqual(Object.values(WaitFor));
    expect(waitForRank("Created")).toBe(0);
    expect(waitForRank(WaitFor.Ready)).toBeGreaterThan(waitForRank(WaitFor.Running));
  });
});
