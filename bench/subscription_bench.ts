/**
 * Subscriptions at scale: seeds 100,000 users (their token hashes left as placeholders, as
 * migration 0003 leaves them), times filling in every hash (the one-off cost of the first
 * start after the migration), then `GET /sub/{token}` for random users in each format and
 * for unknown tokens.
 *
 *   deno run --allow-all bench/subscription_bench.ts [users=100000] [requests=200]
 */
import { createApp } from "../app.tsx";
import { parseConfig } from "../core/config.ts";
import { idleServices } from "../core/services.ts";
import { openDatabase } from "../db/database.ts";
import { SubscriptionTokens } from "../core/subscriptions/sub_tokens.ts";
import { FetchLimiter } from "../core/subscriptions/fetch_limiter.ts";
import { seededRandom, seedInbounds, seedUsers } from "./seed.ts";

const USERS = Number(Deno.args[0] ?? 100_000);
const REQUESTS = Number(Deno.args[1] ?? 200);

const dataDir = await Deno.makeTempDir({ prefix: "singdeck-bench-" });
const config = parseConfig([], { SINGDECK_DATA_DIR: dataDir });
const db = await openDatabase(config.dbUrl);
try {
  const inboundIds = await seedInbounds(db, ["vless-main", "trojan-b", "hy2"]);
  await seedUsers(db, USERS, inboundIds);
  const tokens = new SubscriptionTokens(dataDir);
  const fillStart = performance.now();
  await tokens.ensureHashes(db);
  const fillMs = performance.now() - fillStart;

  const app = createApp({
    db,
    config,
    services: idleServices(),
    subscriptionTokens: tokens,
    subscriptionLimiter: new FetchLimiter(1e9, 1e9),
  });
  const users = await db.selectFrom("users").select(["id", "sub_generation"]).execute();
  const random = seededRandom(11);
  const paths = await Promise.all(
    Array.from({ length: REQUESTS }, () => users[Math.floor(random() * users.length)])
      .map(async (u) =>
        `/sub/${await tokens.token({ id: u.id, subGeneration: u.sub_generation })}`
      ),
  );
  const time = async (path: string, expect: number) => {
    const start = performance.now();
    const res = await app.request(path);
    await res.text();
    if (res.status !== expect) throw new Error(`${path} answered ${res.status}`);
    return performance.now() - start;
  };
  for (const path of paths.slice(0, 20)) await time(path, 200); // warm up
  const median = (times: number[]) =>
    [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const p99 = (times: number[]) =>
    [...times].sort((a, b) =>
      a - b
    )[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)];
  console.log(`${USERS} users; filling ${USERS} token hashes took ${(fillMs / 1000).toFixed(1)} s`);
  for (const format of ["links", "sing-box", "clash", "html"]) {
    const times: number[] = [];
    for (const path of paths) times.push(await time(`${path}?format=${format}`, 200));
    console.log(
      `GET /sub/{token}?format=${format}: median ${median(times).toFixed(2)} ms, p99 ${
        p99(times).toFixed(2)
      } ms`,
    );
  }
  const unknown: number[] = [];
  for (let i = 0; i < REQUESTS; i++) unknown.push(await time(`/sub/unknown-${i}`, 404));
  console.log(
    `GET /sub/{unknown}: median ${median(unknown).toFixed(2)} ms, p99 ${
      p99(unknown).toFixed(2)
    } ms`,
  );
} finally {
  await db.destroy();
  await Deno.remove(dataDir, { recursive: true });
}
