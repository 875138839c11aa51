/**
 * User changes at scale with a real core and real traffic, through the panel's process
 * (main.ts) over its API, with the default 10-second poll:
 *
 * - "user added → connects": from the POST /users to the first request that the new
 *   user's client gets through (the client's own start, measured apart, is included);
 * - "quota crossed → cut off": four users, one after another, each downloading at 1 MiB/s
 *   with a 4 MiB quota; from the moment the client had received the quota to the moment its
 *   download broke, and the bytes it received past the quota (a poll every 10 s, so up to
 *   10 s plus the poll's own time);
 * - the other users' long downloads (four on the inbound the newcomer joins, four on the
 *   quota user's inbound, four on a third) that broke meanwhile;
 * - every poll's duration as the panel reports it (a real core, a few users active).
 *
 * Each size runs with singdeck-core and with a plain sing-box (which restarts for every
 * change, so its other users' downloads are expected to break).
 *
 *   deno run --allow-all bench/core_host_bench.ts [sizes=10000,100000] [cores=singdeck-core,sing-box]
 */
import { openDatabase } from "../db/database.ts";
import { toUser, usersWithTraffic } from "../db/users.ts";
import { rowToInbound } from "../db/inbounds.ts";
import { clientOutbound } from "../core/subscriptions/client_outbound.ts";
import { seededRandom, seedInbounds, seedUsers } from "./seed.ts";
import { findBinary } from "./bench_support.ts";
import { type PanelProcess, startPanelProcess } from "../tests/support/panel_process.ts";
import {
  freePort,
  type RunningClient,
  startClient,
  startPayloadServer,
} from "../tests/support/sing_box.ts";

const SIZES = (Deno.args[0] ?? "10000,100000").split(",").map(Number);
const CORES = (Deno.args[1] ?? "singdeck-core,sing-box").split(",");
const MiB = 1024 * 1024;
const QUOTA = 4 * MiB, QUOTA_RATE = MiB, QUOTA_RUNS = 4;

