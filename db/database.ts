/** Opens the libSQL database (a local file or a remote server) as a Kysely instance. */
import { Kysely, sql } from "kysely";
import { LibsqlDialect } from "@libsql/kysely-libsql";
import { createClient } from "@libsql/client/node";
import type { Database } from "./schema.ts";
import { migrateToLatest } from "./migrations.ts";

export type Db = Kysely<Database>;

/** Whether a database URL names a remote libSQL server rather than a local file. */
export function isRemoteDatabaseUrl(url: string): boolean {
  return /^(libsql|https?|wss?):\/\//.test(url);
}

/**
 * Opens the database at `url` and migrates it. A `file:` URL gets WAL mode and a busy
 * timeout; `libsql://`, `http(s)://` URLs use a remote server with `authToken`.
 */
export async function openDatabase(url: string, authToken?: string): Promise<Db> {
  // `@libsql/client/node` can open files under Deno; the dialect's default web client cannot.
  // One connection: the native driver waits for SQLite's lock synchronously, blocking the
  // event loop, so two overlapping transactions in this process would stall until the busy
  // timeout. With one connection, a second transaction waits (asynchronously) in the
  // client's queue instead; the timeout only matters for other processes.
  const client = createClient({ url, authToken, timeout: 5000, concurrency: 1 });
  const db = new Kysely<Database>({
    // The dialect is typed against its own (older) client version; the API it uses is the same.
    dialect: new LibsqlDialect({ client: client as never }),
  });
  if (!isRemoteDatabaseUrl(url)) {
    await sql`PRAGMA journal_mode = WAL`.execute(db);
  }
  await migrateToLatest(db as Kysely<unknown>);
  return db;
}
