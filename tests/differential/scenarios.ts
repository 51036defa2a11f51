/* eslint-disable @typescript-eslint/no-explicit-any -- the scenarios read deep fields of untyped Kubernetes JSON */
/**
 * The scenarios the differential suite runs against both the simulator and KubeVirt's own control plane: the
 * Run Strategies doc's table and the strategy × instance-state matrix (docs/kubevirt-behaviour.md §1.7),
 * conflicts and bad requests of the subresources (§1.1–§1.6), admission of VirtualMachines (§4),
 * printableStatus (§2.5) and conditions. Each returns an {@link Observation}: plain JSON (status codes,
 * messages, the state the VM settled in), compared as is between the two.
 */
import {
  createVM,
  expectApiError,
  getVM,
  getVMI,
  vmAction,
  vmManifest,
  waitFor,
  waitRunning,
  waitStopped,
  type Api,
  type Raw,
  type VmOptions,
} from "../conformance/harness";
import { PASSING_STATUSES, settle } from "../support/settle";

/** What a scenario saw. */
export type Observation = Record<string, unknown>;

/** One scenario: an id (also the VM's name, so that messages naming the VM compare), an area and a run. */
export interface Scenario {
  id: string;
  area: "seed table" | "matrix" | "conflicts" | "admission" | "printableStatus" | "conditions";
  run(api: Api, name: string): Promise<Observation>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The code and message of an answer (a 202's empty body as ""). */
function answer(res: Raw): Observation {
  return { code: res.status, message: res.json?.message ?? res.text };
}

/**
 * The state a VM settles in: no pending state change requests, no instance between phases, two reads 300 ms
 * apart alike (or 20 s pass: then `settled: false`).
 */
async function settled(api: Api, name: string, vmiBefore?: string): Promise<Observation> {
  const read = async () => {
    const vm = await getVM(api, name);
    const vmi = await getVMI(api, name);
    const state: Observation = {
      runStrategy: vm.spec?.runStrategy,
      printableStatus: vm.status?.printableStatus,
      ready: vm.status?.ready ?? false,
      pending: (vm.status?.stateChangeRequests ?? []).length,
      vmi: !vmi ? "none" : vmi.metadata?.uid === vmiBefore ? "same" : "new",
      vmiPhase: vmi?.status?.phase,
      vmiDeleting: !!vmi?.metadata?.deletionTimestamp,
    };
    const calm =
      state.pending === 0 &&
      !PASSING_STATUSES.includes(state.printableStatus as string) &&
      !state.vmiDeleting &&
      (!vmi || ["Running", "Succeeded", "Failed"].includes(state.vmiPhase as string));
    return { state, calm };
  };
  const { state, settled: ok } = await settle(read);
  return ok ? state : { ...state, settled: false };
}

type State = "running" | "stopped";

/** Creates the VM and brings it to `state` (stopping a RerunOnFailure VM, starting a Manual one). */
async function prepare(
  api: Api,
  name: string,
  runStrategy: string,
  state: State,
  o: VmOptions = {},
): Promise<string | undefined> {
  await createVM(api, name, { runStrategy, ...o });
  if (state === "running") {
    if (runStrategy === "Manual") await vmAction(api, name, "start");
    return (await waitRunning(api, name)).metadata?.uid;
  }
  if (runStrategy === "RerunOnFailure") {
    await waitRunning(api, name);
    await vmAction(api, name, "stop");
  }
  await waitStopped(api, name);
  return undefined;
}

const SEED: [string, State, string][] = [
  ["Always", "running", "start"],
  ["Always", "running", "stop"],
  ["Always", "running", "restart"],
  ["RerunOnFailure", "stopped", "start"],
  ["RerunOnFailure", "running", "stop"],
  ["RerunOnFailure", "running", "restart"],
  ["Manual", "stopped", "start"],
  ["Manual", "running", "stop"],
  ["Manual", "running", "restart"],
  ["Halted", "stopped", "start"],
  ["Halted", "stopped", "stop"],
  ["Halted", "stopped", "restart"],
];

/** Strategy × state pairs a VM can be in, beyond the seed table's rows. */
const MATRIX: [string, State][] = [
  ["Always", "running"],
  ["RerunOnFailure", "running"],
  ["RerunOnFailure", "stopped"],
  ["Manual", "running"],
  ["Manual", "stopped"],
  ["Halted", "stopped"],
  ["Once", "running"],
];

function powerScenario(area: Scenario["area"], strategy: string, state: State, action: string): Scenario {
  return {
    id: `${strategy}-${state}-${action}`.toLowerCase(),
    area,
    async run(api, name) {
      const before = await prepare(api, name, strategy, state);
      const res = await vmAction(api, name, action as "start");
      return { ...answer(res), after: await settled(api, name, before) };
    },
  };
}

const seedKeys = new Set(SEED.map((r) => r.join("/")));
const powerScenarios: Scenario[] = [
  ...SEED.map(([s, st, a]) => powerScenario("seed table", s, st, a)),
  ...MATRIX.flatMap(([s, st]) =>
    ["start", "stop", "restart"]
      .filter((a) => !seedKeys.has(`${s}/${st}/${a}`))
      .map((a) => powerScenario("matrix", s, st, a)),
  ),
];

/** Two calls back to back on a running Always VM whose guest takes its grace period to shut down. */
function twice(id: string, first: [string, unknown?], second: [string, unknown?]): Scenario {
  return {
    id,
    area: "conflicts",
    async run(api, name) {
      const before = await prepare(api, name, "Always", "running", {
        labels: { "sim.kubevirt.io/ignore-acpi": "true" },
        tgps: 300,
      });
      const one = await vmAction(api, name, first[0] as "stop", first[1]);
      const two = await vmAction(api, name, second[0] as "stop", second[1]);
      return { first: answer(one), second: answer(two), after: await settled(api, name, before) };
    },
  };
}

const conflictScenarios: Scenario[] = [
  twice("stop-then-stop", ["stop"], ["stop"]),
  twice("stop-then-stop-shorter-grace", ["stop"], ["stop", { gracePeriod: 0 }]),
  twice("stop-then-start", ["stop"], ["start"]),
  twice("restart-then-restart", ["restart"], ["restart"]),
  twice("stop-then-restart", ["stop"], ["restart"]),
  {
    id: "start-missing-vm",
    area: "conflicts",
    run: async (api, name) => answer(await vmAction(api, name, "start")),
  },
  {
    id: "stop-malformed-body",
    area: "conflicts",
    async run(api, name) {
      await prepare(api, name, "Always", "running");
      return answer(await vmAction(api, name, "stop", "{not json"));
    },
  },
  {
    id: "stop-dry-run",
    area: "conflicts",
    async run(api, name) {
      const before = await prepare(api, name, "Always", "running");
      const res = await vmAction(api, name, "stop", { dryRun: ["All"] });
      return { ...answer(res), after: await settled(api, name, before) };
    },
  },
  {
    id: "start-v1alpha3",
    area: "conflicts",
    async run(api, name) {
      await prepare(api, name, "Halted", "stopped");
      const res = await vmAction(api, name, "start", undefined, "", "v1alpha3");
      return { ...answer(res), after: await settled(api, name) };
    },
  },
];

/** A create that admission should deny: its code and message. */
function denied(id: string, change: (vm: any) => void): Scenario {
  return {
    id,
    area: "admission",
    async run(api, name) {
      const vm = vmManifest(name, { runStrategy: "Always" }) as any;
      change(vm);
      const err = await expectApiError(() => api.api.create(vm)).catch((e: Error) => ({
        code: 201,
        body: { message: e.message },
      }));
      return { code: err.code, message: err.body?.message };
    },
  };
}

const admissionScenarios: Scenario[] = [
  denied("runstrategy-unknown", (vm) => (vm.spec.runStrategy = "Sometimes")),
  denied("running-and-runstrategy", (vm) => (vm.spec.running = true)),
  denied("disk-without-volume", (vm) => (vm.spec.template.spec.domain.devices.disks[0].name = "other")),
  denied("memory-not-a-quantity", (vm) => (vm.spec.template.spec.domain.memory.guest = "lots")),
  denied("no-template", (vm) => delete vm.spec.template),
  denied("duplicate-disk-names", (vm) =>
    vm.spec.template.spec.domain.devices.disks.push({ ...vm.spec.template.spec.domain.devices.disks[0] }),
  ),
];

/** A VM created with `o` and left to settle: its printableStatus (and ready). */
function printable(id: string, o: VmOptions): Scenario {
  return {
    id,
    area: "printableStatus",
    async run(api, name) {
      await createVM(api, name, o);
      const vm = await waitFor(`${name} to show a status`, async () => {
        await sleep(1000);
        const v = await getVM(api, name);
        return v.status?.printableStatus &&
          !["Provisioning", "Starting", "WaitingForVolumeBinding"].includes(v.status.printableStatus)
          ? v
          : undefined;
      });
      // Kubelet alternates a failed pull and its back-off (so does the simulator): either is the same answer.
      const status = vm.status?.printableStatus;
      const pull = ["ErrImagePull", "ImagePullBackOff"].includes(status)
        ? "ErrImagePull|ImagePullBackOff"
        : status;
      return { printableStatus: pull, ready: vm.status?.ready ?? false };
    },
  };
}

const printableScenarios: Scenario[] = [
  printable("printable-always", { runStrategy: "Always" }),
  printable("printable-halted", { runStrategy: "Halted" }),
  printable("printable-manual", { runStrategy: "Manual" }),
  printable("printable-unschedulable", { runStrategy: "Always", memory: "512Ti" }),
  printable("printable-image-pull-error", {
    runStrategy: "Always",
    image: "registry.example.com/missing/disk:1.0",
  }),
];

/** The VM's (and its instance's) conditions as `type=status`, sorted, once it is in `state`. */
function conditions(id: string, strategy: string, state: State): Scenario {
  return {
    id,
    area: "conditions",
    async run(api, name) {
      await prepare(api, name, strategy, state);
      await sleep(1000);
      const list = (o: any) => (o?.status?.conditions ?? []).map((c: any) => `${c.type}=${c.status}`).sort();
      return { vm: list(await getVM(api, name)), vmi: list(await getVMI(api, name)) };
    },
  };
}

const conditionScenarios: Scenario[] = [
  conditions("conditions-running", "Always", "running"),
  conditions("conditions-stopped", "Halted", "stopped"),
];

/** Every scenario, in the order of the report. */
export const SCENARIOS: readonly Scenario[] = [
  ...powerScenarios,
  ...conflictScenarios,
  ...admissionScenarios,
  ...printableScenarios,
  ...conditionScenarios,
];
