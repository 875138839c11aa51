import { assertEquals } from "@std/assert";
import {
  bytesInUnit,
  formatBytes,
  formatCount,
  formatExactBytes,
  formatRelative,
  formatTimeSeconds,
} from "./format.ts";

const KB = 1024, MB = 1024 ** 2, GB = 1024 ** 3, TB = 1024 ** 4;

Deno.test("formatBytes() shows three significant digits in the largest fitting unit", () => {
  const cases: Array<[number, string]> = [
    [0, "0 B"],
    [1, "1 B"],
    [999, "999 B"],
    [1000, "0.98 KB"],
    [1023, "1.00 KB"],
    [1536, "1.50 KB"],
    [24.8 * MB, "24.8 MB"],
    [289 * MB, "289 MB"],
    [1.05 * GB, "1.05 GB"],
    [99.96 * MB, "100 MB"],
    [9.996 * GB, "10.0 GB"],
    [999.4 * MB, "999 MB"],
    [999.6 * MB, "0.98 GB"],
    [1023.9 * MB, "1.00 GB"],
    [GB + 64 * MB, "1.06 GB"],
    [5 * TB, "5.00 TB"],
    [4096 * TB, "4096 TB"],
    [-5, "0 B"],
    [Number.NaN, "0 B"],
  ];
  for (const [bytes, text] of cases) assertEquals(formatBytes(bytes), text, `${bytes} bytes`);
});

Deno.test("formatExactBytes() and formatCount() group thousands", () => {
  assertEquals(formatExactBytes(1_234_567), "1,234,567 bytes");
  assertEquals(formatExactBytes(1), "1 byte");
  assertEquals(formatCount(100_000), "100,000");
});

Deno.test("bytesInUnit() picks the largest unit that shows the amount exactly", () => {
  assertEquals(bytesInUnit(0), ["0", "GB"]);
  assertEquals(bytesInUnit(1.5 * GB), ["1.5", "GB"]);
  assertEquals(bytesInUnit(500 * MB), ["500", "MB"]);
  assertEquals(bytesInUnit(2 * TB), ["2", "TB"]);
  assertEquals(bytesInUnit(1.25 * TB), ["1.25", "TB"]);
  assertEquals(bytesInUnit(1536 * GB), ["1.5", "TB"]);
  assertEquals(bytesInUnit(700 * KB), ["0.000668", "GB"]);
});

Deno.test("formatRelative() names the largest whole unit, past and future", () => {
  const now = Date.UTC(2030, 0, 10, 12);
  const s = 1000, day = 86_400_000;
  assertEquals(formatRelative(now, now), "now");
  assertEquals(formatRelative(now - 12 * s, now), "12 s ago");
  assertEquals(formatRelative(now - 5 * 60 * s, now), "5 min ago");
  assertEquals(formatRelative(now + 3 * 3600 * s, now), "in 3 h");
  assertEquals(formatRelative(now + 12 * day + 5 * s, now), "in 12 days");
  assertEquals(formatRelative(now - 3 * day, now), "3 days ago");
  assertEquals(formatRelative(now - day, now), "1 day ago");
  assertEquals(formatRelative(now + 800 * day, now), "in 2 years");
});

Deno.test("formatTimeSeconds() shows seconds in UTC", () => {
  assertEquals(formatTimeSeconds(Date.UTC(2030, 0, 2, 3, 4, 5)), "2030-01-02 03:04:05");
  assertEquals(formatTimeSeconds(null), "—");
});
