/**
 * A user's own subscription page (`/sub/{token}` in a browser): status, usage, expiry,
 * one-tap import buttons, the subscription URL with its QR code, and every share link.
 * No login: the token is the key. Blocked users see why and no links. It speaks the
 * visitor's browser language, not the admin's.
 */
import type { UserStatus } from "../core/model.ts";
import type { Subscription } from "../core/subscriptions/subscriptions.ts";
import type { ConnectItem } from "../core/subscriptions/connect_items.ts";
import { Bytes, CopyButton, Layout } from "./layout.tsx";
import { useI18n } from "./i18n.ts";
import { ExpiryDate, StatusBadge, UsageBar } from "./user_parts.tsx";
import { QrCode, ShareLinkList } from "./share_link_list.tsx";

export interface SubscriptionPageProps {
  sub: Subscription;
  status: UserStatus;
  now: number;
  url: string;
  urlQrSvg: string;
  imports: Array<{ app: string; href: string }>;
  items: ConnectItem[];
}

export function SubscriptionPage(props: SubscriptionPageProps) {
  const { t } = useI18n();
  const s = t.subscription;
  const { sub, now } = props;
  const user = sub.user;
  return (
    <Layout title={user.name}>
      <h1>
        {user.name} <StatusBadge status={props.status} />
      </h1>
      {sub.blocked && (
        <p class="flash error" role="alert" id="sub-blocked">⛔ {s.blocked[sub.blocked]}</p>
      )}
      <section class="grid">
        <div class="card stat">
          <div class="label">{s.uploaded}</div>
          <div class="value" id="sub-upload">
            <Bytes value={user.uplink} />
          </div>
        </div>
        <div class="card stat">
          <div class="label">{s.downloaded}</div>
          <div class="value" id="sub-download">
            <Bytes value={user.downlink} />
          </div>
        </div>
        <div class="card stat">
          <div class="label">{t.users.usedOfLimit}</div>
          <UsageBar user={user} status={props.status} />
        </div>
        <div class="card stat">
          <div class="label">{t.users.expires}</div>
          <div class="value">
            <ExpiryDate expiresAt={user.expiresAt} now={now} status={props.status} />
          </div>
        </div>
      </section>

      <section class="card" id="sub-import">
        <h2>{s.addToApp}</h2>
        <div class="actions import-buttons">
          {props.imports.map((i) => <a key={i.app} class="button" href={i.href}>{i.app}</a>)}
        </div>
        <p class="muted">{s.orCopy}</p>
        <p class="secret" id="sub-url">{props.url}</p>
        <CopyButton text={props.url} label={t.common.copyUrl} />
        <QrCode svg={props.urlQrSvg} label={t.connect.subscriptionUrl} id="sub-url-qr" />
      </section>

      {!sub.blocked && (
        <section class="card" id="sub-links">
          <h2>{s.servers}</h2>
          <ShareLinkList items={props.items} />
        </section>
      )}
    </Layout>
  );
}