/** A download through a client that runs until stopped; says whether it broke first. */
function longDownload(proxyPort: number, url: string, onBytes?: (total: number) => void) {
  const aborter = new AbortController();
  const client = Deno.createHttpClient({ proxy: { url: `http://127.0.0.1:${proxyPort}` } });
  let received = 0;
  let brokeAt: number | null = null;
  let stopped = false;
  const done = (async () => {
    try {
      const res = await fetch(url, { client, signal: aborter.signal });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      for await (const chunk of res.body!) {
        received += chunk.length;
        onBytes?.(received);
      }
      throw new Error("ended");
    } catch {
      if (!stopped) brokeAt = performance.now();
    } finally {
      client.close();
    }
  })();
  return {
    get received() {
      return received;
    },
    get brokeAt() {
      return brokeAt;
    },
    async stop() {
      stopped = brokeAt === null;
      aborter.abort();
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}

async function tryFetch(proxyPort: number, url: string): Promise<boolean> {
  const client = Deno.createHttpClient({ proxy: { url: `http://127.0.0.1:${proxyPort}` } });
  try {
    const res = await fetch(url, { client, signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, ms = 120_000) {
  console.error(`  waiting for ${what}`);
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Row {
  users: number;
  core: string;
  startMs: number;
  clientStartMs: number;
  addedMs: number;
  cutMs: string[];
  pastQuotaKiB: string[];
  dropped: Record<string, string>;
  restarts: number;
  /** The polls' durations as the panel reports them (a few users active), sorted. */
  pollMs: number[];
}

async function run(
  users: number,
  coreName: string,
  binary: string,
  clientBinary: string,
): Promise<Row> {
  const dataDir = await Deno.makeTempDir({ prefix: "singdeck-corehost-" });
  const dbUrl = `file:${dataDir}/singdeck.db`;
  const db = await openDatabase(dbUrl);
  const tags = ["x", "y", "z"];
  const inboundIds = await seedInbounds(db, tags);
  await seedUsers(db, users, inboundIds, seededRandom(11));
  for (const id of inboundIds) {
    await db.updateTable("inbounds").set({ listen: "127.0.0.1", port: freePort() })
      .where("id", "=", id).execute();
  }
  await db.destroy();

  const payload = startPayloadServer();
  const clients: RunningClient[] = [];
  const t0 = performance.now();
  const panel: PanelProcess = await startPanelProcess(dataDir, { SINGDECK_SING_BOX: binary });
  const look = await openDatabase(dbUrl);
  const clientFor = async (name: string, tag: string) => {
    const inbound = rowToInbound(
      await look.selectFrom("inbounds").selectAll().where("tag", "=", tag)
        .executeTakeFirstOrThrow(),
    );
    const user = toUser(
      await usersWithTraffic(look).where("users.name", "=", name).executeTakeFirstOrThrow(),
    );
    const c = await startClient(clientBinary, clientOutbound(inbound, user, "127.0.0.1"), dataDir);
    clients.push(c);
    return c;
  };
  try {
    const fullStatus = async () =>
      (await panel.api<{
        core: { state: string; pid: number; restarts: number };
        stats: { lastPollAt: string | null; lastPollMs: number | null };
      }>("GET", "/status")).body;
    const status = async () => (await fullStatus()).core;
    // Every poll's duration with the real core, read from the status once a second.
    const polls = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { stats } = await fullStatus().catch(() => ({ stats: null }));
        if (stats?.lastPollAt && stats.lastPollMs !== null) {
          polls.set(stats.lastPollAt, stats.lastPollMs);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const others: Array<{ tag: string; d: ReturnType<typeof longDownload> }> = [];
    for (const tag of tags) {
      for (let i = 0; i < 4; i++) {
        const name = `other-${tag}-${i}`;
        const res = await panel.api("POST", "/users", { name, inbounds: [tag] });
        if (res.status !== 201) throw new Error(`POST /users: ${JSON.stringify(res.body)}`);
      }
    }
    const quotaClients: RunningClient[] = [];
    for (let i = 0; i < QUOTA_RUNS; i++) {
      await panel.api("POST", "/users", {
        name: `quota-${i}`,
        inbounds: ["y"],
        trafficLimit: QUOTA,
      });
      quotaClients.push(await clientFor(`quota-${i}`, "y"));
    }
    const otherClients = new Map<string, RunningClient>();
    for (const tag of tags) {
      for (let i = 0; i < 4; i++) {
        otherClients.set(`${tag}-${i}`, await clientFor(`other-${tag}-${i}`, tag));
      }
    }
    await waitUntil("the core to serve the first users", async () => {
      const s = await status();
      return s.state === "running" &&
        await tryFetch(otherClients.get("z-3")!.proxyPort, `${payload.url}/bytes/16`);
    });
    const startMs = performance.now() - t0;
    const runs = async () =>
      Number(
        (await look.selectFrom("core_runs").select((e) => e.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()).n,
      );
    const runsBefore = await runs();
    for (const [key, c] of otherClients) {
      others.push({
        tag: key[0],
        d: longDownload(c.proxyPort, `${payload.url}/paced/${1024 * MiB}/${64 * 1024}`),
      });
    }
    await new Promise((r) => setTimeout(r, 1000));

    // A user added to x, where four downloads run.
    const tAdd = performance.now();
    const added = await panel.api("POST", "/users", { name: "newcomer", inbounds: ["x"] });
    if (added.status !== 201) throw new Error(`POST /users: ${JSON.stringify(added.body)}`);
    const tClient = performance.now();
    const newcomer = await clientFor("newcomer", "x");
    const clientStartMs = performance.now() - tClient;
    await waitUntil(
      "the newcomer to connect",
      () => tryFetch(newcomer.proxyPort, `${payload.url}/bytes/16`),
    );
    const addedMs = performance.now() - tAdd;

    // Quota users download past their quota one after another (a poll's phase differs).
    const cuts: string[] = [], past: string[] = [];
    for (const quotaClient of quotaClients) {
      let crossedAt = 0;
      const quota = longDownload(
        quotaClient.proxyPort,
        `${payload.url}/paced/${64 * MiB}/${QUOTA_RATE}`,
        (total) => {
          if (!crossedAt && total >= QUOTA) crossedAt = performance.now();
        },
      );
      await waitUntil(
        "a quota user to be cut off",
        () => Promise.resolve(quota.brokeAt !== null),
      );
      // With a plain sing-box, the restart for the previous user may break this download
      // before its quota: that is a drop, not a cut-off.
      cuts.push(crossedAt ? `${Math.round(quota.brokeAt! - crossedAt)}` : "dropped");
      past.push(crossedAt ? `${Math.round((quota.received - QUOTA) / 1024)}` : "–");
      await new Promise((r) => setTimeout(r, 1300 + Math.random() * 3000));
    }

    const restarts = await runs() - runsBefore;
    const dropped: Record<string, string> = {};
    for (const tag of tags) {
      const mine = others.filter((o) => o.tag === tag);
      dropped[tag] = `${mine.filter((o) => o.d.brokeAt !== null).length}/${mine.length}`;
    }
    for (const o of others) await o.d.stop();
    sampling = false;
    await sampler;
    return {
      users,
      core: coreName,
      startMs: Math.round(startMs),
      clientStartMs: Math.round(clientStartMs),
      addedMs: Math.round(addedMs),
      cutMs: cuts,
      pastQuotaKiB: past,
      dropped,
      restarts,
      pollMs: [...polls.values()].sort((a, b) => a - b),
    };
  } finally {
    for (const c of clients) await c.stop();
    await look.destroy();
    await panel.kill("SIGTERM");
    await payload.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

const rows: Row[] = [];
const clientBinary = await findBinary("install_sing_box.sh");
if (!clientBinary) throw new Error("the clients need a sing-box: scripts/install_sing_box.sh");
for (const users of SIZES) {
  for (const core of CORES) {
    const binary = await findBinary(
      core === "singdeck-core" ? "install_singdeck_core.sh" : "install_sing_box.sh",
    );
    if (!binary) {
      console.error(`${core}: not found, skipped`);
      continue;
    }
    console.error(`${users} users with ${core}`);
    rows.push(await run(users, core, binary, clientBinary));
  }
}
console.log(
  "| users | core | panel start → serving | user added → connects (client start) | quota crossed → cut off | received past quota | others' downloads broken (x / y / z) | core (re)starts | polls (median, max; n) |",
);
console.log("| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.users} | ${r.core} | ${r.startMs} ms | ${r.addedMs} ms (${r.clientStartMs} ms) | ${
      r.cutMs.join(", ")
    } ms | ${
      r.pastQuotaKiB.join(", ")
    } KiB | ${r.dropped.x} / ${r.dropped.y} / ${r.dropped.z} | ${r.restarts} | ${
      r.pollMs[r.pollMs.length >> 1] ?? "–"
    }, ${r.pollMs.at(-1) ?? "–"} ms; ${r.pollMs.length} |`,
  );
}
