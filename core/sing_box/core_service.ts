/**
 * The running core as the panel sees it: the apply pipeline (generate → `sing-box check`
 * → flush → swap → restart, rolling back when the new config does not start), the
 * supervisor, the stats poller, run identity, and taking over a sing-box left running by
 * a panel that died.
 */
import { join, resolve } from "node:path";
import type { Db } from "../../db/database.ts";
import { loadConfigInput } from "../../db/core_config.ts";
import {
  endCoreRun,
  insertCoreRun,
  loadStatTargets,
  openCoreRuns,
  replaceStatTargets,
  usersCrossingLimits,
} from "../../db/traffic.ts";
import type { StatsDeltas, StatTargets } from "../stats/accounting.ts";
import { Mutex } from "../mutex.ts";
import { resetDueTraffic } from "../users/periodic_reset.ts";
import { freeLoopbackPort, portTakenOn } from "../port_probe.ts";
import { StatsPoller, type StatsSource } from "../stats/poller.ts";
import type { CoreControl, CoreStatus } from "../services.ts";
import {
  checkConfigFile,
  detectSingBox,
  HOW_TO_GET_SING_BOX,
  type SingBoxBinaryInfo,
} from "./sing_box_binary.ts";
import { type GeneratedConfig, generateSingBoxConfig } from "./sing_box_config.ts";
import { StatsClient } from "../stats/stats_client.ts";
import { Supervisor } from "./supervisor.ts";

export interface CoreServiceOptions {
  db: Db;
  binary: string;
  dataDir: string;
  logLevel: string;
  pollIntervalMs: number;
  /** Wait after a change before applying, so close edits cause one reload. Default 1000 ms. */
  applyDelayMs?: number;
  /** How long a new config gets to start before it is rolled back. Default 10 s. */
  startTimeoutMs?: number;
  /** Loopback `host:port` for the stats API; default a free port on 127.0.0.1. */
  apiListen?: string;
  statsSource?: StatsSource;
  now?: () => number;
  log?: (message: string) => void;
}

/** The (user, inbound) pairs and inbound tags a generated config counts. */
export function statTargetsOf(
  generated: GeneratedConfig,
  inboundIds: Map<string, number>,
): StatTargets {
  return {
    pairs: new Map(
      generated.pairs.map((p) => [p.name, { userId: p.userId, inboundId: p.inboundId }]),
    ),
    inbounds: new Map(generated.inboundTags.map((tag) => [tag, inboundIds.get(tag)!])),
  };
}

