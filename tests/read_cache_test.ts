/**
 * The reads kept between writes (db/read_cache.ts) on a real libSQL file: kept while
 * nothing is written, fresh after any write of the process or of a writer on another
 * connection that held the process's write lock (the poll worker), and fresh when a
 * status changes by time alone.
 */
import { assertEquals } from "@std/assert";
import { holdWrites, openDatabase } from "../db/database.ts";
import { countAllUsersByStatus } from "../db/user_status.ts";
import { listInbounds } from "../db/inbounds.ts";
import { DAY_MS } from "../core/users/user_status.ts";
import { insertInboundRow, insertUserRows, setUserTraffic } from "./support/rows.ts";

const thresholds = { nearQuotaPercent: 80, expiringDays: 3 };

async function withTwoConnections(
  fn: (db: import("../db/database.ts").Db, other: import("../db/database.ts").Db) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "singdeck-read-cache-" });
  const db = await openDatabase(`file:${dir}/singdeck.db`);
  const other = await openDatabase(`file:${dir}/singdeck.db`);
  try {
    await fn(db, other);
  } finally {
    await other.destroy();
    await db.destroy();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("status counts are kept until this process writes, then read again", async () => {
  await withTwoConnections(async (db, other) => {
    const now = Date.now();
    await insertUserRows(db, [{ name: "a" }, { name: "b", enabled: 0 }]);
    const first = await countAllUsersByStatus(db, now, thresholds);
    assertEquals([first.all, first.active, first.disabled], [2, 1, 1]);
    // A write the process cannot see (another connection, no lock held): still the kept counts.
    await insertUserRows(other, [{ name: "unseen" }]);
    assertEquals((await countAllUsersByStatus(db, now, thresholds)).all, 2);
    // Any write of the process makes the next read fresh.
    await setUserTraffic(db, "a", 10, 10);
    assertEquals((await countAllUsersByStatus(db, now, thresholds)).all, 3);
  });
});

Deno.test("status counts are read again after a writer that held the write lock (the poll worker)", async () => {
  await withTwoConnections(async (db, other) => {
    const now = Date.now();
    await insertUserRows(db, [{ name: "a", traffic_limit: 1000 }]);
    assertEquals((await countAllUsersByStatus(db, now, thresholds)).limited, 0);
    const release = await holdWrites(db);
    await setUserTraffic(other, "a", 0, 5000);
    assertEquals((await countAllUsersByStatus(db, now, thresholds)).limited, 0, "kept while held");
    release();
    const after = await countAllUsersByStatus(db, now, thresholds);
    assertEquals([after.limited, after.active], [1, 0]);
  });
});

Deno.test("status counts change with time alone: an expiry, and the start of the expiring window", async () => {
  await withTwoConnections(async (db) => {
    const now = Date.now();
    await insertUserRows(db, [
      { name: "soon", expires_at: now + 60_000 },
      { name: "later", expires_at: now + 3 * DAY_MS + 120_000 },
      { name: "never" },
    ]);
    const at = (t: number) => countAllUsersByStatus(db, t, thresholds);
    const c0 = await at(now);
    assertEquals([c0.expiring, c0.active, c0.expired], [1, 2, 0]);
    assertEquals((await at(now + 59_999)).expired, 0);
    const c1 = await at(now + 60_000);
    assertEquals([c1.expiring, c1.active, c1.expired], [0, 2, 1], "soon expired");
    const c2 = await at(now + 120_000);
    assertEquals([c2.expiring, c2.active, c2.expired], [1, 1, 1], "later entered the window");
    // Back in time (a test clock): read again rather than trusted.
    assertEquals((await at(now)).expired, 0);
  });
});

Deno.test("users per inbound are kept until a write, then counted again", async () => {
  await withTwoConnections(async (db, other) => {
    const inbound = await insertInboundRow(db, { tag: "in" });
    const [a, b] = await insertUserRows(db, [{ name: "a" }, { name: "b" }]);
    await db.insertInto("user_inbounds").values({ user_id: a, inbound_id: inbound }).execute();
    assertEquals((await listInbounds(db)).map((i) => i.users), [1]);
    await other.insertInto("user_inbounds").values({ user_id: b, inbound_id: inbound })
      .execute();
    assertEquals((await listInbounds(db)).map((i) => i.users), [1], "kept");
    await db.updateTable("inbounds").set({ uplink: 1 }).execute();
    assertEquals((await listInbounds(db)).map((i) => i.users), [2]);
  });
});
