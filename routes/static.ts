/** Static assets, imported into the module graph so `deno compile` embeds them. */
import { Hono } from "hono";
import htmx from "htmx.org/dist/htmx.min.js" with { type: "text" };
// Idiomorph with its htmx extension (`hx-swap="morph"`), so refreshes morph instead of replace.
import idiomorph from "idiomorph/dist/idiomorph-ext.min.js" with { type: "text" };
import css from "../static/app.css" with { type: "text" };
import js from "../static/app.js" with { type: "text" };
import type { AppEnv } from "../app.tsx";

const ASSETS: Record<string, [string, string]> = {
  "htmx.min.js": [htmx, "text/javascript; charset=utf-8"],
  "idiomorph-ext.min.js": [idiomorph, "text/javascript; charset=utf-8"],
  "app.css": [css, "text/css; charset=utf-8"],
  "app.js": [js, "text/javascript; charset=utf-8"],
};

export function staticRoutes() {
  const app = new Hono<AppEnv>();
  // Everything under /static/ is answered here, before login: a known asset, else 404.
  app.get("/static/*", (c) => {
    const name = c.req.path.slice("/static/".length);
    const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!asset) return c.text("Not found", 404);
    c.header("Content-Type", asset[1]);
    c.header("Cache-Control", "public, max-age=3600");
    return c.body(asset[0]);
  });
  return app;
}
