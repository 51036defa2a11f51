/**
 * KubeVirt's own command-line client against the simulator: `virtctl start`, `stop`, `restart`, `pause vm` and
 * `unpause vm` (kubevirt.io/kubevirt v1.7.0's cmd/virtctl, built by scripts/ensure-kubevirt.sh) run against the
 * in-memory simulator and against the `kubevirt` target (KubeVirt's own virt-api and virt-controller on a
 * loopback kube-apiserver, PULUMI_KUBEVIRT_TARGET=kubevirt, see tests/support/target.ts), with the same VM
 * names on both. What virtctl answered (exit code, stdout, stderr) and the state the VM then settled in
 * (spec.runStrategy, status.printableStatus, whether a VMI exists and whether it is the one from before) must
 * be the expected ones, identical on both sides (`pause vm` included: on the kubevirt tier virt-api proxies it
 * to the node stand-in's virt-handler console server, docs/kubevirt-behaviour.md §1.8).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import {
  apiOf,
  createVM,
  getVM,
  getVMI,
  startSim,
  vmAction,
  vmExists,
  waitRunning,
  waitStopped,
  type Api,
  type Sim,
} from "../conformance/harness";
import { kubevirtBinDir } from "../support/kubevirt/control-plane";
import { PASSING_STATUSES, settle } from "../support/settle";
import { startTarget, targetName, type Target } from "../support/target";

/** A side: a cluster's API and its kubeconfig file, for virtctl. */
interface Side {
  api: Api;
  kubeconfigPath: string;
}

let virtctlPath: string;
let sim: Sim;
let target: Target;
let simulator: Side;
let kubevirt: Side;

beforeAll(async () => {
  if (targetName() !== "kubevirt")
    throw new Error("tests/cluster/virtctl.test.ts needs PULUMI_KUBEVIRT_TARGET=kubevirt");
  virtctlPath = join(kubevirtBinDir(), "virtctl");
  [sim, target] = await Promise.all([startSim(), startTarget()]);
  simulator = { api: sim, kubeconfigPath: sim.handle.kubeconfigPath };
  kubevirt = { api: apiOf(target.kubeconfig), kubeconfigPath: target.kubeconfigPath };
}, 180_000);

afterAll(async () => {
  await Promise.all([sim?.stop(), target?.stop()]);
});

/** The state of a VM: `absent`, or its strategy and status and its VMI (`none`, `same` as `before`, `new`). */
type State =
  "absent" | { runStrategy: string; printableStatus: string; vmi: "none" | "same" | "new"; paused: boolean };

/** VMI phases a VM can rest in. */
const SETTLED_PHASES = ["Running", "Succeeded", "Failed"];

/** The VM's state, and whether it is calm: no pending state change request, no VMI between phases. */
async function readState(api: Api, name: string, before?: string): Promise<{ state: State; calm: boolean }> {
  const vm = await getVM(api, name);
  const vmi = await getVMI(api, name);
  const calm =
    !vm.status?.stateChangeRequests &&
    !PASSING_STATUSES.includes(vm.status?.printableStatus) &&
    (!vmi || (!vmi.metadata?.deletionTimestamp && SETTLED_PHASES.includes(vmi.status?.phase)));
  const state: State = {
    runStrategy: vm.spec?.runStrategy,
    printableStatus: vm.status?.printableStatus,
    vmi: !vmi ? "none" : vmi.metadata?.uid === before ? "same" : "new",
    paused: (vmi?.status?.conditions ?? []).some(
      (c: { type: string; status: string }) => c.type === "Paused" && c.status === "True",
    ),
  };
  return { state, calm };
}

/** The state a VM settles in (`absent` without a VM); fails after 20 s. */
async function settled(api: Api, name: string, before?: string): Promise<State> {
  if (!(await vmExists(api, name))) return "absent";
  const { state, settled: ok } = await settle(() => readState(api, name, before));
  if (!ok) throw new Error(`${name} did not settle: ${JSON.stringify(state)}`);
  return state;
}

/** What one virtctl command answered, and the state the VM settled in afterwards. */
interface Observation {
  code: number;
  stdout: string;
  stderr: string;
  state: State;
}

