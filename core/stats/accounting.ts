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
import { type Direction, parseCounterName } from "./stats_names.ts";

/** Last value seen of a counter and the run it belongs to. */
export interface StatCursor {
  runId: number;
  value: number;
}

/** A pair of the running config: what its two counters' bytes are credited to. */
export interface PairTarget {
  userId: number;
  inboundId: number;
}

/** A cursor with what its counter stands for, kept between polls (the poller's memory). */
interface ResolvedCursor extends StatCursor {
  target?: Resolution;
  /** The targets (and their version) `target` was found in. */
  resolvedIn?: StatTargets;
  resolvedVersion?: number;
}

type Resolution =
  | { kind: "pair"; dir: Direction; pair: PairTarget }
  | { kind: "inbound"; dir: Direction; inboundId: number }
  | null;

/** Changes of each targets object, so a cached resolution knows when it is stale. */
const targetVersions = new WeakMap<StatTargets, number>();

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
  /** One per pair whose traffic or cursors changed (keyed by the pair's target). */
  pairs: Map<PairTarget, PairDelta>;
  inbounds: Map<number, Traffic>;
  outbounds: Map<string, Traffic>;
  /** Every cursor whose run or value changed: advanced in the poller's memory after commit. */
  cursors: CursorChanges;
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
  /** Counters read. */
  seen: number;
}

export interface DeltaInput {
  /** Counter values by name (a Map, or the pairs `StatsClient.queryCounters` reads). */
  counters: Iterable<readonly [string, number]>;
  uptime: number;
  runId: number;
  cursors: Map<string, StatCursor>;
  targets: StatTargets;
}

/**
 * The cursors a poll moves, kept as parallel lists rather than a new object per counter
 * (200,000 of them when every user moved traffic). Iterating gives (name, cursor) pairs.
 */
export class CursorChanges {
  readonly names: string[] = [];
  readonly values: number[] = [];
  readonly runIds: number[] = [];
  /** The cursor object in the poller's memory, or undefined for a counter seen first. */
  readonly existing: Array<ResolvedCursor | undefined> = [];
  readonly resolutions: Resolution[] = [];

  push(
    name: string,
    runId: number,
    value: number,
    existing?: ResolvedCursor,
    resolution?: Resolution,
  ) {
    this.names.push(name);
    this.runIds.push(runId);
    this.values.push(value);
    this.existing.push(existing);
    this.resolutions.push(resolution ?? null);
  }

  get size(): number {
    return this.names.length;
  }

  *[Symbol.iterator](): IterableIterator<[string, StatCursor]> {
    for (let i = 0; i < this.names.length; i++) {
      yield [this.names[i], { runId: this.runIds[i], value: this.values[i] }];
    }
  }

  /** Moves the cursors in `cursors` (after the poll's transaction committed). */
  advance(cursors: Map<string, StatCursor>, targets: StatTargets): void {
    const version = targetVersions.get(targets) ?? 0;
    for (let i = 0; i < this.names.length; i++) {
      const cursor = this.existing[i];
      if (cursor) {
        cursor.runId = this.runIds[i];
        cursor.value = this.values[i];
      } else {
        cursors.set(this.names[i], {
          runId: this.runIds[i],
          value: this.values[i],
          target: this.resolutions[i],
          resolvedIn: targets,
          resolvedVersion: version,
        } as ResolvedCursor);
      }
    }
  }
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
    cursors: new CursorChanges(),
    otherCursors: new Map(),
  };
}

const USER_PREFIX = "user>>>";
const INBOUND_PREFIX = "inbound>>>";
const UPLINK_SUFFIX = ">>>traffic>>>uplink";
const DOWNLINK_SUFFIX = ">>>traffic>>>downlink";

/**
 * What a counter of the running config stands for, found by reading its name (cheaper
 * than an index of every name, which a config apply would make the next poll rebuild).
 */
function resolveCounter(targets: StatTargets, name: string): Resolution {
  const dir: Direction | null = name.endsWith(UPLINK_SUFFIX)
    ? "uplink"
    : name.endsWith(DOWNLINK_SUFFIX)
    ? "downlink"
    : null;
  if (dir === null) return null;
  const end = name.length - (dir === "uplink" ? UPLINK_SUFFIX : DOWNLINK_SUFFIX).length;
  if (name.startsWith(USER_PREFIX)) {
    const pair = targets.pairs.get(name.slice(USER_PREFIX.length, end));
    return pair ? { kind: "pair", dir, pair } : null;
  }
  if (name.startsWith(INBOUND_PREFIX)) {
    const inboundId = targets.inbounds.get(name.slice(INBOUND_PREFIX.length, end));
    return inboundId === undefined ? null : { kind: "inbound", dir, inboundId };
  }
  return null;
}

