/**
 * The "Connect" section of a user's admin page: the subscription URL (copy, QR code,
 * regenerate), the last fetch, the sing-box profile download, and each share link
 * collapsed with its QR code (loaded only when opened) and credentials.
 */
import { formatDuration, formatTime } from "../core/format.ts";
import type { ConnectItem } from "../core/subscriptions/connect_items.ts";
import { CopyButton, CsrfField } from "./layout.tsx";
import { QrCode, ShareLinkList } from "./share_link_list.tsx";
import { userUrl } from "./user_parts.tsx";

export interface UserConnectProps {
  userName: string;
  csrfToken: string;
  now: number;
  /** The subscription URL and its QR code (inline SVG). */
  url: string;
  urlQrSvg: string;
  /** Why the user's clients get no server now, or null. */
  blocked: string | null;
  lastSubscription: { at: number; userAgent: string } | null;
  items: ConnectItem[];
}

export function UserConnect(props: UserConnectProps) {
  const base = userUrl(props.userName);
  const last = props.lastSubscription;
  return (
    <section class="card" id="connect">
      <h2>Connect</h2>
      <p class="muted">Subscription URL (clients import it once and refresh it themselves)</p>
      <p class="secret" id="subscription-url">{props.url}</p>
      <div class="actions">
        <CopyButton text={props.url} label="Copy URL" />
        <a class="button secondary" href={props.url} target="_blank" rel="noopener">
          Open the user's page
        </a>
        <a class="button secondary" href={`${base}/profile.json`} download>
          Download sing-box profile
        </a>
        <form
          method="post"
          action={`${base}/regenerate-token`}
          hx-post={`${base}/regenerate-token`}
          hx-confirm={`Make a new subscription URL for "${props.userName}"? The current one stops working.`}
        >
          <CsrfField token={props.csrfToken} />
          <button type="submit" class="secondary">New subscription URL</button>
        </form>
      </div>
      <QrCode svg={props.urlQrSvg} label="subscription URL" id="subscription-qr" />
      <p class="muted" id="last-subscription">
        {last
          ? `Last subscription update: ${formatDuration((props.now - last.at) / 1000)} ago (${
            formatTime(last.at)
          } UTC)${last.userAgent ? `, ${last.userAgent}` : ""}`
          : "The subscription has not been fetched yet."}
      </p>
      {props.blocked && (
        <p class="flash error" id="connect-blocked">
          Clients get no server now: {props.blocked.replace(/^⛔ /, "")}.
        </p>
      )}
      <h3>Share links</h3>
      <ShareLinkList items={props.items} />
    </section>
  );
}
