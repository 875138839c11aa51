import { assertEquals } from "@std/assert";
import { openDatabase } from "../../db/database.ts";
import { nextResetAfter, resetDueTraffic } from "./periodic_reset.ts";
import { insertInboundRow, insertUserRows } from "../../tests/support/rows.ts";

const HOUR = 3600 * 1000, DAY = 24 * HOUR;

Deno.test("nextResetAfter() gives the next anniversary of the creation time", () => {
  const created = Date.UTC(2026, 0, 31, 10, 20); // 31 January 2026 10:20 UTC
  assertEquals(nextResetAfter(created, "none", created + DAY), null);
  assertEquals(nextResetAfter(created, "day", created), created + DAY);
  assertEquals(nextResetAfter(created, "day", created + 5 * DAY + HOUR), created + 6 * DAY);
  assertEquals(nextResetAfter(created, "week", created + 7 * DAY), created + 14 * DAY);
  // Monthly: the same day and time, or the last day of a shorter month.
  assertEquals(nextResetAfter(created, "month", created), Date.UTC(2026, 1, 28, 10, 20));
  assertEquals(
    nextResetAfter(created, "month", Date.UTC(2026, 1, 28, 10, 20)),
    Date.UTC(2026, 2, 31, 10, 20),
  );
  assertEquals(
    nextResetAfter(created, "month", Date.UTC(2026, 3, 15)),
    Date.UTC(2026, 3, 30, 10, 20),
  );
  assertEquals(
    nextResetAfter(created, "month", Date.UTC(2028, 1, 1)),
    Date.UTC(2028, 1, 29, 10, 20),
    "29 February in a leap year",
  );
  assertEquals(
    nextResetAfter(created, "month", Date.UTC(2026, 11, 31, 10, 20)),
    Date.UTC(2027, 0, 31, 10, 20),
    "across a year",
  );
});

Deno.test("resetDueTraffic() anchors users without a next reset instead of resetting them at once", async () => {
  const dir = await Deno.makeTempDir();
  const db = await openDatabase(`file:${dir}/t.db`);
  try {
    const now = Date.UTC(2026, 10, 26, 12);
    await insertInboundRow(db, { id: 1, tag: "in", uplink: 500, downlink: 500 });
    // Imported long ago, never reset: none of them is due at the first check.
    const imported = await insertUserRows(
      db,
      ["day", "week", "month", "none"].map((strategy, i) => ({
        name: `imported-${strategy}`,
        reset_strategy: strategy,
        created_at: now - (90 + i) * DAY - 3 * HOUR,
        uplink: 10,
        downlink: 20,
      })),
    );
    assertEquals(await resetDueTraffic(db, now), []);
    const anchored = await db.selectFrom("users").select(["name", "next_reset_at"])
      .orderBy("id").execute();
    assertEquals(anchored.map((u) => u.name), [
      "imported-day",
      "imported-week",
      "imported-month",
      "imported-none",
    ]);
    for (const u of anchored.slice(0, 3)) {
      assertEquals(u.next_reset_at! > now, true, `${u.name} is due only after now`);
    }
    assertEquals(anchored[3].next_reset_at, null);
    assertEquals(anchored[0].next_reset_at, now + 21 * HOUR, "the daily one at 09:00, its hour");
    // The daily user's anniversary comes; only they are reset, their cursors kept.
    await db.insertInto("user_inbound_traffic").values(imported.map((id) => ({
      user_id: id,
      inbound_id: 1,
      uplink: 10,
      downlink: 20,
      run_id: 7,
      seen_uplink: 10,
      seen_downlink: 20,
    }))).execute();
    const at = now + 21 * HOUR;
    assertEquals(await resetDueTraffic(db, at - 1), []);
    assertEquals(await resetDueTraffic(db, at), [imported[0]]);
    const totals = await db.selectFrom("user_traffic").select(["user_id", "uplink"])
      .orderBy("user_id").execute();
    assertEquals(totals.map((t) => t.uplink), [0, 10, 10, 10]);
    const pairs = await db.selectFrom("user_inbound_traffic").selectAll().orderBy("user_id")
      .execute();
    assertEquals(pairs.map((p) => p.uplink), [0, 10, 10, 10]);
    assertEquals(pairs[0].seen_uplink, 10, "the stats cursors survive the reset");
    const daily = await db.selectFrom("users").select(["last_reset_at", "next_reset_at"])
      .where("id", "=", imported[0]).executeTakeFirstOrThrow();
    assertEquals(daily, { last_reset_at: at, next_reset_at: at + DAY });
    assertEquals(await resetDueTraffic(db, at + HOUR), [], "not twice in one period");
    const inbound = await db.selectFrom("inbounds").select(["uplink", "downlink"])
      .executeTakeFirstOrThrow();
    assertEquals(inbound, { uplink: 500, downlink: 500 }, "inbound totals never change");
    // A changed strategy is anchored again from the creation time.
    await db.updateTable("users").set({ reset_strategy: "week" }).where("id", "=", imported[0])
      .execute();
    const cleared = await db.selectFrom("users").select("next_reset_at")
      .where("id", "=", imported[0]).executeTakeFirstOrThrow();
    assertEquals(cleared.next_reset_at, null);
    assertEquals(await resetDueTraffic(db, at + HOUR), []);
  } finally {
    await db.destroy();
    await Deno.remove(dir, { recursive: true });
  }
});
