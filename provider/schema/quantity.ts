/**
 * Kubernetes quantities (`"1Gi"`, `"500m"`, `2`): the number form, written as the text the API server keeps.
 *
 * KubeVirt's mutating webhook re-encodes a VirtualMachine's whole spec, so a quantity given as a JSON
 * number is stored as its canonical string (`2000000000` becomes `"2G"`). A number sent as it is would
 * then differ from the live object on every update; sending its canonical text instead keeps the declared
 * template and the live one equal.
 */

/** Decimal SI suffixes by power of ten (Kubernetes' `DecimalSI` format). */
const SI_SUFFIXES = new Map<number, string>([
  [-9, "n"],
  [-6, "u"],
  [-3, "m"],
  [0, ""],
  [3, "k"],
  [6, "M"],
  [9, "G"],
  [12, "T"],
  [15, "P"],
  [18, "E"],
]);
const MIN_EXPONENT = -9;
const MAX_EXPONENT = 18;

/**
 * The canonical text of a quantity given as a finite number, as Kubernetes writes it back: the largest
 * SI suffix that keeps the digits whole (`1500` → `"1500"`, `2e9` → `"2G"`, `0.5` → `"500m"`), with
 * precision finer than nano rounded up (`1e-10` → `"1n"`), as Kubernetes does. Beyond `E` the digits grow
 * (`1e21` → `"1000E"`).
 */
export function canonicalQuantity(value: number): string {
  if (value === 0) return "0";
  // The shortest decimal text of the number: what JSON carries, and what Kubernetes would parse.
  const [, whole, fraction = "", exp = "0"] = /^(\d+)(?:\.(\d+))?(?:e([-+]\d+))?$/.exec(
    String(Math.abs(value)),
  )!;
  let digits = BigInt(whole! + fraction);
  let exponent = Number(exp) - fraction.length;
  if (exponent < MIN_EXPONENT) {
    const divisor = 10n ** BigInt(MIN_EXPONENT - exponent);
    digits = (digits + divisor - 1n) / divisor;
    exponent = MIN_EXPONENT;
  }
  for (; digits % 10n === 0n; digits /= 10n) exponent++;
  for (; exponent % 3 !== 0 || exponent > MAX_EXPONENT; exponent--) digits *= 10n;
  return `${value < 0 ? "-" : ""}${digits}${SI_SUFFIXES.get(exponent)!}`;
}
