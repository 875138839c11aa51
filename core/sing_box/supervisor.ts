/**
 * Runs one sing-box process: spawns `sing-box run -c <file> --disable-color`, keeps its
 * recent log lines, restarts it with backoff after a crash, and stops it cleanly
 * (SIGTERM, then SIGKILL after a timeout). Each spawn is a new core run, reported to the
 * hooks so the stats poller can tell runs apart; every planned restart or stop first
 * calls `beforePlannedRestart` (the poller's flush).
 */

export type SupervisorState = "stopped" | "starting" | "running" | "crashed";

export interface SupervisorHooks {
  /** Records a run that just started; returns its id. */
  runStarted(info: { pid: number; reason: string; startedAt: number }): Promise<number>;
  /** Records the end of a run. */
  runEnded(runId: number, exitCode: number | null, endedAt: number): Promise<void>;
  /** Runs before any planned restart or stop while the process still serves (flush). */
  beforePlannedRestart(): Promise<void>;
}

export interface SupervisorOptions {
  binary: string;
  configPath: string;
  cwd: string;
  hooks: SupervisorHooks;
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

export class Supervisor {
  readonly #o: Required<Omit<SupervisorOptions, "hooks">> & { hooks: SupervisorHooks };
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
  /** Serializes start/stop/restart. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SupervisorOptions) {
    this.#o = {
      logLimit: 500,
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

  /** The last log lines, oldest first. */
  logLines(): string[] {
    return [...this.#lines];
  }

  /** Adds a line of the panel's own to the log. */
  note(line: string): void {
    this.#push(`singdeck: ${line}`);
  }

  /** Starts sing-box unless it runs already. */
  start(reason: string): Promise<void> {
    return this.#serial(async () => {
      this.#wanted = true;
      this.#clearRestartTimer();
      if (!this.#child) await this.#spawn(reason);
    });
  }

  /** Flushes, then stops sing-box and keeps it stopped. */
  stop(reason: string): Promise<void> {
    return this.#serial(async () => {
      this.#wanted = false;
      this.#clearRestartTimer();
      await this.#stopChild(reason);
      this.#state = "stopped";
    });
  }

  /** Flushes, stops and starts sing-box again (a new run). */
  restart(reason: string): Promise<void> {
    return this.#serial(async () => {
      this.#wanted = true;
      this.#clearRestartTimer();
      await this.#stopChild(reason);
      await this.#spawn(reason);
    });
  }

  /**
   * Resolves true once the current process logged that it started, false when it exits
   * first or `timeoutMs` passes.
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
    if (this.#state === "starting" && /sing-box started/.test(line)) {
      this.#state = "running";
      this.#ready?.resolve(true);
    }
    this.#lines.push(line);
    if (this.#lines.length > this.#o.logLimit) {
      this.#lines.splice(0, this.#lines.length - this.#o.logLimit);
    }
  }

  async #spawn(reason: string): Promise<void> {
    this.#state = "starting";
    this.note(`starting sing-box (${reason})`);
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(this.#o.binary, {
        args: ["run", "-c", this.#o.configPath, "--disable-color"],
        cwd: this.#o.cwd,
        // Its own process group: a Ctrl-C meant for the panel must not kill sing-box
        // before the panel has flushed the stats and stopped it.
        detached: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
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
    const output = Promise.all([this.#pump(child.stdout), this.#pump(child.stderr)]);
    this.#exited = child.status.then(async (status) => {
      await output.catch(() => {});
      await this.#onExit(child, runId, status.code, startedAt);
    });
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
    // Unplanned: a crash, or sing-box refused to start.
    const fatal = [...this.#lines].reverse().find((l) => /FATAL|ERROR|panic/i.test(l));
    this.#lastError = `sing-box exited with code ${code}${fatal ? `: ${fatal}` : ""}`;
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
        if (this.#wanted && !this.#child) await this.#spawn("restart after crash");
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
    this.note(`stopping sing-box (${reason})`);
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
