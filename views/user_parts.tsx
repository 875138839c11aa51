/** Pieces shown wherever a user is: status badge, usage bar, expiry, inbound list. */
import type { UserStatus } from "../core/model.ts";
import {
  formatBytes,
  formatDate,
  formatExactBytes,
  formatPercent,
  formatRelative,
  formatTime,
} from "../core/format.ts";
import type { UserWithInbounds } from "../db/users.ts";

export const STATUS_LABELS: Record<UserStatus, string> = {
  active: "active",
  expiring: "expires soon",
  near_limit: "near quota",
  limited: "limited",
  expired: "expired",
  disabled: "disabled",
};

/** A user's own page. */
export function userUrl(name: string, suffix = ""): string {
  return `/users/${encodeURIComponent(name)}${suffix}`;
}

export function StatusBadge(props: { status: UserStatus; id?: string }) {
  const id = props.id ? { id: props.id } : {};
  return <span {...id} class={`badge ${props.status}`}>{STATUS_LABELS[props.status]}</span>;
}

type UsageFields = Pick<UserWithInbounds, "uplink" | "downlink" | "trafficLimit">;

/**
 * Used / limit as a bar in the status colour, or used / ∞ for unlimited users. The bar is
 * an SVG whose filled rect is as wide as the share used (no inline style: CSP).
 */
export function UsageBar(props: { user: UsageFields; status: UserStatus }) {
  const { user, status } = props;
  const used = user.uplink + user.downlink;
  if (user.trafficLimit === 0) {
    return (
      <div class="usage">
        <span title={formatExactBytes(used)}>{formatBytes(used)}</span> / ∞
      </div>
    );
  }
  const percent = Math.min(100, Math.round((used / user.trafficLimit) * 1000) / 10);
  return (
    <div class="usage" title={`${formatPercent(percent)} of the quota used`}>
      <svg
        class={`bar ${status}`}
        viewBox="0 0 100 6"
        preserveAspectRatio="none"
        role="progressbar"
        aria-label="Quota used"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow={String(percent)}
      >
        <rect class="track" width="100" height="6" />
        <rect class="fill" width={String(percent)} height="6" />
      </svg>
      <span>
        <span title={formatExactBytes(used)}>{formatBytes(used)}</span> /{" "}
        <span title={formatExactBytes(user.trafficLimit)}>{formatBytes(user.trafficLimit)}</span>
      </span>
    </div>
  );
}

/**
 * An expiry date (UTC) with how far away it is, "never", in red once passed and in the
 * "expires soon" colour when the user's status says so.
 */
export function ExpiryDate(props: { expiresAt: number | null; now: number; status?: UserStatus }) {
  if (props.expiresAt === null) return <span class="muted">never</span>;
  const title = formatTime(props.expiresAt) + " UTC";
  const cls = props.expiresAt <= props.now
    ? "expired-date"
    : props.status === "expiring"
    ? "soon-date"
    : undefined;
  return (
    <span title={title}>
      <span class={cls}>{formatDate(props.expiresAt)}</span>{" "}
      <span class="muted">({formatRelative(props.expiresAt, props.now)})</span>
    </span>
  );
}

/** The assigned inbounds: one tag as is, several as "6 inbounds" (list on hover or tap). */
export function InboundList(props: { tags: string[] }) {
  const { tags } = props;
  if (tags.length === 0) return <span class="muted">none</span>;
  if (tags.length === 1) return <span class="truncate" title={tags[0]}>{tags[0]}</span>;
  return (
    <details class="popover">
      <summary title={tags.join(", ")}>{tags.length} inbounds</summary>
      <ul>
        {tags.map((tag) => <li>{tag}</li>)}
      </ul>
    </details>
  );
}
