/**
 * The fake StatsService of bench/stats_server.ts in its own thread, with its counters:
 * encoding 200,000 counters then costs the panel's thread nothing, as with a real core.
 * Messages: `start` (pair names and tags) → `{ address }`; `bump` (the share of users that
 * moved traffic) → `{ counters }`; `close`.
 */
/// <reference lib="deno.worker" />
import { FakeCounters } from "./fake_counters.ts";
import { startFakeStatsServer } from "./stats_server.ts";

let counters: FakeCounters | null = null;
let close: (() => Promise<void>) | null = null;

self.onmessage = async (event: MessageEvent) => {
  const m = event.data;
  if (m.type === "start") {
    const c = counters = new FakeCounters(m.names, m.tags);
    const server = await startFakeStatsServer(() => c.values, () => c.uptime);
    close = server.close;
    self.postMessage({ address: server.address, counters: c.values.size });
  } else if (m.type === "bump") {
    counters!.bump(m.share);
    self.postMessage({ counters: counters!.values.size });
  } else if (m.type === "close") {
    await close?.();
    self.postMessage({});
  }
};
