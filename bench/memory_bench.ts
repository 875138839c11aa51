/**
 * The panel's process at 100,000 users (3 inbounds, about 180,000 assignments), measured
 * from outside it: resident memory (VmRSS) idle, during and after polls of 200,000
 * counters (every user active, then a tenth), and the time and memory of applying the
 * whole config with each core: start from nothing, then a global change (singdeck-core
 * replaces the config in place; sing-box is checked and restarted), then the first poll.
 * The fake core (bench/fake_core.ts) and the seeding run in other processes.
 *
 *   deno run --allow-all bench/memory_bench.ts [users=100000]
 */
import { openDatabase } from "../db/database.ts";
import { pairStatName } from "../core/stats/stats_names.ts";
import { replaceStatTargets } from "../db/traffic.ts";
import { seededRandom, seedInbounds, seedUsers } from "./seed.ts";

const USERS = Number(Deno.args[0] ?? 100_000);
const root = new URL("..", import.meta.url).pathname;

async function findBinary(script: string): Promise<string | null> {
  const out = await new Deno.Command("bash", { args: [`${root}scripts/${script}`], stderr: "null" })
    .output().catch(() => null);
  if (!out?.success) return null;
  return new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? null;
}

/** A panel process of bench/panel_process.ts, driven one command at a time. */
function panelProcess() {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--v8-flags=--expose-gc", `${root}bench/panel_process.ts`],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    async send(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
      await writer.write(new TextEncoder().encode(JSON.stringify(cmd) + "\n"));
      while (!buffered.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("panel process ended");
        buffered += value;
      }
      const at = buffered.indexOf("\n");
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const reply = JSON.parse(line);
      if (reply.error) throw new Error(reply.error);
      return reply;
    },
    async close() {
      await this.send({ cmd: "exit" }).catch(() => {});
      await writer.close().catch(() => {});
      await child.status;
    },
  };
}

const dataDir = await Deno.makeTempDir({ prefix: "singdeck-memory-" });
const dbUrl = `file:${dataDir}/singdeck.db`;
const db = await openDatabase(dbUrl);
const tags = ["vless-in", "trojan-in", "hy2-in"];
const inboundIds = await seedInbounds(db, tags);
await seedUsers(db, USERS, inboundIds, seededRandom(7));
// Real ports and settings for the real cores: three vless inbounds on loopback.
for (const [i, id] of inboundIds.entries()) {
  await db.updateTable("inbounds").set({
    listen: "127.0.0.1",
    port: 40000 + i * 7 + (Date.now() % 5),
  })
    .where("id", "=", id).execute();
}
const pairs = await db.selectFrom("user_inbounds").innerJoin("users", "users.id", "user_id")
  .innerJoin("inbounds", "inbounds.id", "inbound_id")
  .select(["users.id as userId", "users.name", "inbounds.id as inboundId", "inbounds.tag"])
  .execute();
const names = pairs.map((p) => pairStatName(p.name, p.tag));
await replaceStatTargets(db, {
  pairs: new Map(pairs.map((p, i) => [names[i], { userId: p.userId, inboundId: p.inboundId }])),
  inbounds: new Map(tags.map((t, i) => [t, inboundIds[i]])),
});
await db.destroy();
await Deno.writeTextFile(`${dataDir}/names.json`, JSON.stringify({ names, tags }));

const fake = new Deno.Command(Deno.execPath(), {
  args: ["run", "--allow-all", `${root}bench/fake_core.ts`, `${dataDir}/names.json`],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const fakeReader = fake.stdout.pipeThrough(new TextDecoderStream()).getReader();
const ports = JSON.parse((await fakeReader.read()).value!);
const bump = async (share: number) =>
  await (await fetch(`http://127.0.0.1:${ports.http}/bump?share=${share}`, { method: "POST" }))
    .json();

console.error(`${USERS} users, ${names.length} pairs seeded; measuring polls`);
const panel = panelProcess();
const rows: string[] = [];
const init = await panel.send({ cmd: "init", dbUrl, dataDir, stats: ports.grpc });
rows.push(`| started (web app, poll worker, targets loaded) | ${init.rssMb} MB | | |`);
await bump(1);
const first = await panel.send({ cmd: "poll" });
rows.push(
  `| first poll (cursors loaded, every counter new) | ${first.rssMb} MB | ${first.peakMb} MB | ${first.ms} ms |`,
);
for (const share of [1, 1, 1, 0.1, 0.1, 0.1]) {
  await bump(share);
  const p = await panel.send({ cmd: "poll" });
  rows.push(
    `| poll, ${share === 1 ? "every user" : "a tenth of users"} active (${
      JSON.stringify(p.phases)
    }) | ${p.rssMb} MB | ${p.peakMb} MB | ${p.ms} ms |`,
  );
}
const idle = await panel.send({ cmd: "idle", ms: 5000 });
rows.push(`| idle 5 s after the polls | ${idle.rssMb} MB | ${idle.peakMb} MB | |`);
await panel.close();
// Deno's HTTP/2 server may abort on the client's GOAWAY (an nghttp2 assertion), a fault of
// the fake core's runtime only: the real cores are Go. Its numbers are in by then.
try {
  fake.kill();
} catch { /* already ended */ }
await fake.status;

const applies: string[] = [];
for (
  const [label, script] of [
    ["singdeck-core", "install_singdeck_core.sh"],
    ["sing-box", "install_sing_box.sh"],
  ] as const
) {
  const binary = await findBinary(script);
  if (!binary) {
    applies.push(`| ${label} | not found | | | |`);
    continue;
  }
  console.error(`applying the whole config with ${label}`);
  const p = panelProcess();
  await p.send({ cmd: "init", dbUrl, dataDir });
  const a = await p.send({ cmd: "apply", binary });
  applies.push(
    `| ${label} (${a.state}${
      a.error ? `: ${a.error}` : ""
    }) | ${a.startMs} ms, peak ${a.startPeakMb} MB | ${a.againMs} ms, peak ${a.againPeakMb} MB | ${a.firstPollMs} ms | ${a.rssMb} MB |`,
  );
  await p.close();
}
await Deno.remove(dataDir, { recursive: true });

console.log("| panel process | RSS after | RSS peak | time |");
console.log("| --- | ---: | ---: | ---: |");
for (const row of rows) console.log(row);
console.log("");
console.log(
  "| core | start on the whole config (write, check for sing-box, start, ready) | global change applied again | first poll after | RSS after stop |",
);
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const row of applies) console.log(row);
