/** Opens the libSQL database (a local file or a remote server) as a Kysely instance. */
import { Kysely, sql } from "kysely";
import { type Client, createClient, type InStatement, type Transaction } from "@libsql/client/node";
import type { Database } from "./schema.ts";
import { migrateToLatest } from "./migrations.ts";
import { Mutex } from "../core/mutex.ts";
import { LibsqlDialect } from "./libsql_dialect.ts";
import { LocalReads } from "./local_reads.ts";

export type Db = Kysely<Database>;

/** Whether a database URL names a remote libSQL server rather than a local file. */
export function isRemoteDatabaseUrl(url: string): boolean {
  return /^(libsql|https?|wss?):\/\//.test(url);
}

function isRead(stmt: InStatement): boolean {
  const text = typeof stmt === "string" ? stmt : stmt.sql;
  return /^\s*(SELECT|EXPLAIN)\b/i.test(text);
}

/**
 * The part of the libSQL client the Kysely dialect uses, with every write serialized.
 *
 * The local driver waits for SQLite's write lock synchronously, blocking the event loop:
 * a second writer while a transaction awaits on another connection would stall the whole
 * process until the busy timeout, and the first transaction could never finish. So every
 * write statement and every transaction takes one in-process lock first (a transaction
 * holds it until commit or rollback); reads go straight through (WAL lets them run beside
 * the writer). Code must never write through the database while holding one of its own
 * transactions open; use the transaction.
 */
