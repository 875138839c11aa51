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
import { seedScale, startFakeCore } from "./seed.ts";
import { findBinary, panelProcess } from "./bench_support.ts";

const USERS = Number(Deno.args[0] ?? 100_000);

const dataDir = await Deno.makeTempDir({ prefix: "singdeck-memory-" });
const { dbUrl, namesFile, pairs } = await seedScale(dataDir, USERS);
const fake = await startFakeCore(namesFile);
const bump = (share: number) => fake.bump(share);

console.error(`${USERS} users, ${pairs} pairs seeded; measuring polls`);
const panel = panelProcess();
const rows: string[] = [];
const init = await panel.send({ cmd: "init", dbUrl, dataDir, stats: fake.grpc });
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
await fake.stop();

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
