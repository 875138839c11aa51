/**
 * What the web layer needs from the running core and the stats poller. `main.ts` wires
 * the real supervisor and poller; tests of the web layer may pass `idleServices()`.
 */

export type CoreState = "running" | "starting" | "stopped" | "crashed" | "missing";

export interface CoreStatus {
  state: CoreState;
  /** singdeck-core (changes without restarts) or plain sing-box (restarts), once detected. */
  kind: "singdeck-core" | "sing-box" | null;
  binary: string;
  /** The sing-box version (embedded in singdeck-core). */
  version: string | null;
  /** singdeck-core's own version. */
  coreVersion: string | null;
  tags: string[];
  hasV2rayApi: boolean;
  pid: number | null;
  /** Epoch ms when the current process started, or null. */
  startedAt: number | null;
  restarts: number;
  lastError: string | null;
  /** Error of the last refused config (sing-box check), or null. */
  configError: string | null;
  /** User pairs singdeck-core refuses right now (not yet rebuilt out of their inbounds). */
  blockedUsers: number;
  /** Inbounds left out of the running config because the core refused them. */
  failedInbounds: Array<{ tag: string; reason: string }>;
}

export type StatsState = "ok" | "stale" | "idle";

export interface StatsStatus {
  state: StatsState;
  /** Why stats are stale, in the operator's words. */
  reason: string | null;
  lastPollAt: number | null;
  lastPollMs: number | null;
  /** Where the last poll's time went: the gRPC query, computing deltas, the DB write. */
  lastPollPhasesMs?: { query: number; compute: number; write: number };
  countersSeen: number;
  unknownCounters: number;
  /**
   * Counters found lower than at the previous poll while the core kept running, since the
   * panel started: something reset them through the StatsService (which sing-box serves
   * without authentication). Shown as "counters were reset externally".
   */
  externalResets: number;
  lastExternalResetAt: number | null;
}

/** The status of stats not polled yet. */
export const INITIAL_STATS_STATUS: Readonly<StatsStatus> = {
  state: "idle",
  reason: "not polled yet",
  lastPollAt: null,
  lastPollMs: null,
  countersSeen: 0,
  unknownCounters: 0,
  externalResets: 0,
  lastExternalResetAt: null,
};

/**
 * What a change touched, so the core can act on those users and inbounds only (block or
 * unblock a user at once, rebuild one inbound) instead of reloading everything. Without a
 * scope, or with an empty one, the whole config is rebuilt.
 */
export interface ApplyScope {
  userIds?: number[];
  inboundIds?: number[];
}

export interface CoreControl {
  status(): CoreStatus;
  /**
   * Asks for the config to be regenerated and applied after a change that sing-box sees;
   * several calls close together cause one apply.
   */
  requestApply(reason: string, scope?: ApplyScope): void;
  /** Applies now and waits; resolves with the error text if sing-box refused the config. */
  applyNow(reason: string): Promise<string | null>;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  logLines(): string[];
  /** The last config written, or null. */
  currentConfig(): Promise<Record<string, unknown> | null>;
}

export interface StatsControl {
  status(): StatsStatus;
  /** Polls now (outside the schedule), waiting for any poll in flight first. */
  pollNow(): Promise<void>;
}

export interface Services {
  core: CoreControl;
  stats: StatsControl;
}

/** Services that do nothing: a panel without a core (used by web-layer tests). */
export function idleServices(binary = "sing-box"): Services {
  return {
    core: {
      status: () => ({
        state: "missing",
        kind: null,
        binary,
        version: null,
        coreVersion: null,
        tags: [],
        hasV2rayApi: false,
        pid: null,
        startedAt: null,
        restarts: 0,
        lastError: null,
        configError: null,
        blockedUsers: 0,
        failedInbounds: [],
      }),
      requestApply: () => {},
      applyNow: () => Promise.resolve(null),
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      restart: () => Promise.resolve(),
      logLines: () => [],
      currentConfig: () => Promise.resolve(null),
    },
    stats: {
      status: () => ({ ...INITIAL_STATS_STATUS, reason: "sing-box is not running" }),
      pollNow: () => Promise.resolve(),
    },
  };
}
