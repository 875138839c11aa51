/**
 * What a person reads on a page, from its HTML without a browser: the visible text and the
 * attributes shown as text (titles, labels, placeholders, confirmations, the words
 * static/app.js shows). Code, logs, secrets, QR codes, typed text areas and text marked
 * as another language (`lang="en"`: sing-box's own messages) are left out: they are data.
 */

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name: string) => {
    if (name.startsWith("#x") || name.startsWith("#X")) {
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    }
    if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

/** Attributes whose values a person reads. */
const READ_ATTRIBUTES = [
  "title",
  "placeholder",
  "aria-label",
  "alt",
  "data-confirm",
  "hx-confirm",
  "data-offline",
  "data-copied",
  "data-copy-failed",
];

/** Elements whose content is data, not the page's words (none of them nest in our pages). */
const DATA_ELEMENTS = [
  /<script\b[\s\S]*?<\/script>/gi,
  /<style\b[\s\S]*?<\/style>/gi,
  /<pre\b[\s\S]*?<\/pre>/gi,
  /<code\b[\s\S]*?<\/code>/gi,
  /<textarea\b[\s\S]*?<\/textarea>/gi,
  /<svg\b[\s\S]*?<\/svg>/gi,
  /<(p|dd|div|span|bdi)\b[^>]*\bclass="[^"]*\bsecret\b[^"]*"[^>]*>[\s\S]*?<\/\1>/gi,
  /<(\w+)\b[^>]*\blang="en"[^>]*>[\s\S]*?<\/\1>/gi,
];

/** The words a person reads on `html`, one string per text run or attribute. */
export function readableText(html: string): string[] {
  let body = html;
  // Attributes first (from the whole page, before data elements are cut out).
  const parts: string[] = [];
  const attributes = new RegExp(`\\s(?:${READ_ATTRIBUTES.join("|")})="([^"]*)"`, "g");
  for (const m of body.matchAll(attributes)) parts.push(decode(m[1]));
  for (const re of DATA_ELEMENTS) body = body.replace(re, " ");
  for (const run of body.replace(/<[^>]+>/g, "\n").split("\n")) {
    const text = decode(run).trim();
    if (text) parts.push(text);
  }
  return parts;
}

/** Latin-letter words of `text` that are not data (identifiers, numbers, addresses). */
export function latinWords(text: string): string[] {
  const cleaned = text
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, " ") // URLs and share links
    .replace(/(^|\s)\/[^\s]*/g, " ") // paths
    .replace(/\b[\w-]+(\.[\w-]+)+\b/g, " ") // host names, versions, file names
    .replace(/\b[0-9a-f]{8}-[0-9a-f-]{27}\b/gi, " "); // UUIDs
  // A word may have inner hyphens (sing-box, link-local), not a trailing one (PEM-файл).
  const words = cleaned.match(/[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/g) ?? [];
  // Identifiers (with digits or underscores) are data: with_v2ray_api, hysteria2, user-01.
  return words.filter((word) => !/[\d_]/.test(word) && word.replace(/-/g, "").length >= 2);
}
