import * as pulumi from "@pulumi/pulumi";
import { VirtualMachine, type VirtualMachineArgs } from "pulumi-kubevirt";

// The arguments come from JSON config without any type check, as a plain-JavaScript program would pass them.
const args = new pulumi.Config().requireObject<Record<string, unknown>>("args");

const vm = new VirtualMachine("vm", args as unknown as VirtualMachineArgs);

/** The VM's name (never reached: every `args` this program is given is malformed). */
export const name = vm.name;
