/**
 * Schema migrations as an ordered list compiled into the program (no folder is read at
 * run time, so `deno compile` works), one module each under `db/migrations/`. Append new
 * ones; never edit a released one.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { initial } from "./migrations/0001_initial.ts";
import { userTraffic } from "./migrations/0002_user_traffic.ts";
import { subscriptions } from "./migrations/0003_subscriptions.ts";
import { hardening } from "./migrations/0004_hardening.ts";
import { operatorUi } from "./migrations/0005_operator_ui.ts";
import { coreHost } from "./migrations/0006_core_host.ts";

const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_user_traffic": userTraffic,
  "0003_subscriptions": subscriptions,
  "0004_hardening": hardening,
  "0005_operator_ui": operatorUi,
  "0006_core_host": coreHost,
};

const provider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

/** Brings the database to the latest schema; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  // 0005 (issue 9) was merged after 0006 (issues 10/11): a database that already ran 0006
  // runs 0005 afterwards instead of being refused. The two touch different things.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`Database migration "${failed}" failed: ${(error as Error).message ?? error}`);
  }
}
