/** A user's status, from their numbers: the one definition the UI, API and config use. */
import type { User, UserStatus } from "../model.ts";

/** Fraction of the quota from which a user is shown as near their limit. */
export const NEAR_LIMIT_RATIO = 0.8;
/** Time left before expiry from which a user is shown as near their limit. */
export const NEAR_EXPIRY_MS = 3 * 24 * 3600 * 1000;

type StatusFields = Pick<User, "enabled" | "trafficLimit" | "expiresAt" | "uplink" | "downlink">;

/** disabled > expired > limited > near_limit > active, at time `now` (epoch ms). */
export function userStatus(user: StatusFields, now: number): UserStatus {
  if (!user.enabled) return "disabled";
  if (user.expiresAt !== null && user.expiresAt <= now) return "expired";
  const used = user.uplink + user.downlink;
  if (user.trafficLimit > 0 && used >= user.trafficLimit) return "limited";
  if (user.trafficLimit > 0 && used >= user.trafficLimit * NEAR_LIMIT_RATIO) return "near_limit";
  if (user.expiresAt !== null && user.expiresAt - now <= NEAR_EXPIRY_MS) return "near_limit";
  return "active";
}

/** Whether the user belongs in the generated sing-box config (may connect). */
export function isUserActive(user: StatusFields, now: number): boolean {
  const status = userStatus(user, now);
  return status === "active" || status === "near_limit";
}
