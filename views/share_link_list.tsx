/**
 * Pieces of the "Connect" sections (the user's own page and the admin's user page):
 * server-made SVG QR codes and the list of share links, each collapsed with its QR code
 * and a copy button.
 */
import { raw } from "hono/html";
import { CopyButton } from "./layout.tsx";
import { useI18n } from "./i18n.ts";
import { InboundTypeName } from "./inbound_type.tsx";
import type { CredentialKind } from "../core/subscriptions/connect_items.ts";

/**
 * A QR code: inline SVG from core/subscriptions/qr_codes.ts (library output holding only
 * paths, never user text, so it is inserted unescaped), or an image URL loaded lazily.
 */
export function QrCode(props: { svg?: string; src?: string; label: string; id?: string }) {
  const { t } = useI18n();
  const alt = t.connect.qrCode(props.label);
  if (props.src) {
    return (
      <img
        class="qr"
        id={props.id}
        src={props.src}
        alt={alt}
        loading="lazy"
        width="220"
        height="220"
      />
    );
  }
  return (
    <div class="qr" id={props.id} role="img" aria-label={alt}>
      {raw(props.svg ?? "")}
    </div>
  );
}

/** One share link entry as the Connect sections list it. */
export interface ShareLinkView {
  /** Inbound tag. */
  tag: string;
  /** Inbound type. */
  type: string;
  /** The links (mixed inbounds have SOCKS5 and HTTP). */
  links: string[];
  /** A QR code per link: inline SVG or an image URL. */
  qr: Array<{ svg?: string; src?: string }>;
  /** What a client enters by hand, by what it is. */
  credentials: Array<[CredentialKind, string]>;
}

/** The share links, each in a collapsed block with copy buttons, QR codes and credentials. */
export function ShareLinkList(props: { items: ShareLinkView[] }) {
  const { t } = useI18n();
  if (props.items.length === 0) {
    return <p class="muted">{t.connect.noInbounds}</p>;
  }
  return (
    <div class="share-links">
      {props.items.map((item) => (
        <details class="share-link" data-tag={item.tag}>
          <summary>
            <strong>{item.tag}</strong>{" "}
            <span class="muted">
              <InboundTypeName type={item.type} />
            </span>
          </summary>
          {item.links.map((link, i) => (
            <div class="share-link-body">
              <p class="secret link-text">{link}</p>
              <CopyButton text={link} label={t.common.copyLink} />
              <QrCode {...item.qr[i]} label={t.connect.linkLabel(item.tag, i + 1)} />
            </div>
          ))}
          {item.credentials.length > 0 && (
            <dl class="credentials">
              {item.credentials.map(([kind, value]) => (
                <>
                  <dt>{t.connect.credentials[kind]}</dt>
                  <dd class="secret">{value}</dd>
                </>
              ))}
            </dl>
          )}
        </details>
      ))}
    </div>
  );
}
