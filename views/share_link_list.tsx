/**
 * Pieces of the "Connect" sections (the user's own page and the admin's user page):
 * server-made SVG QR codes and the list of share links, each collapsed with its QR code
 * and a copy button.
 */
import { raw } from "hono/html";
import { CopyButton } from "./layout.tsx";

/**
 * A QR code: inline SVG from core/subscriptions/qr_codes.ts (library output holding only
 * paths, never user text, so it is inserted unescaped), or an image URL loaded lazily.
 */
export function QrCode(props: { svg?: string; src?: string; label: string; id?: string }) {
  if (props.src) {
    return (
      <img
        class="qr"
        id={props.id}
        src={props.src}
        alt={`QR code: ${props.label}`}
        loading="lazy"
        width="220"
        height="220"
      />
    );
  }
  return (
    <div class="qr" id={props.id} role="img" aria-label={`QR code: ${props.label}`}>
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
  /** What a client enters by hand, labelled. */
  credentials: Array<[string, string]>;
}

/** The share links, each in a collapsed block with copy buttons, QR codes and credentials. */
export function ShareLinkList(props: { items: ShareLinkView[] }) {
  if (props.items.length === 0) {
    return <p class="muted">No enabled inbounds are assigned.</p>;
  }
  return (
    <div class="share-links">
      {props.items.map((item) => (
        <details class="share-link" data-tag={item.tag}>
          <summary>
            <strong>{item.tag}</strong> <span class="muted">{item.type}</span>
          </summary>
          {item.links.map((link, i) => (
            <div class="share-link-body">
              <p class="secret link-text">{link}</p>
              <CopyButton text={link} label="Copy link" />
              <QrCode {...item.qr[i]} label={`${item.tag} link ${i + 1}`} />
            </div>
          ))}
          {item.credentials.length > 0 && (
            <dl class="credentials">
              {item.credentials.map(([label, value]) => (
                <>
                  <dt>{label}</dt>
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
