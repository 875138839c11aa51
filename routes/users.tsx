/**
 * Users pages: the list, creation, and one user's page with its edit form. The buttons on
 * that page (toggle, reset, regenerate, delete) are in `user_actions.tsx`, its Connect
 * section's routes in `user_connect.tsx`, the bulk actions and batch creation in
 * `users_bulk.tsx`; all mounted here.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../app.tsx";
import { ConflictError, ValidationError } from "../core/errors.ts";
import type { Msg } from "../core/i18n/msg.ts";
import { getSettings, getStatusThresholds } from "../core/settings.ts";
import { createUser, getUserDetail, updateUser, userVersion } from "../core/users/users.ts";
import { parseUserForm, parseUserListQuery, type UserListQuery } from "../core/users/user_input.ts";
import { expiryDateValue } from "../core/users/user_fields.ts";
import { subscriptionBase, subscriptionUrls } from "../core/subscriptions/subscriptions.ts";
import { countAllUsersByStatus, countUsersByStatus } from "../db/user_status.ts";
import { listInboundChoices, listUserRows, searchCondition, USERS_PAGE_SIZE } from "../db/users.ts";
import {
  UsersPage,
  type UsersPageProps,
  UsersTableFragment,
  type UsersTableProps,
  userUrl,
} from "../views/users.tsx";
import {
  ExpiryHint,
  ExpiryHintError,
  newUserFormValues,
  NewUserPage,
  submittedFormValues,
  UserForm,
  type UserFormValues,
  userFormValues,
} from "../views/user_form.tsx";
import { isDoneKey, UserDetailPage, UserLive } from "../views/user_detail.tsx";
import { isHtmx, readForm, redirectAfterPost, wantsFragment } from "./htmx.ts";
import { userActionRoutes } from "./user_actions.tsx";
import { userBulkRoutes } from "./users_bulk.tsx";
import { userConnectProps, userConnectRoutes } from "./user_connect.tsx";

type C = Context<AppEnv>;

/**
 * One page of the list for `state` (the last page when past the end) and the counts of
 * the status chips, which also give the number of matches (one pass over the users).
 */
export async function usersTableProps(c: C, state: UserListQuery): Promise<UsersTableProps> {
  const { db, config, now } = c.var.deps;
  const t = now();
  const thresholds = await getStatusThresholds(db);
  const search = state.search ? searchCondition(state.search) : undefined;
  const counts = search
    ? await countUsersByStatus(db, t, thresholds, search)
    : await countAllUsersByStatus(db, t, thresholds);
  const total = state.status ? counts[state.status] : counts.all;
  const lastPage = Math.max(1, Math.ceil(total / USERS_PAGE_SIZE));
  // Past the end (users were deleted, or a stale link): show the last page instead.
  if (state.page > lastPage) state = { ...state, page: lastPage };
  // No match: skip the page query (for a rare status it would scan the whole order index).
  const rows = total === 0 ? [] : await listUserRows(db, {
    ...state,
    status: state.status ? { status: state.status, now: t, thresholds } : undefined,
  });
  const base = subscriptionBase((await getSettings(db)).subscriptionBaseUrl, c.req.url);
  return {
    state,
    rows,
    total,
    counts,
    pageSize: USERS_PAGE_SIZE,
    refreshSeconds: config.tableRefresh,
    now: t,
    thresholds,
    subscriptionUrls: await subscriptionUrls(c.var.deps.subscriptionTokens, base, rows),
  };
}

/** The whole Users page around the list, with a bulk result or a batch's count. */
export async function renderUsersPage(
  c: C,
  props: UsersTableProps,
  extra: Pick<UsersPageProps, "bulkResult" | "created">,
  status: 200 | 422 = 200,
) {
  const session = c.var.session!;
  const inboundTags = (await listInboundChoices(c.var.deps.db)).map((i) => i.tag);
  c.status(status);
  return c.render(
    <UsersPage
      {...props}
      {...extra}
      csrfToken={session.csrfToken}
      username={session.username}
      inboundTags={inboundTags}
    />,
  );
}

/** The field errors of a rejected change, or the error rethrown when it is not one. */
function formErrors(e: unknown): Record<string, Msg> {
  if (e instanceof ValidationError && e.status === 422) return e.fieldTexts;
  if (e instanceof ConflictError) {
    // A conflict of the whole form (changed meanwhile) has no field: show it on top.
    return Object.keys(e.fieldTexts).length > 0 ? e.fieldTexts : { form: e.text };
  }
  throw e;
}

