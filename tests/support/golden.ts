/**
 * Golden files of unit tests: compared, never written as a side effect. A run with `UPDATE_GOLDEN=1`
 * rewrites them after a deliberate change (then review the diff); a missing golden file fails.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";

/**
 * The reviewed contents of the golden file at `path`, to compare `actual` with. With `UPDATE_GOLDEN=1`,
 * `actual` is written there first. Throws when the file is missing, saying how to create it.
 */
export function readGolden(path: string, actual: string): string {
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, actual);
  else if (!existsSync(path)) {
    throw new Error(
      `golden file ${relative(process.cwd(), path)} is missing: run this test with UPDATE_GOLDEN=1 to ` +
        "write it from the current output, then review it",
    );
  }
  return readFileSync(path, "utf8");
}
