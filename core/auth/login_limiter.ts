/**
 * Login rate limit per client address: `maxFailures` failures within `windowMs` lock the
 * address out for `lockoutMs`. In memory: a panel restart forgets it, which is acceptable
 * for a single-process panel and keeps the limiter free of database writes.
 */
export class LoginLimiter {
  #failures = new Map<string, number[]>();
  #lockedUntil = new Map<string, number>();

  constructor(
    readonly maxFailures = 5,
    readonly windowMs = 5 * 60_000,
    readonly lockoutMs = 15 * 60_000,
    readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the address may try again, or 0 when it may try now. */
  retryAfter(address: string): number {
    const until = this.#lockedUntil.get(address);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left <= 0) {
      this.#lockedUntil.delete(address);
      return 0;
    }
    return Math.ceil(left / 1000);
  }

  /** Records a failed attempt; returns true when it locked the address out. */
  recordFailure(address: string): boolean {
    const now = this.now();
    const recent = (this.#failures.get(address) ?? []).filter((t) => now - t < this.windowMs);
    recent.push(now);
    if (recent.length >= this.maxFailures) {
      this.#failures.delete(address);
      this.#lockedUntil.set(address, now + this.lockoutMs);
      return true;
    }
    this.#failures.set(address, recent);
    if (this.#failures.size > 10_000) this.#prune(now);
    return false;
  }

  /** Forgets an address's failures after a successful login. */
  recordSuccess(address: string): void {
    this.#failures.delete(address);
  }

  #prune(now: number): void {
    for (const [address, times] of this.#failures) {
      if (times.every((t) => now - t >= this.windowMs)) this.#failures.delete(address);
    }
  }
}
