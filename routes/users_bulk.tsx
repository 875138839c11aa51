/**
 * Many users at once from the Users page: the bulk-actions bar (`POST /users/bulk`) and
 * the batch-creation page (`/users/batch`: a prefix and a count, or CSV).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app.tsx";
import { ValidationError } from "../core/errors.ts";
import { countBulkSelection, createUsersBatch, runBulkAction } from "../core/users/bulk.ts";
import {
  type BatchInput,
  type BulkRequest,
  parseBatchCsv,
  parseBatchPrefixForm,
  parseBulkForm,
} from "../core/users/bulk_input.ts";
import { formList, formString, parseUserListQuery } from "../core/users/user_input.ts";
import { listInboundChoices } from "../db/users.ts";
import { UsersTableFragment, usersUrl } from "../views/users.tsx";
import { BulkDeleteConfirm, BulkDone, BulkError } from "../views/users_bulk.tsx";
import {
  BatchForm,
  type BatchFormProps,
  type BatchMode,
  BatchPage,
} from "../views/users_batch.tsx";
import { isHtmx, readForm, redirectAfterPost } from "./htmx.ts";
import { renderUsersPage, usersTableProps } from "./users.tsx";
import type { JSX } from "hono/jsx/jsx-runtime";

type C = Context<AppEnv>;

/**
 * The body limit of `POST /users/batch`: a CSV of 100,000 users is a few MB. It must run
 * before anything reads the body (the CSRF check does), so app.tsx mounts it first.
 */
export const batchBodyLimit = bodyLimit({
  maxSize: 16 * 1024 * 1024,
  onError: (c) => c.text(c.var.i18n.t.errors.bodyTooLarge("16 MB"), 413),
});

/**
 * Answers a bulk action: to htmx, the list again (its boxes cleared) and `result` under the
 * bar, or only `result` there (`refresh: false`: nothing changed); without htmx, the page.
 * `result` is a component (rendered on its own, it must be one: see views/i18n.ts).
 */
async function answerBulk(
  c: C,
  form: Record<string, unknown>,
  result: JSX.Element,
  options: { refresh: boolean; status?: 200 | 422 },
) {
  const state = parseUserListQuery({
    search: formString(form, "search"),
    status: formString(form, "status"),
    sort: formString(form, "sort"),
    page: formString(form, "page"),
  });
  if (isHtmx(c) && !options.refresh) {
    c.header("HX-Retarget", "#bulk-result");
    c.header("HX-Reswap", "innerHTML");
    c.status(options.status ?? 200);
    return c.render(result);
  }
  const props = await usersTableProps(c, state);
  if (isHtmx(c)) return c.render(<UsersTableFragment {...props} bulkResult={result} />);
  return renderUsersPage(c, props, { bulkResult: result }, options.status);
}

async function batchForms(c: C, submitted?: { mode: BatchMode; form: Record<string, unknown> }) {
  const inbounds = await listInboundChoices(c.var.deps.db);
  const fresh = inbounds.filter((i) => i.enabled).map((i) => i.tag);
  const csrfToken = c.var.session!.csrfToken;
  const props = (mode: BatchMode): BatchFormProps => {
    if (submitted?.mode !== mode) return { mode, csrfToken, inbounds, checked: fresh, errors: {} };
    const values: Record<string, string> = {};
    for (const key of Object.keys(submitted.form)) values[key] = formString(submitted.form, key);
    const checked = formList(submitted.form, "inbounds");
    return { mode, csrfToken, inbounds, values, checked, errors: {} };
  };
  return { prefix: props("prefix"), csv: props("csv") };
}

export function userBulkRoutes() {
  const app = new Hono<AppEnv>();

  app.post("/users/bulk", async (c) => {
    const form = await readForm(c);
    let request: BulkRequest;
    try {
      request = parseBulkForm(form);
      if (request.action === "delete" && formString(form, "confirm") !== "yes") {
        const count = await countBulkSelection(c.var.deps, request.selection);
        return answerBulk(c, form, <BulkDeleteConfirm count={count} />, { refresh: false });
      }
      const result = await runBulkAction(c.var.deps, request);
      return answerBulk(c, form, <BulkDone result={result} />, { refresh: true });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return answerBulk(c, form, <BulkError message={e.text} errors={e.fieldTexts} />, {
        refresh: false,
        status: 422,
      });
    }
  });

  app.get("/users/batch", async (c) => {
    const session = c.var.session!;
    return c.render(
      <BatchPage
        csrfToken={session.csrfToken}
        username={session.username}
        {...await batchForms(c)}
      />,
    );
  });

  // The body limit of this route (a CSV upload) is `batchBodyLimit`, applied in app.tsx
  // before the CSRF check reads the body.
  app.post(
    "/users/batch",
    async (c) => {
      const form = await c.req.parseBody({ all: true });
      const mode: BatchMode = formString(form, "mode") === "csv" ? "csv" : "prefix";
      try {
        let input: BatchInput;
        if (mode === "prefix") input = parseBatchPrefixForm(form);
        else {
          const file = form.file;
          const upload = file instanceof File && file.size > 0 ? await file.text() : "";
          const tags = [form.inbounds ?? []].flat().filter((t): t is string =>
            typeof t === "string"
          );
          input = parseBatchCsv(upload || formString(form, "csv"), tags);
        }
        const ids = await createUsersBatch(c.var.deps, input);
        const query = mode === "prefix"
          ? usersUrl({
            search: formString(form, "prefix").trim(),
            status: "",
            sort: "name",
            page: 1,
          })
          : usersUrl({ search: "", status: "", sort: "created", page: 1 });
        return redirectAfterPost(
          c,
          `${query}${query.includes("?") ? "&" : "?"}created=${ids.length}`,
        );
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const forms = await batchForms(c, { mode, form });
        forms[mode].errors = e.fieldTexts;
        c.status(422);
        if (isHtmx(c)) return c.render(<BatchForm {...forms[mode]} />);
        const session = c.var.session!;
        return c.render(
          <BatchPage csrfToken={session.csrfToken} username={session.username} {...forms} />,
        );
      }
    },
  );

  return app;
}
