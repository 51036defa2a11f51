import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { unwrapRpcSecret } from "@pulumi/pulumi/runtime/rpc";
import { createVmProvider, type VmProvider } from "../../provider/vm-provider";
import { VirtualMachine, type VirtualMachineArgs } from "../../sdk";
import { startSimulator, type SimulatorHandle } from "../../simulator";
import { startWorld, type World } from "../support/world";
import { badInputCases, validArgs, type BadInputCase, type CaseEnv } from "./bad-inputs.cases";

// Every malformed input of the catalogue, as plain JavaScript passes it to the component: the component
// (run with Pulumi's mocks, so what it sends is what the engine would get) turns it into the provider's raw
// inputs, and the provider's `check` must reject it with the property and message the case names, before any
// request reaches the cluster and without showing any part of the (secret) kubeconfig. Five of the cases
// then go through the real engine: `pulumi preview` of a program that passes them on must fail the same way.

const VM_TYPE = "pulumi-nodejs:dynamic/kubevirt:VirtualMachine";

/** What `check` said about one case. */
interface Outcome {
  c: BadInputCase;
  failures: { property: string; reason: string }[];
}

let sim: SimulatorHandle;
let provider: VmProvider;
let env: CaseEnv;
let outcomes: Outcome[];

/** Resolvers of the dynamic resources' inputs, by resource name, fed by the mocks. */
const pending = new Map<string, (inputs: Record<string, unknown>) => void>();

/** The raw provider inputs the component sends for `args`, as the dynamic provider's check receives them. */
async function componentInputs(
  name: string,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const sent = new Promise<Record<string, unknown>>((resolve) => pending.set(name, resolve));
  new VirtualMachine(name, args as unknown as VirtualMachineArgs);
  const inputs = await sent;
  // The engine hands a dynamic provider secrets as plain values.
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, unwrapRpcSecret(v)]));
}

/** Strings that must never appear in a message: the kubeconfig, its token, their encodings, the case's own value. */
function secretsOf(env: CaseEnv, c: BadInputCase): string[] {
  const { kubeconfig } = c.args;
  return [
    env.token,
    env.token.slice(0, 12),
    env.kubeconfigPath,
    Buffer.from(env.kubeconfig).toString("base64").slice(0, 24),
    env.kubeconfig
      .split("\n")
      .find((line) => line.includes("server:"))!
      .trim(),
    ...(typeof kubeconfig === "string" && kubeconfig.length >= 8 ? [kubeconfig] : []),
  ];
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        if (args.type === VM_TYPE) pending.get(args.name)?.(args.inputs as Record<string, unknown>);
        return { id: `${args.name}-id`, state: { observed: {} } };
      },
      call: () => ({}),
    },
    "bad-inputs",
    "test",
    true,
  );
  sim = await startSimulator({ kubevirt: { timings: "fast" } });
  env = { kubeconfig: sim.kubeconfig, kubeconfigPath: sim.kubeconfigPath, token: sim.token };
  provider = createVmProvider(() => undefined);
  outcomes = [];
  for (const [i, c] of badInputCases(env).entries()) {
    const inputs = await componentInputs(`vm-${i}`, { ...validArgs(env), ...c.args });
    const result = await provider.check({} as never, inputs);
    outcomes.push({ c, failures: result.failures ?? [] });
  }
});

afterAll(async () => {
  provider?.close();
  await sim?.stop();
});

