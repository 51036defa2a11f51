import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeObject, SimulatorHandle } from "../../simulator";
import { seededRng } from "../../simulator/kubevirt";
import { envInt } from "../support/env";
import {
  createMultiStack,
  deleteLiveVm,
  liveVms,
  OWNER_ANNOTATION,
  setMultiConfig,
  startBootingSimulator,
  stateSnapshot,
  type MultiConfig,
} from "../support/multi";
import { runPulumi, type CliResult } from "../support/pulumi-cli";
import type { TestStack } from "../support/stack";

// Two stacks (separate backends, separate API users) of the same program declaring the same fixed VM name,
// with their `up`s started at the same moment (a seeded few hundred milliseconds apart, in a seeded order),
// then both destroyed, the loser first. Neither may record or delete the other's VM. Every VM create waits in
// the API server (as behind a slow admission chain), so that in most rounds both stacks find the name free and
// both creates reach the API.
// PULUMI_KUBEVIRT_RACE_ROUNDS sets the number of rounds, PULUMI_KUBEVIRT_SEED the seed.
const ROUNDS = envInt("PULUMI_KUBEVIRT_RACE_ROUNDS", 6);
const SEED = envInt("PULUMI_KUBEVIRT_SEED", 20260417);
const MAX_SKEW_MS = 300;
const CREATE_LATENCY_MS = 3000;
const ROUND_TIMEOUT_MS = 300_000;

/** A stack with an API user of its own, so the request log tells which stack created a VM. */
interface Racer {
  user: string;
  t: TestStack;
}

/** What one round found. */
interface RoundCounts {
  /** The winner's VM deleted by the loser's destroy while the winner still had it in state. */
  wronglyDeleted: number;
  /** State entries pointing at a VM that another stack created or owns. */
  wronglyRecorded: number;
  /** Whether both stacks sent a create of the VM (rather than one finding it there already). */
  bothCreated: boolean;
}

