/**
 * Users list at scale: seeds a temporary database with 100,000 users across 3 inbounds,
 * builds the real app, logs in, and times the Users page, its htmx fragment and the API
 * for three sorts: random pages over the whole range, the last page, and searches.
 *
 *   deno run --allow-all bench/users_list_bench.ts [users=100000] [requests=200]
 */
import { createApp } from "../app.tsx";
import { ensureAdmin } from "../core/auth/admin_auth.ts";
import { parseConfig } from "../core/config.ts";
import { idleServices } from "../core/services.ts";
import { openDatabase } from "../db/database.ts";
import { USERS_PAGE_SIZE } from "../db/users.ts";
import { loginCookie, TEST_PASSWORD } from "../tests/support/app.ts";
import { seededRandom, seedInbounds, seedUsers } from "./seed.ts";

const USERS = Number(Deno.args[0] ?? 100_000);
const REQUESTS = Number(Deno.args[1] ?? 200);
const SORTS = ["name", "traffic_desc", "expiry"] as const;
const KINDS = ["page", "fragment", "api"] as const;
type Kind = typeof KINDS[number];

const dataDir = await Deno.makeTempDir({ prefix: "singdeck-bench-" });
const apiToken = "bench-api-token-0123456789";
const config = parseConfig([], { SINGDECK_DATA_DIR: dataDir, SINGDECK_API_TOKEN: apiToken });
const db = await openDatabase(config.dbUrl);

try {
  await ensureAdmin(db, TEST_PASSWORD, Date.now());
  const inboundIds = await seedInbounds(db, ["vless-main", "trojan-b", "hy2"]);

  const seedStart = performance.now();
  await seedUsers(db, USERS, inboundIds);
  const seedMs = performance.now() - seedStart;
  const size = (await Deno.stat(`${dataDir}/singdeck.db`)).size +
    ((await Deno.stat(`${dataDir}/singdeck.db-wal`).catch(() => null))?.size ?? 0);

  const app = createApp({ db, config, services: idleServices() });
  const cookie = await loginCookie(app);
  const lastPage = Math.max(1, Math.ceil(USERS / USERS_PAGE_SIZE));
  const random = seededRandom(7);

  const timeRequest = async (kind: Kind, query: string): Promise<number> => {
    const path = kind === "api" ? `/api/v1/users?${query}` : `/users?${query}`;
    const headers: Record<string, string> = kind === "api"
      ? { Authorization: `Bearer ${apiToken}` }
      : { Cookie: cookie };
    if (kind === "fragment") headers["HX-Request"] = "true";
    const start = performance.now();
    const res = await app.request(path, { headers });
    await res.text();
    const ms = performance.now() - start;
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return ms;
  };

  const stats = (times: number[]) => {
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    return { median: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
  };

  // Warm up the JIT and SQLite's page cache.
  for (const kind of KINDS) {
    for (let i = 0; i < 20; i++) {
      await timeRequest(kind, `sort=name&page=${1 + (i * 97) % lastPage}`);
    }
  }

  const rows: string[][] = [];
  const benchStart = performance.now();
  for (const sort of SORTS) {
    for (const kind of KINDS) {
      const cases: Array<[string, () => string, number]> = [
        [
          "random pages",
          () => `sort=${sort}&page=${1 + Math.floor(random() * lastPage)}`,
          REQUESTS,
        ],
        ["last page", () => `sort=${sort}&page=${lastPage}`, Math.max(20, REQUESTS / 10)],
        [
          "search",
          () => `sort=${sort}&search=${Math.floor(random() * 1000)}`,
          Math.max(20, REQUESTS / 10),
        ],
      ];
      for (const [label, query, count] of cases) {
        const times: number[] = [];
        for (let i = 0; i < count; i++) times.push(await timeRequest(kind, query()));
        const s = stats(times);
        rows.push([
          kind,
          sort,
          label,
          String(count),
          s.median.toFixed(2),
          s.p99.toFixed(2),
          s.max.toFixed(2),
        ]);
      }
    }
  }
  const benchMs = performance.now() - benchStart;

  console.log(`users: ${USERS.toLocaleString("en")} across ${inboundIds.length} inbounds`);
  console.log(
    `seeding: ${(seedMs / 1000).toFixed(2)} s (database ${(size / 2 ** 20).toFixed(1)} MB)`,
  );
  const header = ["kind", "sort", "case", "n", "median ms", "p99 ms", "max ms"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => i >= 3 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  console.log(`timed requests took ${(benchMs / 1000).toFixed(1)} s in all`);
} finally {
  await db.destroy();
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}
