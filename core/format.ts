/**
 * Every number, byte count, date, duration and relative time a person reads, formatted in
 * one place for each language (`formatterFor`). Dates are UTC. English keeps the panel's
 * compact forms (`2030-01-02 03:04`, `3d 4h`, `5 min ago`); the other languages take
 * their `Intl` defaults (Persian digits and the Persian calendar for `fa`). Byte counts
 * are B/KB/MB/GB/TB (base 1024) everywhere, unit names from the language's catalog.
 */
import { CATALOGS, type Locale } from "./i18n/locales.ts";

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

/** How one language writes numbers, byte counts, dates and durations. */
export interface Formatter {
  /** A whole number with the language's grouping: `100,000`, `100 000`, `۱۰۰٬۰۰۰`. */
  count(n: number): string;
  /**
   * Bytes with three significant digits in B/KB/MB/GB/TB (base 1024): `0 B`, `812 B`,
   * `24.8 MB`, `289 MB`, `1.05 GB`. A value that would round to 1000 or more moves to the
   * next unit (`0.98 KB` for 1000 bytes), so no figure has four digits below TB.
   */
  bytes(n: number): string;
  /** Exact bytes for a tooltip: `1,234,567 bytes`. */
  exactBytes(n: number): string;
  /** A unit's name, for a unit select: `GB`, `ГБ`. */
  byteUnit(unit: ByteUnit): string;
  /** A percentage with at most one decimal: `37%`, `99.5%`. */
  percent(percent: number): string;
  /** A timestamp to the minute (UTC), or an em dash for null. */
  time(epochMs: number | null): string;
  /** A timestamp to the second (UTC), or an em dash for null. */
  timeSeconds(epochMs: number | null): string;
  /** A date (UTC), or an em dash for null. */
  date(epochMs: number | null): string;
  /** A duration in seconds in its two largest units: `3d 4h`, `5h 2m`, `42s`. */
  duration(seconds: number): string;
  /**
   * How far `epochMs` is from `now`, in the largest whole unit: `12 s ago`, `in 12 days`;
   * `now` within a second.
   */
  relative(epochMs: number, now: number): string;
}

