/**
 * The package as users get it: `npm pack` of a clean copy of the repository, installed into fresh projects
 * outside the repository, then compiled and run there; plus an install from git, where npm itself clones the
 * repository and its `prepare` script builds `dist`.
 *
 * The clean copy ("snapshot") is the working tree's tracked and untracked-but-not-ignored files, committed
 * into a temporary git repository: what a clone would hold once the work is committed, with no `dist` or
 * `node_modules` of the working tree in it (stale build outputs there must not reach the tarball).
 *
 * The consumer project gets the tarball, @pulumi/pulumi, @types/node, TypeScript 5 (`typescript`) and
 * TypeScript 6 (`typescript6`, an npm alias) in one install, and no @pulumi/kubernetes. Its program
 * (tests/package/consumer/ts, with the README's tsconfig.json) compiles with strict checks and no skipLibCheck
 * under each configuration of {@link compileCases}, then runs `preview`, `up` and `destroy` against the
 * simulator (Pulumi runs it through ts-node with TypeScript 5); a JavaScript program (tests/package/consumer/js)
 * does the same on the lowest Node.js that `engines` allows. The git install runs meanwhile.
 *
 * Needs `pulumi` on PATH (scripts/with-pulumi.sh), git, and npm with a registry or a warm cache.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";
import { createTestStack } from "../support/stack";
import { startTarget, type Target } from "../support/target";

/** The repository this test runs in. */
const ROOT = join(__dirname, "../..");
const FIXTURES = join(__dirname, "consumer");
const started = Date.now();

/** The lowest Node.js the package's `engines` allows; the JavaScript consumer runs on it. */
const NODE_FLOOR = "22.19.0";