describe("the bad-input catalogue", () => {
  it("should cover every kind of argument with at least 50 cases", () => {
    expect(outcomes.length).toBeGreaterThanOrEqual(50);
    const covered = new Set(outcomes.map((o) => o.c.property.split(/[.[]/)[0]));
    for (const property of [
      "runStrategy",
      "running",
      "powerState",
      "name",
      "namespace",
      "labels",
      "annotations",
      "timeouts",
      "template",
      "dataVolumeTemplates",
      "restartPolicy",
      "waitFor",
      "powerDrift",
      "stopGracePeriodSeconds",
      "kubeconfig",
      "context",
      "metadata",
    ]) {
      expect(covered).toContain(property);
    }
  });

  it("should send neither list of unknown keys for valid arguments, so that they never cause a diff", async () => {
    const inputs = await componentInputs("vm-valid", { ...validArgs(env), metadata: { name: "vm-valid" } });
    expect(Object.keys(inputs).filter((k) => /^unknown/.test(k))).toEqual([]);
  });

  it("should reject every case with a failure that names its property and gives the expected message", () => {
    const mismatches = outcomes
      .filter(
        ({ c, failures }) => !failures.some((f) => f.property === c.property && c.message.test(f.reason)),
      )
      .map(({ c, failures }) => ({
        what: c.what,
        property: c.property,
        message: String(c.message),
        failures,
      }));
    expect(mismatches).toEqual([]);
  });

  it("should start every message with the property it names", () => {
    const unprefixed = outcomes.flatMap(({ failures }) =>
      failures.filter((f) => !f.reason.startsWith(`${f.property}: `)),
    );
    expect(unprefixed).toEqual([]);
  });

  it("should send no request at all to the cluster for the whole catalogue", () => {
    expect(sim.requests.list().map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it("should show no part of the kubeconfig, its token or a case's kubeconfig value in any message", () => {
    const hits = outcomes.flatMap(({ c, failures }) =>
      failures
        .filter((f) => secretsOf(env, c).some((secret) => f.reason.includes(secret)))
        .map((f) => ({ what: c.what, reason: f.reason })),
    );
    const rejected = outcomes.filter((o) => o.failures.length > 0).length;
    console.log(
      `bad inputs: ${outcomes.length} cases, ${rejected} rejected, ${sim.requests.list().length} requests, ${hits.length} secret hits`,
    );
    expect(hits).toEqual([]);
  });
});

/** Where the engine runs the cases marked `engine`: a program that builds one VirtualMachine from `args`. */
const PROGRAM = join(__dirname, "programs/bad-input");
/** Per case: a `pulumi preview` of a one-resource program takes a few seconds. */
const ENGINE_CASE_MS = 60_000;

describe("bad inputs through the engine", () => {
  let world: World;
  let engineEnv: CaseEnv;
  beforeAll(async () => {
    world = await startWorld(PROGRAM, "bad-input", true);
    const { kubeconfig, kubeconfigPath, secret } = world.target;
    engineEnv = { kubeconfig, kubeconfigPath, token: secret };
  }, ENGINE_CASE_MS);
  afterAll(() => world?.dispose());

  it(
    "should fail `pulumi preview` with the case's message for five cases, sending no request and showing no secret",
    async () => {
      const cases = badInputCases(engineEnv).filter((c) => c.engine);
      expect(cases).toHaveLength(5);
      const mark = world.mark();
      const results: { what: string; failed: boolean; matched: boolean; secretHits: string[] }[] = [];
      for (const c of cases) {
        await world.stack.setConfig("args", {
          value: JSON.stringify({ ...validArgs(engineEnv), ...c.args }),
        });
        const output = await world.stack.preview().then(
          (ok) => ({ failed: false, text: ok.stdout }),
          (err: Error) => ({ failed: true, text: err.message }),
        );
        // The engine prints each failure as `... property <path> value <value> has a problem: <message>`.
        const message = new RegExp(`has a problem: ${c.message.source.replace(/^\^/, "")}`, "m");
        results.push({
          what: c.what,
          failed: output.failed,
          matched: message.test(output.text),
          secretHits: secretsOf(engineEnv, c).filter((secret) => output.text.includes(secret)),
        });
      }
      expect(results).toEqual(
        cases.map((c) => ({ what: c.what, failed: true, matched: true, secretHits: [] })),
      );
      expect(world.target.requests(mark) ?? []).toEqual([]);
    },
    5 * ENGINE_CASE_MS,
  );
});