/** The value and unit a byte count is shown in (three significant digits). */
function scaleBytes(bytes: number): { value: number; decimals: number; unit: ByteUnit } {
  if (!Number.isFinite(bytes) || bytes < 0) return { value: 0, decimals: 0, unit: "B" };
  if (bytes < 1000) return { value: Math.round(bytes), decimals: 0, unit: "B" };
  let value = bytes;
  let unit = 0;
  while (value >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const decimals = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
  return { value, decimals, unit: BYTE_UNITS[unit] };
}

/** Splits a duration into days, hours, minutes and seconds. */
function durationParts(seconds: number) {
  const s = Math.max(0, Math.floor(seconds));
  return {
    days: Math.floor(s / 86400),
    hours: Math.floor((s % 86400) / 3600),
    minutes: Math.floor((s % 3600) / 60),
    seconds: s % 60,
  };
}

/** The two largest units of a duration that matter (`3d 4h`, `5h 2m`, `2m 5s`, `42s`). */
function leadingUnits(seconds: number): Record<string, number> {
  const { days, hours, minutes, seconds: s } = durationParts(seconds);
  if (days > 0) return { days, hours };
  if (hours > 0) return { hours, minutes };
  if (minutes > 0) return { minutes, seconds: s };
  return { seconds: s };
}

/** The largest whole unit of a distance in time, for `Intl.RelativeTimeFormat`. */
function relativeUnit(s: number): [number, Intl.RelativeTimeFormatUnit] {
  const days = Math.floor(s / 86400);
  if (s < 60) return [s, "second"];
  if (s < 3600) return [Math.floor(s / 60), "minute"];
  if (s < 86400) return [Math.floor(s / 3600), "hour"];
  if (days < 730) return [days, "day"];
  return [Math.floor(days / 365), "year"];
}

const DASH = "—";

/** English: the panel's compact forms, ISO-like dates. */
function englishFormatter(): Formatter {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const iso = (ms: number | null, length: number) =>
    ms === null ? DASH : new Date(ms).toISOString().slice(0, length).replace("T", " ");
  return {
    ...intlNumbers("en"),
    time: (ms) => iso(ms, 16),
    timeSeconds: (ms) => iso(ms, 19),
    date: (ms) => iso(ms, 10),
    duration(seconds) {
      const units = leadingUnits(seconds);
      const short: Record<string, string> = { days: "d", hours: "h", minutes: "m", seconds: "s" };
      return Object.entries(units).map(([unit, n]) => `${n}${short[unit]}`).join(" ");
    },
    relative(epochMs, now) {
      const diff = epochMs - now;
      const s = Math.floor(Math.abs(diff) / 1000);
      if (s === 0) return "now";
      const [n, unit] = relativeUnit(s);
      const amount = unit === "second"
        ? `${n} s`
        : unit === "minute"
        ? `${n} min`
        : unit === "hour"
        ? `${n} h`
        : unit === "day"
        ? plural(n, "day", "days")
        : plural(n, "year", "years");
      return diff < 0 ? `${amount} ago` : `in ${amount}`;
    },
  };
}

/** Counts, bytes and percentages through `Intl`; unit names from the catalog. */
function intlNumbers(locale: Locale) {
  const t = CATALOGS[locale];
  const counts = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const fixed = [0, 1, 2].map((digits) =>
    new Intl.NumberFormat(locale, {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      useGrouping: false,
    })
  );
  const percents = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
  return {
    count: (n: number) => counts.format(Math.round(n)),
    bytes(n: number) {
      const { value, decimals, unit } = scaleBytes(n);
      return `${fixed[decimals].format(value)} ${t.units.bytes[unit]}`;
    },
    exactBytes: (n: number) => t.units.exactBytes(n),
    byteUnit: (unit: ByteUnit) => t.units.bytes[unit],
    percent: (percent: number) => percents.format(Math.round(percent * 10) / 1000),
  };
}

/** Another language: dates, durations and relative times as `Intl` writes them there. */
function intlFormatter(locale: Locale): Formatter {
  const dateTime = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(locale, {
      timeZone: "UTC",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      ...options,
    });
  const minutes = dateTime({ hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const seconds = dateTime({
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const days = dateTime({});
  // Persian has no narrow hour; its short forms are still brief.
  const durations = new Intl.DurationFormat(locale, {
    style: locale === "fa" ? "short" : "narrow",
  });
  // "auto": `now`, `yesterday`, `tomorrow` where the language has words for them.
  const relatives = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  return {
    ...intlNumbers(locale),
    time: (ms) => ms === null ? DASH : minutes.format(ms),
    timeSeconds: (ms) => ms === null ? DASH : seconds.format(ms),
    date: (ms) => ms === null ? DASH : days.format(ms),
    duration: (s) => durations.format(leadingUnits(s)),
    relative(epochMs, now) {
      const diff = epochMs - now;
      const [n, unit] = relativeUnit(Math.floor(Math.abs(diff) / 1000));
      return relatives.format(diff < 0 ? -n : n, unit);
    },
  };
}

const formatters = new Map<Locale, Formatter>();

/** How `locale` formats numbers, bytes, dates and durations (built once per language). */
export function formatterFor(locale: Locale): Formatter {
  let formatter = formatters.get(locale);
  if (!formatter) {
    formatter = locale === "en" ? englishFormatter() : intlFormatter(locale);
    formatters.set(locale, formatter);
  }
  return formatter;
}

const english = formatterFor("en");
/** English forms, for code that shows no page (and the format tests). */
export const formatBytes = english.bytes;
export const formatExactBytes = english.exactBytes;
export const formatCount = english.count;
export const formatPercent = english.percent;
export const formatTime = english.time;
export const formatTimeSeconds = english.timeSeconds;
export const formatDate = english.date;
export const formatDuration = english.duration;
export const formatRelative = english.relative;

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
