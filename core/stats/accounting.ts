/**
 * Exactly-once traffic accounting: from one poll's counter values and the persisted
 * cursors, the deltas to add to each total and the cursors to advance. Pure: the poller
 * applies the result in one transaction and only then trusts the new cursors.
 *
 * Rules (SPEC "Traffic accounting"):
 * - a cursor from another core run → the counter restarted at 0: its delta is its full value;
 * - uptime lower than its cursor in the same run → the core restarted without the panel
 *   knowing: `resetDetected`, and the caller recomputes under a new run;
 * - a counter lower than its cursor while the uptime went on → something reset that counter
 *   through the (unauthenticated) StatsService: it counts from zero again (its delta is its
 *   value), the others go on, and `externalResets` says how many; nothing is counted twice
 *   or negative, and at most the bytes between the last poll and the reset are lost;
 * - names that map to nothing (not in the running config) are skipped and counted.
 */
import { counterName, type Direction, parseCounterName } from "./stats_names.ts";

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

/**
 * A (user, inbound) pair's traffic and, when they changed, its counters' cursors (stored
 * in the pair's row): `runId` 0 means no cursor changed; a null `seen*` means that
 * direction's cursor did not change.
 */
export interface PairDelta extends Traffic {
  userId: number;
  inboundId: number;
  runId: number;
  seenUplink: number | null;
  seenDownlink: number | null;
}

export interface StatsDeltas {
  users: Map<number, Traffic>;
  /** Keyed `${userId}:${inboundId}`. */
  pairs: Map<string, PairDelta>;
  inbounds: Map<number, Traffic>;
  outbounds: Map<string, Traffic>;
  /** Every cursor whose run or value changed, by counter name (the poller's memory). */
  cursors: Map<string, StatCursor>;
  /** Of those, the ones not stored in a pair row (inbounds, outbounds, uptime, unknown). */
  otherCursors: Map<string, StatCursor>;
}

export interface DeltaResult {
  /** The uptime went backwards within one run: recompute under a new run. */
  resetDetected: boolean;
  deltas: StatsDeltas;
  /** Counters whose name maps to no user, inbound or outbound. */
  unknown: number;
  /** Counters found lower than their cursor while the core kept running (reset from outside). */
  externalResets: number;
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
    otherCursors: new Map(),
  };
}

/** A counter name of the running config, resolved once per config rather than per poll. */
type Resolved =
  | { kind: "pair"; dir: Direction; userId: number; inboundId: number; key: string }
  | { kind: "inbound"; dir: Direction; inboundId: number };

const resolvedByTargets = new WeakMap<StatTargets, Map<string, Resolved>>();

/** Every counter name `targets` stands for, resolved (cached per targets object). */
function resolveTargets(targets: StatTargets): Map<string, Resolved> {
  let index = resolvedByTargets.get(targets);
  if (index) return index;
  index = new Map();
  for (const dir of ["uplink", "downlink"] as const) {
    for (const [name, p] of targets.pairs) {
      const key = `${p.userId}:${p.inboundId}`;
      index.set(counterName("user", name, dir), {
        kind: "pair",
        dir,
        userId: p.userId,
        inboundId: p.inboundId,
        key,
      });
    }
    for (const [tag, inboundId] of targets.inbounds) {
      index.set(counterName("inbound", tag, dir), { kind: "inbound", dir, inboundId });
    }
  }
  resolvedByTargets.set(targets, index);
  return index;
}

/**
 * Changes `targets` in place for one inbound: its pairs become exactly `pairs` (name →
 * user and inbound ids), and its tag maps to its id (or is removed when `tag` is null).
 * The resolved index of `targets`, if built, is kept in step, so the next poll does not
 * rebuild it over every pair.
 */