function serializeWrites(client: Client, lock: WriteLock, reads: LocalReads | null): Client {
  const wrapTransaction = (tx: Transaction, release: () => void): Transaction => {
    let released = false;
    const done = () => {
      if (!released) release();
      released = true;
    };
    return new Proxy(tx, {
      get(target, prop, receiver) {
        if (prop === "commit" || prop === "rollback") {
          return async () => {
            try {
              await target[prop]();
            } finally {
              done();
            }
          };
        }
        if (prop === "close") {
          return () => {
            try {
              target.close();
            } finally {
              done();
            }
          };
        }
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "execute") {
        return (stmt: InStatement) =>
          isRead(stmt) ? (reads ?? target).execute(stmt) : lock.run(() => target.execute(stmt));
      }
      if (prop === "close") {
        return () => {
          try {
            reads?.close();
          } finally {
            target.close();
          }
        };
      }
      if (prop === "batch" || prop === "executeMultiple") {
        // deno-lint-ignore no-explicit-any
        return (...args: any[]) =>
          lock.run(() => (target[prop] as (...a: unknown[]) => Promise<unknown>)(...args));
      }
      if (prop === "transaction") {
        return async (mode?: "write" | "read" | "deferred") => {
          const release = await lock.acquire();
          try {
            const tx = await target.transaction(mode);
            // Per connection and cheap to repeat: a 64 MiB page cache for big set-based writes.
            await tx.execute("PRAGMA cache_size = -65536");
            return wrapTransaction(tx, release);
          } catch (e) {
            release();
            throw e;
          }
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * The in-process write lock of a local database. It counts the times a holder released
 * it: every write statement and transaction of this process, and every write of the poll
 * worker (which writes while `holdWrites` holds it), so an unchanged count means unchanged
 * data for reads that db/read_cache.ts keeps.
 */
class WriteLock {
  readonly #mutex = new Mutex();
  generation = 0;
  /** Holders and waiters right now. */
  #queued = 0;

  /** Whether a write holds the lock or waits for it. */
  get busy(): boolean {
    return this.#queued > 0;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.#queued++;
    return this.#mutex.run(async () => {
      try {
        return await fn();
      } finally {
        this.generation++;
        this.#queued--;
      }
    });
  }

  async acquire(): Promise<() => void> {
    this.#queued++;
    const release = await this.#mutex.acquire();
    return () => {
      this.generation++;
      this.#queued--;
      release();
    };
  }

  /** Resolves once every holder and waiter before it is done; writes and counts nothing. */
  async free(): Promise<void> {
    (await this.#mutex.acquire())();
  }
}

const writeLocks = new WeakMap<Db, WriteLock>();

/**
 * How many writes this process let through to a local database (its own and its poll
 * worker's) so far; null for a remote database, whose writers the process cannot see.
 */
export function writeGeneration(db: Db): number | null {
  return writeLocks.get(db)?.generation ?? null;
}

/**
 * Holds this process's write lock of a local database until the returned function is
 * called, for a writer on another connection (the poll worker): while it writes, no write
 * of this process starts, so none waits synchronously on SQLite's lock. Remote databases
 * have no such lock (their server orders writes); the function then does nothing.
 */
export async function holdWrites(db: Db): Promise<() => void> {
  const lock = writeLocks.get(db);
  return lock ? await lock.acquire() : () => {};
}

const deferredWrites = new WeakMap<Db, Map<string, () => Promise<unknown>>>();

/**
 * A small bookkeeping write (a session's last use, a subscription fetch): done at once
 * when no write of this process holds or waits for the write lock, else left to run once
 * the lock is free, without the caller waiting. A poll holds the lock for its whole write
 * (seconds at 100,000 users); a page must not wait behind it to note that a session was
 * used. Of the writes left waiting under one `key`, only the latest runs; a failure is
 * logged. Remote databases write at once.
 */
export async function writeWhenFree(
  db: Db,
  key: string,
  write: () => Promise<unknown>,
): Promise<void> {
  const lock = writeLocks.get(db);
  if (!lock?.busy) {
    await write();
    return;
  }
  let waiting = deferredWrites.get(db);
  if (!waiting) deferredWrites.set(db, waiting = new Map());
  const queued = waiting.has(key);
  waiting.set(key, write);
  if (queued) return;
  const writes = waiting;
  lock.free().then(() => {
    const latest = writes.get(key);
    writes.delete(key);
    return latest?.();
  }).catch((e) => console.error(`database: a deferred write (${key}) failed: ${e.message}`));
}

/** The file of a local database URL (`file:path`, `file:///path`), or null. */
export function localDatabaseFile(url: string): string | null {
  if (!url.startsWith("file:")) return null;
  const rest = url.slice("file:".length).replace(/\?.*$/, "");
  const path = rest.startsWith("//") ? decodeURIComponent(new URL(url).pathname) : rest;
  return path === "" || path === ":memory:" ? null : path;
}

/**
 * Makes a local database readable by the panel's user only: the file is created 0600
 * before SQLite opens it (SQLite gives its -wal and -shm files the database file's mode),
 * and an existing database and its -wal and -shm files are set to 0600.
 */
async function restrictDatabaseFile(path: string): Promise<void> {
  // Never open (and close) an existing database file here: closing any descriptor of a
  // file drops every POSIX lock this process holds on it, SQLite's included, and another
  // connection of this process (the poll worker's) may have it open. Its writes were lost
  // that way when the panel stopped.
  try {
    (await Deno.open(path, { createNew: true, write: true, mode: 0o600 })).close();
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      await Deno.chmod(file, 0o600);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}

/**
 * Opens the database at `url` and migrates it. A `file:` URL gets WAL mode, a busy
 * timeout and files of mode 0600; `libsql://`, `http(s)://` URLs use a remote server with
 * `authToken`. `db.destroy()` closes the client.
 */
export async function openDatabase(url: string, authToken?: string): Promise<Db> {
  const file = localDatabaseFile(url);
  if (file) await restrictDatabaseFile(file);
  // `@libsql/client/node`: its web entry cannot open local files under Deno.
  const raw = createClient({ url, authToken, timeout: 5000 });
  const writeLock = new WriteLock();
  // Reads of a local file go through their own connection with statements kept
  // (db/local_reads.ts); an in-memory database has only the client's.
  const reads = file ? new LocalReads(file, 5000) : null;
  const client = isRemoteDatabaseUrl(url) ? raw : serializeWrites(raw, writeLock, reads);
  // The dialect's driver closes the client (and so `raw`) with the Kysely instance.
  const db = new Kysely<Database>({ dialect: new LibsqlDialect(client) });
  if (!isRemoteDatabaseUrl(url)) writeLocks.set(db, writeLock);
  if (!isRemoteDatabaseUrl(url)) {
    await sql`PRAGMA journal_mode = WAL`.execute(db);
  }
  await migrateToLatest(db as Kysely<unknown>);
  return db;
}
