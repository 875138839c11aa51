/**
 * Many users at once, at scale: seeds a temporary database with 100,000 users across 3
 * inbounds, then times through the real app (in-process, as the API sees it):
 * - every bulk action on every user ("filter": {}) and on 5,000 named users (about what
 *   the API's 64 KB body holds),
 * - batch creation of 10,000 and of 100,000 users (one transaction each),
 * - the status counts of the chips and the dashboard, and a status-filtered Users page.
 *
 *   deno run --allow-all bench/bulk_bench.ts [users=100000]
 */
import { createApp } from "../app.tsx";
import { ensureAdmin } from "../core/auth/admin_auth.ts";
import { parseConfig } from "../core/config.ts";
import { idleServices } from "../core/services.ts";
import { DEFAULT_STATUS_THRESHOLDS } from "../core/users/user_status.ts";
import { createUsersBatch } from "../core/users/bulk.ts";
import { SubscriptionTokens } from "../core/subscriptions/sub_tokens.ts";
import { batchNames } from "../core/users/bulk_input.ts";
import { openDatabase } from "../db/database.ts";
import { countUsersByStatus } from "../db/user_status.ts";
import { loginCookie, TEST_PASSWORD } from "../tests/support/app.ts";
import { seedInbounds, seedUsers } from "./seed.ts";

const USERS = Number(Deno.args[0] ?? 100_000);

const dataDir = await Deno.makeTempDir({ prefix: "singdeck-bulk-bench-" });
const apiToken = "bench-api-token-0123456789";
const config = parseConfig([], { SINGDECK_DATA_DIR: dataDir, SINGDECK_API_TOKEN: apiToken });
const db = await openDatabase(config.dbUrl);

const rows: string[][] = [];
const ms = (start: number) => (performance.now() - start).toFixed(0);

try {
  await ensureAdmin(db, TEST_PASSWORD, Date.now());
  const inboundIds = await seedInbounds(db, ["vless-main", "trojan-b", "hy2"]);
  const seedStart = performance.now();
  await seedUsers(db, USERS, inboundIds);
  console.log(`seeded ${USERS.toLocaleString("en")} users in ${ms(seedStart)} ms`);

  let applies = 0;
  const services = idleServices();
  services.core.requestApply = () => void applies++;
  const subscriptionTokens = new SubscriptionTokens(dataDir);
  const app = createApp({ db, config, services, subscriptionTokens });
  const cookie = await loginCookie(app);
  const deps = { db, now: Date.now, services, subscriptionTokens };

  const api = async (body: unknown) => {
    const start = performance.now();
    const res = await app.request("/api/v1/users/bulk", {
      method: "POST",
      headers: { Authorization: `Bearer ${apiToken}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`bulk answered ${res.status}: ${JSON.stringify(json)}`);
    return { ms: ms(start), json };
  };

  // Counts and filtered pages, as the Users page asks for them, on the seeded mix.
  let start = 0;
  const countTimes: number[] = [];
  let counts = await countUsersByStatus(db, Date.now(), DEFAULT_STATUS_THRESHOLDS);
  for (let i = 0; i < 7; i++) {
    start = performance.now();
    counts = await countUsersByStatus(db, Date.now(), DEFAULT_STATUS_THRESHOLDS);
    countTimes.push(performance.now() - start);
  }
  const countMs = countTimes.sort((a, b) => a - b)[3].toFixed(0);
  /** The median of 7 requests for the Users fragment with `query`. */
  const page = async (query: string) => {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const begin = performance.now();
      const res = await app.request(`/users?${query}`, {
        headers: { Cookie: cookie, "HX-Request": "true" },
      });
      await res.text();
      times.push(performance.now() - begin);
    }
    return times.sort((a, b) => a - b)[3].toFixed(0);
  };
  const pages = [
    ["status=disabled", await page("status=disabled")],
    ["status=limited", await page("status=limited")],
    ["status=expiring&sort=expiry", await page("status=expiring&sort=expiry")],
    ["status=active&page=900", await page("status=active&page=900")],
  ];

  // The floor: one bare UPDATE of every user's row, no selection, nothing returned.
  start = performance.now();
  await db.transaction().execute((trx) =>
    trx.updateTable("users").set((eb) => ({ updated_at: eb("updated_at", "+", 1) })).execute()
  );
  const rawMs = ms(start);

  const names = (await db.selectFrom("users").select("name").orderBy("id").limit(5_000)
    .execute()).map((r) => r.name);
  const actions: Array<[string, Record<string, unknown>]> = [
    ["disable", {}],
    ["enable", {}],
    ["extendExpiry", { days: 30 }],
    ["addQuota", { bytes: 1024 ** 3 }],
    ["assignInbound", { inbound: "hy2" }],
    ["unassignInbound", { inbound: "hy2" }],
    ["resetTraffic", {}],
  ];
  for (const [action, params] of actions) {
    const named = await api({ action, users: names, ...params });
    const all = await api({ action, filter: {}, ...params });
    rows.push([
      action,
      `${named.ms} ms (${named.json.changed} changed)`,
      `${all.ms} ms (${all.json.changed} changed)`,
    ]);
  }

  // Delete every user named above, then batch-create users.
  const deleted = await api({ action: "delete", users: names });
  rows.push(["delete", `${deleted.ms} ms (${deleted.json.changed} changed)`, "—"]);
  for (const n of [10_000, 100_000]) {
    start = performance.now();
    const ids = await createUsersBatch(deps, {
      users: batchNames(`batch${n}-`, 1, n).map((name) => ({
        name,
        trafficLimit: 50 * 1024 ** 3,
        expiresAt: Date.now() + 30 * 86_400_000,
      })),
      inbounds: ["vless-main", "trojan-b"],
    });
    rows.push([`batch create ${n.toLocaleString("en")}`, "—", `${ms(start)} ms (${ids.length})`]);
  }
  const total = await db.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();

  const header = ["action", "5,000 named users", `every user (${USERS.toLocaleString("en")})`];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  console.log(`bare UPDATE of every user's row (the floor): ${rawMs} ms`);
  console.log(
    `status counts (all ${counts.all.toLocaleString("en")} users), median: ${countMs} ms`,
  );
  for (const [query, t] of pages) console.log(`Users fragment ?${query}, median: ${t} ms`);
  console.log(
    `users at the end: ${Number(total.n).toLocaleString("en")}; apply requests: ${applies}`,
  );
} finally {
  await db.destroy();
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}
