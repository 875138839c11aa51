import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { type CallContext, createServer, type Server, ServerError, Status } from "nice-grpc";
import {
  type QueryStatsRequest,
  type QueryStatsResponse,
  StatsServiceDefinition,
  type StatsServiceImplementation,
  type SysStatsResponse,
} from "../../proto/stats.ts";
import { countersOf, StatsApiError, StatsClient, toSafeNumber } from "./stats_client.ts";
import { QueryStatsResponse as QueryStatsResponseCodec } from "../../proto/stats.ts";

const MAX_SAFE = 2n ** 53n - 1n;
const ABOVE_32_BITS = 2n ** 32n + 7n;
const MAX_INT64 = 2n ** 63n - 1n;

interface FakeCore {
  server: Server;
  port: number;
  address: string;
  requests: QueryStatsRequest[];
}

/** A StatsService that answers like sing-box: every counter, whatever the filter. */
async function startFakeCore(
  counters: Map<string, bigint>,
  options: { port?: number; uptime?: number; hang?: boolean; fail?: string } = {},
): Promise<FakeCore> {
  const requests: QueryStatsRequest[] = [];
  // Rejects with the signal's AbortError once the client gives up, as nice-grpc expects.
  const hangUntilAborted = (context: CallContext) =>
    new Promise<never>((_, reject) =>
      context.signal.addEventListener("abort", () => reject(context.signal.reason))
    );
  const implementation: StatsServiceImplementation = {
    getStats: () => Promise.reject(new Error("GetStats is not used by singdeck")),
    queryStats(request, context): Promise<QueryStatsResponse> {
      requests.push(request);
      if (options.hang) return hangUntilAborted(context);
      if (options.fail) throw new ServerError(Status.PERMISSION_DENIED, options.fail);
      const stat = [...counters].map(([name, value]) => ({ name, value }));
      return Promise.resolve({ stat });
    },
    getSysStats(_request, context): Promise<Partial<SysStatsResponse>> {
      if (options.hang) return hangUntilAborted(context);
      return Promise.resolve({ Uptime: options.uptime ?? 0, NumGoroutine: 12 });
    },
  };
  const server = createServer();
  server.add(StatsServiceDefinition, implementation);
  const port = await server.listen(`127.0.0.1:${options.port ?? 0}`);
  return { server, port, address: `127.0.0.1:${port}`, requests };
}

Deno.test("StatsClient.queryAll() reads exact 64-bit counters", async () => {
  const counters = new Map([
    ["inbound>>>vless-main>>>traffic>>>uplink", MAX_SAFE],
    ["inbound>>>vless-main>>>traffic>>>downlink", ABOVE_32_BITS],
    ["user>>>alice|vless-main>>>traffic>>>downlink", MAX_INT64],
    ["user>>>alice|vless-main>>>traffic>>>uplink", 0n],
  ]);
  const core = await startFakeCore(counters, { uptime: 4321 });
  const client = new StatsClient(core.address);
  try {
    const got = await client.queryAll();
    assertEquals(got, counters);
    assertEquals(await client.uptime(), 4321);
    assertEquals(core.requests, [{ pattern: "", reset: false, patterns: [], regexp: false }]);
  } finally {
    client.close();
    await core.server.shutdown();
  }
});

Deno.test("StatsClient.queryAll() applies the name filter on the client", async () => {
  const counters = new Map([
    ["inbound>>>vless-main>>>traffic>>>uplink", 10n],
    ["outbound>>>direct>>>traffic>>>uplink", 20n],
    ["user>>>bob|vless-main>>>traffic>>>uplink", 30n],
  ]);
  const core = await startFakeCore(counters);
  const client = new StatsClient(core.address);
  try {
    const got = await client.queryAll((name) => !name.startsWith("outbound>>>"));
    assertEquals(
      got,
      new Map([
        ["inbound>>>vless-main>>>traffic>>>uplink", 10n],
        ["user>>>bob|vless-main>>>traffic>>>uplink", 30n],
      ]),
    );
    assertEquals(core.requests.map((r) => [r.pattern, r.patterns, r.reset]), [["", [], false]]);
  } finally {
    client.close();
    await core.server.shutdown();
  }
});

