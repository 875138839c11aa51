/**
 * Exactly-once traffic accounting: from one poll's counter values and the persisted
 * cursors, the deltas to add to each total and the cursors to advance. Pure: the poller
 * applies the result in one transaction and only then trusts the new cursors.
 *
 * Rules (SPEC "Traffic accounting"):
 * - a cursor from another core run → the counter restarted at 0: its delta is its full value;
 * - uptime or any counter lower than its cursor in the same run → the core restarted
 *   without the panel knowing: `resetDetected`, and the caller recomputes under a new run;
 * - names that map to nothing (not in the running config) are skipped and counted.
 */
import { type Direction, parseCounterName } from "./stats_names.ts";

/** Last value seen of a counter and the run it belongs to. */
export interface StatCursor {
  runId: number;
  value: number;
}

/** The cursor name under which the stats service's uptime is kept. */
export const UPTIME_CURSOR = "sys>>>uptime";

/** What the running config's stats names stand for. */
export interface StatTargets {
  /** Pair name (user|tag) → user and inbound ids. */
  pairs: Map<string, { userId: number; inboundId: number }>;
  /** Inbound tag → inbound id. */
  inbounds: Map<string, number>;
}

export interface Traffic {
  uplink: number;
  downlink: number;
}

export interface StatsDeltas {
  users: Map<number, Traffic>;
  /** Keyed `${userId}:${inboundId}`. */
  pairs: Map<string, Traffic & { userId: number; inboundId: number }>;
  inbounds: Map<number, Traffic>;
  outbounds: Map<string, Traffic>;
  /** Cursors whose run or value changed. */
  cursors: Map<string, StatCursor>;
}

export interface DeltaResult {
  /** The counters or uptime went backwards within one run: recompute under a new run. */
  resetDetected: boolean;
  deltas: StatsDeltas;
  /** Counters whose name maps to no user, inbound or outbound. */
  unknown: number;
  /** Bytes in this poll, for logs. */
  totalBytes: number;
}

export interface DeltaInput {
  counters: Map<string, number>;
  uptime: number;
  runId: number;
  cursors: Map<string, StatCursor>;
  targets: StatTargets;
}

function add(map: Map<number | string, Traffic>, key: number | string, dir: Direction, n: number) {
  let t = map.get(key);
  if (!t) map.set(key, t = { uplink: 0, downlink: 0 });
  t[dir] += n;
}

function emptyDeltas(): StatsDeltas {
  return {
    users: new Map(),
    pairs: new Map(),
    inbounds: new Map(),
    outbounds: new Map(),
    cursors: new Map(),
  };
}

/** Computes one poll's deltas; see the module comment for the rules. */
export function computeStatsDeltas(input: DeltaInput): DeltaResult {
  const { counters, runId, cursors, targets } = input;
  const deltas = emptyDeltas();
  const uptimeCursor = cursors.get(UPTIME_CURSOR);
  if (uptimeCursor && uptimeCursor.runId === runId && input.uptime < uptimeCursor.value) {
    return { resetDetected: true, deltas, unknown: 0, totalBytes: 0 };
  }
  let unknown = 0;
  let totalBytes = 0;
  for (const [name, value] of counters) {
    const cursor = cursors.get(name);
    const sameRun = cursor !== undefined && cursor.runId === runId;
    if (sameRun && value < cursor.value) {
      return { resetDetected: true, deltas: emptyDeltas(), unknown: 0, totalBytes: 0 };
    }
    const delta = sameRun ? value - cursor.value : value;
    if (!sameRun || delta !== 0) {
      // A zero counter with no cursor needs none: absent means 0 in any run.
      if (value !== 0 || cursor !== undefined) deltas.cursors.set(name, { runId, value });
    }
    if (delta === 0) continue;
    const parsed = parseCounterName(name);
    if (!parsed) {
      unknown++;
      continue;
    }
    const dir = parsed.direction;
    if (parsed.kind === "user") {
      const pair = targets.pairs.get(parsed.name);
      if (!pair) {
        unknown++;
        continue;
      }
      add(deltas.users, pair.userId, dir, delta);
      const key = `${pair.userId}:${pair.inboundId}`;
      let p = deltas.pairs.get(key);
      if (!p) deltas.pairs.set(key, p = { ...pair, uplink: 0, downlink: 0 });
      p[dir] += delta;
    } else if (parsed.kind === "inbound") {
      const inboundId = targets.inbounds.get(parsed.name);
      if (inboundId === undefined) {
        unknown++;
        continue;
      }
      add(deltas.inbounds, inboundId, dir, delta);
      totalBytes += delta;
    } else {
      add(deltas.outbounds, parsed.name, dir, delta);
    }
  }
  if (!uptimeCursor || uptimeCursor.runId !== runId || uptimeCursor.value !== input.uptime) {
    deltas.cursors.set(UPTIME_CURSOR, { runId, value: input.uptime });
  }
  return { resetDetected: false, deltas, unknown, totalBytes };
}

/** Whether a delta set adds any traffic (cursor-only changes excluded). */
export function hasTraffic(d: StatsDeltas): boolean {
  return d.users.size + d.pairs.size + d.inbounds.size + d.outbounds.size > 0;
}
