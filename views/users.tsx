/**
 * The Users list: toolbar, status chips, the bulk-actions bar, a self-refreshing sortable
 * table (morphed on refresh, so selections, focus and open lists survive) and the pager.
 */
import type { Child } from "hono/jsx";
import type { Messages } from "../core/i18n/en.ts";
import { USER_STATUSES, type UserStatus } from "../core/model.ts";
import { type StatusThresholds, userStatus } from "../core/users/user_status.ts";
import type { UserListQuery } from "../core/users/user_input.ts";
import type { StatusCounts } from "../db/user_status.ts";
import type { UserSort, UserWithInbounds } from "../db/users.ts";
import { Bytes, CopyButton, Layout } from "./layout.tsx";
import { useI18n } from "./i18n.ts";
import { ExpiryDate, InboundList, StatusBadge, UsageBar, userUrl } from "./user_parts.tsx";
import { BulkBar } from "./users_bulk.tsx";

export { ExpiryDate, StatusBadge, UsageBar, userUrl };

/** What the list shows: the URL state. */
export type UsersListState = UserListQuery;

export interface UsersTableProps {
  state: UsersListState;
  rows: UserWithInbounds[];
  /** Users matching search and status, over all pages. */
  total: number;
  /** Users per status among those matching the search (the chips). */
  counts: StatusCounts;
  pageSize: number;
  /** Seconds between self-refreshes. */
  refreshSeconds: number;
  now: number;
  thresholds: StatusThresholds;
  /** Each row's subscription URL, by user id (the copy-link action). */
  subscriptionUrls: Map<number, string>;
}

/** The list URL for a state; default values are left out. */
export function usersUrl(state: UsersListState): string {
  const params = new URLSearchParams();
  if (state.search) params.set("search", state.search);
  if (state.status) params.set("status", state.status);
  if (state.sort !== "name") params.set("sort", state.sort);
  if (state.page > 1) params.set("page", String(state.page));
  const query = params.toString();
  return query ? `/users?${query}` : "/users";
}

/** A sort order and its reverse, for one column header. */
const SORT_PAIRS = {
  name: ["name", "name_desc"],
  created: ["created", "created_asc"],
  expiry: ["expiry", "expiry_desc"],
  traffic: ["traffic_desc", "traffic_asc"],
} as const satisfies Record<string, readonly [UserSort, UserSort]>;

const DESCENDING = new Set<UserSort>(["name_desc", "created", "expiry_desc", "traffic_desc"]);

/** Attributes that make a link load the list into #users-list and record it in history. */
function listLink(href: string) {
  return {
    href,
    "hx-get": href,
    "hx-target": "#users-list",
    "hx-swap": "morph",
    "hx-push-url": "true",
    "hx-sync": "#users-list:replace",
  };
}

function SortHeader(
  props: {
    label: string;
    column: keyof typeof SORT_PAIRS;
    state: UsersListState;
    num?: boolean;
    class?: string;
    children?: Child;
  },
) {
  const [first, second] = SORT_PAIRS[props.column];
  const current = props.state.sort === first || props.state.sort === second
    ? props.state.sort
    : null;
  const next = current === first ? second : first;
  const descending = current !== null && DESCENDING.has(current);
  const classes = [props.num ? "num" : "", props.class ?? ""].join(" ").trim();
  return (
    <th
      class={classes || undefined}
      aria-sort={current === null ? undefined : descending ? "descending" : "ascending"}
    >
      {props.children}
      <a {...listLink(usersUrl({ ...props.state, sort: next, page: 1 }))} data-sort={next}>
        {props.label}
        {current !== null && <span class="arrow">{descending ? " ▼" : " ▲"}</span>}
      </a>
    </th>
  );
}

