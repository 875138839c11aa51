/**
 * Poll benchmark: a nice-grpc StatsService serving 2 counters per user (100k users →
 * 200,000 counters) plus inbound and outbound counters; the real StatsPoller with the real
 * StatsClient and a real libSQL file. Every user's counters grow between polls (the worst
 * case: every row changes). Reports the median of one full poll (query + deltas + commit)
 * and, measured in the same run, the gRPC query alone and the raw database work alone
 * (`applyStatsDeltas` with deltas of the same size); then the median poll when a tenth of
 * the users moved traffic since the last poll (a busy but realistic server).
 *
 *   deno run --allow-all bench/poll_bench.ts [sizes...]   # default 1000 10000 100000
 */
import { openDatabase } from "../db/database.ts";
import { applyStatsDeltas, insertCoreRun, replaceStatTargets } from "../db/traffic.ts";
import { computeStatsDeltas, type StatTargets } from "../core/stats/accounting.ts";
import { Mutex } from "../core/mutex.ts";
import { StatsPoller } from "../core/stats/poller.ts";
import { StatsClient } from "../core/stats/stats_client.ts";
import { counterName, pairStatName } from "../core/stats/stats_names.ts";
import { seededRandom, seedInbounds, seedUsers } from "./seed.ts";
import { startFakeStatsServer } from "./stats_server.ts";

const ROUNDS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function benchSize(n: number) {
  const dir = await Deno.makeTempDir({ prefix: "singdeck-poll-bench-" });
  const db = await openDatabase(`file:${dir}/bench.db`);
  const now = Date.now();
  const tags = ["vless-in", "trojan-in", "hy2-in"];
  const inboundIds = await seedInbounds(db, tags);
  const seedStart = performance.now();
  await seedUsers(db, n, inboundIds, seededRandom(7));
  const seedMs = performance.now() - seedStart;
  const users = await db.selectFrom("users").select(["id", "name"]).execute();
  const targets: StatTargets = {
    pairs: new Map(),
    inbounds: new Map(tags.map((t, i) => [t, inboundIds[i]])),
  };
  const names: string[] = [];
  for (const [i, u] of users.entries()) {
    const k = i % tags.length;
    const name = pairStatName(u.name, tags[k]);
    targets.pairs.set(name, { userId: u.id, inboundId: inboundIds[k] });
    names.push(name);
  }
  await replaceStatTargets(db, targets);
  const runId = await insertCoreRun(db, {
    startedAt: now,
    reason: "bench",
    pid: null,
    apiListen: "127.0.0.1:0",
  });

  const random = seededRandom(11);
  const counters = new Map<string, bigint>();
  /** Grows the counters of every user (`share` 1) or of a share of them. */
  const bump = (share = 1) => {
    let total = 0n;
    for (const name of names) {
      if (share < 1 && random() >= share) continue;
      for (const dir of ["uplink", "downlink"] as const) {
        const key = counterName("user", name, dir);
        const add = BigInt(1 + Math.floor(random() * 1_000_000));
        counters.set(key, (counters.get(key) ?? 0n) + add);
        total += add;
      }
    }
    for (const tag of tags) {
      for (const dir of ["uplink", "downlink"] as const) {
        const key = counterName("inbound", tag, dir);
        counters.set(key, (counters.get(key) ?? 0n) + total / 6n);
      }
    }
    const out = counterName("outbound", "direct", "downlink");
    counters.set(out, (counters.get(out) ?? 0n) + total / 2n);
  };
  let uptime = 1;
  const server = await startFakeStatsServer(() => counters, () => uptime);
  const client = new StatsClient(server.address, { deadlineMs: 60_000 });
  const poller = new StatsPoller({
    db,
    source: client,
    core: {
      current: () => ({ runId, apiListen: server.address }),
      newRun: () => Promise.reject(new Error("no")),
    },
    lock: new Mutex(),
    intervalMs: 3_600_000,
    log: () => {},
  });

  const pollMs: number[] = [];
  const queryMs: number[] = [];
  const dbMs: number[] = [];
  bump();
  await poller.pollNow(); // first poll: loads cursors and targets, counts full values
  for (let round = 0; round < ROUNDS; round++) {
    bump();
    uptime += 10;
    const t0 = performance.now();
    await poller.pollNow();
    pollMs.push(performance.now() - t0);
    if (round === ROUNDS - 1) {
      console.error(n, "all active, phases:", poller.status().lastPollPhasesMs);
    }
    if (poller.status().state !== "ok") throw new Error(`poll failed: ${poller.status().reason}`);
    // The same amount of database work, alone: deltas for every user, pair and cursor.
    bump();
    uptime += 10;
    const q0 = performance.now();
    const raw = await client.queryAll();
    queryMs.push(performance.now() - q0);
    const numbers = new Map([...raw].map(([k, v]) => [k, Number(v)]));
    const cursors = new Map(
      [...numbers].map(([k, v]) => [k, { runId, value: Math.max(0, v - 1000) }]),
    );
    const { deltas } = computeStatsDeltas({ counters: numbers, uptime, runId, cursors, targets });
    const d0 = performance.now();
    await applyStatsDeltas(db, deltas);
    dbMs.push(performance.now() - d0);
    await poller.pollNow(); // catch the poller's cursors up with the bump
  }
  const typicalMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bump(0.1);
    uptime += 10;
    const t0 = performance.now();
    await poller.pollNow();
    typicalMs.push(performance.now() - t0);
    if (round === ROUNDS - 1) {
      console.error(n, "10 % active, phases:", poller.status().lastPollPhasesMs);
    }
  }
  const result = {
    users: n,
    counters: counters.size,
    seedMs,
    pollMs: median(pollMs),
    queryMs: median(queryMs),
    dbMs: median(dbMs),
    typicalMs: median(typicalMs),
  };
  client.close();
  await server.close();
  await db.destroy();
  await Deno.remove(dir, { recursive: true });
  return result;
}

const sizes = Deno.args.length ? Deno.args.map(Number) : [1000, 10_000, 100_000];
const rows = [];
for (const n of sizes) {
  const r = await benchSize(n);
  rows.push(r);
  console.error(`${n} users done (seeded in ${(r.seedMs / 1000).toFixed(1)} s)`);
}
const ms = (v: number) => `${v.toFixed(0)} ms`;
console.log(
  "| users | counters | poll, all users active | gRPC query alone | DB write alone | DB share | poll, 10 % active |",
);
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  const share = `${(100 * r.dbMs / r.pollMs).toFixed(0)} %`;
  console.log(
    `| ${r.users} | ${r.counters} | ${ms(r.pollMs)} | ${ms(r.queryMs)} | ${
      ms(r.dbMs)
    } | ${share} | ${ms(r.typicalMs)} |`,
  );
}
