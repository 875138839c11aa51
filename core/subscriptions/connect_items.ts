/**
 * What the Connect sections show for a subscription: per entry its links, QR codes and
 * credentials; and the one-tap import links of the client apps.
 */
import { type ClientCredentials, clientCredentials } from "./client_credentials.ts";
import { type ClientEntry, shareLinks } from "./share_links.ts";
import { qrSvg } from "./qr_codes.ts";

/** What a credential is (the page words its label in the reader's language). */
export type CredentialKind = "method" | "username" | "uuid" | "password";

/** Credentials as rows of what each is and its value, in the order clients ask for them. */
export function credentialRows(c: ClientCredentials): Array<[CredentialKind, string]> {
  const rows: Array<[CredentialKind, string]> = [];
  if (c.method) rows.push(["method", c.method]);
  if (c.username) rows.push(["username", c.username]);
  if (c.uuid) rows.push(["uuid", c.uuid]);
  if (c.password) rows.push(["password", c.password]);
  return rows;
}

/** One entry as the Connect sections show it. */
export interface ConnectItem {
  tag: string;
  type: string;
  links: string[];
  qr: Array<{ svg?: string; src?: string }>;
  credentials: Array<[CredentialKind, string]>;
}

/**
 * The Connect items of `entries`. `qrSource` gives an image URL for link `n` of an entry
 * (lazy loading); without it the QR codes are inline SVG.
 */
export function connectItems(
  entries: ClientEntry[],
  qrSource?: (entry: ClientEntry, n: number) => string,
): ConnectItem[] {
  return entries.map((entry) => {
    const links = shareLinks(entry);
    return {
      tag: entry.inbound.tag,
      type: entry.inbound.type,
      links,
      qr: links.map((link, n) => qrSource ? { src: qrSource(entry, n) } : { svg: qrSvg(link) }),
      credentials: credentialRows(clientCredentials(entry.inbound, entry.user)),
    };
  });
}

/** One-tap import links of the client apps for a subscription URL, with the format each needs. */
export function importLinks(url: string, name: string): Array<{ app: string; href: string }> {
  const enc = encodeURIComponent;
  return [
    {
      app: "sing-box (SFA, SFI, SFM)",
      href: `sing-box://import-remote-profile?url=${enc(`${url}?format=sing-box`)}#${enc(name)}`,
    },
    { app: "Hiddify", href: `hiddify://import/${url}#${enc(name)}` },
    { app: "v2rayNG", href: `v2rayng://install-config?url=${enc(url)}&name=${enc(name)}` },
    {
      app: "Clash Meta / mihomo",
      href: `clash://install-config?url=${enc(`${url}?format=clash`)}&name=${enc(name)}`,
    },
  ];
}
