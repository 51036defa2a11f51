/**
 * Differential conformance: every scenario of scenarios.ts runs against the in-memory simulator and against
 * KubeVirt's own virt-api and virt-controller (the `kubevirt` target: PULUMI_KUBEVIRT_TARGET=kubevirt, see
 * tests/support/target.ts), and the two observations (status codes, messages, the state the VM settled in)
 * must be identical, unless the scenario is a documented gap (gaps.ts). The report, docs/differential.md, is a
 * golden file: `UPDATE_GOLDEN=1` rewrites it from the run.
 */
import { join } from "node:path";
import { apiOf, startSim, type Api, type Sim } from "../conformance/harness";
import { readGolden } from "../support/golden";
import { startTarget, targetName, type Target } from "../support/target";
import { FIXED, GAPS } from "./gaps";
import { SCENARIOS, type Observation } from "./scenarios";

const REPORT = join(__dirname, "../../docs/differential.md");

let sim: Sim;
let target: Target;
let kubevirt: Api;
const results = new Map<string, { simulator: Observation; kubevirt: Observation }>();

beforeAll(async () => {
  if (targetName() !== "kubevirt") throw new Error("tests/differential need PULUMI_KUBEVIRT_TARGET=kubevirt");
  [sim, target] = await Promise.all([startSim(), startTarget()]);
  kubevirt = apiOf(target.kubeconfig);
}, 180_000);

afterAll(async () => {
  await Promise.all([sim?.stop(), target?.stop()]);
});

/** Runs `f`, turning an exception into an observation of it (so that both sides are always compared). */
async function observe(f: () => Promise<Observation>): Promise<Observation> {
  try {
    return await f();
  } catch (err) {
    return { error: (err as Error).message };
  }
}

describe.each(SCENARIOS.map((s) => [s.area, s.id, s] as const))("%s: %s", (_area, id, scenario) => {
  it(GAPS[id] ? "still differs as documented" : "answers as KubeVirt does", async () => {
    const [simulator, real] = await Promise.all([
      observe(() => scenario.run(sim, id)),
      observe(() => scenario.run(kubevirt, id)),
    ]);
    results.set(id, { simulator, kubevirt: real });
    if (GAPS[id]) expect(simulator).not.toEqual(real);
    else expect(simulator).toEqual(real);
  });
});

const cell = (o: Observation | undefined) => "`" + JSON.stringify(o ?? {}).replace(/\|/g, "\\|") + "`";

/** The report: the figures, then one row per scenario. */
function report(): string {
  const ran = SCENARIOS.filter((s) => results.has(s.id));
  const same = ran.filter(
    (s) =>
      !GAPS[s.id] &&
      JSON.stringify(results.get(s.id)!.simulator) === JSON.stringify(results.get(s.id)!.kubevirt),
  );
  const lines = [
    "# Differential conformance: the simulator against KubeVirt's own control plane",
    "",
    "Written by tests/differential/differential.test.ts (`UPDATE_GOLDEN=1` with `PULUMI_KUBEVIRT_TARGET=kubevirt`):",
    "each scenario ran against the in-memory simulator and against KubeVirt v1.7.0's own virt-api and",
    "virt-controller on a loopback kube-apiserver (tests/support/kubevirt), and the two observations were compared.",
    "",
    `- Scenarios compared: ${ran.length}`,
    `- Identical: ${same.length}`,
    `- Differences found and fixed in the simulator (or the product): ${Object.keys(FIXED).length}`,
    `- Differences documented as gaps: ${ran.filter((s) => GAPS[s.id]).length}`,
    "",
    "## Fixed",
    "",
    ...Object.entries(FIXED).map(([id, what]) => `- **${id}**: ${what}`),
    "",
    "## Documented gaps",
    "",
    ...(Object.keys(GAPS).length
      ? Object.entries(GAPS).map(([id, why]) => `- **${id}**: ${why}`)
      : ["None."]),
    "",
    "## Scenarios",
    "",
    "| area | scenario | result | KubeVirt | simulator (where it differs) |",
    "| --- | --- | --- | --- | --- |",
    ...ran.map((s) => {
      const r = results.get(s.id)!;
      const differs = JSON.stringify(r.simulator) !== JSON.stringify(r.kubevirt);
      return `| ${s.area} | ${s.id} | ${differs ? "gap" : "identical"} | ${cell(r.kubevirt)} | ${differs ? cell(r.simulator) : ""} |`;
    }),
    "",
  ];
  return lines.join("\n");
}

it("writes the report the committed docs/differential.md shows", () => {
  expect(results.size).toBe(SCENARIOS.length);
  const actual = report();
  expect(actual).toBe(readGolden(REPORT, actual));
});
