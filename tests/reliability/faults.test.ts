import { OWNER_ANNOTATION, OWNER_HASH_LABEL, ownerHash } from "../../provider/ownership";
import { startSimulator, type KubeObject, type SimulatorHandle } from "../../simulator";
import { EngineDriver, RunFailure } from "../support/engine-driver";
import {
  declaredAfter,
  matrixCells,
  messageProblems,
  renderMatrix,
  type Cell,
  type CellOutcome,
  type Phase,
} from "../support/fault-matrix";
import { operatorRequest } from "../support/operator";

// The fault matrix: each fault kind of the simulator injected into the requests of each phase of a VM's life,
// with the provider's methods driven as the engine drives them (see engine-driver.ts). Under the fault the
// operation either succeeds or fails with a clear message; repeated without faults it converges: one VM, in
// the declared state, marked with its owner, and a restart that took effect exactly once. Every cell has a
// namespace of its own, so cells run concurrently.

/** Bound of each create, update and delete under fault. */
const OPERATION_TIMEOUT = "60s";
/** Per cell: the setup, the operation under fault (the silent watch costs 30 s), the repeat and the checks. */
const CELL_TIMEOUT_MS = 150_000;

let sim: SimulatorHandle;
const outcomes: CellOutcome[] = [];

beforeAll(async () => {
  sim = await startSimulator({ kubevirt: { timings: "fast" } });
});
afterAll(async () => {
  console.log(renderMatrix(orderedOutcomes()));
  await sim.stop();
});

/** The outcomes in matrix order (concurrent cells finish in any order). */
function orderedOutcomes(): CellOutcome[] {
  const order = matrixCells().map((c) => c.id);
  return [...outcomes].sort((a, b) => order.indexOf(a.cell.id) - order.indexOf(b.cell.id));
}

/** A request as an operator makes it (the answer's body; errors are answers). */
async function api(method: string, path: string, body?: unknown) {
  return operatorRequest(sim.kubeconfig, method, path, body);
}

async function runOperation(driver: EngineDriver, phase: Phase): Promise<void> {
  const op = phase.operation;
  if (op.kind === "up") await driver.up(op.spec);
  else if (op.kind === "refresh") await driver.refresh();
  else await driver.destroy();
}

/** How the operation failed (the provider method and the message), or undefined when it succeeded. */
async function attempt(driver: EngineDriver, phase: Phase): Promise<CellOutcome["failure"]> {
  try {
    await runOperation(driver, phase);
    return undefined;
  } catch (err) {
    if (err instanceof RunFailure) return { step: err.step, message: err.message };
    return { step: "test", message: String(err) };
  }
}

