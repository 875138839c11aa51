/**
 * API v1 inbounds: list (sortable), read, create, partial update, delete. Errors come
 * from `app.onError` as `{"error", "fields"}`.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app.tsx";
import { ValidationError } from "../core/errors.ts";
import {
  createInbound,
  deleteInbound,
  getInboundSummary,
  type InboundSummary,
  parseInboundJson,
  parseInboundSort,
  publicInboundSettings,
  updateInbound,
} from "../core/inbounds.ts";
import { listInbounds } from "../db/inbounds.ts";

const MAX_BODY_BYTES = 64 * 1024;

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
    settings: publicInboundSettings(inbound.settings),
  };
}

/** The request body as JSON; an empty or unparseable body is a 400. */
async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") {
    throw new ValidationError("Request body is empty; send a JSON object", {}, 400);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("Request body is not valid JSON", {}, 400);
  }
}

export function apiInboundRoutes() {
  const app = new Hono<AppEnv>();
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: "Request body is larger than 64 KB", fields: {} }, 413),
  });

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

  app.delete("/inbounds/:tag", async (c) => {
    const tag = c.req.param("tag");
    await deleteInbound(c.var.deps, tag);
    return c.json({ deleted: tag });
  });

  return app;
}
