/**
 * Subscription requests per client address: a token bucket of `burst` requests refilled at
 * `perMinute` a minute. Every request to `/sub/` counts, known token or not, so guessing
 * tokens is bounded as much as fetching (see `subscriptionClientAddress` for proxies). Clients refresh every few hours, so the default
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

/**
 * The address a subscription request is limited under: the socket peer, except that a
 * peer on loopback is taken to be a reverse proxy on this host and the last
 * `X-Forwarded-For` entry (the address that proxy saw) is used instead. Without this,
 * every user behind such a proxy would share one bucket. Remote peers' headers are never
 * trusted (anyone can send them).
 */
export function subscriptionClientAddress(peer: string, forwardedFor: string | undefined): string {
  const loopback = /^127\./.test(peer) || peer === "::1" || peer === "::ffff:127.0.0.1";
  if (!loopback || !forwardedFor) return peer;
  const last = forwardedFor.split(",").map((part) => part.trim()).filter(Boolean).pop();
  return last && last.length <= 64 ? last : peer;
}
