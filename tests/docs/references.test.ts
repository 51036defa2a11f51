import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

// The repository stands on its own: every `§` reference in code, tests and docs names a section of
// docs/kubevirt-behaviour.md, and no file points at a development machine by an absolute path.

const ROOT = join(__dirname, "../..");
const BEHAVIOUR = "docs/kubevirt-behaviour.md";

/** The repository's text files (tracked or new, not ignored), with their contents. */
function projectFiles(): { path: string; text: string }[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return listed
    .split("\n")
    .filter((p) => /\.(ts|js|mjs|md|json|ya?ml|sh|go|txt)$/.test(p) && !p.endsWith("package-lock.json"))
    .flatMap((path) => {
      try {
        return [{ path, text: readFileSync(join(ROOT, path), "utf8") }];
      } catch {
        return []; // listed but deleted in the working tree
      }
    });
}

const files = projectFiles();

describe("references", () => {
  it("should find the project's files", () => {
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining([BEHAVIOUR, "provider/planner/plan.ts"]));
  });

  it(`should resolve every § reference to a section of ${BEHAVIOUR}`, () => {
    const doc = files.find((f) => f.path === BEHAVIOUR)!.text;
    const sections = new Set([...doc.matchAll(/^#{2,3} (\d+(?:\.\d+)*)[. ]/gm)].map((m) => m[1]));
    const dangling = files.flatMap(({ path, text }) =>
      [...text.matchAll(/§(\d+(?:\.\d+)*)/g)]
        .map((m) => m[1].replace(/\.$/, ""))
        .filter((section) => !sections.has(section))
        .map((section) => `${path}: §${section}`),
    );
    expect(sections.size).toBeGreaterThan(20);
    expect(dangling).toEqual([]);
  });

  it("should name no file of a development machine by an absolute path", () => {
    const machine = /(?<![\w.~-])\/(?:work|root|Users|home\/(?!me\/))[\w.-]*\//;
    const found = files.flatMap(({ path, text }) =>
      text
        .split("\n")
        .map((line, i) => ({ line, n: i + 1 }))
        .filter(({ line }) => machine.test(line))
        .map(({ line, n }) => `${path}:${n}: ${line.trim()}`),
    );
    expect(found).toEqual([]);
  });
});