Deno.test("StatsClient.uptime() gives up at the deadline on an API that hangs", async () => {
  const core = await startFakeCore(new Map(), { hang: true });
  const client = new StatsClient(core.address, { deadlineMs: 300 });
  try {
    const error = (await assertRejects(() => client.uptime(), StatsApiError)) as StatsApiError;
    assertEquals(error.reason, "timeout");
    assertStringIncludes(error.message, "within 300 ms");
  } finally {
    client.close();
    core.server.forceShutdown();
  }
});

Deno.test("toSafeNumber() converts up to 2^53-1 and refuses more", () => {
  assertEquals(toSafeNumber(MAX_SAFE, "inbound>>>a>>>traffic>>>uplink"), Number.MAX_SAFE_INTEGER);
  assertEquals(toSafeNumber(ABOVE_32_BITS, "x"), 4294967303);
  assertEquals(toSafeNumber(0n, "x"), 0);
  assertThrows(
    () => toSafeNumber(MAX_SAFE + 1n, "inbound>>>a>>>traffic>>>uplink"),
    RangeError,
    'Counter "inbound>>>a>>>traffic>>>uplink" value 9007199254740992 is outside the safe',
  );
});

// --- Against a real v2ray 4.x -------------------------------------------------------------

const V2RAY = "/usr/bin/v2ray";
const isCI = Deno.env.get("CI") === "true";
const hasV2ray = await Deno.stat(V2RAY).then((s) => s.isFile, () => false);
if (!hasV2ray) {
  const note = `${V2RAY} was not found (install it with 'apt-get install -y v2ray')`;
  console.warn(
    isCI ? `${note}: failing the v2ray test under CI` : `${note}: ignoring the v2ray test`,
  );
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForPort(port: number, child: Deno.ChildProcess, log: () => string) {
  const deadline = Date.now() + 10_000;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`v2ray exited before listening on ${port}:\n${log()}`);
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`v2ray did not listen on ${port} within 10 s:\n${log()}`);
}

