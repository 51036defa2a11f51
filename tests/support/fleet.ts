import { join } from "node:path";
import { startWorld, type World } from "./world";

/** A world running the `fleet` test program: one VM per entry of its `vms` config. */
export interface Fleet extends World {
  /** Sets the VMs and runs `up`; returns the `fleet` output (name → observed state). */
  up(vms: Record<string, object>): Promise<Record<string, FleetVm>>;
}

/** What the program exports per VM. */
export interface FleetVm {
  powerState: string;
  runStrategy: string;
  printableStatus: string;
  vmiUid?: string;
  conditions: { type: string; status: string }[];
}

const PROGRAM = join(__dirname, "../e2e/programs/fleet");

/** Starts a simulator and a fresh stack of the fleet program against it. */
export async function startFleet(stackName: string): Promise<Fleet> {
  const world = await startWorld(PROGRAM, stackName);
  return {
    ...world,
    async up(vms) {
      await world.stack.setConfig("vms", { value: JSON.stringify(vms) });
      const result = await world.stack.up();
      return result.outputs.fleet.value as Record<string, FleetVm>;
    },
  };
}
