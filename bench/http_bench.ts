/**
 * HTTP load on the panel at 100,000 users with a real load tool (wrk, from Debian), while
 * polls run: the panel's process (bench/panel_process.ts: the web app and the poll worker)
 * polls the fake core's 180,000 counters back to back, every user active. For each page:
 * 50 concurrent connections for 15 s (req/s, p50, p99), and the Users page with one client
 * alone.
 *
 *   deno run --allow-all bench/http_bench.ts [users=100000] [seconds=15]
 *   (WRK_CASES=text: only the cases whose label includes it; WRK_RAW=1: wrk's own reports;
 *   WRK_NO_POLLS=1: no polls meanwhile, for comparison)
 */
import { seedScale, startFakeCore } from "./seed.ts";
import { panelProcess } from "./bench_support.ts";

const USERS = Number(Deno.args[0] ?? 100_000);
const SECONDS = Number(Deno.args[1] ?? 15);
const API_TOKEN = "bench-api-token-0123456789";
const PASSWORD = "bench admin password";

if (!(await new Deno.Command("wrk", { args: ["--version"] }).output().catch(() => null))) {
  console.error("wrk not found: apt-get install wrk");
  Deno.exit(1);
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  errors: string;
}

function millis(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text)!;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n;
}

async function wrk(url: string, headers: Record<string, string>, connections: number) {
  const args = [
    "-t",
    String(Math.min(2, connections)),
    "-c",
    String(connections),
    "-d",
    `${SECONDS}s`,
    "--latency",
    "--timeout",
    "10s",
  ];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  const out = await new Deno.Command("wrk", { args: [...args, url] }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (Deno.env.get("WRK_RAW")) console.error(text); // wrk's own report, for a closer look
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const p50 = millis(/\s50%\s+(\S+)/.exec(text)?.[1] ?? "NaNms");
  const p99 = millis(/\s99%\s+(\S+)/.exec(text)?.[1] ?? "NaNms");
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1];
  const socket = /Socket errors: (.*)/.exec(text)?.[1];
  return {
    rps,
    p50,
    p99,
    errors: [non2xx ? `${non2xx} non-2xx` : "", socket ?? ""].filter(Boolean).join("; "),
  } satisfies WrkResult;
}

const dataDir = await Deno.makeTempDir({ prefix: "singdeck-http-" });
console.error(`seeding ${USERS} users`);
const { dbUrl, namesFile } = await seedScale(dataDir, USERS);
const fake = await startFakeCore(namesFile);
const panel = panelProcess();
const init = await panel.send({
  cmd: "init",
  dbUrl,
  dataDir,
  stats: fake.grpc,
  apiToken: API_TOKEN,
  adminPassword: PASSWORD,
});
const base = `http://127.0.0.1:${init.port}`;
const login = await fetch(`${base}/login`, {
  method: "POST",
  body: new URLSearchParams({ username: "admin", password: PASSWORD }),
  redirect: "manual",
});
const cookie = login.headers.get("set-cookie")?.split(";")[0];
if (login.status !== 303 || !cookie) throw new Error(`login answered ${login.status}`);
const page = { Cookie: cookie };
const fragment = { Cookie: cookie, "HX-Request": "true" };
const api = { Authorization: `Bearer ${API_TOKEN}` };

// Polls back to back, every user active, until the end (WRK_NO_POLLS=1: none, to compare).
let polling = !Deno.env.get("WRK_NO_POLLS");
const pollTimes: number[] = [];
await fake.bump(1);
await panel.send({ cmd: "poll" }); // the first poll loads the cursors
const polls = (async () => {
  while (polling) {
    await fake.bump(1);
    const p = await panel.send({ cmd: "poll" });
    pollTimes.push(p.ms as number);
  }
})();

const cases: Array<[string, string, Record<string, string>, number]> = [
  ["/healthz (baseline)", "/healthz", {}, 50],
  ["Users page, by name", "/users?sort=name", page, 50],
  ["Users page, by name, page 1000", "/users?sort=name&page=1000", page, 50],
  ["Users page, by traffic", "/users?sort=traffic_desc", page, 50],
  ["Users page, search", "/users?search=amber.12", page, 50],
  ["Users fragment (htmx), by name", "/users?sort=name", fragment, 50],
  ["Inbounds page", "/inbounds", page, 50],
  ["Inbounds fragment (htmx)", "/inbounds", fragment, 50],
  ["Dashboard", "/", page, 50],
  ["API users, by name", "/api/v1/users?sort=name", api, 50],
  ["API users, by traffic", "/api/v1/users?sort=traffic_desc", api, 50],
  ["Users page, one client alone", "/users?sort=name", page, 1],
];
const rows: string[] = [];
// WRK_CASES=text runs only the cases whose label includes it.
const only = Deno.env.get("WRK_CASES");
for (const [label, path, headers, connections] of cases) {
  if (only && !label.includes(only)) continue;
  const check = await fetch(`${base}${path}`, { headers });
  await check.body?.cancel();
  if (check.status !== 200) throw new Error(`${path} answered ${check.status}`);
  console.error(`wrk ${label}`);
  const r = await wrk(`${base}${path}`, headers, connections);
  rows.push(
    `| ${label} | ${connections} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} ms | ${
      r.p99.toFixed(1)
    } ms | ${r.errors || "none"} |`,
  );
}
polling = false;
await polls;
const idle = await panel.send({ cmd: "idle", ms: 1000 });
await panel.close();
await fake.stop();
await Deno.remove(dataDir, { recursive: true });

pollTimes.sort((a, b) => a - b);
console.log(
  `${USERS} users; ${pollTimes.length} polls ran meanwhile (every user active), median ${
    pollTimes[pollTimes.length >> 1]
  } ms; panel RSS after ${idle.rssMb} MB`,
);
console.log("");
console.log("| request | connections | req/s | p50 | p99 | errors |");
console.log("| --- | ---: | ---: | ---: | ---: | --- |");
for (const row of rows) console.log(row);
