/**
 * Runs a poll every interval between `start()` and `stop()`, each one interval after the
 * previous one ended (never overlapping). Shared by the in-process poller and the worker's.
 */
export class PollTimer {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running = false;
  #loop: Promise<void> | null = null;

  /** `poll` must not throw. */
  constructor(private readonly intervalMs: number, private readonly poll: () => Promise<void>) {}

  /** Starts polling every interval; the first poll runs after one interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  /** Stops polling and waits for a poll in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#loop;
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#loop = this.poll().finally(() => this.#schedule());
    }, this.intervalMs);
  }
}