/** Whether `pid` is a live sing-box running our config file (Linux /proc). */
async function isOurSingBox(pid: number, configPath: string): Promise<boolean> {
  try {
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
  while (await isOurSingBox(pid, configPath)) {
    if (Date.now() > deadline) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class CoreService implements CoreControl {
  readonly poller: StatsPoller;
  readonly configPath: string;
  readonly apiListen: string;
  readonly #o: CoreServiceOptions;
  readonly #lock = new Mutex();
  readonly #supervisor: Supervisor;
  readonly #now: () => number;
  readonly #log: (message: string) => void;
  #binary: SingBoxBinaryInfo | null = null;
  #configJson: string | null = null;
  #targets: StatTargets | null = null;
  #configError: string | null = null;
  #wanted = true;
  #pending: string[] = [];
  #applyTimer: ReturnType<typeof setTimeout> | null = null;
  #applying: Promise<unknown> = Promise.resolve();
  /** A sing-box left by a previous panel, polled once before it is replaced. */
  #orphan: { runId: number; apiListen: string } | null = null;
  #activeUserIds = new Set<number>();
  #lastExpiryCheck: number;

  constructor(options: CoreServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.log ?? ((m) => console.log(m));
    this.#lastExpiryCheck = this.#now();
    this.configPath = join(resolve(options.dataDir), "sing-box.json");
    this.apiListen = options.apiListen ?? `127.0.0.1:${freeLoopbackPort()}`;
    this.#supervisor = new Supervisor({
      binary: options.binary,
      configPath: this.configPath,
      cwd: resolve(options.dataDir),
      now: this.#now,
      hooks: {
        runStarted: ({ pid, reason, startedAt }) =>
          insertCoreRun(options.db, { pid, reason, startedAt, apiListen: this.apiListen }),
        runEnded: (runId, code, endedAt) => endCoreRun(options.db, runId, code, endedAt),
        // Planned restarts and stops go through #lock, so the poll runs under it already.
        beforePlannedRestart: () => this.poller.pollLocked(),
      },
    });
    this.poller = new StatsPoller({
      db: options.db,
      source: options.statsSource ?? new StatsClient(this.apiListen, { deadlineMs: 5000 }),
      lock: this.#lock,
      intervalMs: options.pollIntervalMs,
      now: this.#now,
      log: (m) => this.#log(`stats: ${m}`),
      core: {
        current: () => this.#currentRun(),
        newRun: (reason) => this.#newRun(reason),
      },
      onApplied: (deltas) => this.#checkLimits(deltas),
    });
  }

  /** Detects the binary, takes over a leftover sing-box, applies the config, starts polling. */
  async startup(): Promise<void> {
    this.#binary = await detectSingBox(this.#o.binary);
    if (!this.#binary) {
      this.#supervisor.note(`no sing-box found at "${this.#o.binary}". ${HOW_TO_GET_SING_BOX}`);
      this.#log(`sing-box not found at "${this.#o.binary}"; the panel runs without a core`);
    } else {
      this.#supervisor.note(
        `found sing-box ${this.#binary.version} (${this.#binary.tags.join(",")})`,
      );
      if (!this.#binary.hasV2rayApi) {
        this.#log(`sing-box at "${this.#o.binary}" lacks with_v2ray_api: traffic is not counted`);
      }
    }
    await this.#takeOverLeftovers();
    const targets = await loadStatTargets(this.#o.db);
    this.#setTargets(targets);
    await this.applyNow("panel started");
    this.poller.start();
  }

  /** Stops polling, flushes, stops sing-box. */
  async shutdown(): Promise<void> {
    if (this.#applyTimer !== null) clearTimeout(this.#applyTimer);
    this.#applyTimer = null;
    await this.#applying.catch(() => {});
    await this.poller.stop();
    await this.#lock.run(() => this.#supervisor.stop("panel stopping"));
  }

  status(): CoreStatus {
    const s = this.#supervisor;
    return {
      state: this.#binary ? s.state : "missing",
      binary: this.#o.binary,
      version: this.#binary?.version ?? null,
      tags: this.#binary?.tags ?? [],
      hasV2rayApi: this.#binary?.hasV2rayApi ?? false,
      pid: s.pid,
      startedAt: s.startedAt,
      restarts: s.restarts,
      lastError: this.#binary
        ? s.lastError
        : `sing-box not found at "${this.#o.binary}". ${HOW_TO_GET_SING_BOX}`,
      configError: this.#configError,
    };
  }

  logLines(): string[] {
    return this.#supervisor.logLines();
  }

  currentConfig(): Promise<Record<string, unknown> | null> {
    return Promise.resolve(this.#configJson ? JSON.parse(this.#configJson) : null);
  }

  requestApply(reason: string): void {
    this.#pending.push(reason);
    if (this.#applyTimer !== null) return;
    this.#applyTimer = setTimeout(() => {
      this.#applyTimer = null;
      const reasons = [...new Set(this.#pending)].join(", ");
      this.#pending = [];
      this.#applying = this.applyNow(reasons).catch((e) => this.#log(`apply failed: ${e.message}`));
    }, this.#o.applyDelayMs ?? 1000);
  }

  /** Settles when every requested apply has run (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.#applyTimer !== null || this.#pending.length > 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.#applying.catch(() => {});
  }

  applyNow(reason: string): Promise<string | null> {
    return this.#lock.run(() => this.#apply(reason));
  }

  start(): Promise<void> {
    this.#wanted = true;
    return this.applyNow("started by admin").then(() => {});
  }

  stop(): Promise<void> {
    this.#wanted = false;
    return this.#lock.run(() => this.#supervisor.stop("stopped by admin"));
  }

  restart(): Promise<void> {
    this.#wanted = true;
    return this.#lock.run(async () => {
      if (!this.#binary || this.#configJson === null) return;
      await this.#supervisor.restart("restarted by admin");
    });
  }

  async #apply(reason: string): Promise<string | null> {
    const now = this.#now();
    const inbounds = await loadConfigInput(this.#o.db);
    let generated: GeneratedConfig;
    try {
      generated = generateSingBoxConfig({
        inbounds,
        apiListen: this.apiListen,
        logLevel: this.#o.logLevel,
        now,
      });
    } catch (e) {
      return this.#refuse(`Cannot build the sing-box config: ${(e as Error).message}`);
    }
    if (!this.#binary?.hasV2rayApi) delete generated.config.experimental;
    const json = JSON.stringify(generated.config, null, 2) + "\n";
    const targets = statTargetsOf(
      generated,
      new Map(inbounds.map((i) => [i.inbound.tag, i.inbound.id])),
    );
    const running = this.#supervisor.state === "running" || this.#supervisor.state === "starting";
    if (json === this.#configJson && (running || !this.#wanted || !this.#binary)) {
      this.#configError = null;
      return null;
    }
    const next = `${this.configPath}.next`;
    await Deno.writeTextFile(next, json, { mode: 0o600 });
    if (this.#binary) {
      const error = await checkConfigFile(this.#o.binary, next);
      if (error) {
        await Deno.remove(next).catch(() => {});
        return this.#refuse(`sing-box refused the new config: ${error}`);
      }
    }
    const busy = await this.#portsTakenByOthers(generated.config, running);
    if (busy) {
      await Deno.remove(next).catch(() => {});
      return this.#refuse(busy);
    }
    const previous = this.#configJson !== null && this.#targets !== null && running
      ? { json: this.#configJson, targets: this.#targets }
      : null;
    if (running) await this.#supervisor.stop(`reload: ${reason}`);
    await this.#swap(next, json, targets);
    this.#configError = null;
    if (!this.#binary || !this.#wanted) return null;
    await this.#supervisor.start(reason);
    if (await this.#supervisor.waitReady(this.#o.startTimeoutMs ?? 10_000)) return null;
    const why = this.#supervisor.lastError ?? "it did not start in time";
    if (!previous) return this.#refuse(`sing-box could not start with the new config: ${why}`);
    await this.#supervisor.stop("rollback");
    await Deno.writeTextFile(next, previous.json, { mode: 0o600 });
    await this.#swap(next, previous.json, previous.targets);
    await this.#supervisor.start("previous config restored");
    return this.#refuse(
      `sing-box could not start with the new config (${why}); the previous config keeps serving`,
    );
  }

  /**
   * A message naming the first new listen address and port that another program holds,
   * or null. Ports the running config holds already are sing-box's own and not probed.
   */
  async #portsTakenByOthers(
    config: Record<string, unknown>,
    running: boolean,
  ): Promise<string | null> {
    type Listener = { tag: string; type: string; listen: string; listen_port: number };
    const listeners = (config.inbounds ?? []) as Listener[];
    const current = running && this.#configJson
      ? ((JSON.parse(this.#configJson).inbounds ?? []) as Listener[])
      : [];
    const held = new Set(current.map((l) => l.listen_port));
    for (const l of listeners) {
      if (held.has(l.listen_port)) continue;
      const transport = await portTakenOn(l.listen, l.listen_port, l.type);
      if (transport) {
        return `Port ${l.listen_port} (${transport}) on ${l.listen} is already in use by another program; ` +
          `inbound "${l.tag}" cannot start, the previous config keeps serving`;
      }
    }
    return null;
  }

  async #swap(file: string, json: string, targets: StatTargets): Promise<void> {
    await Deno.rename(file, this.configPath);
    await replaceStatTargets(this.#o.db, targets);
    this.#configJson = json;
    this.#setTargets(targets);
  }

  #setTargets(targets: StatTargets): void {
    this.#targets = targets;
    this.poller.setTargets(targets);
    this.#activeUserIds = new Set([...targets.pairs.values()].map((p) => p.userId));
  }

  #refuse(message: string): string {
    this.#configError = message;
    this.#supervisor.note(message);
    this.#log(message);
    return message;
  }

  #currentRun(): { runId: number; apiListen: string } | { stale: string } {
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
    return { runId, apiListen: this.apiListen };
  }

  async #newRun(reason: string): Promise<number> {
    const now = this.#now();
    const orphan = this.#orphan;
    const oldRun = orphan?.runId ?? this.#supervisor.runId;
    const runId = await insertCoreRun(this.#o.db, {
      startedAt: now,
      reason,
      pid: this.#supervisor.pid,
      apiListen: orphan?.apiListen ?? this.apiListen,
    });
    if (oldRun !== null) await endCoreRun(this.#o.db, oldRun, null, now);
    if (orphan) this.#orphan = { ...orphan, runId };
    else this.#supervisor.runId = runId;
    return runId;
  }

  /**
   * A panel killed with SIGKILL leaves its sing-box running. Poll it once, counting what it
   * served since the last poll, then stop it; the new config starts afresh.
   */
  async #takeOverLeftovers(): Promise<void> {
    const runs = await openCoreRuns(this.#o.db);
    let polled = false;
    for (const run of runs) {
      if (run.pid !== null && await isOurSingBox(run.pid, this.configPath)) {
        if (!polled && this.#binary?.hasV2rayApi) {
          this.#log(`taking over sing-box pid ${run.pid} left by a previous panel (run ${run.id})`);
          this.#orphan = { runId: run.id, apiListen: run.api_listen };
          await this.poller.pollNow();
          this.#orphan = null;
          polled = true;
        }
        await killAndWait(run.pid, this.configPath);
      }
      await endCoreRun(this.#o.db, run.id, null, this.#now());
    }
  }

  /**
   * After each poll: users who just reached their quota or expired leave the config, and
   * users whose reset period (day, week, month) ended start again from zero (and come back
   * if they were limited). Either causes one batched reload, which is a no-op when the
   * config comes out the same.
   */
  #checkLimits(deltas: StatsDeltas): void {
    const now = this.#now();
    const since = this.#lastExpiryCheck;
    this.#lastExpiryCheck = now;
    const grown = [...deltas.users.keys()].filter((id) => this.#activeUserIds.has(id));
    usersCrossingLimits(this.#o.db, grown, since, now).then((ids) => {
      if (ids.some((id) => this.#activeUserIds.has(id))) {
        this.requestApply("quota reached or expired");
      }
    }).catch((e) => this.#log(`limit check failed: ${e.message}`));
    resetDueTraffic(this.#o.db, now).then((n) => {
      if (n === 0) return;
      this.#log(`periodic traffic reset: ${n} users`);
      this.requestApply("periodic traffic reset");
    }).catch((e) => this.#log(`periodic traffic reset failed: ${e.message}`));
  }
}
