/**
 * Inbounds pages: the sortable, self-refreshing list and its toggle and delete buttons, and
 * the traffic reset of the edit page.
 * The new/edit form is in `inbound_edit.tsx`, mounted here.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import {
  deleteInbound,
  type InboundSort,
  resetInboundTraffic,
  toggleInbound,
} from "../core/inbounds/inbounds.ts";
import { parseInboundSort } from "../core/inbounds/inbound_input.ts";
import { listInbounds } from "../db/inbounds.ts";
import { INBOUNDS_TABLE_CONTAINER, InboundsPage, InboundsTable } from "../views/inbounds.tsx";
import { redirectAfterPost, wantsFragment } from "./htmx.ts";
import { inboundEditRoutes } from "./inbound_edit.tsx";

type Ctx = Context<AppEnv>;

const listUrl = (sort: InboundSort) => sort === "tag" ? "/inbounds" : `/inbounds?sort=${sort}`;

async function renderTable(c: Ctx, sort: InboundSort) {
  const { db, config } = c.var.deps;
  const inbounds = await listInbounds(db, sort);
  c.header("Vary", "HX-Request");
  return c.render(
    <InboundsTable
      inbounds={inbounds}
      sort={sort}
      refreshSeconds={config.tableRefresh}
      csrfToken={c.var.session!.csrfToken}
    />,
  );
}

export function inboundRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/inbounds", async (c) => {
    const sort = parseInboundSort(c.req.query("sort"));
    if (wantsFragment(c)) return renderTable(c, sort);
    const { db, config } = c.var.deps;
    const deleted = c.req.query("deleted");
    c.header("Vary", "HX-Request");
    return c.render(
      <InboundsPage
        inbounds={await listInbounds(db, sort)}
        sort={sort}
        refreshSeconds={config.tableRefresh}
        pollInterval={config.pollInterval}
        csrfToken={c.var.session!.csrfToken}
        username={c.var.session!.username}
        deleted={deleted && /^[A-Za-z0-9._-]{1,48}$/.test(deleted) ? deleted : undefined}
      />,
    );
  });

  app.route("/", inboundEditRoutes());

  app.post("/inbounds/:tag/toggle", async (c) => {
    const sort = parseInboundSort(c.req.query("sort"));
    await toggleInbound(c.var.deps, c.req.param("tag"));
    return wantsFragment(c) ? renderTable(c, sort) : c.redirect(listUrl(sort), 303);
  });

  app.post("/inbounds/:tag/reset-traffic", async (c) => {
    const inbound = await resetInboundTraffic(c.var.deps, c.req.param("tag"));
    return redirectAfterPost(c, `/inbounds/${encodeURIComponent(inbound.tag)}/edit?saved=reset`);
  });

  app.post("/inbounds/:tag/delete", async (c) => {
    const sort = parseInboundSort(c.req.query("sort"));
    const tag = c.req.param("tag");
    await deleteInbound(c.var.deps, tag);
    if (wantsFragment(c) && c.req.header("HX-Target") === INBOUNDS_TABLE_CONTAINER) {
      return renderTable(c, sort);
    }
    const url = `/inbounds?deleted=${encodeURIComponent(tag)}` +
      (sort === "tag" ? "" : `&sort=${sort}`);
    return redirectAfterPost(c, url);
  });

  return app;
}
