/**
 * API v1 inbounds: list (sortable), read, create, partial update, delete, reset traffic.
 * Errors come
 * from `app.onError` as `{"error", "fields"}`.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app.tsx";
import { jsonBodyLimit, readJson } from "./api_json.ts";
import {
  createInbound,
  deleteInbound,
  getInboundSummary,
  type InboundSummary,
  resetInboundTraffic,
  updateInbound,
} from "../core/inbounds/inbounds.ts";
import { parseInboundJson, parseInboundSort } from "../core/inbounds/inbound_input.ts";
import { publicInboundSettings } from "../core/inbounds/inbound_settings.ts";
import { listInbounds } from "../db/inbounds.ts";

/** An inbound as the API shows it: no Reality private key. */
function inboundJson(inbound: InboundSummary) {
  return {
    id: inbound.id,
    tag: inbound.tag,
    type: inbound.type,
    listen: inbound.listen,
    port: inbound.port,
    enabled: inbound.enabled,
    users: inbound.users,
    uplink: inbound.uplink,
    downlink: inbound.downlink,
    trafficResetAt: inbound.trafficResetAt ? new Date(inbound.trafficResetAt).toISOString() : null,
    settings: publicInboundSettings(inbound.settings),
  };
}

export function apiInboundRoutes() {
  const app = new Hono<AppEnv>();
  const limit = jsonBodyLimit;

  app.get("/inbounds", async (c) => {
    const sort = parseInboundSort(c.req.query("sort"));
    const inbounds = await listInbounds(c.var.deps.db, sort);
    return c.json({ inbounds: inbounds.map(inboundJson) });
  });

  app.get("/inbounds/:tag", async (c) => {
    return c.json({
      inbound: inboundJson(await getInboundSummary(c.var.deps.db, c.req.param("tag"))),
    });
  });

  app.post("/inbounds", limit, async (c) => {
    const input = parseInboundJson(await readJson(c));
    const created = await createInbound(c.var.deps, input);
    return c.json(
      { inbound: inboundJson(await getInboundSummary(c.var.deps.db, created.tag)) },
      201,
    );
  });

  app.patch("/inbounds/:tag", limit, async (c) => {
    const input = parseInboundJson(await readJson(c));
    const updated = await updateInbound(c.var.deps, c.req.param("tag"), input);
    return c.json({ inbound: inboundJson(await getInboundSummary(c.var.deps.db, updated.tag)) });
  });

  /** Sets the inbound's uplink and downlink totals to zero; users' traffic is untouched. */
  app.post("/inbounds/:tag/reset-traffic", async (c) => {
    const inbound = await resetInboundTraffic(c.var.deps, c.req.param("tag"));
    return c.json({ inbound: inboundJson(await getInboundSummary(c.var.deps.db, inbound.tag)) });
  });

  app.delete("/inbounds/:tag", async (c) => {
    const tag = c.req.param("tag");
    await deleteInbound(c.var.deps, tag);
    return c.json({ deleted: tag });
  });

  return app;
}
