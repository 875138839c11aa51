/** Formatting shared by every view and the API's human-facing text. */

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB"] as const;

/** Bytes in B/KB/MB/GB/TB, base 1024: `0 B`, `1023 B`, `1.00 KB`, `1.50 GB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "0 B";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  return `${value.toFixed(value >= 100 ? 1 : 2)} ${BYTE_UNITS[unit]}`;
}

/** Bytes per GB (GiB) for quota input given in GB. */
export const BYTES_PER_GB = 1024 ** 3;

/** A timestamp as `YYYY-MM-DD HH:MM` UTC, or an em dash for null. */
export function formatTime(epochMs: number | null): string {
  if (epochMs === null) return "—";
  return new Date(epochMs).toISOString().slice(0, 16).replace("T", " ");
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
