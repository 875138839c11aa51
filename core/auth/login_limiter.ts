/**
 * The login rate limit. The rule (README "Login limits"):
 *
 * - Every attempt is reserved here before its password is hashed, and a reserved attempt
 *   counts as a failure until it succeeds, so a burst of concurrent requests gets no more
 *   password checks than sequential ones.
 * - At most `maxInFlightPerClient` attempts of one client and `maxInFlight` in total run
 *   at once (each scrypt check takes 32 MiB); more are refused at once with 429.
 * - A client is a browser holding a valid device cookie (issued at a successful login),
 *   else its address (IPv6 by /64). `maxFailures` failures of a client within `windowMs`
 *   lock that client out for `lockoutMs`, doubled for each further lockout within a day
 *   (up to `maxLockoutMs`).
 * - Failures for one account from clients without its device cookie, wherever they come
 *   from, lock the account for such clients after `accountMaxFailures` within `windowMs`,
 *   with the same backoff. A browser holding the account's device cookie is never held back
 *   by that, nor by failures of other clients at its address: neither a proxy user, nor a
 *   neighbour behind the admin's address, nor a distributed guesser can keep the admin out
 *   of a browser that logged in before.
 *
 * In memory: a panel restart forgets it, which suits a single-process panel and keeps the
 * limiter free of database writes.
 */
import { RateLimitError } from "../errors.ts";

export interface LoginLimits {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
  maxLockoutMs: number;
  accountMaxFailures: number;
  maxInFlightPerClient: number;
  maxInFlight: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  lockoutMs: 15 * 60_000,
  maxLockoutMs: 24 * 3600_000,
  accountMaxFailures: 20,
  maxInFlightPerClient: 2,
  maxInFlight: 4,
};

/** Who is logging in: the client key (device or address) and the account tried. */
export interface LoginClient {
  /** `device:<id>` for a browser with a valid device cookie, else `address:<ip>`. */
  key: string;
  /** The username tried, lower case. */
  account: string;
  /** Whether the client holds a valid device cookie for `account`. */
  trusted: boolean;
}

/**
 * A reserved attempt: `finish` must be called once, with whether the password was right,
 * or null when the check itself failed (a database error), which counts as nothing.
 */
export interface LoginAttempt {
  finish(succeeded: boolean | null): void;
}

/** Failures, attempts in flight and lockouts of one client or account. */
class Bucket {
  failures: number[] = [];
  inFlight = 0;
  lockedUntil = 0;
  lockouts = 0;
  lastLockoutAt = 0;

  recent(now: number, windowMs: number): number {
    this.failures = this.failures.filter((t) => now - t < windowMs);
    return this.failures.length;
  }

  idle(now: number, limits: LoginLimits): boolean {
    return this.inFlight === 0 && this.lockedUntil <= now &&
      this.recent(now, limits.windowMs) === 0 && now - this.lastLockoutAt > 24 * 3600_000;
  }
}

/** The login limiter of one panel process. */
export class LoginLimiter {
  #clients = new Map<string, Bucket>();
  #accounts = new Map<string, Bucket>();
  #inFlight = 0;
  readonly limits: LoginLimits;

  constructor(limits: Partial<LoginLimits> = {}, readonly now: () => number = Date.now) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /**
   * Reserves an attempt, before the password is checked; throws `RateLimitError` (with the
   * seconds to wait) when the client or the account is locked or too many run at once.
   */
  begin(client: LoginClient): LoginAttempt {
    const now = this.now();
    const l = this.limits;
    const mine = this.#bucket(this.#clients, client.key);
    const account = client.trusted ? null : this.#bucket(this.#accounts, client.account);
    for (const [bucket, who] of [[mine, "client"], [account, "account"]] as const) {
      if (bucket && bucket.lockedUntil > now) {
        throw lockedError(who, Math.ceil((bucket.lockedUntil - now) / 1000), client.trusted);
      }
    }
    // Attempts in flight count as failures until they succeed: the lockout cannot be
    // outrun by sending many at once.
    const busy = mine.inFlight >= l.maxInFlightPerClient || this.#inFlight >= l.maxInFlight ||
      mine.recent(now, l.windowMs) + mine.inFlight >= l.maxFailures ||
      (account !== null &&
        account.recent(now, l.windowMs) + account.inFlight >= l.accountMaxFailures);
    if (busy) {
      throw new RateLimitError((m) => m.errors.loginBusy, 1);
    }
    mine.inFlight++;
    if (account) account.inFlight++;
    this.#inFlight++;
    let finished = false;
    return {
      finish: (succeeded) => {
        if (finished) return;
        finished = true;
        mine.inFlight--;
        if (account) account.inFlight--;
        this.#inFlight--;
        const at = this.now();
        if (succeeded === null) return;
        if (succeeded) {
          mine.failures = [];
          mine.lockouts = 0;
          return;
        }
        this.#fail(mine, at, l.maxFailures);
        if (account) this.#fail(account, at, l.accountMaxFailures);
        this.#prune(at);
      },
    };
  }

  /** Seconds until `client` may try again (0: now), for tests and the login page. */
  retryAfter(client: LoginClient): number {
    const now = this.now();
    const mine = this.#clients.get(client.key);
    const account = client.trusted ? undefined : this.#accounts.get(client.account);
    const until = Math.max(mine?.lockedUntil ?? 0, account?.lockedUntil ?? 0);
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  #fail(bucket: Bucket, now: number, max: number): void {
    bucket.failures.push(now);
    if (bucket.recent(now, this.limits.windowMs) < max) return;
    if (now - bucket.lastLockoutAt > 24 * 3600_000) bucket.lockouts = 0;
    const duration = Math.min(
      this.limits.lockoutMs * 2 ** bucket.lockouts,
      this.limits.maxLockoutMs,
    );
    bucket.lockouts++;
    bucket.lastLockoutAt = now;
    bucket.lockedUntil = now + duration;
    bucket.failures = [];
  }

  #bucket(map: Map<string, Bucket>, key: string): Bucket {
    let bucket = map.get(key);
    if (!bucket) {
      bucket = new Bucket();
      map.set(key, bucket);
    }
    return bucket;
  }

  #prune(now: number): void {
    for (const map of [this.#clients, this.#accounts]) {
      if (map.size <= 10_000) continue;
      for (const [key, bucket] of map) if (bucket.idle(now, this.limits)) map.delete(key);
    }
  }
}

function lockedError(
  who: "client" | "account",
  seconds: number,
  trusted: boolean,
): RateLimitError {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  const hint = !trusted && who === "account";
  return new RateLimitError((m) => m.errors.loginLocked(who, minutes, hint), seconds);
}

/**
 * The limiter's key for a client address: IPv4 (also IPv4-mapped IPv6) as is, IPv6 by
 * its /64, since one host or subscriber usually holds a whole /64.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return `address:${mapped[1]}`;
  if (!address.includes(":")) return `address:${address}`;
  const [head, tail = ""] = address.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === "" ? [] : tail.split(":");
  const groups = address.includes("::")
    ? [
      ...headGroups,
      ...new Array(8 - headGroups.length - tailGroups.length).fill("0"),
      ...tailGroups,
    ]
    : headGroups;
  return `address:${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(":")}::/64`;
}
