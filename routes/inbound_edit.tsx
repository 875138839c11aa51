/**
 * Inbound form pages: a new inbound (its type's fields swapped in by htmx) and an existing
 * one's edit form, and their posts. A rejected post shows the form again with its errors.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import { ConflictError, fieldTextsOf, statusOf, ValidationError } from "../core/errors.ts";
import { createInbound, getInbound, updateInbound } from "../core/inbounds/inbounds.ts";
import { parseInboundForm } from "../core/inbounds/inbound_input.ts";
import { inboundVersion } from "../core/inbounds/inbound_settings.ts";
import type { Inbound } from "../core/model.ts";
import { findInboundByTag } from "../db/inbounds.ts";
import {
  InboundForm,
  InboundFormPage,
  type InboundFormProps,
  inboundFormValues,
  InboundTypeFields,
  isSuggestedTag,
  newInboundFormValues,
  submittedFormValues,
  suggestedTag,
} from "../views/inbound_form.tsx";
import { suggestInboundPort } from "../core/inbounds/inbound_defaults.ts";
import { redirectAfterPost, wantsFragment } from "./htmx.ts";

type Ctx = Context<AppEnv>;

const editUrl = (tag: string) => `/inbounds/${encodeURIComponent(tag)}/edit`;

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
    version: stored && inboundVersion(stored),
  };
  c.status(status);
  if (status !== 200 && wantsFragment(c)) return c.render(<InboundForm {...formProps} />);
  const traffic = stored && {
    uplink: stored.uplink,
    downlink: stored.downlink,
    resetAt: stored.trafficResetAt ?? null,
  };
  return c.render(
    <InboundFormPage {...formProps} traffic={traffic} username={c.var.session!.username} />,
  );
}

/** Re-renders the form with the error's field messages, or rethrows other errors. */
function formError(c: Ctx, error: unknown, form: Record<string, unknown>, stored?: Inbound) {
  if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
  return renderForm(c, {
    originalTag: stored?.tag,
    stored,
    values: submittedFormValues(form),
    errors: fieldTextsOf(error),
    message: error.text,
  }, statusOf(error) as 409 | 422);
}

/** The new and edit form pages under `/inbounds`, and their posts. */
export function inboundEditRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/inbounds/new", async (c) => {
    const type = c.req.query("type") || "vless";
    const port = await suggestInboundPort(c.var.deps.db, type);
    return renderForm(c, { values: newInboundFormValues(type, port), errors: {} });
  });

  /**
   * The fields of the type chosen in the new-inbound form (which sends all its values);
   * a tag the form suggested follows the new type.
   */
  app.get("/inbounds/form-fields", (c) => {
    const type = c.req.query("type") ?? "";
    const tag = c.req.query("tag") ?? "";
    const port = (c.req.query("port") ?? "").trim();
    const retag = /^\d{1,5}$/.test(port) && isSuggestedTag(tag, port);
    return c.render(
      <InboundTypeFields
        type={type}
        values={newInboundFormValues(type)}
        errors={{}}
        retag={retag ? suggestedTag(type, port) : undefined}
      />,
    );
  });

  app.post("/inbounds", async (c) => {
    const form = await c.req.parseBody();
    try {
      const inbound = await createInbound(c.var.deps, parseInboundForm(form));
      return redirectAfterPost(c, `${editUrl(inbound.tag)}?saved=created`);
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
      notice: saved === "created" || saved === "reset" ? saved : saved ? "saved" : undefined,
    });
  });

  app.post("/inbounds/:tag", async (c) => {
    const stored = await getInbound(c.var.deps.db, c.req.param("tag"));
    const form = await c.req.parseBody();
    const version = typeof form.version === "string" ? form.version : undefined;
    try {
      const inbound = await updateInbound(
        c.var.deps,
        stored.tag,
        parseInboundForm(form, stored.type),
        version,
      );
      return redirectAfterPost(c, `${editUrl(inbound.tag)}?saved=1`);
    } catch (e) {
      return formError(c, e, form, await findInboundByTag(c.var.deps.db, stored.tag));
    }
  });

  return app;
}
