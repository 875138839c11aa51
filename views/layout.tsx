/** The one page layout: head, skip link, navigation, toast area; and small shared pieces. */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";
import type { Msg } from "../core/i18n/msg.ts";
import { useI18n } from "./i18n.ts";

export type NavItem = "dashboard" | "inbounds" | "users" | "logs" | "settings";

/**
 * htmx 2 swaps only 2xx responses by default; form re-renders with field errors come as
 * 422 (bad input) or 409 (a clash) and must be swapped too. Other errors are not swapped:
 * static/app.js shows them as a toast. The Content-Security-Policy allows no eval and no
 * inline styles, so htmx may not evaluate (no `[...]` trigger filters, no `hx-on`, no
 * `js:` values), its indicator styles live in app.css, and it never copies a `style`
 * attribute while settling a swap.
 */
const HTMX_CONFIG = JSON.stringify({
  responseHandling: [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true, error: false },
    { code: "409", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ],
  historyCacheSize: 0,
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  attributesToSettle: ["class", "width", "height"],
});

/** Who is logged in, for the navigation; absent on the login page and to strangers. */
export interface LayoutSession {
  csrfToken: string;
  username: string;
}

export interface LayoutProps {
  title: string;
  /** Logged-in context; absent on the login page. */
  csrfToken?: string;
  username?: string;
  active?: NavItem;
  /** A page of wide tables (Users): the main column may grow to 1600 px instead of 1280. */
  wide?: boolean;
  children?: Child;
}

const NAV: Array<[NavItem, string]> = [
  ["dashboard", "/"],
  ["inbounds", "/inbounds"],
  ["users", "/users"],
  ["logs", "/logs"],
  ["settings", "/settings"],
];

/**
 * The page in the reader's language: `lang` and `dir` on `<html>` (Persian is right to
 * left; app.css uses logical properties, so the layout mirrors), the words of the
 * navigation, and the words static/app.js shows (offline, copied) as data attributes.
 */
export function Layout(props: LayoutProps) {
  const { t, locale, dir } = useI18n();
  const hxHeaders = props.csrfToken
    ? JSON.stringify({ "X-CSRF-Token": props.csrfToken })
    : undefined;
  return (
    <>
      {raw("<!doctype html>")}
      <html lang={locale} dir={dir}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <meta name="htmx-config" content={HTMX_CONFIG} />
          <title>{props.title} · singdeck</title>
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/static/htmx.min.js" defer></script>
          <script src="/static/idiomorph-ext.min.js" defer></script>
          <script src="/static/app.js" defer></script>
        </head>
        <body hx-headers={hxHeaders} hx-ext="morph">
          <a class="skip-link" href="#main">{t.layout.skipLink}</a>
          {props.username && (
            <header class="topbar">
              <a class="brand" href="/">singdeck</a>
              <nav aria-label={t.layout.mainNav}>
                {NAV.map(([key, href]) => (
                  <a
                    href={href}
                    class={props.active === key ? "active" : undefined}
                    aria-current={props.active === key ? "page" : undefined}
                  >
                    {t.nav[key]}
                  </a>
                ))}
              </nav>
              <form method="post" action="/logout" class="logout">
                <input type="hidden" name="_csrf" value={props.csrfToken} />
                <button type="submit" class="link">{t.layout.logOut(props.username)}</button>
              </form>
            </header>
          )}
          <div
            id="toast"
            role="status"
            aria-live="polite"
            data-offline={t.layout.offline}
            data-copied={t.common.copied}
            data-copy-failed={t.common.copyFailed}
          >
          </div>
          <main id="main" tabindex={-1} class={props.wide ? "wide" : undefined}>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/** A hidden CSRF field for plain (non-htmx) forms. */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** A field's error message under its input. */
export function FieldError(props: { error?: Msg }) {
  const { text } = useI18n();
  return props.error ? <p class="field-error">{text(props.error)}</p> : null;
}

/**
 * Above a rejected form: what went wrong, and every field in error as a link to it, so
 * nothing is missed on a long form. `labels` names the fields (by error key) and `ids`
 * says which input each key belongs to (by default `field-<key>`); a problem of no field
 * (a CSV line) is listed as it is. An error of the whole form (key `form`, e.g. "changed
 * meanwhile by someone else") replaces the title.
 */
export function ErrorSummary(
  props: {
    title: string;
    errors: Record<string, Msg>;
    labels: Record<string, string>;
    ids?: Record<string, string>;
  },
) {
  const { t, text } = useI18n();
  const { form, ...fields } = props.errors;
  const keys = Object.keys(fields);
  if (keys.length === 0 && form === undefined) return null;
  return (
    <div class="flash error error-summary" role="alert">
      <p>{form === undefined ? props.title : text(form)}</p>
      {keys.length > 0 && (
        <ul>
          {keys.map((key) =>
            Object.hasOwn(props.labels, key)
              ? (
                <li>
                  <a href={`#${props.ids?.[key] ?? fieldId(key)}`}>{props.labels[key]}</a>
                  {t.common.colon}
                  {text(fields[key])}
                </li>
              )
              : <li>{text(fields[key])}</li>
          )}
        </ul>
      )}
    </div>
  );
}

/** The id of a form field's input, from its error key (`tls.serverName` → `field-tls-serverName`). */
export function fieldId(key: string): string {
  return `field-${key.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/**
 * A byte count in the one format, with the exact number on hover; left to right even in
 * a right-to-left page (an isolate, so the number and its unit keep their order).
 */
export function Bytes(props: { value: number }) {
  const { f } = useI18n();
  return <bdi dir="ltr" title={f.exactBytes(props.value)}>{f.bytes(props.value)}</bdi>;
}

/** A number (count) kept left to right inside any text: `1,234`, `۱٬۲۳۴`. */
export function Count(props: { value: number }) {
  const { f } = useI18n();
  return <bdi dir="ltr">{f.count(props.value)}</bdi>;
}

/**
 * A time in UTC (to the minute, or to the second with `seconds`), kept left to right:
 * `2030-01-02 03:04 UTC`.
 */
export function Time(props: { at: number | null; seconds?: boolean }) {
  const { t, f } = useI18n();
  if (props.at === null) return <>—</>;
  const time = props.seconds ? f.timeSeconds(props.at) : f.time(props.at);
  return <bdi dir="ltr">{t.common.utc(time)}</bdi>;
}

/** A time in UTC with how long ago (or until) it is: `2030-01-02 03:04 UTC (in 12 days)`. */
export function TimeWithRelative(props: { at: number; now: number; seconds?: boolean }) {
  const { t, f } = useI18n();
  return (
    <span>
      <Time at={props.at} seconds={props.seconds} />{" "}
      <span class="muted">{t.common.paren(f.relative(props.at, props.now))}</span>
    </span>
  );
}

/**
 * A button that copies `text` to the clipboard (one delegated listener in static/app.js);
 * its label reads "Copied" for a moment. `small` for one beside a secret or in a table row.
 */
export function CopyButton(props: { text: string; label?: string; small?: boolean }) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      class={props.small ? "secondary small copy" : "secondary copy"}
      data-copy={props.text}
    >
      {props.label ?? t.common.copy}
    </button>
  );
}
