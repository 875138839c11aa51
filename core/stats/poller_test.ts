import { assert, assertEquals, assertGreater, assertStringIncludes } from "@std/assert";
import { sql } from "kysely";
import { type Db, openDatabase } from "../../db/database.ts";
import { insertCoreRun, replaceStatTargets } from "../../db/traffic.ts";
import { clearUserTraffic } from "../../db/users.ts";
import { Mutex } from "../mutex.ts";
import { type CoreRunView, StatsPoller, type StatsSource } from "./poller.ts";
import { StatsApiError } from "./stats_client.ts";
import { counterName } from "./stats_names.ts";
import type { StatTargets } from "./accounting.ts";
import { insertInboundRow, insertUserRows } from "../../tests/support/rows.ts";

/** A stand-in StatsService: the poller's DB work is what these tests are about. */
class FakeSource implements StatsSource {
  counters = new Map<string, bigint>();
  uptimeSeconds = 1;
  failure: Error | null = null;
  set(name: string, value: number) {
    this.counters.set(name, BigInt(value));
  }
  queryCounters() {
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve([...this.counters].map(([k, v]) => [k, Number(v)] as const));
  }
  uptime() {
    return this.failure ? Promise.reject(this.failure) : Promise.resolve(this.uptimeSeconds);
  }
  setAddress() {}
}

interface Fixture {
  db: Db;
  dir: string;
  source: FakeSource;
  runId: number;
  logs: string[];
  makePoller(): StatsPoller;
  close(): Promise<void>;
}

const U = (name: string, dir: "uplink" | "downlink") => counterName("user", name, dir);
const I = (tag: string, dir: "uplink" | "downlink") => counterName("inbound", tag, dir);

async function fixture(): Promise<Fixture> {
  const dir = await Deno.makeTempDir();
  const db = await openDatabase(`file:${dir}/t.db`);
  const now = Date.now();
  await insertInboundRow(db, { id: 10, tag: "vless-in" });
  await insertInboundRow(db, { id: 11, tag: "trojan-in", type: "trojan" });
  await insertUserRows(db, [{ id: 1, name: "alice" }, { id: 2, name: "bob" }]);
  const targets: StatTargets = {
    pairs: new Map([
      ["alice|vless-in", { userId: 1, inboundId: 10 }],
      ["alice|trojan-in", { userId: 1, inboundId: 11 }],
      ["bob|vless-in", { userId: 2, inboundId: 10 }],
    ]),
    inbounds: new Map([["vless-in", 10], ["trojan-in", 11]]),
  };
  await replaceStatTargets(db, targets);
  const runId = await insertCoreRun(db, {
    startedAt: now,
    reason: "test",
    pid: null,
    apiListen: "127.0.0.1:1",
  });
  const source = new FakeSource();
  const logs: string[] = [];
  const f: Fixture = {
    db,
    dir,
    source,
    runId,
    logs,
    makePoller() {
      const core: CoreRunView = {
        current: () => ({ runId: f.runId, apiListen: "127.0.0.1:1" }),
        newRun: async (reason) => {
          f.runId = await insertCoreRun(db, {
            startedAt: Date.now(),
            reason,
            pid: null,
            apiListen: "127.0.0.1:1",
          });
          return f.runId;
        },
      };
      return new StatsPoller({
        db,
        source,
        core,
        lock: new Mutex(),
        intervalMs: 60_000,
        log: (m) => logs.push(m),
      });
    },
    async close() {
      await db.destroy();
      await Deno.remove(dir, { recursive: true });
    },
  };
  return f;
}

async function totals(db: Db) {
  const users = await db.selectFrom("users").innerJoin(
    "user_traffic",
    "user_traffic.user_id",
    "users.id",
  )
    .select(["users.id", "uplink", "downlink"]).orderBy("users.id")
    .execute();
  const inbounds = await db.selectFrom("inbounds").select(["id", "uplink", "downlink"]).orderBy(
    "id",
  ).execute();
  const pairs = await db.selectFrom("user_inbound_traffic").select([
    "user_id",
    "inbound_id",
    "uplink",
    "downlink",
  ]).orderBy("user_id").orderBy(
    "inbound_id",
  )
    .execute();
  return { users, inbounds, pairs };
}

