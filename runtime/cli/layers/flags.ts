/**
 * The limits `strata layers` takes for its CI gate, parsed strictly (a bad value is USAGE, exit 2).
 *
 * Sizes in the units dive's --highestWastedBytes takes (go-humanize ParseBytes): a number, then
 * optionally a space and a unit, case-insensitive: B; k, kB, M, MB, G, GB, T, TB, P, PB in powers of
 * 1000; Ki, KiB, Mi, MiB … PiB in powers of 1024 ("20MB" = 20000000, "5MiB" = 5242880,
 * "1000" = 1000 bytes). Our own few lines, not a library: the npm `bytes` package reads "MB" as
 * 1024², and docker's go-units FromHumanSize ignores the "i" (its "5MiB" is 5000000); this is the
 * reading dive users write their limits in. Ratios are decimals 0..1.
 */
import { StrataError } from "../../errors/error.ts";

const SIZE = /^(\d+(?:\.\d+)?|\.\d+) ?([kmgtp]i?)?b?$/i;
const POWERS = "kmgtp";

export function parseByteSize(flag: string): (value: string) => number {
  return (value) => {
    const m = SIZE.exec(value.trim());
    if (m === null || value.trim() === "") throw new StrataError("USAGE", `${flag} ${value}: not a size (a number of bytes, or with a unit: 20MB, 5MiB, 1.5GB)`);
    const unit = (m[2] ?? "").toLowerCase();
    const base = unit.endsWith("i") ? 1024 : 1000;
    const n = Number(m[1]) * base ** (unit === "" ? 0 : POWERS.indexOf(unit[0] as string) + 1);
    if (!Number.isSafeInteger(Math.floor(n))) throw new StrataError("USAGE", `${flag} ${value}: too large`);
    return Math.floor(n);
  };
}

export function parseRatio(flag: string): (value: string) => number {
  return (value) => {
    const n = /^(\d+(\.\d*)?|\.\d+)$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!(n >= 0 && n <= 1)) throw new StrataError("USAGE", `${flag} ${value}: not a ratio from 0 to 1 (e.g. 0.95)`);
    return n;
  };
}