/** Progress on stderr (jest shows it as it happens), with the seconds since the suite started. */
function step(message: string): void {
  process.stderr.write(`[package +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

/** The environment for child processes: the test's own, without what `npm test` set for its own run. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|INIT_CWD$|GIT_)/i.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

interface Ran {
  code: number;
  output: string;
  stdout: string;
}

/** Runs a program to the end; never throws (the caller checks `code`). */
function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = childEnv()): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, output: `${stdout}\n${stderr}` });
      },
    );
  });
}

/** Runs a program that must succeed; throws with its output otherwise. */
async function must(file: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Ran> {
  const r = await run(file, args, cwd, env);
  if (r.code !== 0) throw new Error(`${file} ${args.join(" ")} (in ${cwd}) exited ${r.code}:\n${r.output}`);
  return r;
}

const npm = (args: string[], cwd: string, env?: NodeJS.ProcessEnv) =>
  must("npm", [...args, "--no-audit", "--no-fund", "--prefer-offline"], cwd, env);

/** Copies the working tree's files (as a clone would have them) into `dir` and commits them there. */
async function snapshotRepository(dir: string): Promise<void> {
  const listed = await must("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT);
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    const from = join(ROOT, file);
    if (!existsSync(from) || lstatSync(from).isDirectory()) continue; // deleted, or a submodule
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(from, join(dir, file), { verbatimSymlinks: true });
  }
  const git = (...args: string[]) => must("git", args, dir);
  await git("init", "-q");
  await git("add", "-A");
  await git(
    "-c",
    "user.name=package test",
    "-c",
    "user.email=test@localhost",
    "commit",
    "-q",
    "--no-gpg-sign",
    "-m",
    "snapshot",
  );
}

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}

/** `npm pack` of the snapshot, whose `prepare` builds dist (with the repository's node_modules for tsc). */
async function pack(snapshot: string, dest: string): Promise<Packed> {
  symlinkSync(join(ROOT, "node_modules"), join(snapshot, "node_modules"));
  const r = await npm(["pack", "--json", "--pack-destination", dest], snapshot);
  const json = r.stdout.slice(r.stdout.search(/^\[/m));
  return (JSON.parse(json) as Packed[])[0];
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** A fresh npm project in `dir` (no dependencies yet). */
function freshProject(dir: string, name: string, extra: Record<string, unknown> = {}): void {
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, "package.json"), {
    name,
    version: "1.0.0",
    private: true,
    license: "UNLICENSED",
    ...extra,
  });
}

/** The version of `pkg` installed in the project at `dir`. */
function versionIn(dir: string, pkg: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, "node_modules", pkg, "package.json"), "utf8"));
  return (manifest as { version: string }).version;
}

/** One TypeScript compilation of the consumer: which compiler, and what it overrides in the consumer's tsconfig. */
interface CompileCase {
  title: string;
  tsc: "typescript" | "typescript6";
  options: Record<string, unknown>;
  /** The files to compile, when not the tsconfig's (the program and the ./provider types). */
  files?: string[];
}

/**
 * The `pulumi new typescript` template's compiler options that this test overrides in the consumer's own
 * tsconfig.json (the README's, which works with TypeScript 5 and 6: `module` and `moduleResolution` node16):
 * the template has `module` commonjs and `moduleResolution` node (node10), and compiles index.ts only.
 */
const TEMPLATE = { module: "commonjs", moduleResolution: "node" };
const compileCases: CompileCase[] = [
  { title: "TypeScript 5, the README's tsconfig (node16)", tsc: "typescript", options: {} },
  { title: "TypeScript 6, the README's tsconfig (node16)", tsc: "typescript6", options: {} },
  {
    title: "TypeScript 6, bundler",
    tsc: "typescript6",
    options: { module: "preserve", moduleResolution: "bundler" },
  },
  {
    title: "TypeScript 5, the Pulumi template's tsconfig (moduleResolution node)",
    tsc: "typescript",
    options: TEMPLATE,
    files: ["index.ts"],
  },
  {
    title: "TypeScript 5, moduleResolution node with esModuleInterop, the ./provider types too",
    tsc: "typescript",
    options: { ...TEMPLATE, esModuleInterop: true },
  },
  {
    title: 'TypeScript 6, moduleResolution node with ignoreDeprecations "6.0"',
    tsc: "typescript6",
    options: { ...TEMPLATE, ignoreDeprecations: "6.0" },
  },
];

/**
 * `npm install git+file://<snapshot>` in a fresh project at `project`: npm clones the repository, installs its
 * dependencies and devDependencies there, runs `prepare` (the build) and installs the result.
 */
async function installFromGit(project: string, snapshot: string): Promise<string> {
  freshProject(project, "pulumi-kubevirt-git-consumer", { allowScripts: { "pulumi-kubevirt": true } });
  step(
    "git install: npm install git+file://<snapshot> (npm clones it, installs its devDependencies, runs prepare)",
  );
  await npm(["install", `git+file://${snapshot}`], project);
  step("git install: done");
  return project;
}

describe("the package, installed as users install it", () => {
  let work: string;
  let snapshot: string;
  let packed: Packed;
  /** The consumer project: the tarball and the tools, TypeScript program at its root, JavaScript one in js/. */
  let consumer: string;
  let nodeFloorBin: string;
  let target: Target;
  /** The git-style install, started early: it runs while the tarball is packed, installed and compiled. */
  let gitInstall: Promise<{ project: string } | { error: unknown }>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "pulumi-kubevirt-package-"));
    snapshot = join(work, "repository");
    step(`snapshot of ${ROOT} into ${snapshot}`);
    await snapshotRepository(snapshot);
    gitInstall = installFromGit(join(work, "git-consumer"), snapshot).then(
      (project) => ({ project }),
      (error: unknown) => ({ error }),
    );
    step("npm pack (prepare builds dist)");
    packed = await pack(snapshot, work);
    step(
      `packed ${packed.filename}: ${packed.entryCount} files, ${packed.size} bytes (${packed.unpackedSize} unpacked)`,
    );

    consumer = join(work, "consumer");
    freshProject(consumer, "pulumi-kubevirt-consumer");
    cpSync(join(FIXTURES, "ts"), consumer, { recursive: true });
    cpSync(join(FIXTURES, "js"), join(consumer, "js"), { recursive: true });
    step(
      "npm install of the tarball, @pulumi/pulumi, @types/node, typescript@5 and typescript6@npm:typescript@6",
    );
    await npm(
      [
        "install",
        join(work, packed.filename),
        // the versions this repository has installed, so that they come from the cache
        `@pulumi/pulumi@${versionIn(ROOT, "@pulumi/pulumi")}`,
        `@types/node@${versionIn(ROOT, "@types/node")}`,
        "typescript@5",
        "typescript6@npm:typescript@6",
      ],
      consumer,
    );
    step(
      `installed: typescript ${versionIn(consumer, "typescript")}, typescript6 ${versionIn(consumer, "typescript6")}`,
    );

    step(`npm install of node-linux-${process.arch}@${NODE_FLOOR} (the engines floor)`);
    const nodeDir = join(work, "node-floor");
    freshProject(nodeDir, "node-floor");
    await npm(["install", `node-linux-${process.arch}@${NODE_FLOOR}`], nodeDir);
    nodeFloorBin = join(nodeDir, "node_modules", `node-linux-${process.arch}`, "bin");

    target = await startTarget();
    step(`target ${target.name} started`);
  }, 400_000);

  afterAll(async () => {
    await target?.stop();
    await gitInstall; // never rejects
    if (work) rmSync(work, { recursive: true, force: true });
    step("done");
  });

  it("ships the component, the provider and the simulator only, and every file they require", () => {
    const paths = packed.files.map((f) => f.path).sort();
    const unexpected = paths.filter(
      (p) =>
        !["package.json", "README.md", "LICENSE"].includes(p) &&
        !/^dist\/(sdk|provider|simulator)\/.+\.(js|d\.ts|js\.map)$/.test(p),
    );
    expect(unexpected).toEqual([]);
    expect(paths).toContain("LICENSE");
    expect(paths.filter((p) => /\/bench\/|\.test\.|\.typetest\./.test(p))).toEqual([]);
    // Every compiled file comes from a source in the repository (no stale build output).
    const js = paths.filter((p) => p.endsWith(".js"));
    expect(
      js.filter((p) => !existsSync(join(snapshot, p.replace(/^dist\//, "").replace(/\.js$/, ".ts")))),
    ).toEqual([]);
    // Every relative require of a shipped file names a shipped file.
    const shipped = new Set(paths);
    const missing: string[] = [];
    for (const file of js) {
      const text = readFileSync(join(snapshot, file), "utf8");
      for (const [, spec] of text.matchAll(/require\("(\.\.?\/[^"]*)"\)/g)) {
        const base = normalize(join(dirname(file), spec));
        if (![`${base}.js`, `${base}/index.js`, base].some((c) => shipped.has(c)))
          missing.push(`${file} → ${spec}`);
      }
    }
    expect(missing).toEqual([]);
    const manifest = JSON.parse(
      readFileSync(join(consumer, "node_modules/pulumi-kubevirt/package.json"), "utf8"),
    );
    expect(Object.keys(manifest.dependencies)).not.toContain("@pulumi/kubernetes");
    expect(manifest.engines.node).toBe(`>=${NODE_FLOOR.replace(/\.0$/, "")}`);
  });

  it("installs without @pulumi/kubernetes; each entry point loads and the kubevirt-sim bin starts", async () => {
    expect(existsSync(join(consumer, "node_modules/@pulumi/kubernetes"))).toBe(false);
    const load = `for (const m of ["pulumi-kubevirt", "pulumi-kubevirt/provider", "pulumi-kubevirt/simulator"]) require(m);
      if (typeof require("pulumi-kubevirt").VirtualMachine !== "function") process.exit(2);`;
    await must(process.execPath, ["-e", load], consumer);
    const bin = join(consumer, "node_modules/.bin/kubevirt-sim");
    const sim = await must(
      process.execPath,
      [
        "-e",
        `const { spawn } = require("node:child_process");
        const c = spawn(${JSON.stringify(bin)}, ["--port", "0", "--kubeconfig", "kc.yaml"], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        c.stdout.on("data", (d) => { out += d; if (out.includes("kc.yaml")) c.kill("SIGTERM"); });
        c.on("exit", (code, signal) => { console.log(out); process.exit(signal === "SIGTERM" || code === 0 ? 0 : 1); });
        setTimeout(() => { c.kill("SIGKILL"); process.exit(3); }, 20000);`,
      ],
      consumer,
    );
    expect(sim.stdout).toMatch(/https:\/\/127\.0\.0\.1:\d+/);
  }, 60_000);

  it.each(compileCases)(
    "compiles the TypeScript consumer with $title (strict, no skipLibCheck)",
    async (c) => {
      const config = `tsconfig.case-${compileCases.indexOf(c)}.json`;
      writeJson(join(consumer, config), {
        extends: "./tsconfig.json",
        compilerOptions: { ...c.options, noEmit: true },
        ...(c.files ? { files: c.files } : {}),
      });
      const tsc = join(consumer, "node_modules", c.tsc, "bin/tsc");
      const r = await run(process.execPath, [tsc, "-p", config], consumer);
      expect(`${c.title}: exit ${r.code} ${r.output.trim()}`.trim()).toBe(`${c.title}: exit 0`);
    },
    120_000,
  );

  it("TypeScript 6 rejects the Pulumi template's tsconfig (TS5107: moduleResolution node10 is deprecated)", async () => {
    writeJson(join(consumer, "tsconfig.template.json"), {
      extends: "./tsconfig.json",
      compilerOptions: { ...TEMPLATE, noEmit: true },
      files: ["index.ts"],
    });
    const tsc = join(consumer, "node_modules/typescript6/bin/tsc");
    const r = await run(process.execPath, [tsc, "-p", "tsconfig.template.json"], consumer);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("error TS5107: Option 'moduleResolution=node10' is deprecated");
  }, 120_000);

  /** preview, up (outputs checked), destroy of the program in `dir`; PATH first holds `nodeBin` if given. */
  async function lifecycle(dir: string, stackName: string, vmName: string, nodeBin?: string) {
    const env: Record<string, string> = {
      KUBECONFIG: target.kubeconfigPath,
      PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
    if (nodeBin) env.PATH = `${nodeBin}:${process.env.PATH ?? ""}`;
    const t = await createTestStack(dir, stackName, env);
    try {
      await t.stack.setConfig("vmName", { value: vmName });
      step(`${stackName}: pulumi preview`);
      const preview = await t.stack.preview();
      expect(preview.changeSummary).toEqual({ create: 3 }); // the stack, the dynamic provider and the VM
      step(`${stackName}: pulumi up`);
      const up = await t.stack.up();
      expect(up.outputs.name.value).toBe(vmName);
      expect(up.outputs.powerState.value).toBe("Running");
      const live = await target.getVm(vmName);
      expect((live?.status as { printableStatus?: string } | undefined)?.printableStatus).toBe("Running");
      step(`${stackName}: pulumi destroy`);
      await t.stack.destroy();
      expect(await target.getVm(vmName)).toBeUndefined();
      return up.outputs;
    } finally {
      await t.dispose().catch(() => undefined);
    }
  }

  it("runs preview, up and destroy of the TypeScript consumer against the simulator", async () => {
    const outputs = await lifecycle(consumer, "package-ts", "pkg-ts");
    expect(outputs.nodeVersion.value).toBe(process.version);
  }, 300_000);

  it(`runs preview, up and destroy of the JavaScript consumer on Node.js ${NODE_FLOOR}`, async () => {
    const outputs = await lifecycle(join(consumer, "js"), "package-js", "pkg-js", nodeFloorBin);
    expect(outputs.nodeVersion.value).toBe(`v${NODE_FLOOR}`);
  }, 300_000);

  it("installs from git: npm clones the repository and its prepare script builds dist", async () => {
    const done = await gitInstall;
    if ("error" in done) throw done.error;
    const pkg = join(done.project, "node_modules/pulumi-kubevirt");
    expect(existsSync(join(pkg, "dist/sdk/index.js"))).toBe(true);
    expect(existsSync(join(pkg, "dist/bench"))).toBe(false);
    expect(existsSync(join(done.project, "node_modules/@pulumi/kubernetes"))).toBe(false);
    const r = await must(
      process.execPath,
      [
        "-e",
        `const k = require("pulumi-kubevirt"); require("pulumi-kubevirt/provider"); console.log(typeof k.VirtualMachine);`,
      ],
      done.project,
    );
    expect(r.stdout.trim()).toBe("function");
  }, 400_000);
});