describe("two stacks racing for one VM name", () => {
  let sim: SimulatorHandle;
  let dir: string;
  let a: Racer;
  let b: Racer;
  const rng = seededRng(SEED);
  const rounds: RoundCounts[] = [];

  /** A kubeconfig of the simulator for `user`, and a stack of the program with it. */
  async function racer(user: string, token: string): Promise<Racer> {
    const path = join(dir, `${user}.kubeconfig`);
    writeFileSync(path, sim.kubeconfig.split(sim.token).join(token));
    return { user, t: await createMultiStack(user, path, { count: 1, naming: "fixed", prefix: "none" }) };
  }

  beforeAll(async () => {
    const tokens = { a: randomBytes(16).toString("hex"), b: randomBytes(16).toString("hex") };
    sim = await startBootingSimulator(SEED, [
      { name: "stack-a", token: tokens.a },
      { name: "stack-b", token: tokens.b },
    ]);
    sim.faults.add({
      verb: "POST",
      path: "/apis/kubevirt.io/v1/namespaces/*/virtualmachines",
      action: { kind: "latency", ms: CREATE_LATENCY_MS },
    });
    dir = mkdtempSync(join(tmpdir(), "pulumi-kubevirt-race-"));
    a = await racer("stack-a", tokens.a);
    b = await racer("stack-b", tokens.b);
  }, 120_000);

  afterAll(async () => {
    await a?.t.dispose().catch(() => undefined);
    await b?.t.dispose().catch(() => undefined);
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  /** The VM creates (not dry runs) since `afterSeq`, oldest first. */
  function createsSince(afterSeq: number) {
    return sim.requests.list({ method: "POST", path: /\/virtualmachines$/, afterSeq, excludeDryRun: true });
  }

  /** The live VM `name`, if any. */
  async function liveVm(name: string): Promise<KubeObject | undefined> {
    return (await liveVms(sim.kubeconfig)).find((vm) => vm.metadata.name === name);
  }

  /** State entries of `r` for `name` that point at a VM another stack created or owns. */
  async function wronglyRecordedBy(r: Racer, name: string, creator: string | undefined): Promise<number> {
    const state = await stateSnapshot(r.t.stack);
    const vm = await liveVm(name);
    const entries = state.vms.filter((v) => v.name === name);
    if (!vm) return 0;
    const owner = vm.metadata.annotations?.[OWNER_ANNOTATION];
    return entries.filter((e) => (owner !== undefined && owner !== e.componentUrn) || creator !== r.user)
      .length;
  }

  for (let round = 0; round < ROUNDS; round++) {
    it(
      `round ${round}: the loser's up should fail naming the VM, and no stack should record or delete the other's VM`,
      async () => {
        const config: MultiConfig = { count: 1, naming: "fixed", prefix: `race-${round}` };
        const vmName = `race-${round}-0`;
        await setMultiConfig(a.t.stack, config);
        await setMultiConfig(b.t.stack, config);
        const [early, late] = rng() < 0.5 ? [a, b] : [b, a];
        const skew = Math.floor(rng() * MAX_SKEW_MS);
        const mark = sim.requests.mark();
        const up = (r: Racer) => runPulumi(r.t.stack, ["up", "--yes", "--skip-preview"]);
        const results = new Map<Racer, CliResult>();
        await Promise.all([
          up(early).then((res) => results.set(early, res)),
          sleep(skew).then(() => up(late).then((res) => results.set(late, res))),
        ]);

        const creates = createsSince(mark);
        // The round's VM is the one of the last successful create (the log has no bodies, only one name is in play).
        const creator = creates.filter((r) => r.status === 201).pop()?.user;
        const bothCreated = new Set(creates.map((r) => r.user)).size === 2;
        const winner = creator === a.user ? a : b;
        const loser = winner === a ? b : a;
        const winnerUid = (await liveVm(vmName))?.metadata.uid;
        const wronglyRecorded =
          (await wronglyRecordedBy(a, vmName, creator)) + (await wronglyRecordedBy(b, vmName, creator));

        const loserDestroy = await runPulumi(loser.t.stack, ["destroy", "--yes", "--skip-preview"]);
        const winnerHasIt = (await stateSnapshot(winner.t.stack)).vms.some((v) => v.name === vmName);
        const afterLoserDestroy = await liveVm(vmName);
        const wronglyDeleted = winnerHasIt && afterLoserDestroy?.metadata.uid !== winnerUid ? 1 : 0;
        await runPulumi(winner.t.stack, ["destroy", "--yes", "--skip-preview"]);
        await deleteLiveVm(sim.kubeconfig, vmName);
        rounds.push({ wronglyDeleted, wronglyRecorded, bothCreated });

        const loserUp = results.get(loser)!;
        expect({
          creator,
          winnerUp: results.get(winner)!.code,
          loserUpFailed: loserUp.code !== 0,
          loserMessage: /already exists|owned by/.test(loserUp.output) && loserUp.output.includes(vmName),
          loserDestroy: loserDestroy.code,
          wronglyRecorded,
          wronglyDeleted,
        }).toEqual({
          creator: winner.user,
          winnerUp: 0,
          loserUpFailed: true,
          loserMessage: true,
          loserDestroy: 0,
          wronglyRecorded: 0,
          wronglyDeleted: 0,
        });
      },
      ROUND_TIMEOUT_MS,
    );
  }

  it("should add up to no VM wrongly deleted or recorded in any round", () => {
    const wronglyDeleted = rounds.reduce((n, r) => n + r.wronglyDeleted, 0);
    const wronglyRecorded = rounds.reduce((n, r) => n + r.wronglyRecorded, 0);
    const bothCreated = rounds.filter((r) => r.bothCreated).length;
    console.log(
      `race rounds: ${rounds.length}, wrongly deleted ${wronglyDeleted}, wrongly recorded ${wronglyRecorded}` +
        ` (both stacks sent a create in ${bothCreated})`,
    );
    expect({ rounds: rounds.length, wronglyDeleted, wronglyRecorded }).toEqual({
      rounds: ROUNDS,
      wronglyDeleted: 0,
      wronglyRecorded: 0,
    });
  });

  it(
    "should transfer ownership with adopt: true, and then refuse the first stack's destroy naming the new owner",
    async () => {
      const vmName = "shared-0";
      await setMultiConfig(a.t.stack, { count: 1, naming: "fixed", prefix: "shared" });
      await setMultiConfig(b.t.stack, { count: 1, naming: "fixed", prefix: "shared", adopt: true });
      const firstUp = await runPulumi(a.t.stack, ["up", "--yes", "--skip-preview"]);
      const created = await liveVm(vmName);
      const adoptUp = await runPulumi(b.t.stack, ["up", "--yes", "--skip-preview"]);
      const newOwner = (await stateSnapshot(b.t.stack)).components[vmName];
      const adopted = await liveVm(vmName);
      const firstDestroy = await runPulumi(a.t.stack, ["destroy", "--yes", "--skip-preview"]);
      const afterFirstDestroy = await liveVm(vmName);
      const secondDestroy = await runPulumi(b.t.stack, ["destroy", "--yes", "--skip-preview"]);
      const afterSecondDestroy = await liveVm(vmName);
      // The first stack's leftover entry (its VM is gone now) goes with a second destroy.
      await runPulumi(a.t.stack, ["destroy", "--yes", "--skip-preview"]);
      await deleteLiveVm(sim.kubeconfig, vmName);

      expect({
        firstUp: firstUp.code,
        adoptUp: adoptUp.code,
        newOwnerIsSecondStack: newOwner?.startsWith(`urn:pulumi:${b.t.stack.name}::`),
        ownerAnnotation: adopted?.metadata.annotations?.[OWNER_ANNOTATION],
        ownerHashLabel: adopted?.metadata.labels?.["pulumi-kubevirt/owner-hash"],
        sameVm: adopted?.metadata.uid === created?.metadata.uid,
        firstDestroyFailed: firstDestroy.code !== 0,
        firstDestroyNamesNewOwner: newOwner !== undefined && firstDestroy.output.includes(newOwner),
        keptByFirstDestroy: afterFirstDestroy?.metadata.uid === created?.metadata.uid,
        secondDestroy: secondDestroy.code,
        goneAfterSecondDestroy: afterSecondDestroy === undefined,
      }).toEqual({
        firstUp: 0,
        adoptUp: 0,
        newOwnerIsSecondStack: true,
        ownerAnnotation: newOwner,
        ownerHashLabel: createHash("sha256")
          .update(newOwner ?? "")
          .digest("hex")
          .slice(0, 16),
        sameVm: true,
        firstDestroyFailed: true,
        firstDestroyNamesNewOwner: true,
        keptByFirstDestroy: true,
        secondDestroy: 0,
        goneAfterSecondDestroy: true,
      });
    },
    ROUND_TIMEOUT_MS,
  );
});
