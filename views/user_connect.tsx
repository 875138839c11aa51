/**
 * The "Connect" section of a user's admin page: the subscription URL (copy, QR code,
 * regenerate), the last fetch, the sing-box profile download, and each share link
 * collapsed with its QR code (loaded only when opened) and credentials.
 */
import type { ConnectItem } from "../core/subscriptions/connect_items.ts";
import type { BlockedReason } from "../core/subscriptions/subscriptions.ts";
import { CopyButton, CsrfField } from "./layout.tsx";
import { useI18n } from "./i18n.ts";
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
  blocked: BlockedReason | null;
  lastSubscription: { at: number; userAgent: string } | null;
  items: ConnectItem[];
}

export function UserConnect(props: UserConnectProps) {
  const { t, f } = useI18n();
  const c = t.connect;
  const base = userUrl(props.userName);
  const last = props.lastSubscription;
  return (
    <section class="card" id="connect">
      <h2>{c.heading}</h2>
      <p class="muted">{c.urlExplained}</p>
      <p class="secret" id="subscription-url">{props.url}</p>
      <div class="actions">
        <CopyButton text={props.url} label={t.common.copyUrl} />
        <a class="button secondary" href={props.url} target="_blank" rel="noopener">
          {c.openUserPage}
        </a>
        <a class="button secondary" href={`${base}/profile.json`} download>
          {c.downloadProfile}
        </a>
        <form
          method="post"
          action={`${base}/regenerate-token`}
          hx-post={`${base}/regenerate-token`}
          hx-confirm={c.newUrlConfirm(props.userName)}
        >
          <CsrfField token={props.csrfToken} />
          <button type="submit" class="secondary">{c.newUrl}</button>
        </form>
      </div>
      <QrCode svg={props.urlQrSvg} label={c.subscriptionUrl} id="subscription-qr" />
      <p class="muted" id="last-subscription">
        {last
          ? (
            <>
              {c.lastFetch(f.duration((props.now - last.at) / 1000))}{" "}
              <bdi dir="ltr">({t.common.utc(f.time(last.at))})</bdi>
              {last.userAgent && (
                <>
                  {t.common.comma}
                  <bdi>{last.userAgent}</bdi>
                </>
              )}
            </>
          )
          : c.neverFetched}
      </p>
      {props.blocked && (
        <p class="flash error" id="connect-blocked">
          {c.blocked(t.subscription.blocked[props.blocked])}
        </p>
      )}
      <h3>{c.shareLinks}</h3>
      <ShareLinkList items={props.items} />
    </section>
  );
}
