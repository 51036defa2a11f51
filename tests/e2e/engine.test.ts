import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createTestStack, type TestStack } from "../support/stack";

// Proves the whole engine toolchain: the CLI, the Node.js language host (running a TypeScript program),
// and the dynamic-provider host, through the Automation API.
describe("the Pulumi engine", () => {
  let t: TestStack;

  beforeAll(async () => {
    t = await createTestStack(join(__dirname, "engine-proof"), "engine-proof");
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("should run the pinned CLI version when it uses the engine built by scripts/ensure-pulumi.sh", () => {
    const script = readFileSync(join(__dirname, "../../scripts/ensure-pulumi.sh"), "utf8");
    const pinned = /^PULUMI_VERSION=(\S+)$/m.exec(script)![1];
    const cli = execFileSync("bash", ["-c", "command -v pulumi"], { encoding: "utf8" }).trim();
    const version = execFileSync("pulumi", ["version"], { encoding: "utf8" }).trim();
    if (cli.includes(`/pulumi-v${pinned}-`)) {
      expect(version).toBe(`v${pinned}`);
    } else {
      expect(version).toMatch(/^v3\.\d+\.\d+/);
    }
  });

  it("should create, preview, update and destroy a dynamic resource", async () => {
    const { stack } = t;
    await stack.setConfig("who", { value: "kubevirt" });
    const created = await stack.up();
    expect(created.summary.result).toBe("succeeded");
    expect(created.summary.resourceChanges).toEqual({ create: 2 });
    expect(created.outputs.message.value).toBe("hello kubevirt");

    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ same: 2 });

    await stack.setConfig("who", { value: "pulumi" });
    const updated = await stack.up();
    expect(updated.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(updated.outputs.message.value).toBe("hello pulumi");

    const destroyed = await stack.destroy();
    expect(destroyed.summary.resourceChanges).toEqual({ delete: 2 });
    const state = await stack.exportStack();
    expect(state.deployment.resources ?? []).toHaveLength(0);
  });
});
