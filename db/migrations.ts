/**
 * Schema migrations as an ordered list compiled into the program (no folder is read at
 * run time, so `deno compile` works), one module each under `db/migrations/`. Append new
 * ones; never edit a released one.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { initial } from "./migrations/0001_initial.ts";
import { userTraffic } from "./migrations/0002_user_traffic.ts";
import { operatorUi } from "./migrations/0005_operator_ui.ts";

const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_user_traffic": userTraffic,
  "0005_operator_ui": operatorUi,
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

/** Brings the database to the latest schema; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Database migration "${failed}" failed: ${(error as Error).message ?? error}`);
  }
}