/** What the form needs besides its values: the inbound choices and the expiry for its hint. */
async function formContext(c: C, values: UserFormValues) {
  const parsed = expiryDateValue(values.expiresOn);
  return {
    inbounds: await listInboundChoices(c.var.deps.db),
    expiresAt: parsed.value ?? null,
    now: c.var.deps.now(),
  };
}

async function renderDetail(
  c: C,
  name: string,
  edit?: { values: UserFormValues; errors: Record<string, Msg>; status: 409 | 422 },
) {
  const { db, now, config } = c.var.deps;
  const session = c.var.session!;
  const detail = await getUserDetail(db, name);
  const live = {
    ...detail,
    now: now(),
    thresholds: await getStatusThresholds(c.var.deps.db),
    refreshSeconds: config.tableRefresh,
  };
  c.header("Cache-Control", "no-store"); // the page shows credentials
  c.header("Vary", "HX-Request");
  if (!edit && c.req.query("fragment") === "live" && wantsFragment(c)) {
    return c.render(<UserLive {...live} />);
  }
  const done = c.req.query("done");
  const values = edit?.values ?? userFormValues(detail.user);
  c.status(edit?.status ?? 200);
  return c.render(
    <UserDetailPage
      {...live}
      csrfToken={session.csrfToken}
      username={session.username}
      done={isDoneKey(done, c.var.i18n.t) ? done : undefined}
      form={{
        values,
        errors: edit?.errors ?? {},
        version: userVersion(detail.user),
        ...await formContext(c, values),
      }}
      connect={await userConnectProps(c, detail.user)}
    />,
  );
}

export function userRoutes() {
  const app = new Hono<AppEnv>();

  app.get("/users", async (c) => {
    const props = await usersTableProps(c, parseUserListQuery(c.req.query()));
    // One URL answers a page or a fragment: keep caches from serving one for the other.
    c.header("Vary", "HX-Request, HX-History-Restore-Request");
    c.header("Cache-Control", "no-store");
    if (wantsFragment(c)) return c.render(<UsersTableFragment {...props} />);
    const created = Number(c.req.query("created"));
    return renderUsersPage(c, props, {
      created: Number.isSafeInteger(created) && created > 0 ? created : undefined,
    });
  });

  app.get("/users/new", async (c) => {
    const session = c.var.session!;
    const inbounds = await listInboundChoices(c.var.deps.db);
    const values = newUserFormValues(inbounds);
    return c.render(
      <NewUserPage
        csrfToken={session.csrfToken}
        username={session.username}
        form={{ values, errors: {}, ...await formContext(c, values) }}
      />,
    );
  });

  /** "in 12 days" for the date typed in the expiry field. */
  app.get("/users/new/expiry-hint", (c) => {
    const parsed = expiryDateValue(c.req.query("expiresOn") ?? "");
    if (parsed.error !== undefined) {
      c.status(422);
      return c.render(<ExpiryHintError error={parsed.error} />);
    }
    return c.render(<ExpiryHint expiresAt={parsed.value ?? null} now={c.var.deps.now()} />);
  });

  app.route("/", userBulkRoutes());

  app.post("/users", async (c) => {
    const form = await readForm(c);
    try {
      const user = await createUser(c.var.deps, parseUserForm(form));
      return redirectAfterPost(c, userUrl(user.name, "?done=created"));
    } catch (e) {
      const errors = formErrors(e);
      const session = c.var.session!;
      const values = submittedFormValues(form);
      const props = { values, errors, ...await formContext(c, values) };
      c.status(422);
      if (isHtmx(c)) {
        return c.render(
          <UserForm
            action="/users"
            csrfToken={session.csrfToken}
            submit="create"
            cancelUrl="/users"
            {...props}
          />,
        );
      }
      return c.render(
        <NewUserPage csrfToken={session.csrfToken} username={session.username} form={props} />,
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
      c.status(status);
      return c.render(
        <UserForm
          action={userUrl(name)}
          csrfToken={c.var.session!.csrfToken}
          submit="save"
          cancelUrl={userUrl(name)}
          version={userVersion(stored.user)}
          {...edit}
          {...await formContext(c, edit.values)}
        />,
      );
    }
  });

  app.route("/", userActionRoutes());
  app.route("/", userConnectRoutes());

  return app;
}
