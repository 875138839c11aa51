/** Inbounds pages: the sortable, self-refreshing list and the new/edit form. */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import { ConflictError, statusOf, ValidationError } from "../core/errors.ts";
import {
  createInbound,
  deleteInbound,
  getInbound,
  type InboundSort,
  parseInboundForm,
  parseInboundSort,
  toggleInbound,
  updateInbound,
} from "../core/inbounds.ts";
import type { Inbound } from "../core/model.ts";
import { findInboundByTag, listInbounds } from "../db/inbounds.ts";
import { INBOUNDS_TABLE_CONTAINER, InboundsPage, InboundsTable } from "../views/inbounds.tsx";
import {
  InboundForm,
  InboundFormPage,
  type InboundFormProps,
  inboundFormValues,
  InboundTypeFields,
  newInboundFormValues,
  submittedFormValues,
} from "../views/inbound_form.tsx";

type Ctx = Context<AppEnv>;

const isHtmx = (c: Ctx) => c.req.header("HX-Request") === "true";

/** An htmx request for part of a page (not a boosted navigation or a history restore). */
const wantsFragment = (c: Ctx) =>
  isHtmx(c) && c.req.header("HX-Boosted") !== "true" &&
  c.req.header("HX-History-Restore-Request") !== "true";

const listUrl = (sort: InboundSort) => sort === "tag" ? "/inbounds" : `/inbounds?sort=${sort}`;
const editUrl = (tag: string) => `/inbounds/${encodeURIComponent(tag)}/edit`;

async function renderTable(c: Ctx, sort: InboundSort) {
  const { db, config } = c.var.deps;
  const inbounds = await listInbounds(db, sort);
  c.header("Vary", "HX-Request");
  return c.html(
    <InboundsTable
      inbounds={inbounds}
      sort={sort}
      refreshSeconds={config.tableRefresh}
      csrfToken={c.var.session!.csrfToken}
    />,
  );
}

/** After a successful form post: 303 for browsers, `HX-Redirect` for htmx. */
function redirect(c: Ctx, url: string) {
  if (!isHtmx(c)) return c.redirect(url, 303);
  c.header("HX-Redirect", url);
  return c.body(null, 204);
}

/** The form as a full page, or only the form when htmx posted it. */
function renderForm(
  c: Ctx,
  props: Omit<InboundFormProps, "csrfToken"> & { stored?: Inbound },
  status: 200 | 409 | 422 = 200,
) {
  const { stored, ...rest } = props;
  const tls = stored?.settings.tls;
  const formProps: InboundFormProps = {
    ...rest,
    csrfToken: c.var.session!.csrfToken,
    realityPublicKey: stored?.settings.reality?.publicKey,
    selfSignedFiles: tls?.selfSigned ? tls : undefined,
  };
  if (status !== 200 && wantsFragment(c)) return c.html(<InboundForm {...formProps} />, status);
  return c.html(
    <InboundFormPage {...formProps} username={c.var.session!.username} />,
    status,
  );
}

/** Re-renders the form with the error's field messages, or rethrows other errors. */
function formError(c: Ctx, error: unknown, form: Record<string, unknown>, stored?: Inbound) {
  if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
  return renderForm(c, {
    originalTag: stored?.tag,
    stored,
    values: submittedFormValues(form),
    errors: error.fields,
    message: error.message,
  }, statusOf(error) as 409 | 422);
}

export function inboundRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/inbounds", async (c) => {
    const sort = parseInboundSort(c.req.query("sort"));
    if (wantsFragment(c)) return renderTable(c, sort);
    const { db, config } = c.var.deps;
    const deleted = c.req.query("deleted");
    c.header("Vary", "HX-Request");
    return c.html(
      <InboundsPage
        inbounds={await listInbounds(db, sort)}
        sort={sort}
        refreshSeconds={config.tableRefresh}
        pollInterval={config.pollInterval}
        csrfToken={c.var.session!.csrfToken}
        username={c.var.session!.username}
        notice={deleted && /^[A-Za-z0-9._-]{1,48}$/.test(deleted)
          ? `Inbound "${deleted}" deleted`
          : undefined}
      />,
    );
  });

  app.get("/inbounds/new", (c) => {
    const type = c.req.query("type") || "vless";
    return renderForm(c, { values: newInboundFormValues(type), errors: {} });
  });

  app.get("/inbounds/form-fields", (c) => {
    const type = c.req.query("type") ?? "";
    return c.html(
      <InboundTypeFields type={type} values={newInboundFormValues(type)} errors={{}} />,
    );
  });

  app.post("/inbounds", async (c) => {
    const form = await c.req.parseBody();
    try {
      const inbound = await createInbound(c.var.deps, parseInboundForm(form));
      return redirect(c, `${editUrl(inbound.tag)}?saved=created`);
    } catch (e) {
      return formError(c, e, form);
    }
  });

  app.get("/inbounds/:tag/edit", async (c) => {
    const inbound = await getInbound(c.var.deps.db, c.req.param("tag"));
    const saved = c.req.query("saved");
    return renderForm(c, {
      originalTag: inbound.tag,
      stored: inbound,
      values: inboundFormValues(inbound),
      errors: {},
      notice: saved === "created" ? "Inbound created" : saved ? "Inbound saved" : undefined,
    });
  });

  app.post("/inbounds/:tag", async (c) => {
    const stored = await getInbound(c.var.deps.db, c.req.param("tag"));
    const form = await c.req.parseBody();
    try {
      const inbound = await updateInbound(
        c.var.deps,
        stored.tag,
        parseInboundForm(form, stored.type),
      );
      return redirect(c, `${editUrl(inbound.tag)}?saved=1`);
    } catch (e) {
      return formError(c, e, form, await findInboundByTag(c.var.deps.db, stored.tag));
    }
  });

  app.post("/inbounds/:tag/toggle", async (c) => {
    const sort = parseInboundSort(c.req.query("sort"));
    await toggleInbound(c.var.deps, c.req.param("tag"));
    return wantsFragment(c) ? renderTable(c, sort) : c.redirect(listUrl(sort), 303);
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
    return redirect(c, url);
  });

  return app;
}
