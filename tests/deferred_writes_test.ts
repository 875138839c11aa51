/**
 * Bookkeeping writes never make a request wait behind a writer that holds the write lock
 * (the poll worker holds it for its whole write, seconds at 100,000 users): a session's
 * last use and a subscription fetch are noted once the lock is free, the latest one wins.
 */
import { assertEquals } from "@std/assert";
import { holdWrites, writeGeneration, writeWhenFree } from "../db/database.ts";
import { withPanel } from "./support/app.ts";
import { insertInboundRow } from "./support/rows.ts";
import { waitFor } from "./support/wait.ts";

/** `promise`'s value, or a failure if it takes longer than `ms`. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} waited for the write lock`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("a page whose session is due a touch does not wait for a held write lock; the touch follows", async () => {
  await withPanel(async (p) => {
    const stale = Date.now() - 5 * 60_000;
    await p.db.updateTable("sessions").set({ last_seen_at: stale }).execute();
    const release = await holdWrites(p.db);
    try {
      const res = await within(2000, p.request("/"), "the dashboard");
      assertEquals(res.status, 200);
      await res.body?.cancel();
      // Not written while the lock is held.
      const row = await p.db.selectFrom("sessions").select("last_seen_at")
        .executeTakeFirstOrThrow();
      assertEquals(row.last_seen_at, stale);
    } finally {
      release();
    }
    await waitFor("the session's touch", async () => {
      const row = await p.db.selectFrom("sessions").select("last_seen_at")
        .executeTakeFirstOrThrow();
      return row.last_seen_at > stale;
    });
  });
});

Deno.test("a subscription fetch is answered while the write lock is held; the latest fetch is recorded after", async () => {
  await withPanel(async (p) => {
    await insertInboundRow(p.db, { tag: "vless-main", port: 21001 });
    const created = await p.api("POST", "/api/v1/users", {
      name: "erin",
      inbounds: ["vless-main"],
    });
    assertEquals(created.status, 201);
    const url = ((await created.json()).user as { subscriptionUrl: string }).subscriptionUrl;
    const path = new URL(url).pathname;
    const release = await holdWrites(p.db);
    try {
      for (const agent of ["v2rayNG/1.9.16", "Hiddify/2.5.7"]) {
        const res = await within(
          2000,
          Promise.resolve(p.app.request(path, { headers: { "User-Agent": agent } })),
          "the subscription",
        );
        assertEquals(res.status, 200);
        await res.body?.cancel();
      }
      const row = await p.db.selectFrom("users").select(["sub_fetched_at", "sub_user_agent"])
        .where("name", "=", "erin").executeTakeFirstOrThrow();
      assertEquals(row.sub_fetched_at, null, "nothing written while the lock is held");
    } finally {
      release();
    }
    await waitFor("the fetch record", async () => {
      const row = await p.db.selectFrom("users").select(["sub_user_agent"])
        .where("name", "=", "erin").executeTakeFirstOrThrow();
      return row.sub_user_agent !== null;
    });
    const row = await p.db.selectFrom("users").select(["sub_user_agent"])
      .where("name", "=", "erin").executeTakeFirstOrThrow();
    assertEquals(row.sub_user_agent, "Hiddify/2.5.7", "the latest fetch wins");
  });
});

Deno.test("a deferred write counts as one write: waiting for the lock changes no generation", async () => {
  await withPanel(async (p) => {
    const release = await holdWrites(p.db);
    const before = writeGeneration(p.db)!;
    let written = false;
    await writeWhenFree(p.db, "test", async () => {
      await p.db.updateTable("sessions").set({ last_seen_at: 1 }).execute();
      written = true;
    });
    assertEquals(written, false, "left for later while the lock is held");
    release();
    await waitFor("the deferred write", () => written);
    // The holder's write and the deferred write: kept reads are refreshed twice, not three times.
    assertEquals(writeGeneration(p.db), before + 2);
  });
});
