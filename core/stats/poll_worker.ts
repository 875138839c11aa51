/**
 * The poll worker: runs the StatsPoller engine in its own thread with its own database
 * connection, so decoding 200,000 counters, computing the deltas and the synchronous
 * SQLite statements of the write never stall the panel's event loop. The main thread
 * (worker_poller.ts) says when to poll and which core run is current, and holds its own
 * write lock meanwhile (SQLite has one writer). See `WorkerRequest` for the messages.
 */
/// <reference lib="deno.worker" />
import { type Db, openDatabase } from "../../db/database.ts";
import { endCoreRun, insertCoreRun } from "../../db/traffic.ts";
import { Mutex } from "../mutex.ts";
import { type PollOutcome, StatsPoller } from "./poller.ts";
import { StatsClient } from "./stats_client.ts";
import type { StatsStatus } from "../services.ts";

/** Messages the main thread sends; each gets one `WorkerReply` with the same `id`. */
export type WorkerRequest =
  | { id: number; type: "open"; dbUrl: string; dbAuthToken?: string; deadlineMs: number }
  | {
    id: number;
    type: "poll";
    runId: number;
    apiListen: string;
    pid: number | null;
    now: number;
  }
  | { id: number; type: "reloadTargets"; inboundIds?: number[] }
  | { id: number; type: "close" };

export type WorkerReply =
  | { id: number; type: "done" }
  | {
    id: number;
    type: "polled";
    status: StatsStatus;
    outcome: PollOutcome | null;
    /** Set when the poll found the core restarted unseen and recorded a new run. */
    newRunId: number | null;
  }
  | { id: number; type: "failed"; message: string };

let db: Db | null = null;
let source: StatsClient | null = null;
let poller: StatsPoller | null = null;
let request: Extract<WorkerRequest, { type: "poll" }> | null = null;
let newRunId: number | null = null;
let clock = 0;
const logs: string[] = [];

async function open(message: Extract<WorkerRequest, { type: "open" }>) {
  db = await openDatabase(message.dbUrl, message.dbAuthToken);
  source = new StatsClient("127.0.0.1:1", { deadlineMs: message.deadlineMs });
  const database = db;
  poller = new StatsPoller({
    db: database,
    source,
    lock: new Mutex(),
    intervalMs: 0, // never scheduled here: the main thread decides when to poll
    now: () => clock,
    log: (line) => logs.push(line),
    core: {
      current: () => ({ runId: newRunId ?? request!.runId, apiListen: request!.apiListen }),
      async newRun(reason) {
        const old = newRunId ?? request!.runId;
        const id = await insertCoreRun(database, {
          startedAt: clock,
          reason,
          pid: request!.pid,
          apiListen: request!.apiListen,
        });
        await endCoreRun(database, old, null, clock);
        newRunId = id;
        return id;
      },
    },
  });
}

async function handle(message: WorkerRequest): Promise<WorkerReply> {
  switch (message.type) {
    case "open":
      await open(message);
      return { id: message.id, type: "done" };
    case "reloadTargets":
      await poller!.reloadTargets(message.inboundIds);
      return { id: message.id, type: "done" };
    case "poll": {
      request = message;
      newRunId = null;
      clock = message.now;
      const outcome = await poller!.pollLocked();
      // A poll of 360,000 counters leaves ~100 MB of garbage in this isolate, which V8
      // would let pile up to several times the ~120 MB that stays live; collect it now,
      // in this thread, while nothing waits (the panel runs with --expose-gc).
      (globalThis as { gc?: () => void }).gc?.();
      return { id: message.id, type: "polled", status: poller!.status(), outcome, newRunId };
    }
    case "close":
      source?.close();
      await db?.destroy();
      db = null;
      return { id: message.id, type: "done" };
  }
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const message = event.data;
  let reply: WorkerReply;
  try {
    reply = await handle(message);
  } catch (e) {
    reply = { id: message.id, type: "failed", message: (e as Error).message };
  }
  self.postMessage({ ...reply, logs: logs.splice(0) });
};