/** Everything that is off about the live VM against what the phase declares. */
async function liveProblems(
  ns: string,
  driver: EngineDriver,
  owner: string,
  phase: Phase,
): Promise<{ problems: string[]; orphans: number; duplicates: number; vmi?: KubeObject }> {
  const problems: string[] = [];
  const vms = ((await api("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`)).body.items ??
    []) as KubeObject[];
  const vmis = ((await api("GET", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`)).body
    .items ?? []) as KubeObject[];
  const stateName = driver.state?.outs.name;
  const orphans = vms.filter((vm) => vm.metadata.name !== stateName).length;
  const ownedCount = vms.filter((vm) => vm.metadata.annotations?.[OWNER_ANNOTATION] === owner).length;
  const duplicates = Math.max(0, ownedCount - 1);
  if (orphans > 0) problems.push(`orphans: ${vms.map((vm) => vm.metadata.name).join(", ")}`);
  const declared = declaredAfter(phase);
  if (declared === "gone") {
    if (driver.state) problems.push("still in state after destroy");
    if (vms.length > 0 || vmis.length > 0)
      problems.push(`left behind: ${vms.length} VMs, ${vmis.length} VMIs`);
    return { problems, orphans, duplicates };
  }
  const vm = vms.find((v) => v.metadata.name === stateName);
  if (!driver.state || !vm) {
    problems.push(`no VM recorded and live (state: ${stateName ?? "none"})`);
    return { problems, orphans, duplicates };
  }
  if (vm.metadata.annotations?.[OWNER_ANNOTATION] !== owner) problems.push("no ownership annotation");
  if (vm.metadata.labels?.[OWNER_HASH_LABEL] !== ownerHash(owner)) problems.push("no owner-hash label");
  const vmi = vmis.find((v) => v.metadata.name === stateName);
  const spec = vm.spec as {
    runStrategy?: string;
    template: { spec: { domain: { memory: { guest: string } } } };
  };
  const status = vm.status as { ready?: boolean } | undefined;
  const observed = driver.state.outs.observed;
  if (declared === "Running") {
    if (spec.runStrategy !== "Always") problems.push(`runStrategy ${spec.runStrategy}`);
    if ((vmi?.status as { phase?: string } | undefined)?.phase !== "Running" || status?.ready !== true)
      problems.push("not Running and Ready");
  } else {
    if (spec.runStrategy !== "Halted") problems.push(`runStrategy ${spec.runStrategy}`);
    if (vmi) problems.push("still has an instance");
  }
  if (observed?.powerState !== declared) problems.push(`state says ${observed?.powerState}`);
  const op = phase.operation;
  const memory = op.kind === "up" ? (op.spec.memory ?? "128Mi") : "128Mi";
  if (spec.template.spec.domain.memory.guest !== memory)
    problems.push(`memory ${spec.template.spec.domain.memory.guest}, declared ${memory}`);
  return { problems, orphans, duplicates, vmi };
}

/** The restart calls since `mark`: all of them, and those that took effect (answered 2xx, or handled and lost). */
function restartCalls(mark: number, ns: string, name: string): { sent: number; tookEffect: number } {
  const calls = sim.requests.list({
    afterSeq: mark,
    method: "PUT",
    path: `/apis/subresources.kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}/restart`,
  });
  const tookEffect = calls.filter(
    (r) => (r.status >= 200 && r.status < 300) || r.faults?.includes("lose-response"),
  ).length;
  return { sent: calls.length, tookEffect };
}

async function runCell(cell: Cell): Promise<CellOutcome> {
  const ns = `faults-${cell.id}`;
  const created = await api("POST", "/api/v1/namespaces", { metadata: { name: ns } });
  expect(created.code).toBe(201);
  const owner = `urn:pulumi:faults::matrix::kubevirt:index:VirtualMachine::${ns}`;
  const driver = new EngineDriver({
    kubeconfig: sim.kubeconfigPath,
    namespace: ns,
    owner,
    autoNamePrefix: "vm",
    timeout: OPERATION_TIMEOUT,
  });
  const { phase, fault } = cell;
  if (phase.before) await driver.up(phase.before);
  const name = driver.state?.outs.name ?? "";
  const vmiBefore = driver.state?.outs.observed?.vmiUid;

  const mark = sim.requests.mark();
  const rule = sim.faults.add({ ...cell.target(ns, name), count: fault.count, action: fault.action });
  const failure = await attempt(driver, phase);
  sim.faults.clear(rule);
  const problems: string[] = [];
  const fired = sim.requests.list({ afterSeq: mark }).filter((r) => r.faults?.includes(fault.action.kind));
  if (fired.length === 0) problems.push("the fault never fired");
  if (failure !== undefined) {
    const vmName = driver.state?.outs.name ?? name;
    for (const p of messageProblems(failure.message, [vmName, `${ns}/${vmName}`]))
      problems.push(`message ${p}`);
    const again = await attempt(driver, phase);
    if (again !== undefined) problems.push(`the repeat failed too: ${again.step}: ${again.message}`);
  }
  if (phase.operation.kind !== "destroy") {
    const spec = phase.operation.kind === "up" ? phase.operation.spec : phase.before!;
    if (await driver.wouldChange(spec)) problems.push("a preview afterwards still shows changes");
  }
  const live = await liveProblems(ns, driver, owner, phase);
  problems.push(...live.problems);
  if (phase.label === "restart") {
    const restarts = restartCalls(mark, ns, driver.state?.outs.name ?? name);
    if (restarts.tookEffect !== 1) problems.push(`${restarts.tookEffect} restarts took effect`);
    if (fault.action.kind === "lose-response" && restarts.sent !== 1)
      problems.push(`${restarts.sent} restart calls sent after a lost answer`);
    if (live.vmi?.metadata.uid === vmiBefore) problems.push("the instance was not replaced");
  }
  if (phase.label === "create" && fault.action.kind === "lose-response") {
    // The create was carried out: the provider finds its own VM instead of failing (AlreadyExists) or creating another.
    if (failure !== undefined) problems.push("a create whose answer was lost failed");
    const posts = sim.requests.list({ afterSeq: mark, method: "POST", path: phase.requests(ns, name).path });
    if (posts.length !== 1) problems.push(`${posts.length} creates sent`);
  }
  if (problems.length > 0)
    console.log(`${cell.id} ${fault.label} × ${phase.label}:\n${driver.lines.join("\n")}`);
  return { cell, failure, orphans: live.orphans, duplicates: live.duplicates, problems };
}

describe("fault matrix: the provider's methods under injected faults", () => {
  it.concurrent.each(
    matrixCells().map((cell) => [`${cell.fault.label} × ${cell.phase.label}`, cell] as const),
  )(
    "%s: should succeed or fail clearly, then converge with one owned VM in the declared state",
    async (_title, cell) => {
      const outcome = await runCell(cell).catch((err: unknown): CellOutcome => ({
        cell,
        orphans: 0,
        duplicates: 0,
        problems: [`the cell could not run: ${err instanceof Error ? err.message : String(err)}`],
      }));
      outcomes.push(outcome);
      expect({
        problems: outcome.problems,
        orphans: outcome.orphans,
        duplicates: outcome.duplicates,
      }).toEqual({
        problems: [],
        orphans: 0,
        duplicates: 0,
      });
    },
    CELL_TIMEOUT_MS,
  );
});
