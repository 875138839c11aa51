/**
 * Edit versions, for optimistic concurrency: a short hash of the fields a change is based
 * on. An edit form carries the version of what it showed, and an update compares it (and
 * the row it was prepared from) with the row it finds inside its write transaction; a
 * difference means someone else changed the row meanwhile, and the update is refused with
 * 409 instead of silently overwriting their change. Hashing only the edited fields (not
 * `updated_at`) keeps traffic resets and other background writes from causing false alarms.
 */
import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      typeof v === "object" && v !== null && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  );
}

/** The version of a value: 16 hex digits of the SHA-256 of its stable JSON. */
export function editVersion(value: unknown): string {
  return createHash("sha256").update(stableJson(value)).digest("hex").slice(0, 16);
}
