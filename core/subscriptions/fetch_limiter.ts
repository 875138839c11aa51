/**
 * Subscription requests per client address: a token bucket of `burst` requests refilled at
 * `perMinute` a minute. Every request to `/sub/` counts, known token or not, so guessing
 * tokens is bounded as much as fetching. Clients refresh every few hours, so the default
 * (30 at once, 30 a minute) leaves room for a household behind one address. In memory,
 * like the login limiter.
 */
export class FetchLimiter {
  #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly burst = 30,
    readonly perMinute = 30,
    readonly now: () => number = Date.now,
  ) {}

  /** Takes one request for `address`: 0 when allowed, else seconds until one is. */
  take(address: string): number {
    const now = this.now();
    const bucket = this.#buckets.get(address);
    const perMs = this.perMinute / 60_000;
    const tokens = bucket
      ? Math.min(this.burst, bucket.tokens + (now - bucket.at) * perMs)
      : this.burst;
    if (tokens < 1) {
      this.#buckets.set(address, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
    }
    this.#buckets.set(address, { tokens: tokens - 1, at: now });
    if (this.#buckets.size > 10_000) this.#prune(now);
    return 0;
  }

  /** Drops addresses whose bucket has refilled (they would start full anyway). */
  #prune(now: number): void {
    const perMs = this.perMinute / 60_000;
    for (const [address, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * perMs >= this.burst) this.#buckets.delete(address);
    }
  }
}