function Pager(props: UsersTableProps) {
  const { t, f } = useI18n();
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const { page } = props.state;
  const link = (p: number, label: string) => (
    <a rel={p < page ? "prev" : "next"} {...listLink(usersUrl({ ...props.state, page: p }))}>
      {label}
    </a>
  );
  return (
    <nav class="pager" aria-label={t.users.pages}>
      <span id="users-total">{t.users.count(props.total)}</span>
      {page > 1 ? link(page - 1, t.users.previous) : <span>{t.users.previous}</span>}
      <span>{t.users.pageOf(f.count(page), f.count(pages))}</span>
      {page < pages ? link(page + 1, t.users.next) : <span>{t.users.next}</span>}
    </nav>
  );
}

/** The status filter: one chip per status with its count, and "all". */
function StatusChips(props: { state: UsersListState; counts: StatusCounts }) {
  const { t, f } = useI18n();
  const chip = (status: UserStatus | "", label: string, count: number) => (
    <a
      class="chip"
      aria-current={props.state.status === status ? "true" : undefined}
      data-status={status || "all"}
      {...listLink(usersUrl({ ...props.state, status, page: 1 }))}
    >
      {label} <span class="count">{f.count(count)}</span>
    </a>
  );
  return (
    <nav class="chips" aria-label={t.users.filterByStatus} id="status-chips">
      {chip("", t.users.all, props.counts.all)}
      {USER_STATUSES.map((status) => chip(status, t.statuses[status], props.counts[status]))}
    </nav>
  );
}

function emptyText(props: UsersTableProps, t: Messages): string {
  const { state } = props;
  const status = state.status ? t.statuses[state.status] : "";
  if (state.search && state.status) return t.users.noneWithStatusMatch(status, state.search);
  if (state.search) return t.users.noneMatch(state.search);
  if (state.status) return t.users.noneWithStatus(status);
  return props.total > 0 ? t.users.noneOnPage : t.users.none;
}

/** The list's state, carried by the bulk form (its inputs live here, so they refresh). */
function BulkState(props: { state: UsersListState }) {
  const s = props.state;
  const field = (name: string, value: string) => (
    <input type="hidden" form="bulk-form" name={name} value={value} id={`bulk-state-${name}`} />
  );
  return (
    <>
      {field("search", s.search)}
      {field("status", s.status)}
      {field("sort", s.sort)}
      {field("page", String(s.page))}
    </>
  );
}

/**
 * The chips, the table and its pager, inside the container that refreshes itself (while
 * the tab is visible) with the same search, status, sort and page. htmx requests for
 * /users get only this.
 */
