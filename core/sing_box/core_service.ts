/**
 * The running core as the panel sees it, in one of two modes, chosen by what the binary
 * says it is (`version`):
 *
 * - singdeck-core (sing-box embedded as a library, singdeck-core/): a change acts on what
 *   it touched. A user who must stop (quota, expiry, disabled, deleted, unassigned) is
 *   blocked at once through the control service: their connections close and new ones
 *   are refused. A user who may connect again is unblocked at once. Users added or with
 *   new credentials need their inbounds rebuilt: batched, one inbound swapped at a time
 *   while the others serve (and its established TCP connections live on). Global changes
 *   replace the config inside the same process (counters kept).
 * - plain sing-box (the fallback): every change regenerates the config, checks it with
 *   `sing-box check` and restarts sing-box after a flush.
 *
 * Both: planned stops first stop the traffic (singdeck-core drains; sing-box closes every
 * connection through the Clash API), then poll a last time; the core logs to a file and
 * holds no pipe to the panel, so it outlives a panel killed with SIGKILL, and the next
 * panel polls it once with the saved cursors before replacing it.
 */
import { join, resolve } from "node:path";
import type { Db } from "../../db/database.ts";
import { inboundsByIds, usersForApply } from "../../db/core_config.ts";
import {
  endCoreRun,
  insertCoreRun,
  loadStatTargets,
  openCoreRuns,
  replaceInboundStatTargets,
  replaceStatTargets,
} from "../../db/traffic.ts";
import type { Inbound } from "../model.ts";
import { Mutex } from "../mutex.ts";
import { freeLoopbackPort, portTakenOn } from "../port_probe.ts";
import { generateSecret } from "../auth/passwords.ts";
import { getSettings } from "../settings.ts";
import { CoreControlClient } from "../core_host/control_client.ts";
import type { StatTargets } from "../stats/accounting.ts";
import { type PollOutcome, StatsPoller } from "../stats/poller.ts";
import { StatsClient } from "../stats/stats_client.ts";
import { pairStatName } from "../stats/stats_names.ts";
import { WorkerPoller } from "../stats/worker_poller.ts";
import type { ApplyScope, CoreControl, CoreStatus, StatsControl } from "../services.ts";
import {
  checkConfigFile,
  detectSingBox,
  HOW_TO_GET_SING_BOX,
  type SingBoxBinaryInfo,
} from "./sing_box_binary.ts";
import type { CoreKind } from "./sing_box_config.ts";
import {
  type BuiltInbound,
  credentialsFingerprint,
  writeConfigFile,
  writeInboundFile,
  type WrittenConfig,
} from "./config_builder.ts";
import { Supervisor } from "./supervisor.ts";

type WrittenWithFailures = WrittenConfig & { failed: Map<number, string> };

export interface CoreServiceOptions {
  db: Db;
  /** The database URL, for the poll worker's own connection; without it polls run in-process. */
  dbUrl?: string;
  dbAuthToken?: string;
  binary: string;
  dataDir: string;
  logLevel: string;
  pollIntervalMs: number;
  /** The panel's port, which proxy users must not reach on this host. */
  panelPort?: number;
  /** Wait after a change before applying, so close edits cause one apply. Default 1000 ms. */
  applyDelayMs?: number;
  /** How long a new core gets to start before it is rolled back. Default 10 s. */
  startTimeoutMs?: number;
  /** Loopback `host:port` for the stats API; default a free port on 127.0.0.1. */
  apiListen?: string;
  now?: () => number;
  log?: (message: string) => void;
}

/** What the running core holds: which pairs each inbound serves, whom it blocks. */
interface RunningState {
  /** Inbounds in the running config by id: tag and pairs (pair name → user id). */
  inbounds: Map<number, { tag: string; pairs: Map<string, number> }>;
  /** Pair names in the running config, by user. */
  userPairs: Map<number, Set<string>>;
  /** Credentials fingerprint of each user in the running config. */
  credentials: Map<number, number>;
  /** Pair names the core refuses (singdeck-core only). */
  blocked: Set<string>;
}

function emptyState(): RunningState {
  return { inbounds: new Map(), userPairs: new Map(), credentials: new Map(), blocked: new Set() };
}

/** Whether `pid` is a live core running our config file (Linux /proc). */
async function isOurCore(pid: number, configPath: string): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    if (/\) [ZX] /.test(stat)) return false;
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    return cmdline.split("\0").includes(configPath);
  } catch {
    return false;
  }
}

