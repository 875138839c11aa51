/**
 * Fills a database with many users, set-based: multi-row INSERTs of 500 users (then their
 * assignments and per-inbound traffic) inside one transaction. For benchmarks and for
 * trying the UI with a realistic amount of data.
 */
import { sql } from "kysely";
import { type Db, openDatabase } from "../db/database.ts";
import { pairStatName } from "../core/stats/stats_names.ts";
import { replaceStatTargets } from "../db/traffic.ts";
import type { NewUserRow } from "../db/schema.ts";
import { RESET_STRATEGIES } from "../core/model.ts";
import { UNSET_HASH_PREFIX } from "../core/subscriptions/sub_tokens.ts";

const CHUNK = 500;
const GB = 1024 ** 3;
const DAY = 24 * 3600 * 1000;
const WORDS = ["amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "iris"];

/** A small deterministic PRNG (mulberry32), so runs are comparable. */
export function seededRandom(seed = 42): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomHex(random: () => number, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

/**
 * Inserts one enabled vless inbound per tag (ports from 20000, no settings) for users to be
 * assigned to; returns their ids in the order of `tags`.
 */
export async function seedInbounds(db: Db, tags: string[]): Promise<number[]> {
  const now = Date.now();
  const rows = await db.insertInto("inbounds").values(tags.map((tag, i) => ({
    tag,
    type: "vless",
    listen: "::",
    port: 20000 + i,
    enabled: 1,
    settings: "{}",
    created_at: now,
    updated_at: now,
  }))).returning(["id", "tag"]).execute();
  const ids = new Map(rows.map((r) => [r.tag, r.id]));
  return tags.map((tag) => ids.get(tag)!);
}

/**
 * Inserts `n` users, each assigned to one to all of `inboundIds` with random traffic per
 * inbound (users' totals are the sums), a mix of limits, expiries (some past), disabled
 * users and reset strategies. Names are `{word}.{index}` so name order differs from id order.
 */
export async function seedUsers(
  db: Db,
  n: number,
  inboundIds: number[],
  random: () => number = seededRandom(),
): Promise<void> {
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < n; start += CHUNK) {
      const count = Math.min(CHUNK, n - start);
      const users: NewUserRow[] = [];
      const pairs: Array<{ inboundId: number; uplink: number; downlink: number }[]> = [];
      for (let k = 0; k < count; k++) {
        const i = start + k;
        const assigned = inboundIds.filter((_, j) => j === i % inboundIds.length || random() < 0.4);
        const traffic = assigned.map((inboundId) => {
          const active = random() < 0.8;
          return {
            inboundId,
            uplink: active ? Math.floor(random() * 2 * GB) : 0,
            downlink: active ? Math.floor(random() * 20 * GB) : 0,
          };
        });
        pairs.push(traffic);
        const hex = randomHex(random, 32);
        users.push({
          name: `${WORDS[Math.floor(random() * WORDS.length)]}.${i}`,
          uuid: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${
            hex.slice(17, 20)
          }-${hex.slice(20, 32)}`,
          password: btoa(randomHex(random, 24)),
          traffic_limit: random() < 0.5 ? Math.ceil(random() * 100) * GB : 0,
          expires_at: random() < 0.6 ? now + Math.floor((random() * 395 - 30) * DAY) : null,
          enabled: random() < 0.95 ? 1 : 0,
          note: random() < 0.1 ? `seeded user ${i}` : "",
          sub_token_hash: `${UNSET_HASH_PREFIX}seed-${i}`,
          reset_strategy: RESET_STRATEGIES[Math.floor(random() * RESET_STRATEGIES.length)],
          last_reset_at: null,
          created_at: now - (n - i) * 60_000,
          updated_at: now,
        });
      }
      const ids = await trx.insertInto("users").values(users).returning("id").execute();
      // The insert trigger made each user's user_traffic row; fill in the sums.
      const totals = ids.map(({ id }, k) => [
        id,
        pairs[k].reduce((sum, t) => sum + t.uplink, 0),
        pairs[k].reduce((sum, t) => sum + t.downlink, 0),
      ]);
      await sql`UPDATE user_traffic SET uplink = j.value ->> 1, downlink = j.value ->> 2
        FROM json_each(${JSON.stringify(totals)}) AS j
        WHERE user_traffic.user_id = j.value ->> 0`.execute(trx);
      const assignments = ids.flatMap(({ id }, k) =>
        pairs[k].map((t) => ({ user_id: id, inbound_id: t.inboundId }))
      );
      if (assignments.length > 0) {
        await trx.insertInto("user_inbounds").values(assignments).execute();
      }
      const traffic = ids.flatMap(({ id }, k) =>
        pairs[k].filter((t) => t.uplink + t.downlink > 0).map((t) => ({
          user_id: id,
          inbound_id: t.inboundId,
          uplink: t.uplink,
          downlink: t.downlink,
        }))
      );
      if (traffic.length > 0) {
        await trx.insertInto("user_inbound_traffic").values(traffic).execute();
      }
    }
  });
}

/**
 * A data dir at scale for the benchmarks that run a panel against the fake core: `users`
 * users over three inbounds on loopback, stats targets for every assignment, and
 * `names.json` (`{ names, tags }`) for bench/fake_core.ts.
 */
export async function seedScale(
  dataDir: string,
  users: number,
): Promise<{ dbUrl: string; namesFile: string; pairs: number }> {
  const dbUrl = `file:${dataDir}/singdeck.db`;
  const db = await openDatabase(dbUrl);
  try {
    const tags = ["vless-in", "trojan-in", "hy2-in"];
    const inboundIds = await seedInbounds(db, tags);
    await seedUsers(db, users, inboundIds, seededRandom(7));
    for (const [i, id] of inboundIds.entries()) {
      await db.updateTable("inbounds").set({
        listen: "127.0.0.1",
        port: 40000 + i * 7 + (Date.now() % 5),
      }).where("id", "=", id).execute();
    }
    const pairs = await db.selectFrom("user_inbounds")
      .innerJoin("users", "users.id", "user_id")
      .innerJoin("inbounds", "inbounds.id", "inbound_id")
      .select(["users.id as userId", "users.name", "inbounds.id as inboundId", "inbounds.tag"])
      .execute();
    const names = pairs.map((p) => pairStatName(p.name, p.tag));
    await replaceStatTargets(db, {
      pairs: new Map(pairs.map((p, i) => [names[i], { userId: p.userId, inboundId: p.inboundId }])),
      inbounds: new Map(tags.map((t, i) => [t, inboundIds[i]])),
    });
    const namesFile = `${dataDir}/names.json`;
    await Deno.writeTextFile(namesFile, JSON.stringify({ names, tags }));
    return { dbUrl, namesFile, pairs: names.length };
  } finally {
    await db.destroy();
  }
}

/** Starts bench/fake_core.ts over `namesFile`; its stats address and control port. */
export async function startFakeCore(namesFile: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL("./fake_core.ts", import.meta.url).pathname, namesFile],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const ports = JSON.parse((await reader.read()).value!) as { grpc: string; http: number };
  return {
    grpc: ports.grpc,
    /** Every counter of `share` of the users grows; answers how many counters there are. */
    async bump(share: number): Promise<number> {
      const res = await fetch(`http://127.0.0.1:${ports.http}/bump?share=${share}`, {
        method: "POST",
      });
      return ((await res.json()) as { counters: number }).counters;
    },
    async stop() {
      // Deno's HTTP/2 server may abort on the client's GOAWAY (an nghttp2 assertion), a
      // fault of the fake core's runtime only: the real cores are Go.
      try {
        child.kill();
      } catch { /* already ended */ }
      await child.status;
    },
  };
}
