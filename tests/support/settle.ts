/**
 * printableStatus values a VM only passes through: a VM showing one is not settled yet, however calm its parts
 * look (KubeVirt's controller writes the VM's status a moment after the instance's, later on a loaded machine).
 */
export const PASSING_STATUSES: readonly string[] = ["Starting", "Stopping", "Terminating"];

/** A state read again every 300 ms, and whether it is calm (nothing pending, nothing between phases). */
export type StateRead<T> = () => Promise<{ state: T; calm: boolean }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The state something settles in: `read` again every 300 ms until it is calm and two reads in a row agree.
 * After `timeoutMs` the last state is returned with `settled: false`.
 */
export async function settle<T>(
  read: StateRead<T>,
  timeoutMs = 20_000,
): Promise<{ state: T; settled: boolean }> {
  let last = JSON.stringify((await read()).state);
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    await sleep(300);
    const { state, calm } = await read();
    if (calm && JSON.stringify(state) === last) return { state, settled: true };
    last = JSON.stringify(state);
  }
  return { state: JSON.parse(last) as T, settled: false };
}
