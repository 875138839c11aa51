/**
 * Hardening (issue 8): user names are unique regardless of case, so "Alice" and "alice"
 * cannot both exist (they would look like one person in every list and log).
 *
 * A database may already hold names that differ only in case. The migration must not fail
 * on them, and must not delete anyone: the oldest user of each such group (lowest id) keeps
 * the name, the others get the first free `-2`, `-3`, … suffix, and their note says so.
 * Clients are unaffected (they authenticate by UUID or password, not by name); the next
 * config apply uses the new names.
 */
import { type Kysely, type Migration, sql } from "kysely";

const NAME_MAX = 48;
const NOTE_MAX = 500;

export const hardening: Migration = {
  async up(db: Kysely<unknown>) {
    const clashing = await sql<{ id: number; name: string; note: string }>`
      SELECT id, name, note FROM users
      WHERE lower(name) IN (SELECT lower(name) FROM users GROUP BY lower(name) HAVING count(*) > 1)
      ORDER BY lower(name), id`.execute(db);
    const taken = new Set(
      (await sql<{ name: string }>`SELECT lower(name) AS name FROM users`.execute(db)).rows
        .map((r) => r.name),
    );
    const kept = new Set<string>();
    for (const user of clashing.rows) {
      const key = user.name.toLowerCase();
      if (!kept.has(key)) {
        kept.add(key);
        continue;
      }
      const name = freeName(user.name, taken);
      taken.add(name.toLowerCase());
      const line = `Renamed from "${user.name}": user names are unique regardless of case`;
      const note = user.note === "" ? line : `${user.note}\n${line}`;
      await sql`UPDATE users SET name = ${name}, note = ${
        note.length <= NOTE_MAX ? note : user.note
      } WHERE id = ${user.id}`.execute(db);
    }
    await sql`CREATE UNIQUE INDEX users_name_nocase ON users (name COLLATE NOCASE)`.execute(db);
  },
};

/** `name` with the first `-N` suffix (N ≥ 2) whose lower case is not in `taken`. */
function freeName(name: string, taken: Set<string>): string {
  for (let n = 2;; n++) {
    const suffix = `-${n}`;
    const candidate = name.slice(0, NAME_MAX - suffix.length) + suffix;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
}
