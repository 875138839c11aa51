/**
 * The stats poller: every interval (never overlapping) it reads all counters from the
 * core's StatsService, turns them into deltas against the persisted cursors and applies
 * totals and cursors in one transaction. The cursors in memory advance only after that
 * transaction committed, so a failed write is retried, whole and once, by the next poll.
 * After a committed poll it finds the users who just reached their quota or expired and
 * resets the traffic of users whose period ended, and hands their ids on.
 *
 * The panel runs this engine in a Worker (poll_worker.ts, worker_poller.ts) so its CPU
 * work and synchronous database statements never stall the web server; tests run it
 * directly.
 */
import type { Db } from "../../db/database.ts";
import {
  applyStatsDeltas,
  loadStatCursors,
  loadStatTargets,
  usersCrossingLimits,
} from "../../db/traffic.ts";
import { resetDueTraffic } from "../users/periodic_reset.ts";
import {
  computeStatsDeltas,
  replaceInboundTargets,
  type StatCursor,
  type StatTargets,
} from "./accounting.ts";
import type { Mutex } from "../mutex.ts";
import { INITIAL_STATS_STATUS, type StatsControl, type StatsStatus } from "../services.ts";
import { PollTimer } from "./poll_timer.ts";
import { StatsApiError } from "./stats_client.ts";

/** The part of `StatsClient` the poller uses. */
export interface StatsSource {
  /** Every counter as (name, exact value); throws RangeError beyond 2^53. */
  queryCounters(): Promise<Iterable<readonly [string, number]>>;
  uptime(): Promise<number>;
  setAddress(address: string): void;
}

/** What the poller needs to know about the core it polls. */
export interface CoreRunView {
  /** The current run's id and API address, or why there is nothing to poll. */
  current(): { runId: number; apiListen: string } | { stale: string };
  /** Records that the core restarted unseen (uptime went backwards); returns the new run id. */
  newRun(reason: string): Promise<number>;
}

/** What one committed poll found, for the core to act on. */
export interface PollOutcome {
  /** Users whose traffic grew. */
  grownUserIds: number[];
  /** Of those, users now at or over their quota, plus users whose expiry just passed. */
  crossedUserIds: number[];
  /** Users whose periodic reset just zeroed their traffic. */
  resetUserIds: number[];
}

export interface PollerOptions {
  db: Db;
  source: StatsSource;
  core: CoreRunView;
  /** Shared with the apply pipeline: polls and config swaps never interleave. */
  lock: Mutex;
  intervalMs: number;
  now?: () => number;
  log?: (message: string) => void;
  /** Called after a poll committed traffic (quota, expiry and reset handling). */
  onApplied?: (outcome: PollOutcome) => void;
}

/** The status's words for counters reset from outside the panel. */
export const EXTERNAL_RESET_REASON = "counters were reset externally";

export class StatsPoller implements StatsControl {
  readonly #o: PollerOptions;
  readonly #now: () => number;
  readonly #log: (message: string) => void;
  #cursors: Map<string, StatCursor> | null = null;
  #targets: StatTargets | null = null;
  readonly #timer: PollTimer;
  #lastLimitCheck: number;
  #status: StatsStatus = { ...INITIAL_STATS_STATUS };
  #lastLogged = "";

  constructor(options: PollerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? ((m) => console.log(`stats: ${m}`));
    this.#lastLimitCheck = this.#now();
    this.#timer = new PollTimer(options.intervalMs, () => this.pollNow());
  }

