/**
 * Go-style durations (`time.ParseDuration`): a sequence of decimal numbers with units, e.g. `"90s"`,
 * `"10m"`, `"1h30m"`, `"1.5h"`, `"300ms"`. Units: `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`. A sign is
 * not accepted here (timeouts cannot be negative); `"0"` is the only unit-less value.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** The longest timeout a JavaScript timer can hold (2^31 - 1 milliseconds, about 596.5 hours), in seconds. */
export const MAX_TIMEOUT_SECONDS = 2_147_483.647;

/** Whole seconds as a Go-style duration, largest units first: 2147483 → `"596h31m23s"`, 90 → `"1m30s"`. */
export function formatDuration(seconds: number): string {
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const text = `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 ? `${s}s` : ""}`;
  return text === "" ? "0s" : text;
}

/** Message used when a duration is longer than {@link MAX_TIMEOUT_SECONDS}. */
export function tooLongDurationMessage(text: string): string {
  return `${JSON.stringify(text)} is longer than the longest supported timeout (${formatDuration(MAX_TIMEOUT_SECONDS)})`;
}

/** Message used when a duration does not parse. */
export function invalidDurationMessage(text: string): string {
  return `${JSON.stringify(text)} is not a duration (use a Go-style duration such as "90s", "10m" or "1h30m")`;
}

/**
 * Parse a Go-style duration into seconds (fractions kept: `"1500ms"` → 1.5).
 *
 * @throws Error with {@link invalidDurationMessage} when `text` is not a duration.
 */
export function parseDuration(text: string): number {
  const seconds = tryParseDuration(text);
  if (seconds === undefined) throw new Error(invalidDurationMessage(text));
  return seconds;
}

/** Like {@link parseDuration}, but returns `undefined` instead of throwing. */
export function tryParseDuration(text: string): number | undefined {
  if (text === "0") return 0;
  if (text.length === 0) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (match === null) return undefined;
    total += Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  }
  // Avoid binary noise such as 0.30000000000000004 for "300ms".
  return Math.round(total * 1e9) / 1e9;
}