export function UsersTable(props: UsersTableProps) {
  const { t, f } = useI18n();
  const c = t.users.columns;
  const { state, now } = props;
  const url = usersUrl(state);
  return (
    <div
      id="users-list"
      hx-get={url}
      hx-trigger="refresh"
      data-refresh={String(props.refreshSeconds)}
      hx-swap="morph"
      hx-sync="this:replace"
    >
      <StatusChips state={state} counts={props.counts} />
      <BulkState state={state} />
      <div class="table-wrap">
        <table id="users-table" data-sort={state.sort}>
          <thead>
            <tr>
              <SortHeader label={c.name} column="name" state={state} class="sticky-col">
                <input
                  type="checkbox"
                  id="select-page"
                  data-check-all="ids"
                  data-check-all-scope="#users-table"
                  aria-label={t.users.selectPage}
                />
                {" "}
              </SortHeader>
              <th>{c.status}</th>
              <SortHeader label={t.users.usedOfLimit} column="traffic" state={state} />
              <SortHeader label={c.expiry} column="expiry" state={state} />
              <th class="num">{t.traffic.uplink}</th>
              <th class="num">{t.traffic.downlink}</th>
              <th>{t.nav.inbounds}</th>
              <SortHeader label={c.created} column="created" state={state} />
              <th>
                <span class="visually-hidden">{t.common.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.rows.length === 0 && (
              <tr>
                <td colspan={9} class="muted">{emptyText(props, t)}</td>
              </tr>
            )}
            {props.rows.map((user) => {
              const status = userStatus(user, now, props.thresholds);
              return (
                <tr id={`user-row-${user.id}`} data-name={user.name}>
                  <td class="sticky-col">
                    <input
                      type="checkbox"
                      class="row-select"
                      name="ids"
                      value={String(user.id)}
                      form="bulk-form"
                      id={`select-${user.id}`}
                      data-keep-checked
                      aria-label={t.users.select(user.name)}
                    />{" "}
                    <a href={userUrl(user.name)} class="truncate" title={user.name}>
                      {user.name}
                    </a>
                  </td>
                  <td>
                    <StatusBadge status={status} />
                  </td>
                  <td>
                    <UsageBar user={user} status={status} />
                  </td>
                  <td>
                    <ExpiryDate expiresAt={user.expiresAt} now={now} status={status} />
                  </td>
                  <td class="num">
                    <Bytes value={user.uplink} />
                  </td>
                  <td class="num">
                    <Bytes value={user.downlink} />
                  </td>
                  <td>
                    <InboundList tags={user.inbounds} />
                  </td>
                  <td>{f.date(user.createdAt)}</td>
                  <td>
                    <div class="row-actions">
                      <a
                        class="button secondary small"
                        href={userUrl(user.name)}
                        aria-label={t.users.edit(user.name)}
                      >
                        {t.common.edit}
                      </a>
                      <CopyButton
                        text={props.subscriptionUrls.get(user.id) ?? ""}
                        label={t.common.copyLink}
                        small
                      />
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager {...props} />
    </div>
  );
}

/** The hidden sort and status fields of the search box, updated out of band with each swap. */
function SearchState(props: { state: UsersListState; oob?: boolean }) {
  const oob = props.oob ? "true" : undefined;
  return (
    <span id="users-search-state" hx-swap-oob={oob}>
      <input type="hidden" name="sort" value={props.state.sort} />
      {props.state.status && <input type="hidden" name="status" value={props.state.status} />}
    </span>
  );
}

/** The fragment answered to htmx: the list, and the search box's state kept in step. */
export function UsersTableFragment(props: UsersTableProps & { bulkResult?: Child }) {
  return (
    <>
      <UsersTable {...props} />
      <SearchState state={props.state} oob />
      {props.bulkResult !== undefined && (
        <div id="bulk-result" class="bulk-result" aria-live="polite" hx-swap-oob="true">
          {props.bulkResult}
        </div>
      )}
    </>
  );
}

export interface UsersPageProps extends UsersTableProps {
  csrfToken: string;
  username: string;
  /** Every inbound tag, for the bulk assign and unassign actions. */
  inboundTags: string[];
  /** A message or confirmation from a bulk action posted without htmx. */
  bulkResult?: Child;
  /** How many users a batch just created. */
  created?: number;
}

export function UsersPage(props: UsersPageProps) {
  const { t } = useI18n();
  const search = {
    "hx-get": "/users",
    "hx-target": "#users-list",
    "hx-swap": "morph",
    "hx-push-url": "true",
    "hx-sync": "#users-list:replace",
  };
  return (
    <Layout
      title={t.nav.users}
      active="users"
      wide
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <div class="toolbar">
        <h1>{t.nav.users}</h1>
        <a class="button secondary" href="/users/batch">{t.users.addMany}</a>
        <a class="button" href="/users/new">{t.users.add}</a>
      </div>
      {props.created !== undefined && (
        <p class="flash" role="status" id="users-created">{t.users.created(props.created)}</p>
      )}
      <form class="toolbar" method="get" action="/users" role="search" {...search}>
        <input
          type="search"
          id="users-search"
          name="search"
          value={props.state.search}
          placeholder={t.users.searchPlaceholder}
          aria-label={t.users.searchLabel}
          maxlength={100}
          autocomplete="off"
          hx-trigger="input changed delay:300ms, search"
          hx-include="closest form"
          {...search}
        />
        <SearchState state={props.state} />
      </form>
      <BulkBar
        csrfToken={props.csrfToken}
        inboundTags={props.inboundTags}
        result={props.bulkResult}
      />
      <UsersTable {...props} />
    </Layout>
  );
}
