import { envInt } from "../support/env";
import {
  planTrials,
  SURVIVOR_CHECK_MS,
  totals,
  runTrial,
  summary,
  survivorsKilled,
  type TrialResult,
} from "../support/interrupt";

// Interrupted `pulumi up` runs, through the real engine against the simulator: a seeded mix of kill modes
// (SIGKILL of the CLI, SIGKILL of the dynamic provider, a double Ctrl-C), fixed names and auto-names, and kill
// points during the creates and the waits; after the documented recovery (cancel, refresh, up) no VM may be
// orphaned, duplicated or missing. PULUMI_KUBEVIRT_TRIALS sets the number of trials, PULUMI_KUBEVIRT_SEED the seed.
const TRIALS = envInt("PULUMI_KUBEVIRT_TRIALS", 12);
const SEED = envInt("PULUMI_KUBEVIRT_SEED", 20260417);
const TRIAL_TIMEOUT_MS = 300_000;

describe("interrupted pulumi up", () => {
  const results: TrialResult[] = [];

  afterAll(async () => {
    // The interrupted runs' leftover processes are killed once counted.
    await survivorsKilled();
  }, SURVIVOR_CHECK_MS + 10_000);

  for (const plan of planTrials(TRIALS, SEED)) {
    it(
      `trial ${plan.index}: ${plan.mode}, ${plan.naming} names, ${plan.count} VMs, ` +
        `killed ${plan.delayMs} ms after the first VM create: should converge with every VM exactly once`,
      async () => {
        const r = await runTrial(plan);
        results.push(r);
        expect({
          ...r.census,
          recovery: r.recovered ? "up succeeded" : r.recovery,
        }).toEqual({
          orphans: [],
          duplicates: [],
          missing: [],
          staleUids: [],
          undeclared: [],
          pendingOperations: [],
          converged: true,
          recovery: "up succeeded",
        });
      },
      TRIAL_TIMEOUT_MS,
    );
  }

  it(
    "should add up to no orphan, duplicate or missing VM, and every trial converged",
    async () => {
      console.log(await summary(results));
      expect(totals(results)).toEqual({
        run: TRIALS,
        orphans: 0,
        duplicates: 0,
        missing: 0,
        converged: TRIALS,
      });
    },
    SURVIVOR_CHECK_MS + 10_000,
  );
});