  status(): StatsStatus {
    return { ...this.#status };
  }

  /** Replaces the stats targets (after the apply pipeline wrote a new config). */
  setTargets(targets: StatTargets): void {
    this.#targets = targets;
  }

  /** Reloads the targets of some inbounds (or all) from the database. */
  async reloadTargets(inboundIds?: number[]): Promise<void> {
    if (this.#targets === null || inboundIds === undefined) {
      this.#targets = await loadStatTargets(this.#o.db);
      return;
    }
    const fresh = await loadStatTargets(this.#o.db, inboundIds);
    for (const inboundId of inboundIds) {
      const tag = [...fresh.inbounds].find(([, id]) => id === inboundId)?.[0] ?? null;
      const pairs = new Map([...fresh.pairs].filter(([, p]) => p.inboundId === inboundId));
      replaceInboundTargets(this.#targets, inboundId, tag, pairs);
    }
    // Pairs that come back within a core run continue from their stored cursors.
    if (this.#cursors) {
      const stored = await loadStatCursors(this.#o.db, fresh, { pairsOnly: true });
      for (const [name, cursor] of stored) {
        if (!this.#cursors.has(name)) this.#cursors.set(name, cursor);
      }
    }
  }

  /** Starts polling every interval; the first poll runs after one interval. */
  start(): void {
    this.#timer.start();
  }

  /** Stops polling and waits for a poll in flight. */
  stop(): Promise<void> {
    return this.#timer.stop();
  }

  /** Polls now, after any poll or config swap in flight. Never throws. */
  pollNow(): Promise<void> {
    return this.#o.lock.run(async () => void await this.pollLocked());
  }

  /**
   * Polls now; the caller holds the lock (the apply pipeline's flush before a planned
   * restart). Never throws: failures are logged once per state change and shown as stale.
   * Returns what the poll found, or null when nothing was committed.
   */
  async pollLocked(): Promise<PollOutcome | null> {
    const started = performance.now();
    const current = this.#o.core.current();
    if ("stale" in current) {
      this.#setStale(current.stale);
      return null;
    }
    let outcome: PollOutcome;
    try {
      this.#o.source.setAddress(current.apiListen);
      const [counters, uptime] = await Promise.all([
        this.#o.source.queryCounters(),
        this.#o.source.uptime(),
      ]);
      const queried = performance.now();
      this.#targets ??= await loadStatTargets(this.#o.db);
      this.#cursors ??= await loadStatCursors(this.#o.db, this.#targets);
      const input = {
        counters,
        uptime,
        runId: current.runId,
        cursors: this.#cursors,
        targets: this.#targets,
      };
      let result = computeStatsDeltas(input);
      if (result.resetDetected) {
        const runId = await this.#o.core.newRun("stats uptime went backwards");
        this.#log(
          `the core restarted unseen within run ${current.runId}: counting run ${runId} from zero`,
        );
        result = computeStatsDeltas({ ...input, runId });
      }
      const computed = performance.now();
      await applyStatsDeltas(this.#o.db, result.deltas);
      const written = performance.now();
      result.deltas.cursors.advance(this.#cursors, this.#targets);
      if (result.externalResets > 0) {
        this.#log(
          `${EXTERNAL_RESET_REASON}: ${result.externalResets} counters were lower than at the ` +
            "last poll while the core kept running; they count from zero again",
        );
      }
      const now = this.#now();
      this.#status = {
        state: "ok",
        reason: null,
        lastPollAt: now,
        lastPollMs: Math.round(written - started),
        lastPollPhasesMs: {
          query: Math.round(queried - started),
          compute: Math.round(computed - queried),
          write: Math.round(written - computed),
        },
        countersSeen: result.seen,
        unknownCounters: result.unknown,
        externalResets: this.#status.externalResets + result.externalResets,
        lastExternalResetAt: result.externalResets > 0 ? now : this.#status.lastExternalResetAt,
      };
      this.#logState("ok", "stats polling works");
      outcome = await this.#afterPoll([...result.deltas.users.keys()], now);
    } catch (e) {
      this.#setStale(staleReason(e, current.apiListen));
      return null;
    }
    this.#o.onApplied?.(outcome);
    return outcome;
  }

  /** Quota, expiry and periodic resets after a committed poll; a failure is logged only. */
  async #afterPoll(grownUserIds: number[], now: number): Promise<PollOutcome> {
    const since = this.#lastLimitCheck;
    this.#lastLimitCheck = now;
    let crossedUserIds: number[] = [];
    let resetUserIds: number[] = [];
    try {
      crossedUserIds = await usersCrossingLimits(this.#o.db, grownUserIds, since, now);
    } catch (e) {
      this.#log(`limit check failed: ${(e as Error).message}`);
    }
    try {
      resetUserIds = await resetDueTraffic(this.#o.db, now);
      if (resetUserIds.length > 0) {
        this.#log(`periodic traffic reset: ${resetUserIds.length} users`);
      }
    } catch (e) {
      this.#log(`periodic traffic reset failed: ${(e as Error).message}`);
    }
    return { grownUserIds, crossedUserIds, resetUserIds };
  }

  #setStale(reason: string): void {
    this.#status = { ...this.#status, state: "stale", reason };
    this.#logState("stale", `stats are stale: ${reason}`);
  }

  /** Logs once per change of state or reason, not once per poll. */
  #logState(key: string, message: string): void {
    const fingerprint = `${key}:${this.#status.reason ?? ""}`;
    if (fingerprint === this.#lastLogged) return;
    this.#lastLogged = fingerprint;
    this.#log(message);
  }
}

/** A stable, operator-readable reason (stable so it is logged once, not every poll). */
function staleReason(e: unknown, apiListen: string): string {
  if (e instanceof StatsApiError) {
    if (e.reason === "unreachable") return `Stats API at ${apiListen} is unreachable`;
    if (e.reason === "timeout") return `Stats API at ${apiListen} did not answer in time`;
    return `Stats API at ${apiListen} refused the query: ${e.message}`;
  }
  return `Could not record traffic: ${(e as Error).message}`;
}
