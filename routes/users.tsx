/**
 * Users pages: the list, creation, and one user's page with its edit form. The buttons on
 * that page (toggle, reset, regenerate, delete) are in `user_actions.tsx`, mounted here.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import { ConflictError, ValidationError } from "../core/errors.ts";
import { createUser, getUserDetail, updateUser, userVersion } from "../core/users/users.ts";
import { parseUserForm, parseUserListQuery } from "../core/users/user_input.ts";
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
import { isHtmx, readForm, redirectAfterPost, wantsFragment } from "./htmx.ts";
import { userActionRoutes } from "./user_actions.tsx";
import { userConnectProps, userConnectRoutes } from "./user_connect.tsx";
import { getSettings } from "../core/settings.ts";
import { subscriptionBase, subscriptionUrls } from "../core/subscriptions/subscriptions.ts";

type C = Context<AppEnv>;

/** The field errors of a rejected change, or the error rethrown when it is not one. */
function formErrors(e: unknown): Record<string, string> {
  if (e instanceof ValidationError && e.status === 422) return e.fields;
  if (e instanceof ConflictError) {
    // A conflict of the whole form (changed meanwhile) has no field: show it on top.
    return Object.keys(e.fields).length > 0 ? e.fields : { form: e.message };
  }
  throw e;
}

async function renderDetail(
  c: C,
  name: string,
  edit?: { values: UserFormValues; errors: Record<string, string>; status: 409 | 422 },
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
        version: userVersion(detail.user),
      }}
      connect={await userConnectProps(c, detail.user)}
    />,
    edit?.status ?? 200,
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
    const base = subscriptionBase((await getSettings(db)).subscriptionBaseUrl, c.req.url);
    const props = {
      subscriptionUrls: await subscriptionUrls(c.var.deps.subscriptionTokens, base, list.rows),
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
    const version = typeof form.version === "string" ? form.version : undefined;
    try {
      const saved = await updateUser(c.var.deps, name, parseUserForm(form, user), version);
      return redirectAfterPost(c, userUrl(saved.name, "?done=saved"));
    } catch (e) {
      // A clash of one field (a taken name) re-renders like bad input; a change made
      // meanwhile by someone else is a conflict of the whole form.
      const status = e instanceof ConflictError && Object.keys(e.fields).length === 0 ? 409 : 422;
      const edit = { values: submittedFormValues(form), errors: formErrors(e), status } as const;
      if (!isHtmx(c)) return renderDetail(c, name, edit);
      const stored = await getUserDetail(c.var.deps.db, name);
      return c.html(
        <UserForm
          action={userUrl(name)}
          csrfToken={c.var.session!.csrfToken}
          submitLabel="Save changes"
          inboundTags={await listInboundTags(c.var.deps.db)}
          version={userVersion(stored.user)}
          {...edit}
        />,
        status,
      );
    }
  });

  app.route("/", userActionRoutes());
  app.route("/", userConnectRoutes());

  return app;
}
