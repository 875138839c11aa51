/**
 * Runs one core process (sing-box, or singdeck-core, which answers the same `run -c`):
 * spawns it, keeps its recent log lines, restarts it with backoff after a crash, and stops
 * it cleanly (SIGTERM, then SIGKILL after a timeout). Each spawn is a new core run,
 * reported to the hooks so the stats poller can tell runs apart; every planned restart or
 * stop first calls `beforePlannedRestart` (drain and flush).
 *
 * The core outlives a dead panel: with a `logFile` it is started through `sh` with
 * stdout to /dev/null and stderr appended to the log file (which the config also names as
 * sing-box's log output), so it holds no pipe to the panel that could break when the
 * panel dies. The panel reads the file's new lines for the Logs page and rotates it
 * (copy, then truncate: the core appends, so it carries on at the start of the file).
 * The panel's `SINGDECK_*` settings (secrets among them) are not in the core's environment.
 */

export type SupervisorState = "stopped" | "starting" | "running" | "crashed";

export interface SupervisorHooks {
  /** Records a run that just started; returns its id. */
  runStarted(info: { pid: number; reason: string; startedAt: number }): Promise<number>;
  /** Records the end of a run. */
  runEnded(runId: number, exitCode: number | null, endedAt: number): Promise<void>;
  /** Runs before any planned restart or stop while the process still serves (drain, flush). */
  beforePlannedRestart(): Promise<void>;
  /** Runs before a restart after a crash (e.g. to write the config again). */
  beforeCrashRestart?(): Promise<void>;
}

export interface SupervisorOptions {
  binary: string;
  configPath: string;
  cwd: string;
  hooks: SupervisorHooks;
  /** Arguments after `run -c <config> --disable-color` (singdeck-core's secret file). */
  extraArgs?: () => string[];
  /** File the core logs to; the supervisor reads and rotates it. Without it, pipes are read. */
  logFile?: string;
  /** Rotate the log file past this size. Default 8 MiB (one older file is kept). */
  logMaxBytes?: number;
  /**
   * Answers whether the started core serves (its API answers). Polled every 50 ms after a
   * start; without it, the core is ready when it logs "sing-box started".
   */
  probeReady?: () => Promise<boolean>;
  /** Lines of sing-box output kept in memory. Default 500. */
  logLimit?: number;
  /** First and longest wait before restarting after a crash. Default 1 s and 30 s. */
  backoffMs?: { initial: number; max: number };
  /** Time between SIGTERM and SIGKILL. Default 5 s. */
  stopTimeoutMs?: number;
  now?: () => number;
}

/** A run that stayed up this long resets the crash backoff. */
const HEALTHY_RUN_MS = 60_000;
/** How much of an existing log file is shown when the panel starts. */
const LOG_CONTEXT_BYTES = 64 * 1024;

type Options =
  & Required<Omit<SupervisorOptions, "hooks" | "extraArgs" | "logFile" | "probeReady">>
  & Pick<SupervisorOptions, "hooks" | "extraArgs" | "logFile" | "probeReady">;

/** The panel's environment without its own settings (`SINGDECK_*`), for the core. */
export function coreEnvironment(env: Record<string, string> = Deno.env.toObject()) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("SINGDECK_")));
}

