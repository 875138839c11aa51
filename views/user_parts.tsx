/** Pieces shown wherever a user is: status badge, usage bar, expiry, inbound list. */
import type { UserStatus } from "../core/model.ts";
import type { UserWithInbounds } from "../db/users.ts";
import { useI18n } from "./i18n.ts";

/** A user's own page. */
export function userUrl(name: string, suffix = ""): string {
  return `/users/${encodeURIComponent(name)}${suffix}`;
}

export function StatusBadge(props: { status: UserStatus; id?: string }) {
  const { t } = useI18n();
  const id = props.id ? { id: props.id } : {};
  return <span {...id} class={`badge ${props.status}`}>{t.statuses[props.status]}</span>;
}

type UsageFields = Pick<UserWithInbounds, "uplink" | "downlink" | "trafficLimit">;

/**
 * Used / limit as a bar in the status colour, or used / ∞ for unlimited users. The bar is
 * an SVG whose filled rect is as wide as the share used (no inline style: CSP). The
 * figures stay left to right in a right-to-left page; the bar fills from the start side.
 */
export function UsageBar(props: { user: UsageFields; status: UserStatus }) {
  const { t, f } = useI18n();
  const { user, status } = props;
  const used = user.uplink + user.downlink;
  if (user.trafficLimit === 0) {
    return (
      <div class="usage">
        <bdi dir="ltr">
          <span title={f.exactBytes(used)}>{f.bytes(used)}</span> / ∞
        </bdi>
      </div>
    );
  }
  const percent = Math.min(100, Math.round((used / user.trafficLimit) * 1000) / 10);
  return (
    <div class="usage" title={t.users.quotaUsedTitle(f.percent(percent))}>
      <svg
        class={`bar ${status}`}
        viewBox="0 0 100 6"
        preserveAspectRatio="none"
        role="progressbar"
        aria-label={t.users.quotaUsed}
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow={String(percent)}
      >
        <rect class="track" width="100" height="6" />
        <rect class="fill" width={String(percent)} height="6" />
      </svg>
      <bdi dir="ltr">
        <span title={f.exactBytes(used)}>{f.bytes(used)}</span> /{" "}
        <span title={f.exactBytes(user.trafficLimit)}>{f.bytes(user.trafficLimit)}</span>
      </bdi>
    </div>
  );
}

/**
 * An expiry date (UTC) with how far away it is, "never", in red once passed and in the
 * "expires soon" colour when the user's status says so.
 */
export function ExpiryDate(props: { expiresAt: number | null; now: number; status?: UserStatus }) {
  const { t, f } = useI18n();
  if (props.expiresAt === null) return <span class="muted">{t.users.never}</span>;
  const title = t.common.utc(f.time(props.expiresAt));
  const cls = props.expiresAt <= props.now
    ? "expired-date"
    : props.status === "expiring"
    ? "soon-date"
    : undefined;
  return (
    <span title={title}>
      <span class={cls}>{f.date(props.expiresAt)}</span>{" "}
      <span class="muted expiry-rel">{t.common.paren(f.relative(props.expiresAt, props.now))}</span>
    </span>
  );
}

/** The assigned inbounds: one tag as is, several as "6 inbounds" (list on hover or tap). */
export function InboundList(props: { tags: string[] }) {
  const { t } = useI18n();
  const { tags } = props;
  if (tags.length === 0) return <span class="muted">{t.users.noInbounds}</span>;
  if (tags.length === 1) return <span class="truncate inbound-tag" title={tags[0]}>{tags[0]}</span>;
  return (
    <details class="popover">
      <summary title={tags.join(", ")}>{t.users.inboundCount(tags.length)}</summary>
      <ul>
        {tags.map((tag) => <li>{tag}</li>)}
      </ul>
    </details>
  );
}
