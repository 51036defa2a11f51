import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGolden } from "./golden";

describe("readGolden", () => {
  let dir: string;
  const saved = process.env.UPDATE_GOLDEN;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "golden-"));
    delete process.env.UPDATE_GOLDEN;
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    if (saved === undefined) delete process.env.UPDATE_GOLDEN;
    else process.env.UPDATE_GOLDEN = saved;
  });

  it("should fail on a missing golden file, say how to write it, and write nothing", () => {
    const path = join(dir, "case.golden.txt");
    expect(() => readGolden(path, "actual\n")).toThrow(
      /golden file .*case\.golden\.txt is missing: run this test with UPDATE_GOLDEN=1/,
    );
    expect(existsSync(path)).toBe(false);
  });

  it("should return the reviewed contents and leave the file as it is", () => {
    const path = join(dir, "case.golden.txt");
    writeFileSync(path, "reviewed\n");
    expect(readGolden(path, "actual\n")).toBe("reviewed\n");
    expect(readFileSync(path, "utf8")).toBe("reviewed\n");
  });

  it.each(["0", "true", ""])("should not write when UPDATE_GOLDEN is %j", (value) => {
    process.env.UPDATE_GOLDEN = value;
    const path = join(dir, "case.golden.txt");
    writeFileSync(path, "reviewed\n");
    expect(readGolden(path, "actual\n")).toBe("reviewed\n");
  });

  it("should write the actual output with UPDATE_GOLDEN=1, whether the file exists or not", () => {
    process.env.UPDATE_GOLDEN = "1";
    const missing = join(dir, "new.golden.txt");
    const existing = join(dir, "old.golden.txt");
    writeFileSync(existing, "reviewed\n");
    expect(readGolden(missing, "actual\n")).toBe("actual\n");
    expect(readGolden(existing, "actual\n")).toBe("actual\n");
    expect(readFileSync(existing, "utf8")).toBe("actual\n");
  });
});