async function killAndWait(pid: number, configPath: string, timeoutMs = 5000): Promise<void> {
  try {
    Deno.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (await isOurCore(pid, configPath)) {
    if (Date.now() > deadline) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** This host's interface addresses (for the route rule that closes the panel's port here). */
function hostAddresses(): string[] {
  try {
    return [...new Set(Deno.networkInterfaces().map((i) => i.address.replace(/%.*$/, "")))];
  } catch {
    return [];
  }
}

export class CoreService implements CoreControl {
  readonly poller: StatsControl & {
    start(): void;
    stop(): Promise<void>;
    pollLocked(): Promise<PollOutcome | null>;
  };
  readonly configPath: string;
  readonly apiListen: string;
  readonly #o: CoreServiceOptions;
  readonly #lock = new Mutex();
  readonly #supervisor: Supervisor;
  readonly #now: () => number;
  readonly #log: (message: string) => void;
  readonly #worker: WorkerPoller | null;
  readonly #secretPath: string;
  readonly #blockedPath: string;
  readonly #logPath: string;
  readonly #clashApi: { listen: string; secret: string };
  #binary: SingBoxBinaryInfo | null = null;
  #control: CoreControlClient | null = null;
  #state: RunningState = emptyState();
  /** SHA-256 of the running config file (plain sing-box: a rebuild that changes nothing is skipped). */
  #configHash: string | null = null;
  /** The file no longer shows the running config (inbounds were swapped since). */
  #snapshotStale = false;
  #configError: string | null = null;
  /** Inbounds left out because the core refused them, with why. */
  #failed = new Map<number, { tag: string; reason: string }>();
  #wanted = true;
  #reasons: string[] = [];
  #pendingUsers = new Set<number>();
  #dirtyInbounds = new Set<number>();
  #fullPending = false;
  #applyTimer: ReturnType<typeof setTimeout> | null = null;
  #fastTimer: ReturnType<typeof setTimeout> | null = null;
  #applying: Promise<unknown> = Promise.resolve();
  /** A core left by a previous panel, polled once before it is replaced. */
  #orphan: { runId: number; apiListen: string; pid: number } | null = null;

  constructor(options: CoreServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? ((m) => console.log(m));
    const dataDir = resolve(options.dataDir);
    this.configPath = join(dataDir, "sing-box.json");
    this.#secretPath = join(dataDir, "core-control.secret");
    this.#blockedPath = join(dataDir, "core-blocked.json");
    this.#logPath = join(dataDir, "core.log");
    this.apiListen = options.apiListen ?? `127.0.0.1:${freeLoopbackPort()}`;
    this.#clashApi = { listen: `127.0.0.1:${freeLoopbackPort()}`, secret: generateSecret() };
    this.#supervisor = new Supervisor({
      binary: options.binary,
      configPath: this.configPath,
      cwd: dataDir,
      logFile: this.#logPath,
      extraArgs: () =>
        this.#binary?.kind === "singdeck-core"
          ? ["--control-secret-file", this.#secretPath, "--blocked-file", this.#blockedPath]
          : [],
      probeReady: () => this.#probeReady(),
      now: this.#now,
      hooks: {
        runStarted: ({ pid, reason, startedAt }) =>
          insertCoreRun(options.db, { pid, reason, startedAt, apiListen: this.apiListen }),
        runEnded: (runId, code, endedAt) => endCoreRun(options.db, runId, code, endedAt),
        // Planned restarts and stops go through #lock, so this runs under it already.
        beforePlannedRestart: () => this.#drainAndFlush(),
        // A crashed core starts again from the database's state (blocked users left out).
        beforeCrashRestart: () => this.#lock.run(() => this.#writeFullConfig().then(() => {})),
      },
    });
    const core = {
      current: () => this.#currentRun(),
      runReplaced: (runId: number) => this.#runReplaced(runId),
    };
    const onApplied = (outcome: PollOutcome) => this.#afterPoll(outcome);
    if (options.dbUrl) {
      this.#worker = new WorkerPoller({
        db: options.db,
        dbUrl: options.dbUrl,
        dbAuthToken: options.dbAuthToken,
        core,
        lock: this.#lock,
        intervalMs: options.pollIntervalMs,
        now: this.#now,
        log: (m) => this.#log(`stats: ${m}`),
        onApplied,
      });
      this.poller = this.#worker;
    } else {
      this.#worker = null;
      this.poller = new StatsPoller({
        db: options.db,
        source: new StatsClient(this.apiListen, { deadlineMs: 5000 }),
        lock: this.#lock,
        intervalMs: options.pollIntervalMs,
        now: this.#now,
        log: (m) => this.#log(`stats: ${m}`),
        core: {
          current: () => this.#currentRun(),
          newRun: async (reason) => {
            const old = this.#currentRun();
            const runId = await insertCoreRun(options.db, {
              startedAt: this.#now(),
              reason,
              pid: "pid" in old ? old.pid : null,
              apiListen: this.apiListen,
            });
            if ("runId" in old) await endCoreRun(options.db, old.runId, null, this.#now());
            this.#runReplaced(runId);
            return runId;
          },
        },
        onApplied,
      });
    }
  }

  /** The kind of core running the config, once the binary was detected. */
  get kind(): CoreKind | null {
    return this.#binary?.kind ?? null;
  }

  /** Detects the binary, takes over a leftover core, applies the config, starts polling. */
  async startup(): Promise<void> {
    this.#binary = await detectSingBox(this.#o.binary);
    if (!this.#binary) {
      this.#supervisor.note(`no sing-box found at "${this.#o.binary}". ${HOW_TO_GET_SING_BOX}`);
      this.#log(`sing-box not found at "${this.#o.binary}"; the panel runs without a core`);
    } else {
      const b = this.#binary;
      const what = b.kind === "singdeck-core"
        ? `singdeck-core ${b.coreVersion} (sing-box ${b.version})`
        : `sing-box ${b.version}`;
      this.#supervisor.note(`found ${what} (${b.tags.join(",")})`);
      this.#log(
        `core: ${what}; ${
          b.kind === "singdeck-core"
            ? "user changes block, unblock or swap one inbound without restarts"
            : "every change restarts sing-box (build singdeck-core to avoid that)"
        }`,
      );
      if (!b.hasV2rayApi) {
        this.#log(`sing-box at "${this.#o.binary}" lacks with_v2ray_api: traffic is not counted`);
      }
    }
    await this.#takeOverLeftovers();
    await this.#lock.run(() => this.#fullApply("panel started"));
    this.poller.start();
  }

  /** Stops polling, drains, flushes, stops the core. */
  async shutdown(): Promise<void> {
    for (const timer of [this.#applyTimer, this.#fastTimer]) {
      if (timer !== null) clearTimeout(timer);
    }
    this.#applyTimer = this.#fastTimer = null;
    await this.#applying.catch(() => {});
    await this.poller.stop();
    await this.#lock.run(() => this.#supervisor.stop("panel stopping"));
    this.#control?.close();
    await this.#worker?.close();
  }

  status(): CoreStatus {
    const s = this.#supervisor;
    return {
      state: this.#binary ? s.state : "missing",
      kind: this.#binary?.kind ?? null,
      binary: this.#o.binary,
      version: this.#binary?.version ?? null,
      coreVersion: this.#binary?.coreVersion ?? null,
      tags: this.#binary?.tags ?? [],
      hasV2rayApi: this.#binary?.hasV2rayApi ?? false,
      pid: s.pid,
      startedAt: s.startedAt,
      restarts: s.restarts,
      lastError: this.#binary
        ? s.lastError
        : `sing-box not found at "${this.#o.binary}". ${HOW_TO_GET_SING_BOX}`,
      configError: this.#configError,
      blockedUsers: this.#state.blocked.size,
      failedInbounds: [...this.#failed.values()],
    };
  }

  logLines(): string[] {
    return this.#supervisor.logLines();
  }

  /**
   * The config the core runs. After inbound swaps the file is written again from the
   * database first (the swaps change the running core, not the file).
   */
  async currentConfig(): Promise<Record<string, unknown> | null> {
    if (this.#snapshotStale) {
      await this.#lock.run(async () => {
        if (!this.#snapshotStale) return;
        const snapshot = `${this.configPath}.snapshot`;
        await this.#writeConfigOf(snapshot);
        await Deno.rename(snapshot, this.configPath);
        this.#snapshotStale = false;
      });
    }
    try {
      return JSON.parse(await Deno.readTextFile(this.configPath));
    } catch {
      return null;
    }
  }

  requestApply(reason: string, scope?: ApplyScope): void {
    this.#reasons.push(reason);
    const users = scope?.userIds ?? [];
    const inbounds = scope?.inboundIds ?? [];
    if (users.length === 0 && inbounds.length === 0) this.#fullPending = true;
    for (const id of users) this.#pendingUsers.add(id);
    for (const id of inbounds) this.#dirtyInbounds.add(id);
    // singdeck-core blocks and unblocks at once; the rest waits for close edits to batch.
    if (users.length > 0 && this.#binary?.kind === "singdeck-core" && this.#fastTimer === null) {
      this.#fastTimer = setTimeout(() => {
        this.#fastTimer = null;
        this.#applying = this.#lock.run(() => this.#applyUsers())
          .catch((e) => this.#log(`apply failed: ${e.message}`));
      }, 0);
    }
    if (this.#applyTimer !== null) return;
    this.#applyTimer = setTimeout(() => {
      this.#applyTimer = null;
      const reasons = [...new Set(this.#reasons)].join(", ");
      this.#reasons = [];
      this.#applying = this.applyNow(reasons).catch((e) => this.#log(`apply failed: ${e.message}`));
    }, this.#o.applyDelayMs ?? 1000);
  }

  /** Settles when every requested apply has run (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.#applyTimer !== null || this.#fastTimer !== null) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.#applying.catch(() => {});
    await this.#lock.run(() => Promise.resolve());
  }

  /**
   * Applies everything pending now and waits; resolves with the error text if the core
   * refused the config (or part of it), else null.
   */
  applyNow(reason: string): Promise<string | null> {
    return this.#lock.run(() => this.#applyPending(reason));
  }

  start(): Promise<void> {
    this.#wanted = true;
    return this.#lock.run(() => this.#fullApply("started by admin")).then(() => {});
  }

  stop(): Promise<void> {
    this.#wanted = false;
    return this.#lock.run(() => this.#supervisor.stop("stopped by admin"));
  }

  restart(): Promise<void> {
    this.#wanted = true;
    return this.#lock.run(async () => {
      if (!this.#binary) return;
      await this.#supervisor.stop("restarted by admin");
      await this.#fullApply("restarted by admin");
    });
  }

  // ---------------------------------------------------------------------------------------
  // Applying changes

  async #applyPending(reason: string): Promise<string | null> {
    const full = this.#fullPending || this.#binary?.kind !== "singdeck-core" ||
      this.#control === null || this.#supervisor.state !== "running";
    if (full) {
      this.#pendingUsers.clear();
      this.#dirtyInbounds.clear();
      this.#fullPending = false;
      return await this.#fullApply(reason);
    }
    await this.#applyUsers();
    const dirty = [...this.#dirtyInbounds];
    this.#dirtyInbounds.clear();
    if (dirty.length === 0) return this.#configError;
    this.#log(`core: rebuilding ${dirty.length} inbound(s): ${reason}`);
    const errors: string[] = [];
    for (const inbound of await this.#inboundsToRebuild(dirty)) {
      const error = await this.#rebuildInbound(inbound.id, inbound.row);
      if (error) errors.push(error);
    }
    this.#configError = errors.length > 0 ? errors.join("; ") : null;
    return this.#configError;
  }

  /** The dirty inbounds with their current rows (null: deleted). */
  async #inboundsToRebuild(ids: number[]): Promise<Array<{ id: number; row: Inbound | null }>> {
    const rows = new Map((await inboundsByIds(this.#o.db, ids)).map((i) => [i.id, i]));
    return ids.map((id) => ({ id, row: rows.get(id) ?? null }));
  }

  /**
   * singdeck-core, right after users changed: blocks pairs that must stop, unblocks pairs
   * that may go on, and marks the inbounds that need a rebuild (new pairs, new
   * credentials) for the batched apply.
   */
  async #applyUsers(): Promise<void> {
    const ids = [...this.#pendingUsers];
    this.#pendingUsers.clear();
    const control = this.#control;
    if (ids.length === 0 || !control || this.#supervisor.state !== "running") {
      if (ids.length > 0) this.#fullPending = true;
      return;
    }
    const users = new Map(
      (await usersForApply(this.#o.db, ids, this.#now())).map((u) => [u.id, u]),
    );
    const toBlock: string[] = [];
    const toUnblock: string[] = [];
    for (const id of ids) {
      const user = users.get(id);
      const wanted = new Map<string, number>(); // desired pair name → inbound id
      if (user?.active) {
        for (const inboundId of user.inboundIds) {
          const running = this.#state.inbounds.get(inboundId);
          if (!running) {
            this.#dirtyInbounds.add(inboundId); // not in the config yet
            continue;
          }
          wanted.set(pairStatName(user.name, running.tag), inboundId);
        }
      }
      const present = this.#state.userPairs.get(id) ?? new Set<string>();
      const newCredentials = user !== undefined && this.#state.credentials.has(id) &&
        this.#state.credentials.get(id) !== credentialsFingerprint(user.uuid, user.password);
      for (const name of present) {
        if (!wanted.has(name)) {
          if (!this.#state.blocked.has(name)) toBlock.push(name);
        } else if (newCredentials) {
          // The old credentials must stop now; the rebuild brings the new ones in.
          if (!this.#state.blocked.has(name)) toBlock.push(name);
          this.#dirtyInbounds.add(wanted.get(name)!);
        } else if (this.#state.blocked.has(name)) toUnblock.push(name);
      }
      for (const [name, inboundId] of wanted) {
        if (!present.has(name)) this.#dirtyInbounds.add(inboundId);
      }
    }
    if (toBlock.length > 0) {
      const { closed } = await control.block(toBlock);
      for (const name of toBlock) this.#state.blocked.add(name);
      this.#log(`core: blocked ${toBlock.length} user pair(s), ${closed} connection(s) closed`);
    }
    if (toUnblock.length > 0) {
      await control.unblock(toUnblock);
      for (const name of toUnblock) this.#state.blocked.delete(name);
      this.#log(`core: unblocked ${toUnblock.length} user pair(s)`);
    }
  }

  /**
   * singdeck-core: writes one inbound with its active users and swaps it in (or removes it
   * when it is deleted, disabled or left without active users). Its pairs that are active
   * come out of the blocked set; the stats targets of that inbound follow. Returns the
   * core's refusal, or null.
   */
  async #rebuildInbound(id: number, row: Inbound | null): Promise<string | null> {
    const control = this.#control!;
    const running = this.#state.inbounds.get(id);
    const now = this.#now();
    let built: BuiltInbound | null = null;
    let credentials = new Map<number, number>();
    if (row?.enabled) {
      const path = join(resolve(this.#o.dataDir), `inbound-${id}.json`);
      try {
        ({ built, credentials } = await writeInboundFile(
          this.#o.db,
          path,
          row,
          now,
          "singdeck-core",
        ));
        if (built) {
          const refused = await control.replaceInbound(row.tag, path);
          if (refused) return this.#inboundRefused(id, row.tag, refused);
        }
      } catch (e) {
        return this.#inboundRefused(id, row.tag, (e as Error).message);
      } finally {
        await Deno.remove(path).catch(() => {});
      }
    }
    if (running && (!built || running.tag !== built.inbound.tag)) {
      const refused = await control.removeInbound(running.tag);
      if (refused) this.#log(`core: removing inbound "${running.tag}": ${refused}`);
    }
    this.#failed.delete(id);
    this.#replaceInboundState(id, built, credentials);
    await replaceInboundStatTargets(
      this.#o.db,
      id,
      built?.inbound.tag ?? null,
      built ? [...built.pairs] : [],
    );
    if (this.#worker) await this.#worker.reloadTargets([id]);
    else (this.poller as StatsPoller).setTargets(await loadStatTargets(this.#o.db));
    this.#snapshotStale = true;
    return null;
  }

  #inboundRefused(id: number, tag: string, reason: string): string {
    const message =
      `the core refused inbound "${tag}": ${reason}; its previous version keeps serving`;
    this.#failed.set(id, { tag, reason });
    this.#refuse(message);
    return message;
  }

  /** Records that an inbound now holds `built` (or nothing); active pairs are unblocked. */
  #replaceInboundState(id: number, built: BuiltInbound | null, credentials: Map<number, number>) {
    const old = this.#state.inbounds.get(id);
    if (old) {
      for (const [name, userId] of old.pairs) {
        const set = this.#state.userPairs.get(userId);
        set?.delete(name);
        if (set?.size === 0) this.#state.userPairs.delete(userId);
      }
    }
    if (!built) {
      this.#state.inbounds.delete(id);
      return;
    }
    this.#state.inbounds.set(id, { tag: built.inbound.tag, pairs: built.pairs });
    const unblock: string[] = [];
    for (const [name, userId] of built.pairs) {
      let set = this.#state.userPairs.get(userId);
      if (!set) this.#state.userPairs.set(userId, set = new Set());
      set.add(name);
      if (this.#state.blocked.has(name)) unblock.push(name);
    }
    for (const [userId, fingerprint] of credentials) {
      this.#state.credentials.set(userId, fingerprint);
    }
    if (unblock.length > 0) {
      // Built from active users only: these may connect (with the new credentials).
      for (const name of unblock) this.#state.blocked.delete(name);
      this.#control?.unblock(unblock).catch((e) => this.#log(`core: unblock failed: ${e.message}`));
    }
  }

  /**
   * Writes the whole config from the database and makes the core run it: starts the core
   * when it is not running; replaces the config inside singdeck-core; or, for plain
   * sing-box, checks it and restarts sing-box after a drain and flush (rolling back when
   * it does not start). Returns the refusal, or null.
   */
  async #fullApply(reason: string): Promise<string | null> {
    const next = `${this.configPath}.next`;
    let written: WrittenWithFailures;
    try {
      written = await this.#writeConfig(next);
    } catch (e) {
      await Deno.remove(next).catch(() => {});
      return this.#refuse(`Cannot build the sing-box config: ${(e as Error).message}`);
    }
    const core = this.#binary?.kind === "singdeck-core";
    // Plain sing-box is checked first; singdeck-core validates what it is given, and is
    // checked inbound by inbound only when it refused.
    if (this.#binary && !core) {
      const checked = await this.#excludeRefusedInbounds(next, written);
      if (typeof checked === "string") return this.#discard(next, checked);
      written = checked;
    }
    const running = this.#supervisor.state === "running" || this.#supervisor.state === "starting";
    if (written.sha256 === this.#configHash && (running || !this.#wanted || !this.#binary)) {
      await Deno.remove(next).catch(() => {});
      this.#configError = this.#failedMessage();
      return this.#configError;
    }
    const busy = await this.#portsTakenByOthers(written.inbounds, running);
    if (busy) return this.#discard(next, busy);
    if (running && core && this.#control) return await this.#replaceInPlace(next, written);
    const previous = running ? await Deno.readTextFile(this.configPath).catch(() => null) : null;
    const previousState = { state: this.#state, hash: this.#configHash };
    if (running) await this.#supervisor.stop(`reload: ${reason}`);
    if (!this.#binary || !this.#wanted) {
      await this.#install(next, written);
      return this.#configError;
    }
    let why = await this.#startWith(next, written, reason);
    if (why === null) return this.#configError;
    if (core) {
      // singdeck-core refused to start: find the inbounds it refuses, start without them.
      const checked = await this.#excludeRefusedInbounds(this.configPath, written);
      if (typeof checked !== "string" && checked !== written) {
        await Deno.copyFile(this.configPath, next);
        why = await this.#startWith(next, checked, `${reason}, without refused inbounds`);
        if (why === null) return this.#configError;
      }
    }
    if (previous === null) {
      return this.#refuse(`the core could not start with the new config: ${why}`);
    }
    await this.#supervisor.stop("rollback");
    await Deno.writeTextFile(this.configPath, previous, { mode: 0o600 });
    this.#state = previousState.state;
    this.#configHash = previousState.hash;
    await replaceStatTargets(this.#o.db, this.#targetsOfState());
    await this.#reloadPollerTargets();
    await this.#prepareControl();
    await this.#supervisor.start("previous config restored");
    return this.#refuse(
      `the core could not start with the new config (${why}); the previous config keeps serving`,
    );
  }

  async #discard(next: string, message: string): Promise<string> {
    await Deno.remove(next).catch(() => {});
    return this.#refuse(message);
  }

  /** Makes `next` the config file and `written` the running state (nothing started). */
  async #install(next: string, written: WrittenWithFailures): Promise<void> {
    if (next !== this.configPath) await Deno.rename(next, this.configPath);
    this.#snapshotStale = false;
    await this.#resetBlockedFile();
    await this.#adopt(written);
    this.#configError = this.#failedMessage();
  }

  /** Installs `next` and starts the core on it; returns why it did not start, or null. */
  async #startWith(next: string, written: WrittenWithFailures, reason: string) {
    await this.#install(next, written);
    await this.#prepareControl();
    await this.#supervisor.start(reason);
    if (await this.#supervisor.waitReady(this.#o.startTimeoutMs ?? 10_000)) return null;
    const why = this.#supervisor.lastError ?? "it did not start in time";
    await this.#supervisor.stop("did not start");
    return why;
  }

  /** singdeck-core: the new config replaces the old one in the same process, counters kept. */
  async #replaceInPlace(next: string, written: WrittenWithFailures): Promise<string | null> {
    const control = this.#control!;
    const path = `${this.configPath}.replace`;
    await Deno.rename(next, path);
    let refused = await control.replaceConfig(path).catch((e) => (e as Error).message);
    if (refused) {
      const checked = await this.#excludeRefusedInbounds(path, written);
      if (typeof checked === "string" || checked === written) {
        await Deno.remove(path).catch(() => {});
        return this.#refuse(
          `singdeck-core refused the new config (${refused}); the previous one keeps serving`,
        );
      }
      written = checked;
      refused = await control.replaceConfig(path).catch((e) => (e as Error).message);
      if (refused) {
        await Deno.remove(path).catch(() => {});
        return this.#refuse(
          `singdeck-core refused the new config (${refused}); the previous one keeps serving`,
        );
      }
    }
    await this.#install(path, written);
    await control.setBlocked([]);
    return this.#configError;
  }

  /** Writes the full config of every enabled inbound to `path`. */
  async #writeConfig(path: string): Promise<WrittenWithFailures> {
    this.#failed.clear();
    const written = await this.#writeConfigOf(path);
    for (const [id, reason] of written.failed) {
      const tag = (await inboundsByIds(this.#o.db, [id]))[0]?.tag ?? String(id);
      this.#failed.set(id, { tag, reason });
    }
    return written;
  }

  /**
   * Checks the written config (`check -c`); when the core refuses it, checks each inbound
   * alone and writes the config again to `path` without those it refuses (marked failed
   * with the reason), so one bad inbound never blocks the revocations in the others.
   * Returns the config to run (`written` itself when it passed), or why none can run.
   */
  async #excludeRefusedInbounds(
    path: string,
    written: WrittenWithFailures,
  ): Promise<WrittenWithFailures | string> {
    const error = await checkConfigFile(this.#o.binary, path);
    if (!error) {
      for (const b of written.inbounds) this.#failed.delete(b.inbound.id);
      return written;
    }
    const refused: Inbound[] = [];
    const probe = `${path}.probe`;
    try {
      for (const { inbound } of written.inbounds) {
        const one = await this.#writeConfigOf(probe, [inbound]);
        const reason = await checkConfigFile(this.#o.binary, probe);
        if (reason) {
          refused.push(inbound);
          this.#failed.set(inbound.id, { tag: inbound.tag, reason });
        } else if (one) this.#failed.delete(inbound.id);
      }
    } finally {
      await Deno.remove(probe).catch(() => {});
    }
    if (refused.length === 0) return `sing-box refused the new config: ${error}`;
    const keep = written.inbounds.map((b) => b.inbound).filter((i) => !refused.includes(i));
    const again = await this.#writeConfigOf(path, keep);
    const stillRefused = await checkConfigFile(this.#o.binary, path);
    if (stillRefused) return `sing-box refused the new config: ${stillRefused}`;
    this.#log(
      `core: left out inbound(s) the core refused: ${refused.map((i) => i.tag).join(", ")}`,
    );
    return { ...again, failed: written.failed };
  }

  /** Writes a config to `path`: these inbounds, or every enabled one. */
  async #writeConfigOf(path: string, inbounds?: Inbound[]): Promise<WrittenWithFailures> {
    const settings = await getSettings(this.#o.db);
    const kind = this.#binary?.kind ?? "sing-box";
    const written = await writeConfigFile(this.#o.db, path, {
      apiListen: this.apiListen,
      logLevel: this.#o.logLevel,
      logOutput: this.#logPath,
      panelPort: this.#o.panelPort,
      hostAddresses: hostAddresses(),
      allowPrivateEgress: settings.allowPrivateEgress,
      core: kind,
      clashApi: kind === "sing-box" && this.#binary?.hasClashApi ? this.#clashApi : undefined,
      now: this.#now(),
      inbounds,
    });
    if (this.#binary && !this.#binary.hasV2rayApi) {
      // A build without the V2Ray API refuses the section: take it out again.
      const config = JSON.parse(await Deno.readTextFile(path));
      delete config.experimental.v2ray_api;
      if (Object.keys(config.experimental).length === 0) delete config.experimental;
      await Deno.writeTextFile(path, JSON.stringify(config), { mode: 0o600 });
    }
    return written;
  }

  #failedMessage(): string | null {
    if (this.#failed.size === 0) return null;
    return [...this.#failed.values()].map((f) => `inbound "${f.tag}" is left out: ${f.reason}`)
      .join("; ");
  }

  /** Takes a written config as the running state and persists its stats targets. */
  async #adopt(written: WrittenConfig): Promise<void> {
    const state = emptyState();
    for (const built of written.inbounds) {
      state.inbounds.set(built.inbound.id, { tag: built.inbound.tag, pairs: built.pairs });
      for (const [name, userId] of built.pairs) {
        let set = state.userPairs.get(userId);
        if (!set) state.userPairs.set(userId, set = new Set());
        set.add(name);
      }
    }
    state.credentials = written.credentials;
    this.#state = state;
    this.#configHash = written.sha256;
    await replaceStatTargets(this.#o.db, this.#targetsOfState());
    await this.#reloadPollerTargets();
  }

  #targetsOfState(): StatTargets {
    const targets: StatTargets = { pairs: new Map(), inbounds: new Map() };
    for (const [inboundId, { tag, pairs }] of this.#state.inbounds) {
      targets.inbounds.set(tag, inboundId);
      for (const [name, userId] of pairs) targets.pairs.set(name, { userId, inboundId });
    }
    return targets;
  }

  async #reloadPollerTargets(): Promise<void> {
    if (this.#worker) await this.#worker.reloadTargets();
    else (this.poller as StatsPoller).setTargets(this.#targetsOfState());
  }

  /** After a crash: the whole config again from the database, nobody blocked. */
  async #writeFullConfig(): Promise<void> {
    const next = `${this.configPath}.next`;
    await this.#install(next, await this.#writeConfig(next));
    await this.#prepareControl();
  }

  async #resetBlockedFile(): Promise<void> {
    this.#state.blocked = new Set();
    await Deno.writeTextFile(this.#blockedPath, "[]", { mode: 0o600 });
  }

  /** singdeck-core: a fresh per-run secret in a 0600 file, and a client that uses it. */
  async #prepareControl(): Promise<void> {
    if (this.#binary?.kind !== "singdeck-core") return;
    const secret = generateSecret();
    await Deno.writeTextFile(this.#secretPath, secret, { mode: 0o600 });
    await Deno.chmod(this.#secretPath, 0o600);
    this.#control?.close();
    this.#control = new CoreControlClient(this.apiListen, secret);
  }

  /** The started core serves when its StatsService answers (or, without one, its Clash API). */
  async #probeReady(): Promise<boolean> {
    if (this.#binary?.hasV2rayApi) {
      const client = new StatsClient(this.apiListen, { deadlineMs: 500 });
      try {
        await client.uptime();
        return true;
      } catch {
        return false;
      } finally {
        client.close();
      }
    }
    if (this.#binary?.hasClashApi) {
      try {
        const res = await fetch(`http://${this.#clashApi.listen}/version`, {
          headers: { Authorization: `Bearer ${this.#clashApi.secret}` },
          signal: AbortSignal.timeout(500),
        });
        await res.body?.cancel();
        return res.ok;
      } catch {
        return false;
      }
    }
    // Nothing to ask: a core alive for a second after its start serves.
    const startedAt = this.#supervisor.startedAt;
    return startedAt !== null && this.#now() - startedAt > 1000;
  }

  /**
   * Before a planned stop: stop the traffic, then read the counters a last time, so the
   * final poll sees counters that no longer move. singdeck-core closes every listener and
   * connection; plain sing-box closes every connection through its Clash API (new
   * connections can still arrive until SIGTERM: the window is the time of one poll).
   */
  async #drainAndFlush(): Promise<void> {
    try {
      if (this.#binary?.kind === "singdeck-core" && this.#control) {
        await this.#control.drain();
      } else if (this.#binary?.hasClashApi) {
        const res = await fetch(`http://${this.#clashApi.listen}/connections`, {
          method: "DELETE",
          headers: { Authorization: `Bearer ${this.#clashApi.secret}` },
          signal: AbortSignal.timeout(2000),
        });
        await res.body?.cancel();
      }
    } catch (e) {
      this.#log(`core: could not stop the traffic before the final poll: ${(e as Error).message}`);
    }
    await this.poller.pollLocked();
  }

  /**
   * A message naming the first new listen address and port that another program holds,
   * or null. Ports the running core holds already are its own and not probed.
   */
  async #portsTakenByOthers(inbounds: BuiltInbound[], running: boolean): Promise<string | null> {
    const held = new Set<number>();
    if (running) {
      for (const id of this.#state.inbounds.keys()) {
        const row = (await inboundsByIds(this.#o.db, [id]))[0];
        if (row) held.add(row.port);
      }
    }
    for (const { inbound } of inbounds) {
      if (held.has(inbound.port)) continue;
      const transport = await portTakenOn(inbound.listen, inbound.port, inbound.type).catch(() =>
        null
      );
      if (transport) {
        return `Port ${inbound.port} (${transport}) on ${inbound.listen} is already in use by another program; ` +
          `inbound "${inbound.tag}" cannot start, the previous config keeps serving`;
      }
    }
    return null;
  }

  #refuse(message: string): string {
    this.#configError = message;
    this.#supervisor.note(message);
    this.#log(message);
    return message;
  }

  // ---------------------------------------------------------------------------------------
  // Runs, polls, leftovers

  #currentRun(): { runId: number; apiListen: string; pid: number | null } | { stale: string } {
    if (this.#orphan) return this.#orphan;
    if (!this.#binary) return { stale: `sing-box binary not found at "${this.#o.binary}"` };
    if (!this.#binary.hasV2rayApi) {
      return { stale: `sing-box ${this.#binary.version} was built without with_v2ray_api` };
    }
    const runId = this.#supervisor.runId;
    if (this.#supervisor.state !== "running" || runId === null) {
      return {
        stale: `sing-box is ${this.#supervisor.state === "crashed" ? "crashed" : "not running"}`,
      };
    }
    return { runId, apiListen: this.apiListen, pid: this.#supervisor.pid };
  }

  #runReplaced(runId: number): void {
    if (this.#orphan) this.#orphan = { ...this.#orphan, runId };
    else this.#supervisor.runId = runId;
  }

  /** After a poll: block users who reached their quota or expired; unblock reset ones. */
  #afterPoll(outcome: PollOutcome): void {
    const crossed = outcome.crossedUserIds.filter((id) => this.#state.userPairs.has(id));
    if (crossed.length > 0) {
      this.requestApply("quota reached or expired", { userIds: crossed });
    }
    if (outcome.resetUserIds.length > 0) {
      this.requestApply("periodic traffic reset", { userIds: outcome.resetUserIds });
    }
  }

  /**
   * A panel killed with SIGKILL leaves its core running. Stop its traffic (singdeck-core,
   * whose secret file is still there), poll it once, counting what it served since the
   * last poll, then stop it; the new config starts afresh.
   */
  async #takeOverLeftovers(): Promise<void> {
    const runs = await openCoreRuns(this.#o.db);
    let polled = false;
    for (const run of runs) {
      if (run.pid !== null && await isOurCore(run.pid, this.configPath)) {
        if (!polled && this.#binary?.hasV2rayApi) {
          this.#log(`taking over the core pid ${run.pid} left by a previous panel (run ${run.id})`);
          if (this.#binary.kind === "singdeck-core") {
            const secret = await Deno.readTextFile(this.#secretPath).catch(() => null);
            if (secret) {
              const control = new CoreControlClient(run.api_listen, secret.trim(), {
                deadlineMs: 5000,
              });
              await control.drain().catch(() => {});
              control.close();
            }
          }
          this.#orphan = { runId: run.id, apiListen: run.api_listen, pid: run.pid };
          await this.poller.pollNow();
          this.#orphan = null;
          polled = true;
        }
        await killAndWait(run.pid, this.configPath);
      }
      await endCoreRun(this.#o.db, run.id, null, this.#now());
    }
  }
}
