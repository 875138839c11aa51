/** Users pages: the list, creation, one user's page and its actions. */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import { ConflictError, ValidationError } from "../core/errors.ts";
import {
  createUser,
  deleteUser,
  type FormFields,
  getUserDetail,
  parseUserForm,
  parseUserListQuery,
  regenerateUserCredentials,
  resetUserTraffic,
  setUserEnabled,
  updateUser,
} from "../core/users.ts";
import { listInboundTags, listUsers, USERS_PAGE_SIZE } from "../db/users.ts";
import { UsersPage, UsersTableFragment, userUrl } from "../views/users.tsx";
import {
  EMPTY_USER_FORM,
  NewUserPage,
  submittedFormValues,
  UserForm,
  type UserFormValues,
  userFormValues,
} from "../views/user_form.tsx";
import { DONE_MESSAGES, type DoneKey, UserDetailPage } from "../views/user_detail.tsx";

type C = Context<AppEnv>;

function isHtmx(c: C): boolean {
  return c.req.header("HX-Request") === "true";
}

/**
 * Whether to answer the list fragment: an htmx request from the page itself, not a history
 * restore (htmx sends HX-Request for those too but swaps the whole body).
 */
function wantsFragment(c: C): boolean {
  return isHtmx(c) && c.req.header("HX-History-Restore-Request") !== "true" &&
    c.req.header("HX-Boosted") !== "true";
}

/** After a change: 303 for a plain form, HX-Redirect for htmx (which would follow a 303). */
function redirectAfterPost(c: C, url: string) {
  if (!isHtmx(c)) return c.redirect(url, 303);
  c.header("HX-Redirect", url);
  return c.body(null, 204);
}

/** The field errors of a rejected change, or the error rethrown when it is not one. */
function formErrors(e: unknown): Record<string, string> {
  if (e instanceof ValidationError && e.status === 422) return e.fields;
  if (e instanceof ConflictError) return e.fields;
  throw e;
}

function readForm(c: C): Promise<FormFields> {
  return c.req.parseBody({ all: true });
}

async function renderDetail(
  c: C,
  name: string,
  edit?: { values: UserFormValues; errors: Record<string, string> },
) {
  const { db, now } = c.var.deps;
  const session = c.var.session!;
  const detail = await getUserDetail(db, name);
  const done = c.req.query("done");
  c.header("Cache-Control", "no-store"); // the page shows credentials
  return c.html(
    <UserDetailPage
      {...detail}
      csrfToken={session.csrfToken}
      username={session.username}
      now={now()}
      done={done && Object.hasOwn(DONE_MESSAGES, done) ? done as DoneKey : undefined}
      form={{
        values: edit?.values ?? userFormValues(detail.user),
        errors: edit?.errors ?? {},
        inboundTags: await listInboundTags(db),
      }}
    />,
    edit ? 422 : 200,
  );
}

export function userRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/users", async (c) => {
    const { db, config, now } = c.var.deps;
    const state = parseUserListQuery(c.req.query());
    let list = await listUsers(db, state);
    const lastPage = Math.max(1, Math.ceil(list.total / USERS_PAGE_SIZE));
    if (state.page > lastPage) {
      // Past the end (users were deleted, or a stale link): show the last page instead.
      state.page = lastPage;
      list = await listUsers(db, state);
    }
    const props = {
      state,
      rows: list.rows,
      total: list.total,
      pageSize: USERS_PAGE_SIZE,
      refreshSeconds: config.tableRefresh,
      now: now(),
    };
    // One URL answers a page or a fragment: keep caches from serving one for the other.
    c.header("Vary", "HX-Request, HX-History-Restore-Request");
    c.header("Cache-Control", "no-store");
    if (wantsFragment(c)) return c.html(<UsersTableFragment {...props} />);
    const session = c.var.session!;
    return c.html(
      <UsersPage {...props} csrfToken={session.csrfToken} username={session.username} />,
    );
  });

  app.get("/users/new", async (c) => {
    const session = c.var.session!;
    const inboundTags = await listInboundTags(c.var.deps.db);
    return c.html(
      <NewUserPage
        csrfToken={session.csrfToken}
        username={session.username}
        form={{ values: EMPTY_USER_FORM, errors: {}, inboundTags }}
      />,
    );
  });

  app.post("/users", async (c) => {
    const form = await readForm(c);
    try {
      const user = await createUser(c.var.deps, parseUserForm(form));
      return redirectAfterPost(c, userUrl(user.name, "?done=created"));
    } catch (e) {
      const errors = formErrors(e);
      const session = c.var.session!;
      const props = {
        values: submittedFormValues(form),
        errors,
        inboundTags: await listInboundTags(c.var.deps.db),
      };
      if (isHtmx(c)) {
        return c.html(
          <UserForm
            action="/users"
            csrfToken={session.csrfToken}
            submitLabel="Create user"
            {...props}
          />,
          422,
        );
      }
      return c.html(
        <NewUserPage csrfToken={session.csrfToken} username={session.username} form={props} />,
        422,
      );
    }
  });

  app.get("/users/:name", (c) => renderDetail(c, c.req.param("name")));

  app.post("/users/:name", async (c) => {
    const name = c.req.param("name");
    const { user } = await getUserDetail(c.var.deps.db, name);
    const form = await readForm(c);
    try {
      const saved = await updateUser(c.var.deps, name, parseUserForm(form, user));
      return redirectAfterPost(c, userUrl(saved.name, "?done=saved"));
    } catch (e) {
      const edit = { values: submittedFormValues(form), errors: formErrors(e) };
      if (!isHtmx(c)) return renderDetail(c, name, edit);
      const inboundTags = await listInboundTags(c.var.deps.db);
      return c.html(
        <UserForm
          action={userUrl(name)}
          csrfToken={c.var.session!.csrfToken}
          submitLabel="Save changes"
          inboundTags={inboundTags}
          {...edit}
        />,
        422,
      );
    }
  });

  app.post("/users/:name/toggle", async (c) => {
    const name = c.req.param("name");
    const wanted = (await readForm(c))["enabled"];
    const enabled = wanted === "1" || wanted === "0"
      ? wanted === "1"
      : !(await getUserDetail(c.var.deps.db, name)).user.enabled;
    await setUserEnabled(c.var.deps, name, enabled);
    return redirectAfterPost(c, userUrl(name, enabled ? "?done=enabled" : "?done=disabled"));
  });

  app.post("/users/:name/reset-traffic", async (c) => {
    const user = await resetUserTraffic(c.var.deps, c.req.param("name"));
    return redirectAfterPost(c, userUrl(user.name, "?done=reset"));
  });

  app.post("/users/:name/regenerate", async (c) => {
    const user = await regenerateUserCredentials(c.var.deps, c.req.param("name"));
    return redirectAfterPost(c, userUrl(user.name, "?done=regenerated"));
  });

  app.post("/users/:name/delete", async (c) => {
    await deleteUser(c.var.deps, c.req.param("name"));
    return redirectAfterPost(c, "/users");
  });

  return app;
}
