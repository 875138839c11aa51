/** The one page layout: head, navigation, flash area. */
import type { Child } from "hono/jsx";
import { raw } from "hono/html";

export type NavItem = "dashboard" | "inbounds" | "users" | "logs" | "settings";

/**
 * htmx 2 swaps only 2xx responses by default; form re-renders with field errors come as
 * 422 (bad input) or 409 (a clash) and must be swapped too. Other errors are not swapped:
 * static/app.js shows them as a toast.
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
});

export interface LayoutProps {
  title: string;
  /** Logged-in context; absent on the login page. */
  csrfToken?: string;
  username?: string;
  active?: NavItem;
  children?: Child;
}

const NAV: Array<[NavItem, string, string]> = [
  ["dashboard", "/", "Dashboard"],
  ["inbounds", "/inbounds", "Inbounds"],
  ["users", "/users", "Users"],
  ["logs", "/logs", "Logs"],
  ["settings", "/settings", "Settings"],
];

export function Layout(props: LayoutProps) {
  const hxHeaders = props.csrfToken
    ? JSON.stringify({ "X-CSRF-Token": props.csrfToken })
    : undefined;
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="htmx-config" content={HTMX_CONFIG} />
          <title>{props.title} · singdeck</title>
          <link rel="stylesheet" href="/static/app.css" />
          <script src="/static/htmx.min.js" defer></script>
          <script src="/static/app.js" defer></script>
        </head>
        <body hx-headers={hxHeaders}>
          {props.username && (
            <header class="topbar">
              <a class="brand" href="/">singdeck</a>
              <nav>
                {NAV.map(([key, href, label]) => (
                  <a href={href} class={props.active === key ? "active" : undefined}>{label}</a>
                ))}
              </nav>
              <form method="post" action="/logout" class="logout">
                <input type="hidden" name="_csrf" value={props.csrfToken} />
                <button type="submit" class="link">Log out {props.username}</button>
              </form>
            </header>
          )}
          <div id="toast" role="status" aria-live="polite"></div>
          <main>{props.children}</main>
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
export function FieldError(props: { error?: string }) {
  return props.error ? <p class="field-error">{props.error}</p> : null;
}
