import { assertEquals } from "@std/assert";
import { openDatabase } from "../../db/database.ts";
import { periodStarts, resetDueTraffic } from "./periodic_reset.ts";
import { insertInboundRow, insertUserRows } from "../../tests/support/rows.ts";

Deno.test("periodStarts() gives the UTC day, Monday and first of the month", () => {
  const now = Date.UTC(2026, 10, 26, 15, 30); // Thursday 26 November 2026
  assertEquals(periodStarts(now), {
    day: Date.UTC(2026, 10, 26),
    week: Date.UTC(2026, 10, 23),
    month: Date.UTC(2026, 10, 1),
  });
  assertEquals(periodStarts(Date.UTC(2026, 10, 23, 0, 0)).week, Date.UTC(2026, 10, 23));
  assertEquals(periodStarts(Date.UTC(2026, 10, 22, 23, 59)).week, Date.UTC(2026, 10, 16));
});

Deno.test("resetDueTraffic() zeroes exactly the users whose period ended, never inbounds", async () => {
  const dir = await Deno.makeTempDir();
  const db = await openDatabase(`file:${dir}/t.db`);
  try {
    const now = Date.UTC(2026, 10, 26, 12);
    const hour = 3600 * 1000, day = 24 * hour;
    await insertInboundRow(db, { id: 1, tag: "in", uplink: 500, downlink: 500 });
    const users: Array<[string, string, number | null, number]> = [
      ["never", "none", null, now - 90 * day],
      ["daily-due", "day", now - 13 * hour, now - 90 * day],
      ["daily-fresh", "day", now - 2 * hour, now - 90 * day],
      ["weekly-due", "week", Date.UTC(2026, 10, 22), now - 90 * day],
      ["weekly-fresh", "week", Date.UTC(2026, 10, 23, 1), now - 90 * day],
      ["monthly-new", "month", null, Date.UTC(2026, 10, 3)],
      ["monthly-due", "month", null, Date.UTC(2026, 9, 30)],
    ];
    for (const [i, [name, strategy, lastReset, created]] of users.entries()) {
      await insertUserRows(db, [{
        id: i + 1,
        name,
        reset_strategy: strategy,
        last_reset_at: lastReset,
        uplink: 10,
        downlink: 20,
        created_at: created,
      }]);
      await db.insertInto("user_inbound_traffic").values({
        user_id: i + 1,
        inbound_id: 1,
        uplink: 10,
        downlink: 20,
        run_id: 7,
        seen_uplink: 10,
        seen_downlink: 20,
      }).execute();
    }
    assertEquals(await resetDueTraffic(db, now), 3);
    const rows = await db.selectFrom("users").innerJoin(
      "user_traffic",
      "user_traffic.user_id",
      "users.id",
    )
      .select(["name", "uplink", "last_reset_at"]).orderBy(
        "users.id",
      ).execute();
    const zeroed = rows.filter((r) => r.uplink === 0).map((r) => r.name);
    assertEquals(zeroed, ["daily-due", "weekly-due", "monthly-due"]);
    assertEquals(rows.find((r) => r.name === "daily-due")?.last_reset_at, now);
    const pairs = await db.selectFrom("user_inbound_traffic").selectAll().where("uplink", "=", 0)
      .execute();
    assertEquals(pairs.map((p) => p.user_id), [2, 4, 7]);
    assertEquals(pairs.every((p) => p.seen_uplink === 10 && p.run_id === 7), true, "cursors kept");
    const inbound = await db.selectFrom("inbounds").select(["uplink", "downlink"])
      .executeTakeFirstOrThrow();
    assertEquals(inbound, { uplink: 500, downlink: 500 });
    assertEquals(
      await resetDueTraffic(db, now + hour),
      0,
      "a second run the same day resets nothing",
    );
  } finally {
    await db.destroy();
    await Deno.remove(dir, { recursive: true });
  }
});