Deno.test({
  name: "StatsClient.queryAll() reads real traffic counters from v2ray 4.x",
  ignore: !hasV2ray && !isCI,
  async fn() {
    if (!hasV2ray) throw new Error(`${V2RAY} is required under CI=true`);

    const payload = new Uint8Array(1024 * 1024).map((_, i) => i % 251);
    const origin = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => new Response(payload, { headers: { "content-type": "application/octet-stream" } }),
    );
    const dir = await Deno.makeTempDir({ prefix: "singdeck-v2ray-" });
    const apiPort = freePort();
    const proxyPort = freePort();
    const config = {
      log: { loglevel: "warning" },
      stats: {},
      api: { tag: "api", services: ["StatsService"] },
      policy: {
        levels: { "0": { statsUserUplink: true, statsUserDownlink: true } },
        system: {
          statsInboundUplink: true,
          statsInboundDownlink: true,
          statsOutboundUplink: true,
          statsOutboundDownlink: true,
        },
      },
      inbounds: [
        {
          tag: "api",
          listen: "127.0.0.1",
          port: apiPort,
          protocol: "dokodemo-door",
          settings: { address: "127.0.0.1" },
        },
        { tag: "http-in", listen: "127.0.0.1", port: proxyPort, protocol: "http", settings: {} },
      ],
      outbounds: [{ tag: "direct", protocol: "freedom", settings: {} }],
      routing: { rules: [{ type: "field", inboundTag: ["api"], outboundTag: "api" }] },
    };
    const configPath = `${dir}/config.json`;
    await Deno.writeTextFile(configPath, JSON.stringify(config, null, 2));

    const child = new Deno.Command(V2RAY, {
      args: ["-config", configPath],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let output = "";
    const decoder = new TextDecoder();
    const collect = (stream: ReadableStream<Uint8Array>) =>
      stream.pipeTo(
        new WritableStream({ write: (chunk) => void (output += decoder.decode(chunk)) }),
      );
    const collecting = Promise.all([collect(child.stdout), collect(child.stderr)]);
    const client = new StatsClient(`127.0.0.1:${apiPort}`);
    const http = Deno.createHttpClient({ proxy: { url: `http://127.0.0.1:${proxyPort}` } });
    try {
      await waitForPort(apiPort, child, () => output);
      await waitForPort(proxyPort, child, () => output);

      const response = await fetch(`http://127.0.0.1:${origin.addr.port}/payload`, {
        client: http,
      });
      assertEquals(response.status, 200);
      assertEquals((await response.bytes()).length, payload.length);

      const downlink = "inbound>>>http-in>>>traffic>>>downlink";
      const uplink = "inbound>>>http-in>>>traffic>>>uplink";
      let counters = new Map<string, bigint>();
      for (let attempt = 0; attempt < 40; attempt++) {
        counters = await client.queryAll();
        if ((counters.get(downlink) ?? 0n) >= BigInt(payload.length)) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const got = counters.get(downlink);
      assert(
        got !== undefined && got >= BigInt(payload.length),
        `${downlink} is ${got}, expected at least ${payload.length}; all counters: ` +
          JSON.stringify([...counters].map(([k, v]) => [k, String(v)])),
      );
      assert((counters.get(uplink) ?? 0n) > 0n, `${uplink} should count the request`);
      const direct = counters.get("outbound>>>direct>>>traffic>>>downlink") ?? 0n;
      assert(direct >= BigInt(payload.length), `outbound>>>direct downlink is ${direct}`);

      // The poller's read (plain HTTP/2 POST) sees what the gRPC client sees.
      const pairs = new Map(await client.queryCounters());
      assert((pairs.get(downlink) ?? 0) >= Number(got), `queryCounters() ${downlink} went back`);
      assertEquals([...pairs.keys()].sort(), [...counters.keys()].sort());

      const filtered = await client.queryAll((name) => name.startsWith("inbound>>>http-in>>>"));
      assertEquals([...filtered.keys()].sort(), [downlink, uplink]);
      assert((await client.uptime()) >= 0);
    } finally {
      http.close();
      client.close();
      child.kill("SIGTERM");
      await child.status;
      await collecting;
      await origin.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("StatsClient.queryCounters() reads the same counters as queryAll(), as numbers", async () => {
  const counters = new Map([
    ["inbound>>>vless-main>>>traffic>>>uplink", MAX_SAFE],
    ["inbound>>>vless-main>>>traffic>>>downlink", ABOVE_32_BITS],
    ["user>>>ünïcode|vless-main>>>traffic>>>uplink", 5n],
    ["user>>>alice|vless-main>>>traffic>>>uplink", 0n],
  ]);
  const core = await startFakeCore(counters, { uptime: 7 });
  const client = new StatsClient(core.address);
  try {
    const got = await client.queryCounters();
    assertEquals(got, [...counters].map(([name, value]) => [name, Number(value)]));
    assertEquals(core.requests, [{ pattern: "", reset: false, patterns: [], regexp: false }]);
  } finally {
    client.close();
    await core.server.shutdown();
  }
});

Deno.test("countersOf() decodes what the generated codec writes and refuses values beyond 2^53", () => {
  const stat = [
    { name: "a>>>b", value: 1n },
    { name: "", value: 300n },
    { name: "user>>>x|y>>>traffic>>>downlink", value: MAX_SAFE },
    { name: "ü", value: 0n },
  ];
  const bytes = QueryStatsResponseCodec.encode({ stat }).finish();
  assertEquals(countersOf(bytes), stat.map((s) => [s.name, Number(s.value)]));
  assertEquals(countersOf(new Uint8Array(0)), []);
  for (const value of [MAX_SAFE + 1n, MAX_INT64, -1n]) {
    const big = QueryStatsResponseCodec.encode({ stat: [{ name: "big", value }] }).finish();
    assertThrows(() => countersOf(big), RangeError, "safe integer range");
  }
  assertThrows(() => countersOf(bytes.subarray(0, bytes.length - 1)), RangeError);
});

/** Both reads of every counter, for the tests of how a call fails or recovers. */
const READS = {
  "queryAll()": (client: StatsClient) => client.queryAll().then((map) => [...map.keys()]),
  "queryCounters()": (client: StatsClient) =>
    client.queryCounters().then((pairs) => pairs.map(([name]) => name)),
} as const;

for (const [method, read] of Object.entries(READS)) {
  Deno.test(`StatsClient.${method} reads 100,000 counters, above gRPC's 4 MiB default`, async () => {
    const counters = new Map<string, bigint>();
    for (let i = 0; i < 100_000; i++) {
      counters.set(`user>>>user-${i}|vless-main-inbound>>>traffic>>>downlink`, BigInt(i));
    }
    const core = await startFakeCore(counters);
    const client = new StatsClient(core.address);
    try {
      const names = await read(client);
      assertEquals(names.length, counters.size);
      assertEquals(names.at(-1), "user>>>user-99999|vless-main-inbound>>>traffic>>>downlink");
    } finally {
      client.close();
      await core.server.shutdown();
    }
  });

  Deno.test(`StatsClient.${method} refuses an answer above maxResponseBytes`, async () => {
    const counters = new Map<string, bigint>();
    for (let i = 0; i < 1_000; i++) counters.set(`inbound>>>in-${i}>>>traffic>>>uplink`, 1n);
    const core = await startFakeCore(counters);
    const client = new StatsClient(core.address, { maxResponseBytes: 1024 });
    try {
      const error = (await assertRejects(() => read(client), StatsApiError)) as StatsApiError;
      assertStringIncludes(error.message, `Stats API at ${core.address}`);
    } finally {
      client.close();
      await core.server.shutdown();
    }
  });

  Deno.test(`StatsClient.${method} gives up at the deadline on an API that hangs`, async () => {
    const core = await startFakeCore(new Map(), { hang: true });
    const client = new StatsClient(core.address, { deadlineMs: 300 });
    try {
      const started = performance.now();
      const error = (await assertRejects(() => read(client), StatsApiError)) as StatsApiError;
      assertEquals(error.reason, "timeout");
      assertStringIncludes(error.message, `Stats API at ${core.address} did not answer QueryStats`);
      assert(performance.now() - started < 5000, `${method} hung past its deadline`);
    } finally {
      client.close();
      core.server.forceShutdown();
    }
  });

  Deno.test(`StatsClient.${method} reports a gRPC error of the API as rejected`, async () => {
    const core = await startFakeCore(new Map(), { fail: "not allowed here" });
    const client = new StatsClient(core.address);
    try {
      const error = (await assertRejects(() => read(client), StatsApiError)) as StatsApiError;
      assertEquals(error.reason, "rejected");
      assertStringIncludes(error.message, "PERMISSION_DENIED");
      assertStringIncludes(error.message, "not allowed here");
    } finally {
      client.close();
      await core.server.shutdown();
    }
  });

  Deno.test(`StatsClient.${method} reconnects after the API comes back, and follows setAddress()`, async () => {
    const first = await startFakeCore(new Map([["inbound>>>a>>>traffic>>>uplink", 1n]]));
    const client = new StatsClient(first.address, { deadlineMs: 3000 });
    let second: FakeCore | null = null;
    let other: FakeCore | null = null;
    try {
      assertEquals(await read(client), ["inbound>>>a>>>traffic>>>uplink"]);
      first.server.forceShutdown();
      const error = (await assertRejects(() => read(client), StatsApiError)) as StatsApiError;
      assertEquals(error.reason, "unreachable");

      second = await startFakeCore(new Map([["inbound>>>b>>>traffic>>>uplink", 2n]]), {
        port: first.port,
      });
      assertEquals(await read(client), ["inbound>>>b>>>traffic>>>uplink"]);

      other = await startFakeCore(new Map([["inbound>>>c>>>traffic>>>uplink", 3n]]));
      client.setAddress(other.address);
      assertEquals(await read(client), ["inbound>>>c>>>traffic>>>uplink"]);
    } finally {
      client.close();
      first.server.forceShutdown();
      await second?.server.shutdown();
      await other?.server.shutdown();
    }
  });

  Deno.test(`StatsClient.${method} reports an address where nothing listens as unreachable`, async () => {
    const client = new StatsClient(`127.0.0.1:${freePort()}`);
    try {
      const error = (await assertRejects(() => read(client), StatsApiError)) as StatsApiError;
      assertEquals(error.reason, "unreachable");
    } finally {
      client.close();
    }
  });
}
