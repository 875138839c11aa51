/**
 * The fake StatsService of bench/stats_server.ts in its own thread, with its counters:
 * encoding 200,000 counters then costs the panel's thread nothing, as with a real core.
 * Messages: `start` (pair names and tags) → `{ address }`; `bump` (the share of users that
 * moved traffic) → `{}`; `close`.
 */
/// <reference lib="deno.worker" />
import { counterName } from "../core/stats/stats_names.ts";
import { seededRandom } from "./seed.ts";
import { startFakeStatsServer } from "./stats_server.ts";

const counters = new Map<string, bigint>();
const random = seededRandom(11);
let names: string[] = [];
let tags: string[] = [];
let uptime = 1;
let close: (() => Promise<void>) | null = null;

function bump(share: number) {
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
  uptime += 10;
}

self.onmessage = async (event: MessageEvent) => {
  const m = event.data;
  if (m.type === "start") {
    names = m.names;
    tags = m.tags;
    const server = await startFakeStatsServer(() => counters, () => uptime);
    close = server.close;
    self.postMessage({ address: server.address, counters: counters.size });
  } else if (m.type === "bump") {
    bump(m.share);
    self.postMessage({ counters: counters.size });
  } else if (m.type === "close") {
    await close?.();
    self.postMessage({});
  }
};
