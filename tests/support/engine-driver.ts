/**
 * The dynamic provider's methods driven as the Pulumi engine drives them, without the engine: one stack
 * holding one VirtualMachine resource, whose state (id and outputs) is kept between runs. Every run (`up`,
 * `refresh`, `destroy`) starts a fresh provider, as every `pulumi` command starts a fresh provider process;
 * so the watches a run needs are opened inside that run.
 */
import { createVmProvider, type VmOutputs } from "../../provider";

/** What one `up` declares: the component's args that the fault matrix varies. */
export interface VmSpec {
  runStrategy: "Always" | "Halted";
  restartPolicy?: "Never" | "IfRequired" | "Always";
  restartTrigger?: string;
  /** Guest memory (default 128Mi). */
  memory?: string;
}

/** The resource's state as the engine records it: the id and outputs, or nothing (not created, or deleted). */
export interface ResourceState {
  id: string;
  outs: VmOutputs;
}

/** A failure the engine would show: the provider's message and the step that failed. */
export class RunFailure extends Error {
  constructor(
    message: string,
    /** The step that failed: check, create, diff, update, read or delete. */
    readonly step: string,
  ) {
    super(message);
    this.name = "RunFailure";
  }
}

/** Where the stack's VM lives and who owns it. */
export interface DriverSettings {
  /** The kubeconfig input (a path or the contents). */
  kubeconfig: string;
  namespace: string;
  /** The component's URN (the `owner` input). */
  owner: string;
  /** The prefix of the auto-name (the component's resource name). */
  autoNamePrefix: string;
  /** Bound of every create, update and delete (a Go-style duration). */
  timeout: string;
}

/** The template the component builds, with the given guest memory. */
function templateWith(memory: string) {
  return {
    spec: {
      domain: {
        devices: { disks: [{ name: "containerdisk", disk: { bus: "virtio" } }] },
        memory: { guest: memory },
      },
      volumes: [
        { name: "containerdisk", containerDisk: { image: "kubevirt/cirros-container-disk-demo:latest" } },
      ],
      terminationGracePeriodSeconds: 0,
    },
  };
}

/** One stack with one auto-named VirtualMachine resource, run through the provider's methods. */
export class EngineDriver {
  /** The resource's state after the last run. */
  state?: ResourceState;
  /** Every progress line the providers printed. */
  readonly lines: string[] = [];

  constructor(private readonly settings: DriverSettings) {}

  /** The raw inputs the component would pass for `spec` (the name comes from state, as the engine keeps it). */
  news(spec: VmSpec): Record<string, unknown> {
    const { kubeconfig, namespace, owner, autoNamePrefix, timeout } = this.settings;
    const news: Record<string, unknown> = {
      namespace,
      owner,
      autoNamePrefix,
      kubeconfig,
      runStrategy: spec.runStrategy,
      template: templateWith(spec.memory ?? "128Mi"),
      timeouts: { create: timeout, update: timeout, delete: timeout },
    };
    if (spec.restartPolicy !== undefined) news.restartPolicy = spec.restartPolicy;
    if (spec.restartTrigger !== undefined) news.restartTrigger = spec.restartTrigger;
    return news;
  }

  /** `pulumi up`: check, then create (no state) or diff and update. */
  async up(spec: VmSpec): Promise<void> {
    await this.run(async (p) => {
      const olds = this.state?.outs;
      const checked = await step("check", () => p.check(olds ?? {}, this.news(spec)));
      if (checked.failures?.length) {
        throw new RunFailure(checked.failures.map((f) => f.reason).join("; "), "check");
      }
      const inputs = checked.inputs as VmOutputs;
      if (!this.state) {
        const created = await this.recording("create", () => p.create(inputs));
        this.state = { id: created.id, outs: created.outs };
        return;
      }
      const { id, outs } = this.state;
      const diff = await step("diff", () => p.diff(id, outs, inputs));
      if (!diff.changes) return;
      const updated = await this.recording("update", () => p.update(id, outs, inputs));
      this.state = { id, outs: updated.outs as VmOutputs };
    });
  }

  /** `pulumi refresh`: read the live VM into state (a VM that is gone leaves the state). */
  async refresh(): Promise<void> {
    await this.run(async (p) => {
      if (!this.state) return;
      const { id, outs } = this.state;
      const read = await step("read", () => p.read(id, outs));
      this.state = read.id === undefined ? undefined : { id: read.id, outs: read.props as VmOutputs };
    });
  }

  /** `pulumi destroy`: delete the resource, then forget it. */
  async destroy(): Promise<void> {
    await this.run(async (p) => {
      if (!this.state) return;
      const { id, outs } = this.state;
      await step("delete", () => p.delete(id, outs));
      this.state = undefined;
    });
  }

  /** Whether a fresh `pulumi preview` of `spec` would change anything (its diff; no writes). */
  async wouldChange(spec: VmSpec): Promise<boolean> {
    let changes = true;
    await this.run(async (p) => {
      if (!this.state) return;
      const { id, outs } = this.state;
      const checked = await step("check", () => p.check(outs, this.news(spec)));
      if (checked.failures?.length) {
        throw new RunFailure(checked.failures.map((f) => f.reason).join("; "), "check");
      }
      changes = (await step("diff", () => p.diff(id, outs, checked.inputs as VmOutputs))).changes ?? true;
    });
    return changes;
  }

  private async run(work: (p: ReturnType<typeof createVmProvider>) => Promise<void>): Promise<void> {
    const provider = createVmProvider((line) => this.lines.push(line));
    try {
      await work(provider);
    } finally {
      provider.close();
    }
  }

  /**
   * A create or update: a failure that carries `id` and `properties` (a partially created or updated resource)
   * is recorded in state, as the engine records ErrorResourceInitFailed.
   */
  private async recording<T>(name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await step(name, fn);
    } catch (err) {
      const partial = (err as RunFailure & { cause?: { id?: string; properties?: VmOutputs } }).cause;
      if (partial?.id !== undefined && partial.properties !== undefined) {
        this.state = { id: partial.id, outs: partial.properties };
      }
      throw err;
    }
  }
}

/** Runs one provider method; its failure becomes a {@link RunFailure} naming the step (the original is `cause`). */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw Object.assign(new RunFailure(message, name), { cause: err });
  }
}
