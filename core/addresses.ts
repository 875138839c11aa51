/**
 * Host names and IP address literals as inbound fields accept them: whether a value is a
 * DNS host name, and IPv4 and IPv6 addresses in one canonical form.
 */

/** Longest DNS host name, in characters. */
export const MAX_HOSTNAME_LENGTH = 253;

/** Whether `value` is a DNS host name (letters, digits, hyphens; dot-separated labels). */
export function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > MAX_HOSTNAME_LENGTH) return false;
  const labels = value.split(".");
  if (/^\d+$/.test(labels[labels.length - 1])) return false; // looks like an IPv4 address
  return labels.every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * An IPv4 or IPv6 literal in canonical form (IPv6 compressed, lower case, RFC 5952), or
 * null for anything else (host names, zone ids, brackets, leading zeros in IPv4).
 */
export function normalizeIpAddress(value: string): string | null {
  if (IPV4.test(value)) return value;
  const groups = parseIpv6(value);
  return groups ? formatIpv6(groups) : null;
}

function parseIpv6(value: string): number[] | null {
  if (value.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(value) || !value.includes(":")) return null;
  let body = value;
  const tail: number[] = [];
  if (value.includes(".")) {
    const at = value.lastIndexOf(":");
    const v4 = value.slice(at + 1);
    if (!IPV4.test(v4)) return null;
    const [a, b, c, d] = v4.split(".").map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    body = value.slice(0, at + 1);
    if (!body.endsWith("::")) body = body.slice(0, -1);
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (part: string) =>
    part === ""
      ? []
      : part.split(":").map((g) => /^[0-9A-Fa-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN);
  const head = groupsOf(halves[0]);
  const rest = halves.length === 2 ? groupsOf(halves[1]) : [];
  if ([...head, ...rest].some(Number.isNaN)) return null;
  const count = head.length + rest.length + tail.length;
  if (halves.length === 1) return count === 8 ? [...head, ...tail] : null;
  if (count > 7) return null;
  return [...head, ...new Array(8 - count).fill(0), ...rest, ...tail];
}

function formatIpv6(groups: number[]): string {
  let bestStart = -1, bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLength).join(":");
  return `${left}::${right}`;
}