Deno.test("StatsPoller.pollNow() adds deltas to users, pairs, inbounds and outbounds", async () => {
  const f = await fixture();
  try {
    const poller = f.makePoller();
    f.source.set(U("alice|vless-in", "uplink"), 100);
    f.source.set(U("alice|trojan-in", "downlink"), 5000);
    f.source.set(I("vless-in", "uplink"), 100);
    f.source.set(I("trojan-in", "downlink"), 5000);
    f.source.set(counterName("outbound", "direct", "downlink"), 4900);
    await poller.pollNow();
    f.source.set(U("alice|vless-in", "uplink"), 350);
    f.source.set(I("vless-in", "uplink"), 350);
    f.source.uptimeSeconds = 11;
    await poller.pollNow();
    const t = await totals(f.db);
    assertEquals(t.users, [{ id: 1, uplink: 350, downlink: 5000 }, {
      id: 2,
      uplink: 0,
      downlink: 0,
    }]);
    assertEquals(t.inbounds, [{ id: 10, uplink: 350, downlink: 0 }, {
      id: 11,
      uplink: 0,
      downlink: 5000,
    }]);
    assertEquals(t.pairs, [
      { user_id: 1, inbound_id: 10, uplink: 350, downlink: 0 },
      { user_id: 1, inbound_id: 11, uplink: 0, downlink: 5000 },
    ]);
    const outbound = await f.db.selectFrom("outbound_traffic").selectAll().execute();
    assertEquals(outbound, [{ tag: "direct", uplink: 0, downlink: 4900 }]);
    assertEquals(poller.status().state, "ok");
    assertEquals(poller.status().countersSeen, 5);
  } finally {
    await f.close();
  }
});