/**
 * Changes `targets` in place for one inbound: its pairs become exactly `pairs` (name →
 * user and inbound ids), and its tag maps to its id (or is removed when `tag` is null).
 */
export function replaceInboundTargets(
  targets: StatTargets,
  inboundId: number,
  tag: string | null,
  pairs: Map<string, { userId: number; inboundId: number }>,
): void {
  targetVersions.set(targets, (targetVersions.get(targets) ?? 0) + 1);
  for (const [name, p] of targets.pairs) {
    if (p.inboundId === inboundId && !pairs.has(name)) targets.pairs.delete(name);
  }
  for (const [name, p] of pairs) targets.pairs.set(name, p);
  for (const [oldTag, id] of targets.inbounds) {
    if (id === inboundId && oldTag !== tag) targets.inbounds.delete(oldTag);
  }
  if (tag !== null) targets.inbounds.set(tag, inboundId);
}

/** Computes one poll's deltas; see the module comment for the rules. */
export function computeStatsDeltas(input: DeltaInput): DeltaResult {
  const { counters, runId, cursors, targets } = input;
  const deltas = emptyDeltas();
  const uptimeCursor = cursors.get(UPTIME_CURSOR);
  const uptimeKnown = uptimeCursor !== undefined && uptimeCursor.runId === runId;
  if (uptimeKnown && input.uptime < uptimeCursor.value) {
    return { resetDetected: true, deltas, unknown: 0, externalResets: 0, seen: 0 };
  }
  let unknown = 0;
  let externalResets = 0;
  let seen = 0;
  const version = targetVersions.get(targets) ?? 0;
  for (const [name, value] of counters) {
    seen++;
    const cursor = cursors.get(name) as ResolvedCursor | undefined;
    const sameRun = cursor !== undefined && cursor.runId === runId;
    let delta = sameRun ? value - cursor.value : value;
    if (delta < 0) {
      // Without an uptime of this run to compare with, a restart cannot be told apart.
      if (!uptimeKnown) {
        return {
          resetDetected: true,
          deltas: emptyDeltas(),
          unknown: 0,
          externalResets: 0,
          seen: 0,
        };
      }
      externalResets++;
      delta = value;
    }
    // A zero counter with no cursor needs none: absent means 0 in any run.
    const cursorChanged = (!sameRun || delta !== 0) && (value !== 0 || cursor !== undefined);
    if (!cursorChanged) continue; // unchanged: nothing to add, nothing to write
    let target: Resolution;
    if (cursor?.resolvedIn === targets && cursor.resolvedVersion === version) {
      target = cursor.target ?? null;
    } else {
      target = resolveCounter(targets, name);
      if (cursor) {
        // Where a counter's bytes go is no accounting state: it may be cached at once.
        cursor.target = target;
        cursor.resolvedIn = targets;
        cursor.resolvedVersion = version;
      }
    }
    deltas.cursors.push(name, runId, value, cursor, target);
    if (target?.kind === "pair") {
      const key = target.pair;
      let p = deltas.pairs.get(key);
      if (!p) {
        p = {
          userId: target.pair.userId,
          inboundId: target.pair.inboundId,
          uplink: 0,
          downlink: 0,
          runId: 0,
          seenUplink: null,
          seenDownlink: null,
        };
        deltas.pairs.set(key, p);
      }
      p.runId = runId;
      if (target.dir === "uplink") p.seenUplink = value;
      else p.seenDownlink = value;
      if (delta === 0) continue;
      p[target.dir] += delta;
      add(deltas.users, target.pair.userId, target.dir, delta);
      continue;
    }
    deltas.otherCursors.set(name, { runId, value });
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
    deltas.cursors.push(UPTIME_CURSOR, runId, input.uptime, uptimeCursor);
    deltas.otherCursors.set(UPTIME_CURSOR, { runId, value: input.uptime });
  }
  return { resetDetected: false, deltas, unknown, externalResets, seen };
}
