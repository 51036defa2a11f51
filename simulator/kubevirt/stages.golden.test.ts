/**
 * Golden tests for the VMI stage table (kwok's `testdata/<case>.input.yaml` → `<case>.output.yaml`):
 * for each input VMI (and optional world settings and timing profile) the matched stage, its delay range
 * and the VMI it produces. Timestamps are written as `<Now>`. Regenerate with `UPDATE_GOLDEN=1`; a case
 * without its output file fails.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readGolden } from "../../tests/support/golden";
import type { KubeObject } from "../store/types";
import { matchStage, stageDelayMs, type StageContext } from "./stages";
import { TIMING_PROFILES } from "./timings";
import { defaultWorldSettings, mergeSettings } from "./world";

const DIR = join(__dirname, "testdata", "stages");
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

interface Input {
  vmi: KubeObject;
  settings?: Record<string, unknown>;
  profile?: "fast" | "realistic";
  /** What the controller found for the VMI's DataVolume and PVC volumes (§11.1). */
  volumes?: Pick<StageContext, "volumesReady" | "missingClaim">;
}

function normalise(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value ?? null).replaceAll(new Date(NOW).toISOString().replace(/\.\d{3}Z$/, "Z"), "<Now>"),
  );
}

function evaluate(input: Input): unknown {
  const timings = TIMING_PROFILES[input.profile ?? "realistic"];
  const ctx: StageContext = {
    vmi: input.vmi,
    allVmis: () => [input.vmi],
    settings: mergeSettings(defaultWorldSettings(), input.settings ?? {}),
    timings,
    now: NOW,
    ordinal: 0,
    ...input.volumes,
  };
  const stage = matchStage(ctx);
  if (!stage) return { stage: null };
  const delay = stageDelayMs(stage, ctx);
  return normalise({
    stage: stage.name,
    delayMs: { min: delay, max: delay + timings.jitterMs },
    next: stage.next(ctx),
  });
}

describe("VMI stage goldens", () => {
  const cases = readdirSync(DIR)
    .filter((f) => f.endsWith(".input.json"))
    .map((f) => f.replace(/\.input\.json$/, ""));
  it("should have cases", () => expect(cases.length).toBeGreaterThan(5));
  for (const c of cases) {
    it(`should match ${c}.output.json`, () => {
      const input = JSON.parse(readFileSync(join(DIR, `${c}.input.json`), "utf8")) as Input;
      const actual = evaluate(input);
      const expected = readGolden(join(DIR, `${c}.output.json`), `${JSON.stringify(actual, null, 2)}\n`);
      expect(actual).toEqual(JSON.parse(expected));
    });
  }
});