export class Supervisor {
  readonly #o: Options;
  #child: Deno.ChildProcess | null = null;
  #exited: Promise<void> | null = null;
  #planned = false;
  #wanted = false;
  #restartTimer: ReturnType<typeof setTimeout> | null = null;
  #backoff: number;
  #lines: string[] = [];
  #state: SupervisorState = "stopped";
  #startedAt: number | null = null;
  #runId: number | null = null;
  #restarts = 0;
  #lastError: string | null = null;
  #ready: PromiseWithResolvers<boolean> | null = null;
  #logOffset = -1;
  #logRest = "";
  /** Serializes start/stop/restart. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SupervisorOptions) {
    this.#o = {
      logLimit: 500,
      logMaxBytes: 8 * 1024 * 1024,
      backoffMs: { initial: 1000, max: 30_000 },
      stopTimeoutMs: 5000,
      now: Date.now,
      ...options,
    };
    this.#backoff = this.#o.backoffMs.initial;
  }

  get state(): SupervisorState {
    return this.#state;
  }
  get pid(): number | null {
    return this.#child?.pid ?? null;
  }
  get startedAt(): number | null {
    return this.#startedAt;
  }
  /** The id of the current run, or null when nothing runs. */
  get runId(): number | null {
    return this.#runId;
  }
  /** Replaces the current run's id (the poller saw the core restart on its own). */
  set runId(id: number | null) {
    if (this.#child) this.#runId = id;
  }
  /** Restarts after crashes since the panel started. */
  get restarts(): number {
    return this.#restarts;
  }
  get lastError(): string | null {
    return this.#lastError;
  }

  /** The last log lines, oldest first (the core's log file read up to now). */
  logLines(): string[] {
    this.#readLogFile();
    return [...this.#lines];
  }

  /** Adds a line of the panel's own to the log. */
  note(line: string): void {
    this.#push(`singdeck: ${line}`);
  }

  /** Starts the core unless it runs already. */
  start(reason: string): Promise<void> {
    return this.#serial(async () => {
      this.#wanted = true;
      this.#clearRestartTimer();
      if (!this.#child) await this.#spawn(reason);
    });
  }

  /** Drains and flushes, then stops the core and keeps it stopped. */
  stop(reason: string): Promise<void> {
    return this.#serial(async () => {
      this.#wanted = false;
      this.#clearRestartTimer();
      await this.#stopChild(reason);
      this.#state = "stopped";
    });
  }

  /** Drains and flushes, stops and starts the core again (a new run). */
  restart(reason: string): Promise<void> {
    return this.#serial(async () => {
      this.#wanted = true;
      this.#clearRestartTimer();
      await this.#stopChild(reason);
      await this.#spawn(reason);
    });
  }

  /**
   * Resolves true once the current process is ready (its API answers, or it logged that it
   * started), false when it exits first or `timeoutMs` passes.
   */
  async waitReady(timeoutMs: number): Promise<boolean> {
    await this.#queue;
    if (this.#state === "running") return true;
    const ready = this.#ready;
    if (!ready || !this.#child) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) =>
      timer = setTimeout(() => resolve(false), timeoutMs)
    );
    try {
      return await Promise.race([ready.promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => {});
    return next;
  }

  #push(line: string): void {
    if (!this.#o.probeReady && this.#state === "starting" && /sing-box started/.test(line)) {
      this.#markReady();
    }
    this.#lines.push(line);
    if (this.#lines.length > this.#o.logLimit) {
      this.#lines.splice(0, this.#lines.length - this.#o.logLimit);
    }
  }

  #markReady(): void {
    this.#state = "running";
    this.#ready?.resolve(true);
  }

  /** Reads the log file's new lines into the ring, and rotates a file grown too large. */
  #readLogFile(): void {
    const path = this.#o.logFile;
    if (!path) return;
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, { read: true });
    } catch {
      return;
    }
    try {
      const size = file.statSync().size;
      if (this.#logOffset < 0) this.#logOffset = Math.max(0, size - LOG_CONTEXT_BYTES);
      if (size < this.#logOffset) {
        this.#logOffset = 0; // truncated (rotated)
        this.#logRest = "";
      }
      if (size > this.#logOffset) {
        const length = Math.min(size - this.#logOffset, 4 * 1024 * 1024);
        const buffer = new Uint8Array(length);
        file.seekSync(this.#logOffset, Deno.SeekMode.Start);
        let read = 0;
        while (read < length) {
          const n = file.readSync(buffer.subarray(read));
          if (n === null) break;
          read += n;
        }
        this.#logOffset += read;
        const text = this.#logRest + new TextDecoder().decode(buffer.subarray(0, read));
        const parts = text.split("\n");
        this.#logRest = parts.pop() ?? "";
        for (const line of parts) if (line.trim() !== "") this.#push(line.trimEnd());
      }
      if (size > this.#o.logMaxBytes) this.#rotate(path);
    } finally {
      file.close();
    }
  }

  #rotate(path: string): void {
    try {
      Deno.copyFileSync(path, `${path}.1`);
      Deno.truncateSync(path, 0);
      this.#logOffset = 0;
      this.#logRest = "";
      this.note(`log rotated: ${path}.1 holds the previous lines`);
    } catch (e) {
      this.note(`could not rotate ${path}: ${(e as Error).message}`);
    }
  }

  async #spawn(reason: string): Promise<void> {
    this.#state = "starting";
    this.note(`starting ${this.#o.binary} (${reason})`);
    this.#readLogFile(); // show only lines of this run from here on as new
    const args = [
      "run",
      "-c",
      this.#o.configPath,
      "--disable-color",
      ...this.#o.extraArgs?.() ?? [],
    ];
    const logFile = this.#o.logFile;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(logFile ? "/bin/sh" : this.#o.binary, {
        // sh only sets up the output and execs the core: the pid is the core's.
        args: logFile
          ? [
            "-c",
            'log="$1"; shift; exec "$@" >/dev/null 2>>"$log"',
            "sh",
            logFile,
            this.#o.binary,
            ...args,
          ]
          : args,
        cwd: this.#o.cwd,
        clearEnv: true,
        env: coreEnvironment(),
        // Its own process group: a Ctrl-C meant for the panel must not kill the core before
        // the panel has drained, flushed and stopped it.
        detached: true,
        stdin: "null",
        stdout: logFile ? "null" : "piped",
        stderr: logFile ? "null" : "piped",
      }).spawn();
    } catch (e) {
      this.#state = "crashed";
      this.#lastError = `Cannot start ${this.#o.binary}: ${(e as Error).message}`;
      this.note(this.#lastError);
      throw e;
    }
    this.#child = child;
    this.#planned = false;
    this.#ready = Promise.withResolvers<boolean>();
    const startedAt = this.#o.now();
    this.#startedAt = startedAt;
    this.#runId = await this.#o.hooks.runStarted({ pid: child.pid, reason, startedAt });
    const runId = this.#runId;
    const output = logFile
      ? Promise.resolve()
      : Promise.all([this.#pump(child.stdout), this.#pump(child.stderr)]);
    this.#exited = child.status.then(async (status) => {
      await output.catch(() => {});
      await this.#onExit(child, runId, status.code, startedAt);
    });
    this.#watchReadiness(child);
  }

  /** Polls the probe (or the log file for the started line) until ready or exited. */
  #watchReadiness(child: Deno.ChildProcess): void {
    const probe = this.#o.probeReady;
    if (!probe && !this.#o.logFile) return; // the pumped lines say when
    const tick = async () => {
      while (this.#child === child && this.#state === "starting") {
        if (probe) {
          if (await probe().catch(() => false)) {
            if (this.#child === child && this.#state === "starting") this.#markReady();
            return;
          }
        } else this.#readLogFile();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    tick();
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) if (line.trim() !== "") this.#push(line.trimEnd());
    }
    if (rest.trim() !== "") this.#push(rest.trimEnd());
  }

  async #onExit(child: Deno.ChildProcess, runId: number, code: number, startedAt: number) {
    const endedAt = this.#o.now();
    this.#readLogFile();
    if (this.#child === child && this.#runId !== null) runId = this.#runId;
    await this.#o.hooks.runEnded(runId, code, endedAt).catch((e) =>
      this.note(`could not record the end of run ${runId}: ${e.message}`)
    );
    if (this.#child !== child) return;
    this.#ready?.resolve(false);
    this.#child = null;
    this.#runId = null;
    this.#startedAt = null;
    if (this.#planned) return;
    // Unplanned: a crash, or the core refused to start.
    const fatal = [...this.#lines].reverse().find((l) => /FATAL|ERROR|panic/i.test(l));
    this.#lastError = `${this.#o.binary} exited with code ${code}${fatal ? `: ${fatal}` : ""}`;
    this.#state = "crashed";
    this.note(this.#lastError);
    if (!this.#wanted) return;
    if (endedAt - startedAt > HEALTHY_RUN_MS) this.#backoff = this.#o.backoffMs.initial;
    const wait = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.#o.backoffMs.max);
    this.note(`restarting in ${(wait / 1000).toFixed(1)} s`);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      this.#restarts++;
      this.#serial(async () => {
        if (!this.#wanted || this.#child) return;
        await this.#o.hooks.beforeCrashRestart?.().catch((e) =>
          this.note(`preparing the restart failed: ${(e as Error).message}`)
        );
        await this.#spawn("restart after crash");
      }).catch((e) => this.note(`restart failed: ${e.message}`));
    }, wait);
  }

  #clearRestartTimer(): void {
    if (this.#restartTimer !== null) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
  }

  async #stopChild(reason: string): Promise<void> {
    const child = this.#child;
    if (!child) return;
    try {
      await this.#o.hooks.beforePlannedRestart();
    } catch (e) {
      this.note(`flush before ${reason} failed: ${(e as Error).message}`);
    }
    this.#planned = true;
    this.note(`stopping ${this.#o.binary} (${reason})`);
    const exited = this.#exited;
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, this.#o.stopTimeoutMs);
    await exited;
    clearTimeout(timer);
  }
}
