/**
 * The panel's own process for bench/memory_bench.ts: the web app served (idle), the poll
 * worker, and on demand CoreService applying the whole config with a real core. Reads one
 * JSON command a line on stdin and answers one JSON line on stdout, with the process's
 * resident memory (VmRSS of /proc/self/status: every thread and isolate) sampled while
 * the command ran.
 *
 *   {"cmd":"init","dbUrl":"file:…","stats":"127.0.0.1:p","dataDir":"…","apiToken":"…",
 *    "adminPassword":"…"}  (no "stats": no poll worker); answers the web app's port
 *   {"cmd":"poll"}            one poll of the fake core's counters
 *   {"cmd":"idle","ms":3000}  nothing, for the steady figure
 *   {"cmd":"apply","binary":"…"}  CoreService: start the core on the whole config, then
 *                                 apply it again as a global change, then stop
 */
import { createApp } from "../app.tsx";
import { ensureAdmin } from "../core/auth/admin_auth.ts";
import { parseConfig } from "../core/config.ts";
import { Mutex } from "../core/mutex.ts";
import { idleServices } from "../core/services.ts";
import { CoreService } from "../core/sing_box/core_service.ts";
import { WorkerPoller } from "../core/stats/worker_poller.ts";
import { type Db, openDatabase } from "../db/database.ts";
import { insertCoreRun } from "../db/traffic.ts";

const MB = 1024 * 1024;

function rss(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
}

/** Runs `fn`, sampling RSS every 20 ms; returns its result, the time, the peak and after. */
async function measured<T>(fn: () => Promise<T>) {
  let peak = rss();
  const timer = setInterval(() => peak = Math.max(peak, rss()), 20);
  const t0 = performance.now();
  try {
    const result = await fn();
    return { result, ms: Math.round(performance.now() - t0), peakMb: Math.round(peak / MB) };
  } finally {
    clearInterval(timer);
  }
}

let db: Db | null = null;
let poller: WorkerPoller | null = null;
let dataDir = "";
let dbUrl = "";

async function handle(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
  switch (cmd.cmd) {
    case "init": {
      dbUrl = cmd.dbUrl as string;
      dataDir = cmd.dataDir as string;
      db = await openDatabase(dbUrl);
      const config = parseConfig([], {
        SINGDECK_DATA_DIR: dataDir,
        SINGDECK_API_TOKEN: (cmd.apiToken as string | undefined) ?? "",
      });
      if (cmd.adminPassword) await ensureAdmin(db, cmd.adminPassword as string, Date.now());
      const app = createApp({ db, config, services: idleServices() });
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
      const port = server.addr.port;
      if (!cmd.stats) return { port, rssMb: Math.round(rss() / MB) };
      const runId = await insertCoreRun(db, {
        startedAt: Date.now(),
        reason: "bench",
        pid: null,
        apiListen: cmd.stats as string,
      });
      poller = new WorkerPoller({
        db,
        dbUrl,
        core: {
          current: () => ({ runId, apiListen: cmd.stats as string, pid: null }),
          runReplaced() {},
        },
        lock: new Mutex(),
        intervalMs: 3_600_000,
        deadlineMs: 120_000,
        log: () => {},
      });
      await poller.reloadTargets();
      return { port, rssMb: Math.round(rss() / MB) };
    }
    case "poll": {
      const m = await measured(() => poller!.pollNow());
      const status = poller!.status();
      return {
        ms: m.ms,
        phases: status.lastPollPhasesMs,
        state: status.state,
        peakMb: m.peakMb,
        rssMb: Math.round(rss() / MB),
      };
    }
    case "idle": {
      const m = await measured(() => new Promise((r) => setTimeout(r, cmd.ms as number)));
      return { peakMb: m.peakMb, rssMb: Math.round(rss() / MB) };
    }
    case "apply": {
      const core = new CoreService({
        db: db!,
        dbUrl,
        binary: cmd.binary as string,
        dataDir,
        logLevel: "warn",
        pollIntervalMs: 3_600_000,
        startTimeoutMs: 60_000,
        log: () => {},
      });
      const start = await measured(() => core.startup());
      const state = core.status();
      const again = await measured(async () => {
        core.requestApply("global change");
        await core.settled();
      });
      const firstPoll = await measured(() => core.poller.pollNow());
      const stop = await measured(() => core.shutdown());
      return {
        kind: state.kind,
        state: state.state,
        error: state.configError ?? state.lastError,
        startMs: start.ms,
        startPeakMb: start.peakMb,
        againMs: again.ms,
        againPeakMb: again.peakMb,
        firstPollMs: firstPoll.ms,
        stopMs: stop.ms,
        rssMb: Math.round(rss() / MB),
      };
    }
    case "exit":
      await poller?.close();
      await db?.destroy();
      setTimeout(() => Deno.exit(0), 10);
      return {};
  }
  throw new Error(`unknown command ${JSON.stringify(cmd)}`);
}

const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
let rest = "";
for await (const chunk of lines) {
  rest += chunk;
  let at: number;
  while ((at = rest.indexOf("\n")) >= 0) {
    const line = rest.slice(0, at);
    rest = rest.slice(at + 1);
    let reply: Record<string, unknown>;
    try {
      reply = await handle(JSON.parse(line));
    } catch (e) {
      reply = { error: (e as Error).stack ?? String(e) };
    }
    const heap = Deno.memoryUsage();
    reply.mainHeapMb = Math.round(heap.heapUsed / MB);
    reply.mainExternalMb = Math.round(heap.external / MB);
    console.log(JSON.stringify(reply));
  }
}