export function replaceInboundTargets(
  targets: StatTargets,
  inboundId: number,
  tag: string | null,
  pairs: Map<string, { userId: number; inboundId: number }>,
): void {
  const index = resolvedByTargets.get(targets);
  for (const [name, p] of targets.pairs) {
    if (p.inboundId !== inboundId || pairs.has(name)) continue;
    targets.pairs.delete(name);
    index?.delete(counterName("user", name, "uplink"));
    index?.delete(counterName("user", name, "downlink"));
  }
  for (const [name, p] of pairs) {
    targets.pairs.set(name, p);
    if (!index) continue;
    const key = `${p.userId}:${p.inboundId}`;
    for (const dir of ["uplink", "downlink"] as const) {
      index.set(counterName("user", name, dir), {
        kind: "pair",
        dir,
        userId: p.userId,
        inboundId: p.inboundId,
        key,
      });
    }
  }
  for (const [oldTag, id] of targets.inbounds) {
    if (id !== inboundId || oldTag === tag) continue;
    targets.inbounds.delete(oldTag);
    index?.delete(counterName("inbound", oldTag, "uplink"));
    index?.delete(counterName("inbound", oldTag, "downlink"));
  }
  if (tag !== null) {
    targets.inbounds.set(tag, inboundId);
    for (const dir of ["uplink", "downlink"] as const) {
      index?.set(counterName("inbound", tag, dir), { kind: "inbound", dir, inboundId });
    }
  }
}

/** Computes one poll's deltas; see the module comment for the rules. */
export function computeStatsDeltas(input: DeltaInput): DeltaResult {
  const { counters, runId, cursors, targets } = input;
  const deltas = emptyDeltas();
  const uptimeCursor = cursors.get(UPTIME_CURSOR);
  const uptimeKnown = uptimeCursor !== undefined && uptimeCursor.runId === runId;
  if (uptimeKnown && input.uptime < uptimeCursor.value) {
    return { resetDetected: true, deltas, unknown: 0, externalResets: 0 };
  }
  const index = resolveTargets(targets);
  let unknown = 0;
  let externalResets = 0;
  for (const [name, value] of counters) {
    const cursor = cursors.get(name);
    const sameRun = cursor !== undefined && cursor.runId === runId;
    let delta = sameRun ? value - cursor.value : value;
    if (delta < 0) {
      // Without an uptime of this run to compare with, a restart cannot be told apart.
      if (!uptimeKnown) {
        return { resetDetected: true, deltas: emptyDeltas(), unknown: 0, externalResets: 0 };
      }
      externalResets++;
      delta = value;
    }
    // A zero counter with no cursor needs none: absent means 0 in any run.
    const cursorChanged = (!sameRun || delta !== 0) && (value !== 0 || cursor !== undefined);
    if (!cursorChanged) continue; // unchanged: nothing to add, nothing to write
    const next = { runId, value };
    deltas.cursors.set(name, next);
    const target = index.get(name);
    if (target?.kind === "pair") {
      let p = deltas.pairs.get(target.key);
      if (!p) {
        p = {
          userId: target.userId,
          inboundId: target.inboundId,
          uplink: 0,
          downlink: 0,
          runId: 0,
          seenUplink: null,
          seenDownlink: null,
        };
        deltas.pairs.set(target.key, p);
      }
      p.runId = runId;
      if (target.dir === "uplink") p.seenUplink = value;
      else p.seenDownlink = value;
      if (delta === 0) continue;
      p[target.dir] += delta;
      add(deltas.users, target.userId, target.dir, delta);
      continue;
    }
    deltas.otherCursors.set(name, next);
    if (delta === 0) continue;
    if (target?.kind === "inbound") {
      add(deltas.inbounds, target.inboundId, target.dir, delta);
      continue;
    }
    const parsed = parseCounterName(name);
    if (parsed?.kind === "outbound") add(deltas.outbounds, parsed.name, parsed.direction, delta);
    else unknown++; // a user or inbound not in the running config, or a name we do not know
  }
  if (!uptimeCursor || uptimeCursor.runId !== runId || uptimeCursor.value !== input.uptime) {
    const next = { runId, value: input.uptime };
    deltas.cursors.set(UPTIME_CURSOR, next);
    deltas.otherCursors.set(UPTIME_CURSOR, next);
  }
  return { resetDetected: false, deltas, unknown, externalResets };
}
