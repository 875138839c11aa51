/**
 * The main thread's side of the poll worker (poll_worker.ts): schedules polls (never
 * overlapping), takes the apply pipeline's lock and the database write lock for each, and
 * keeps the last status the worker reported. What a poll found (quota crossed, periodic
 * resets) comes back as ids for the core to act on.
 */
import { type Db, holdWrites } from "../../db/database.ts";
import type { Mutex } from "../mutex.ts";
import { INITIAL_STATS_STATUS, type StatsControl, type StatsStatus } from "../services.ts";
import { PollTimer } from "./poll_timer.ts";
import type { PollOutcome } from "./poller.ts";
import type { WorkerReply, WorkerRequest } from "./poll_worker.ts";

/** What the worker poller needs to know about the core it polls. */
export interface WorkerCoreView {
  /** The current run's id, API address and process, or why there is nothing to poll. */
  current(): { runId: number; apiListen: string; pid: number | null } | { stale: string };
  /** The worker found the core restarted unseen and recorded run `runId` for it. */
  runReplaced(runId: number): void;
}

export interface WorkerPollerOptions {
  db: Db;
  dbUrl: string;
  dbAuthToken?: string;
  core: WorkerCoreView;
  lock: Mutex;
  intervalMs: number;
  /** StatsService call deadline. Default 5000 ms. */
  deadlineMs?: number;
  now?: () => number;
  log?: (message: string) => void;
  onApplied?: (outcome: PollOutcome) => void;
}

type Reply = WorkerReply & { logs: string[] };

export class WorkerPoller implements StatsControl {
  readonly #o: WorkerPollerOptions;
  readonly #now: () => number;
  readonly #log: (message: string) => void;
  readonly #worker: Worker;
  readonly #pending = new Map<number, (reply: Reply) => void>();
  #nextId = 1;
  #opened: Promise<Reply>;
  #status: StatsStatus = { ...INITIAL_STATS_STATUS };
  readonly #timer: PollTimer;
  #closed = false;

  constructor(options: WorkerPollerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? ((m) => console.log(`stats: ${m}`));
    this.#timer = new PollTimer(options.intervalMs, () => this.pollNow());
    this.#worker = new Worker(new URL("./poll_worker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (event: MessageEvent<Reply>) => {
      const reply = event.data;
      for (const line of reply.logs) this.#log(line);
      this.#pending.get(reply.id)?.(reply);
      this.#pending.delete(reply.id);
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#log(`poll worker failed: ${event.message}`);
    };
    this.#opened = this.#send({
      type: "open",
      dbUrl: options.dbUrl,
      dbAuthToken: options.dbAuthToken,
      deadlineMs: options.deadlineMs ?? 5000,
    });
  }

  #send(request: DistributiveOmit<WorkerRequest, "id">): Promise<Reply> {
    const id = this.#nextId++;
    const { promise, resolve } = Promise.withResolvers<Reply>();
    this.#pending.set(id, resolve);
    this.#worker.postMessage({ ...request, id });
    return promise;
  }

  async #call(request: DistributiveOmit<WorkerRequest, "id">): Promise<Reply> {
    const opened = await this.#opened;
    if (opened.type === "failed") {
      throw new Error(`Poll worker cannot open the database: ${opened.message}`);
    }
    const reply = await this.#send(request);
    if (reply.type === "failed") throw new Error(reply.message);
    return reply;
  }

  status(): StatsStatus {
    return { ...this.#status };
  }

  /** Makes the worker reload some inbounds' stats targets (or all) from the database. */
  async reloadTargets(inboundIds?: number[]): Promise<void> {
    await this.#call({ type: "reloadTargets", inboundIds });
  }

  /** Starts polling every interval; the first poll runs after one interval. */
  start(): void {
    this.#timer.start();
  }

  /** Stops polling and waits for a poll in flight. */
  stop(): Promise<void> {
    return this.#timer.stop();
  }

  /** Stops polling and ends the worker. */
  async close(): Promise<void> {
    await this.stop();
    if (this.#closed) return;
    this.#closed = true;
    await this.#call({ type: "close" }).catch(() => {});
    this.#worker.terminate();
  }

  /** Polls now, after any poll or config swap in flight. Never throws. */
  pollNow(): Promise<void> {
    return this.#o.lock.run(async () => void await this.pollLocked());
  }

  /**
   * Polls now; the caller holds the lock. Never throws. Returns what the poll found, or
   * null when nothing was committed.
   */
  async pollLocked(): Promise<PollOutcome | null> {
    const current = this.#o.core.current();
    if ("stale" in current) {
      if (this.#status.reason !== current.stale) this.#log(`stats are stale: ${current.stale}`);
      this.#status = { ...this.#status, state: "stale", reason: current.stale };
      return null;
    }
    let reply: Reply;
    const release = await holdWrites(this.#o.db);
    try {
      reply = await this.#call({ type: "poll", ...current, now: this.#now() });
    } catch (e) {
      this.#status = { ...this.#status, state: "stale", reason: (e as Error).message };
      return null;
    } finally {
      release();
    }
    if (reply.type !== "polled") return null;
    this.#status = reply.status;
    if (reply.newRunId !== null) this.#o.core.runReplaced(reply.newRunId);
    if (reply.outcome) this.#o.onApplied?.(reply.outcome);
    return reply.outcome;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
