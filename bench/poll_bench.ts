/**
 * Poll benchmark, the panel's own path: a fake StatsService in another process
 * (bench/fake_core.ts, so its encoding costs the panel nothing, as with a real core)
 * serving 2 counters per user
 * (100k users → 200,000 counters) plus inbound and outbound counters; the poll worker
 * (core/stats/worker_poller.ts) with its own connection to a real libSQL file. Reports, as
 * medians of several rounds:
 * - a poll where every user moved traffic, its database write phase, and next to it the
 *   raw set-based write of the same deltas on the main thread (`applyStatsDeltas` alone),
 *   with their ratio;
 * - a poll where a tenth of the users moved traffic;
 * - the first poll after a config apply (every stats target reloaded) with no traffic;
 * - the longest stall of the main thread's event loop and the slowest `/healthz` answer
 *   while polls run (timers every 2 ms and a client asking `/healthz` in a loop);
 * - the process's RSS before, at its highest during, and after the polls.
 *
 *   deno run --allow-all --v8-flags=--expose-gc,--max-semi-space-size=2 bench/poll_bench.ts [sizes...]
 */
import { openDatabase } from "../db/database.ts";
import { applyStatsDeltas, insertCoreRun, replaceStatTargets } from "../db/traffic.ts";
import { computeStatsDeltas, type StatTargets } from "../core/stats/accounting.ts";
import { Mutex } from "../core/mutex.ts";
import { WorkerPoller } from "../core/stats/worker_poller.ts";
import { StatsClient } from "../core/stats/stats_client.ts";
import { pairStatName } from "../core/stats/stats_names.ts";
import { seededRandom, seedInbounds, seedUsers, startFakeCore } from "./seed.ts";

const ROUNDS = 5;
const MB = 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Watches the main thread while `fn` runs: longest timer lag, slowest /healthz, peak RSS. */
async function watched<T>(fn: () => Promise<T>) {
  let stall = 0, healthz = 0, rss = Deno.memoryUsage().rss;
  let expected = performance.now() + 2;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - expected);
    expected = now + 2;
    rss = Math.max(rss, Deno.memoryUsage().rss);
  }, 2);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => Response.json({ ok: true }),
  );
  let asking = true;
  const asker = (async () => {
    while (asking) {
      const t0 = performance.now();
      await (await fetch(`http://127.0.0.1:${server.addr.port}/healthz`)).body?.cancel();
      healthz = Math.max(healthz, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  try {
    const result = await fn();
    return { result, stall, healthz, rss };
  } finally {
    asking = false;
    await asker;
    clearInterval(timer);
    await server.shutdown();
  }
}

async function benchSize(n: number) {
  const dir = await Deno.makeTempDir({ prefix: "singdeck-poll-bench-" });
  const dbUrl = `file:${dir}/bench.db`;
  const db = await openDatabase(dbUrl);
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
    startedAt: Date.now(),
    reason: "bench",
    pid: null,
    apiListen: "127.0.0.1:0",
  });

  // The fake core in its own process, as a real core would be (and Deno's HTTP/2 server,
  // which may abort on a client's GOAWAY, takes only that process down).
  const namesFile = `${dir}/names.json`;
  await Deno.writeTextFile(namesFile, JSON.stringify({ names, tags }));
  const fake = await startFakeCore(namesFile);
  const address = fake.grpc;
  const rssBefore = Deno.memoryUsage().rss;
  const poller = new WorkerPoller({
    db,
    dbUrl,
    core: { current: () => ({ runId, apiListen: address, pid: null }), runReplaced() {} },
    lock: new Mutex(),
    intervalMs: 3_600_000,
    deadlineMs: 120_000,
    log: () => {},
  });
  const poll = async () => {
    const t0 = performance.now();
    await poller.pollNow();
    const status = poller.status();
    if (status.state !== "ok") throw new Error(`poll failed: ${status.reason}`);
    return { ms: performance.now() - t0, write: status.lastPollPhasesMs?.write ?? 0 };
  };

  await fake.bump(1);
  await poll(); // the first poll: loads targets and cursors, counts full values
  const pollMs: number[] = [], writeMs: number[] = [], rawMs: number[] = [];
  const typicalMs: number[] = [], firstMs: number[] = [];
  let stall = 0, healthz = 0, rssPeak = 0;
  const watch = async (fn: () => Promise<void>) => {
    // The raw write's numbers are this thread's garbage, not the panel's: collect them
    // before measuring the main thread's stalls (run with the panel's --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const w = await watched(fn);
    stall = Math.max(stall, w.stall);
    healthz = Math.max(healthz, w.healthz);
    rssPeak = Math.max(rssPeak, w.rss);
  };
  const client = new StatsClient(address, { deadlineMs: 120_000 });
  for (let round = 0; round < ROUNDS; round++) {
    await fake.bump(1);
    await watch(async () => {
      const p = await poll();
      pollMs.push(p.ms);
      writeMs.push(p.write);
    });
    // The same database work alone, on this thread: deltas of every user, pair, cursor.
    await fake.bump(1);
    const numbers = new Map(await client.queryCounters());
    const cursors = new Map(
      [...numbers].map(([k, v]) => [k, { runId, value: Math.max(0, v - 1000) }]),
    );
    const uptime = 1_000_000 + round;
    const { deltas } = computeStatsDeltas({ counters: numbers, uptime, runId, cursors, targets });
    const d0 = performance.now();
    await applyStatsDeltas(db, deltas);
    rawMs.push(performance.now() - d0);
    await poll(); // catch the poller's cursors up with the bump
  }
  for (let round = 0; round < ROUNDS; round++) {
    await fake.bump(0.1);
    await watch(async () => void typicalMs.push((await poll()).ms));
  }
  for (let round = 0; round < 3; round++) {
    await poller.reloadTargets(); // what a config apply does
    await watch(async () => void firstMs.push((await poll()).ms));
  }
  const rssAfter = Deno.memoryUsage().rss;
  const result = {
    users: n,
    counters: await fake.bump(0),
    seedMs,
    pollMs: median(pollMs),
    writeMs: median(writeMs),
    rawMs: median(rawMs),
    typicalMs: median(typicalMs),
    firstMs: median(firstMs),
    stall,
    healthz,
    rss: [rssBefore, rssPeak, rssAfter].map((b) => Math.round(b / MB)),
  };
  client.close();
  await poller.close();
  await fake.stop();
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
  "| users | counters | poll, all active | its DB write | raw write (main thread) | ratio | poll, 10 % active | first poll after an apply | longest stall | slowest /healthz | RSS before / peak / after |",
);
console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.users} | ${r.counters} | ${ms(r.pollMs)} | ${ms(r.writeMs)} | ${ms(r.rawMs)} | ${
      (r.writeMs / r.rawMs).toFixed(2)
    } | ${ms(r.typicalMs)} | ${ms(r.firstMs)} | ${ms(r.stall)} | ${ms(r.healthz)} | ${
      r.rss.join(" / ")
    } MB |`,
  );
}
