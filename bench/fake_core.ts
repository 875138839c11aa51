/**
 * A fake core as its own process, for benchmarks that measure the panel's process alone:
 * a StatsService with the counters of the pair names in the JSON file given (`{ names,
 * tags }`), and an HTTP control port (`POST /bump?share=0.1`). Prints one line of JSON,
 * `{ "grpc": "127.0.0.1:p", "http": q }`, once both listen.
 *
 *   deno run --allow-all bench/fake_core.ts names.json
 */
import { FakeCounters } from "./fake_counters.ts";
import { startFakeStatsServer } from "./stats_server.ts";

const { names, tags } = JSON.parse(await Deno.readTextFile(Deno.args[0]));
const counters = new FakeCounters(names, tags);
const grpc = await startFakeStatsServer(() => counters.values, () => counters.uptime);
const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
  const url = new URL(req.url);
  if (url.pathname === "/bump") counters.bump(Number(url.searchParams.get("share") ?? "1"));
  return Response.json({ counters: counters.values.size });
});
console.log(JSON.stringify({ grpc: grpc.address, http: http.addr.port }));