Deno.test("StatsPoller.pollNow() applies nothing when the transaction fails midway, then applies once", async () => {
  const f = await fixture();
  try {
    const poller = f.makePoller();
    f.source.set(U("bob|vless-in", "downlink"), 1000);
    f.source.set(I("vless-in", "downlink"), 1000);
    f.source.set(counterName("outbound", "direct", "downlink"), 990);
    // Fails on the outbound write, after users, pairs and inbounds were written.
    await sql`CREATE TRIGGER fail_midway BEFORE INSERT ON outbound_traffic
      BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(f.db);
    await poller.pollNow();
    assertEquals(poller.status().state, "stale");
    assertStringIncludes(poller.status().reason ?? "", "injected failure");
    const t = await totals(f.db);
    assertEquals(t.users.map((u) => u.downlink), [0, 0]);
    assertEquals(t.inbounds.map((i) => i.downlink), [0, 0]);
    assertEquals(t.pairs, []);
    assertEquals(await f.db.selectFrom("stat_cursors").selectAll().execute(), []);
    await sql`DROP TRIGGER fail_midway`.execute(f.db);
    await poller.pollNow();
    await poller.pollNow();
    const after = await totals(f.db);
    assertEquals(after.users.map((u) => u.downlink), [0, 1000]);
    assertEquals(after.inbounds.map((i) => i.downlink), [1000, 0]);
    assertEquals(poller.status().state, "ok");
  } finally {
    await f.close();
  }
});

Deno.test("StatsPoller after a panel restart continues from the persisted cursors", async () => {
  const f = await fixture();
  try {
    f.source.set(U("alice|vless-in", "downlink"), 700);
    await f.makePoller().pollNow();
    f.source.set(U("alice|vless-in", "downlink"), 1500);
    f.source.uptimeSeconds = 30;
    await f.makePoller().pollNow(); // a new poller: nothing in memory, cursors from the DB
    assertEquals((await totals(f.db)).users[0].downlink, 1500);
  } finally {
    await f.close();
  }
});

Deno.test("StatsPoller counts a core restart it did not see from zero, in a new run", async () => {
  const f = await fixture();
  try {
    const poller = f.makePoller();
    f.source.set(U("alice|vless-in", "uplink"), 1000);
    f.source.uptimeSeconds = 100;
    await poller.pollNow();
    const firstRun = f.runId;
    f.source.set(U("alice|vless-in", "uplink"), 300);
    f.source.uptimeSeconds = 2;
    await poller.pollNow();
    assertGreater(f.runId, firstRun);
    assertEquals((await totals(f.db)).users[0].uplink, 1300);
    f.source.set(U("alice|vless-in", "uplink"), 400);
    f.source.uptimeSeconds = 12;
    await poller.pollNow();
    assertEquals((await totals(f.db)).users[0].uplink, 1400);
  } finally {
    await f.close();
  }
});

Deno.test("StatsPoller credits a renamed user by id and skips a deleted one", async () => {
  const f = await fixture();
  try {
    const poller = f.makePoller();
    await f.db.updateTable("users").set({ name: "alice2" }).where("id", "=", 1).execute();
    await f.db.deleteFrom("user_inbounds").where("user_id", "=", 2).execute();
    await f.db.deleteFrom("users").where("id", "=", 2).execute();
    f.source.set(U("alice|vless-in", "uplink"), 10);
    f.source.set(U("bob|vless-in", "uplink"), 20);
    f.source.set(I("vless-in", "uplink"), 30);
    await poller.pollNow();
    const t = await totals(f.db);
    assertEquals(t.users, [{ id: 1, uplink: 10, downlink: 0 }]);
    assertEquals(t.inbounds[0].uplink, 30, "inbound totals keep the deleted user's bytes");
    assertEquals(t.pairs.length, 1);
    assertEquals(poller.status().state, "ok");
  } finally {
    await f.close();
  }
});

Deno.test("StatsPoller with the API down goes stale and logs once, not every poll", async () => {
  const f = await fixture();
  try {
    const poller = f.makePoller();
    f.source.failure = new StatsApiError("connection refused", "unreachable");
    for (let i = 0; i < 5; i++) await poller.pollNow();
    assertEquals(poller.status().state, "stale");
    assertStringIncludes(poller.status().reason ?? "", "unreachable");
    assertEquals(f.logs.filter((l) => l.includes("stale")).length, 1);
    f.source.failure = null;
    await poller.pollNow();
    assertEquals(poller.status().state, "ok");
    assertEquals(f.logs.length, 2);
  } finally {
    await f.close();
  }
});

Deno.test("StatsPoller after a traffic reset counts only new bytes (the pair cursors survive)", async () => {
  const f = await fixture();
  try {
    const poller = f.makePoller();
    f.source.set(U("alice|vless-in", "uplink"), 100);
    await poller.pollNow();
    await clearUserTraffic(f.db, 1, Date.now());
    f.source.set(U("alice|vless-in", "uplink"), 150);
    f.source.uptimeSeconds = 20;
    await f.makePoller().pollNow(); // also across a panel restart: cursors come from the rows
    const t = await totals(f.db);
    assertEquals(t.users[0], { id: 1, uplink: 50, downlink: 0 });
    assertEquals(t.pairs, [{ user_id: 1, inbound_id: 10, uplink: 50, downlink: 0 }]);
  } finally {
    await f.close();
  }
});

Deno.test("StatsPoller never credits a deleted user's bytes to a user created after it", async () => {
  const f = await fixture();
  try {
    const poller = f.makePoller();
    // bob (id 2, the highest id) is deleted and a new user is created before the reload
    // that would drop "bob|vless-in" from the running config.
    await f.db.deleteFrom("users").where("id", "=", 2).execute();
    const [newId] = await insertUserRows(f.db, [{ name: "carol" }]);
    assert(newId !== 2, "ids are not reused");
    f.source.set(U("bob|vless-in", "downlink"), 999);
    await poller.pollNow();
    const carol = await f.db.selectFrom("users").innerJoin(
      "user_traffic",
      "user_traffic.user_id",
      "users.id",
    )
      .select(["uplink", "downlink"]).where(
        "users.id",
        "=",
        newId,
      )
      .executeTakeFirstOrThrow();
    assertEquals(carol, { uplink: 0, downlink: 0 });
  } finally {
    await f.close();
  }
});
