/**
 * Every number, byte count, date and relative time a person reads, formatted in one place
 * (so a translation can replace this module). Dates are UTC.
 */

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"] as const;
export type ByteUnit = typeof BYTE_UNITS[number];

/** Bytes per unit, base 1024. */
export const BYTES_PER_UNIT: Record<ByteUnit, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

/** Bytes per GB (GiB) for quota input given in GB. */
export const BYTES_PER_GB = BYTES_PER_UNIT.GB;

/**
 * Bytes with three significant digits in B/KB/MB/GB/TB (base 1024): `0 B`, `812 B`,
 * `24.8 MB`, `289 MB`, `1.05 GB`. A value that would round to 1000 or more moves to the
 * next unit (`0.98 KB` for 1000 bytes), so no figure has four digits below TB.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "0 B";
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  let value = bytes;
  let unit = 0;
  while (value >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const decimals = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
  return `${value.toFixed(decimals)} ${BYTE_UNITS[unit]}`;
}

/** Exact bytes for a tooltip: `1,234,567 bytes`. */
export function formatExactBytes(bytes: number): string {
  return `${formatCount(bytes)} ${bytes === 1 ? "byte" : "bytes"}`;
}

/** One formatter for every count: `toLocaleString` builds a new one per call (~3 µs). */
const COUNT_FORMAT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A whole number with thousands separators: `100,000`. */
export function formatCount(n: number): string {
  return COUNT_FORMAT.format(Math.round(n));
}

/** A percentage with at most one decimal: `37%`, `99.5%`. */
export function formatPercent(percent: number): string {
  return `${Math.round(percent * 10) / 10}%`;
}

/**
 * A byte amount in the largest of MB/GB/TB that shows it exactly with up to 3 decimals,
 * for a form field and its unit select: 1.5 GiB → `["1.5", "GB"]`, 500 MiB → `["500", "MB"]`.
 * Amounts no unit shows exactly are given in GB, rounded to 6 decimals.
 */
export function bytesInUnit(bytes: number): [string, "MB" | "GB" | "TB"] {
  if (bytes === 0) return ["0", "GB"];
  for (const unit of ["TB", "GB", "MB"] as const) {
    const value = bytes / BYTES_PER_UNIT[unit];
    if (value >= 1 && Math.round(value * 1000) / 1000 === value) return [String(value), unit];
  }
  return [String(Math.round((bytes / BYTES_PER_GB) * 1e6) / 1e6), "GB"];
}

/** A timestamp as `YYYY-MM-DD HH:MM` UTC, or an em dash for null. */
export function formatTime(epochMs: number | null): string {
  if (epochMs === null) return "—";
  return new Date(epochMs).toISOString().slice(0, 16).replace("T", " ");
}

/** A timestamp as `YYYY-MM-DD HH:MM:SS` UTC, or an em dash for null. */
export function formatTimeSeconds(epochMs: number | null): string {
  if (epochMs === null) return "—";
  return new Date(epochMs).toISOString().slice(0, 19).replace("T", " ");
}

/** A date as `YYYY-MM-DD` (UTC), or an em dash for null. */
export function formatDate(epochMs: number | null): string {
  if (epochMs === null) return "—";
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** A duration in seconds as `3d 4h`, `5h 2m`, `42s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * How far `epochMs` is from `now`, in the largest whole unit: `12 s ago`, `5 min ago`,
 * `3 h ago`, `3 days ago`, `in 12 days`, `in 2 years`; `now` within a second.
 */
export function formatRelative(epochMs: number, now: number): string {
  const diff = epochMs - now;
  const s = Math.floor(Math.abs(diff) / 1000);
  if (s === 0) return "now";
  const days = Math.floor(s / 86400);
  const amount = s < 60
    ? `${s} s`
    : s < 3600
    ? `${Math.floor(s / 60)} min`
    : s < 86400
    ? `${Math.floor(s / 3600)} h`
    : days < 730
    ? plural(days, "day", "days")
    : plural(Math.floor(days / 365), "year", "years");
  return diff < 0 ? `${amount} ago` : `in ${amount}`;
}
