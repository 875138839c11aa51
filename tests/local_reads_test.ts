/**
 * Reads of a local database on their own connection (db/local_reads.ts) give Kysely the
 * rows `@libsql/client` gives, see what other connections committed and nothing a
 * transaction has not, and keep no read snapshot open between statements.
 */
import { assert, assertEquals, assertRejects } from "@std/assert";
import { createClient } from "@libsql/client/node";
import Database from "libsql";
import { sql } from "kysely";
import { LocalReads } from "../db/local_reads.ts";
import { openDatabase } from "../db/database.ts";

async function withFile(fn: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "singdeck-reads-" });
  try {
    await fn(`${dir}/t.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("LocalReads answers the rows @libsql/client answers", async () => {
  await withFile(async (path) => {
    const writer = new Database(path);
    writer.exec(`PRAGMA journal_mode = WAL;
      CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, bytes INTEGER, ratio REAL, data BLOB);
      INSERT INTO t VALUES (1, 'ünïcode', 9007199254740991, 0.5, x'00ff10'),
                           (2, NULL, 0, NULL, NULL), (3, 'c', -42, 1e300, x'');`);
    const client = createClient({ url: `file:${path}` });
    const reads = new LocalReads(path, 5000);
    try {
      for (
        const stmt of [
          { sql: "SELECT * FROM t ORDER BY id", args: [] },
          { sql: "SELECT id, name, id FROM t WHERE bytes <= ? ORDER BY id DESC", args: [0] },
          { sql: "SELECT count(*) AS n, sum(bytes) AS s FROM t", args: [] },
          { sql: "SELECT name FROM t WHERE id = ?", args: [99] },
        ]
      ) {
        const expected = (await client.execute(stmt)).rows.map((row) => ({ ...row }));
        const got = (await reads.execute(stmt)).rows.map((row) => ({ ...row }));
        assertEquals(got, expected, stmt.sql);
        // Again, through the kept statement.
        assertEquals((await reads.execute(stmt)).rows.map((row) => ({ ...row })), expected);
      }
      writer.exec("INSERT INTO t (id, bytes) VALUES (4, 9007199254740993)");
      await assertRejects(
        () => reads.execute("SELECT bytes FROM t WHERE id = 4"),
        RangeError,
        "cannot be safely represented",
      );
    } finally {
      reads.close();
      client.close();
      writer.close();
    }
  });
});

Deno.test("reads see what other connections committed, not an open transaction, and hold no snapshot", async () => {
  await withFile(async (path) => {
    const db = await openDatabase(`file:${path}`);
    const other = new Database(path, { timeout: 5000 });
    try {
      const count = async () =>
        Number(
          (await sql<{ n: number }>`SELECT count(*) AS n FROM admins`.execute(db)).rows[0].n,
        );
      assertEquals(await count(), 0);
      other.exec(
        "INSERT INTO admins (username, password_hash, created_at, updated_at) VALUES ('a', 'h', 1, 1)",
      );
      assertEquals(await count(), 1, "a commit of another connection is seen");

      const { promise: inside, resolve: entered } = Promise.withResolvers<void>();
      const { promise: finish, resolve: release } = Promise.withResolvers<void>();
      const tx = db.transaction().execute(async (trx) => {
        await trx.insertInto("admins").values({
          username: "b",
          password_hash: "h",
          created_at: 2,
          updated_at: 2,
        }).execute();
        entered();
        await finish;
      });
      await inside;
      assertEquals(await count(), 1, "an open transaction's row is not seen");
      release();
      await tx;
      assertEquals(await count(), 2);

      // No read keeps a snapshot: a full checkpoint completes right after reads.
      await count();
      const [checkpoint] = other.prepare("PRAGMA wal_checkpoint(TRUNCATE)").all() as Array<
        { busy: number }
      >;
      assertEquals(checkpoint.busy, 0);
    } finally {
      other.close();
      await db.destroy();
    }
  });
});

Deno.test("openDatabase() keeps reads working after the database is destroyed and opened again", async () => {
  await withFile(async (path) => {
    const first = await openDatabase(`file:${path}`);
    await first.insertInto("admins").values({
      username: "a",
      password_hash: "h",
      created_at: 1,
      updated_at: 1,
    })
      .execute();
    await first.destroy();
    const second = await openDatabase(`file:${path}`);
    try {
      const rows = await second.selectFrom("admins").select("username").execute();
      assertEquals(rows, [{ username: "a" }]);
      assert(rows.every((row) => Object.keys(row).length === 1));
    } finally {
      await second.destroy();
    }
  });
});
