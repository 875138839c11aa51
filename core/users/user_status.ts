/**
 * A user's status, from their numbers: the one definition the UI, API and config use.
 * `db/user_status.ts` states the same rules in SQL for the list's filters and counts.
 */
import type { User, UserStatus } from "../model.ts";

/** When a user counts as near their quota or expiring soon (panel settings). */
export interface StatusThresholds {
  /** Percent of the quota used from which a user is near their limit (1–100). */
  nearQuotaPercent: number;
  /** Days before expiry from which a user expires soon (0 = never shown). */
  expiringDays: number;
}

export const DEFAULT_STATUS_THRESHOLDS: StatusThresholds = {
  nearQuotaPercent: 80,
  expiringDays: 3,
};

export const DAY_MS = 24 * 3600 * 1000;

type StatusFields = Pick<User, "enabled" | "trafficLimit" | "expiresAt" | "uplink" | "downlink">;

/**
 * disabled > expired > limited > near_limit > expiring > active, at time `now` (epoch ms).
 * A user with no traffic who expires in 2 days is `expiring`, not `near_limit`.
 */
export function userStatus(
  user: StatusFields,
  now: number,
  thresholds: StatusThresholds = DEFAULT_STATUS_THRESHOLDS,
): UserStatus {
  if (!user.enabled) return "disabled";
  if (user.expiresAt !== null && user.expiresAt <= now) return "expired";
  const used = user.uplink + user.downlink;
  if (user.trafficLimit > 0 && used >= user.trafficLimit) return "limited";
  // Integer arithmetic, as in SQL, so the page and its filters agree at the boundary.
  if (user.trafficLimit > 0 && used * 100 >= user.trafficLimit * thresholds.nearQuotaPercent) {
    return "near_limit";
  }
  if (user.expiresAt !== null && user.expiresAt <= now + thresholds.expiringDays * DAY_MS) {
    return "expiring";
  }
  return "active";
}

/** Whether the user belongs in the generated sing-box config (may connect). */
export function isUserActive(user: StatusFields, now: number): boolean {
  const status = userStatus(user, now);
  return status === "active" || status === "near_limit" || status === "expiring";
}
