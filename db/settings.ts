/** The `settings` table: panel settings as text, by key. */
import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** Every stored setting, by key. */
export async function readSettingRows(db: Q): Promise<Map<string, string>> {
  const rows = await db.selectFrom("settings").selectAll().execute();
  return new Map(rows.map((r) => [r.key, r.value]));
}

/** Writes settings (insert or replace), one statement; `null` deletes (back to default). */
export async function writeSettingRows(
  db: Q,
  entries: Array<[key: string, value: string | null]>,
): Promise<void> {
  const set = entries.filter(([, v]) => v !== null) as Array<[string, string]>;
  const cleared = entries.filter(([, v]) => v === null).map(([k]) => k);
  if (set.length > 0) {
    await db.insertInto("settings").values(set.map(([key, value]) => ({ key, value })))
      .onConflict((oc) =>
        oc.column("key").doUpdateSet((eb) => ({ value: eb.ref("excluded.value") }))
      )
      .execute();
  }
  if (cleared.length > 0) await db.deleteFrom("settings").where("key", "in", cleared).execute();
}