/** Runs `virtctl --kubeconfig PATH -n default ARGS...`; never rejects (a failure is an exit code). */
function virtctl(kubeconfigPath: string, args: string[]): Promise<Omit<Observation, "state">> {
  return new Promise((resolve) => {
    execFile(
      virtctlPath,
      ["--kubeconfig", kubeconfigPath, "-n", "default", ...args],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** How a VM is before the commands: its run strategy and whether it runs (or no VM at all). */
type Setup = { runStrategy: string; running: boolean } | "no VM";

/** Sets the VM up on `side`, then runs each command on it (`virtctl ARGS... NAME`) and observes its effect. */
async function run(side: Side, name: string, setup: Setup, commands: string[][]): Promise<Observation[]> {
  let before: string | undefined;
  if (setup !== "no VM") {
    await createVM(side.api, name, { runStrategy: setup.runStrategy });
    if (!setup.running) await waitStopped(side.api, name);
    else {
      if (setup.runStrategy === "Manual") await vmAction(side.api, name, "start");
      before = (await waitRunning(side.api, name)).metadata?.uid;
    }
  }
  const seen: Observation[] = [];
  for (const args of commands) {
    const answer = await virtctl(side.kubeconfigPath, [...args, name]);
    seen.push({ ...answer, state: await settled(side.api, name, before) });
  }
  return seen;
}

/** Both sides, in parallel, with the same VM name. */
const both = (name: string, setup: Setup, commands: string[][]) =>
  Promise.all([run(simulator, name, setup, commands), run(kubevirt, name, setup, commands)]);

/**
 * The stderr of a failed command. On any error virtctl also checks its version against the server's, and this
 * virtctl (built without KubeVirt's version ldflags) fails that check on its own version, before asking the
 * server: the same first line on both sides.
 */
const failed = (message: string) =>
  `failed to validate metadata: $Format:%h$ is not a valid semver identifier\n${message}\n`;

const ok = (stdout: string, state: State): Observation => ({ code: 0, stdout, stderr: "", state });
const refused = (message: string, state: State): Observation => ({
  code: 1,
  stdout: "",
  stderr: failed(message),
  state,
});
const conflict = (kind: string, name: string, why: string) =>
  `Operation cannot be fulfilled on ${kind}.kubevirt.io "${name}": ${why}`;

const running = (vmi: "same" | "new", runStrategy = "Always"): State => ({
  runStrategy,
  printableStatus: "Running",
  vmi,
  paused: false,
});
const stopped = (runStrategy = "Halted"): State => ({
  runStrategy,
  printableStatus: "Stopped",
  vmi: "none",
  paused: false,
});

const HALTED = { runStrategy: "Halted", running: false };
const ALWAYS = { runStrategy: "Always", running: true };

const CASES: [string, Setup, string[], (name: string) => Observation][] = [
  ["start-halted", HALTED, ["start"], (n) => ok(`VM ${n} was scheduled to start\n`, running("new"))],
  [
    "start-always",
    ALWAYS,
    ["start"],
    (n) =>
      refused(
        `Error starting VirtualMachine ${conflict("virtualmachine", n, "VM is already running")}`,
        running("same"),
      ),
  ],
  [
    "start-manual",
    { runStrategy: "Manual", running: false },
    ["start"],
    (n) => ok(`VM ${n} was scheduled to start\n`, running("new", "Manual")),
  ],
  [
    "start-missing",
    "no VM",
    ["start"],
    (n) => refused(`Error starting VirtualMachine virtualmachine.kubevirt.io "${n}" not found`, "absent"),
  ],
  ["stop-always", ALWAYS, ["stop"], (n) => ok(`VM ${n} was scheduled to stop\n`, stopped())],
  [
    "stop-manual",
    { runStrategy: "Manual", running: true },
    ["stop"],
    (n) => ok(`VM ${n} was scheduled to stop\n`, stopped("Manual")),
  ],
  [
    "stop-halted",
    HALTED,
    ["stop"],
    (n) =>
      refused(
        `error stopping VirtualMachine ${conflict("virtualmachine", n, "VM is not running")}`,
        stopped(),
      ),
  ],
  ["restart-always", ALWAYS, ["restart"], (n) => ok(`VM ${n} was scheduled to restart\n`, running("new"))],
  [
    "restart-halted",
    HALTED,
    ["restart"],
    (n) =>
      refused(
        `error restarting VirtualMachine: ${conflict("virtualmachine", n, "RunStategy Halted does not support manual restart requests")}`,
        stopped(),
      ),
  ],
  [
    "pause-halted",
    HALTED,
    ["pause", "vm"],
    (n) =>
      refused(`Error pausing VirtualMachineInstance ${n}. VirtualMachine ${n} is not set to run`, stopped()),
  ],
  [
    "unpause-running",
    ALWAYS,
    ["unpause", "vm"],
    (n) =>
      refused(
        `Error unpausing VirtualMachineInstance ${n}: ${conflict("virtualmachineinstance", n, "VMI is not paused")}`,
        running("same"),
      ),
  ],
];

describe("virtctl against the simulator and against KubeVirt's own virt-api and virt-controller", () => {
  it.each(CASES)(
    "%s: should answer as expected, identically on both sides",
    async (name, setup, args, expected) => {
      const [fromSimulator, fromKubeVirt] = await both(name, setup, [args]);
      expect(fromSimulator).toEqual([expected(name)]);
      expect(fromKubeVirt).toEqual([expected(name)]);
    },
  );

  // virt-api proxies pause and unpause of a running VMI to the virt-handler of its node (on the kubevirt tier,
  // the node stand-in's console server), which pauses the guest and sets the VMI's Paused condition.
  it("should pause and unpause a running VM, identically on both sides", async () => {
    const name = "pause-running";
    const [fromSimulator, fromKubeVirt] = await both(name, ALWAYS, [
      ["pause", "vm"],
      ["unpause", "vm"],
    ]);
    const expected = [
      ok(`VMI ${name} was scheduled to pause\n`, {
        runStrategy: "Always",
        printableStatus: "Paused",
        vmi: "same",
        paused: true,
      }),
      ok(`VMI ${name} was scheduled to unpause\n`, running("same")),
    ];
    expect(fromSimulator).toEqual(expected);
    expect(fromKubeVirt).toEqual(expected);
  });
});
