/** The Users list: toolbar, a self-refreshing sortable table and the pager. */
import type { UserStatus } from "../core/model.ts";
import { formatBytes, formatTime } from "../core/format.ts";
import { userStatus } from "../core/users/user_status.ts";
import { dateInputValue } from "../core/users/user_fields.ts";
import type { UserSort, UserWithInbounds } from "../db/users.ts";
import { Layout } from "./layout.tsx";
import { CopyButton } from "./share_link_list.tsx";

/** What the list shows: the URL state. */
export interface UsersListState {
  search: string;
  sort: UserSort;
  page: number;
}

export interface UsersTableProps {
  state: UsersListState;
  rows: UserWithInbounds[];
  total: number;
  pageSize: number;
  /** Seconds between self-refreshes. */
  refreshSeconds: number;
  now: number;
  /** Each row's subscription URL, by user id (the copy-link action). */
  subscriptionUrls: Map<number, string>;
}

const STATUS_LABELS: Record<UserStatus, string> = {
  active: "active",
  near_limit: "near limit",
  limited: "limited",
  expired: "expired",
  disabled: "disabled",
};

/** The list URL for a state; default values are left out. */
export function usersUrl(state: UsersListState): string {
  const params = new URLSearchParams();
  if (state.search) params.set("search", state.search);
  if (state.sort !== "name") params.set("sort", state.sort);
  if (state.page > 1) params.set("page", String(state.page));
  const query = params.toString();
  return query ? `/users?${query}` : "/users";
}

/** A user's own page. */
export function userUrl(name: string, suffix = ""): string {
  return `/users/${encodeURIComponent(name)}${suffix}`;
}

export function StatusBadge(props: { status: UserStatus }) {
  return <span class={`badge ${props.status}`}>{STATUS_LABELS[props.status]}</span>;
}

type UsageFields = Pick<UserWithInbounds, "uplink" | "downlink" | "trafficLimit">;

/** Used / limit as a bar in the status colour, or used / ∞ for unlimited users. */
export function UsageBar(props: { user: UsageFields; status: UserStatus }) {
  const { user, status } = props;
  const used = user.uplink + user.downlink;
  if (user.trafficLimit === 0) {
    return (
      <div class="usage">
        <span>{formatBytes(used)} / ∞</span>
      </div>
    );
  }
  const percent = Math.min(100, Math.round((used / user.trafficLimit) * 1000) / 10);
  return (
    <div class="usage" title={`${percent}% of the limit used`}>
      <div
        class={`bar ${status}`}
        role="progressbar"
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow={String(percent)}
      >
        <span style={`width:${percent}%`}></span>
      </div>
      <span>{formatBytes(used)} / {formatBytes(user.trafficLimit)}</span>
    </div>
  );
}

/** An expiry date (UTC), "never", or the date in red once passed. */
export function ExpiryDate(props: { expiresAt: number | null; now: number }) {
  if (props.expiresAt === null) return <span class="muted">never</span>;
  const date = dateInputValue(props.expiresAt);
  const title = formatTime(props.expiresAt) + " UTC";
  if (props.expiresAt <= props.now) {
    return <span class="expired-date" style="color:var(--bad)" title={title}>{date}</span>;
  }
  return <span title={title}>{date}</span>;
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
    "hx-swap": "outerHTML",
    "hx-push-url": "true",
    "hx-sync": "#users-list:replace",
  };
}

function SortHeader(
  props: { label: string; column: keyof typeof SORT_PAIRS; state: UsersListState; num?: boolean },
) {
  const [first, second] = SORT_PAIRS[props.column];
  const current = props.state.sort === first || props.state.sort === second
    ? props.state.sort
    : null;
  const next = current === first ? second : first;
  const descending = current !== null && DESCENDING.has(current);
  return (
    <th
      class={props.num ? "num" : undefined}
      aria-sort={current === null ? undefined : descending ? "descending" : "ascending"}
    >
      <a {...listLink(usersUrl({ ...props.state, sort: next, page: 1 }))}>
        {props.label}
        {current !== null && <span class="arrow">{descending ? " ▼" : " ▲"}</span>}
      </a>
    </th>
  );
}

function Pager(props: UsersTableProps) {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  const { page } = props.state;
  const link = (p: number, label: string) => (
    <a rel={p < page ? "prev" : "next"} {...listLink(usersUrl({ ...props.state, page: p }))}>
      {label}
    </a>
  );
  return (
    <nav class="pager" aria-label="Pages">
      <span id="users-total">{props.total} {props.total === 1 ? "user" : "users"}</span>
      {page > 1 ? link(page - 1, "← Previous") : <span>← Previous</span>}
      <span>Page {page} of {pages}</span>
      {page < pages ? link(page + 1, "Next →") : <span>Next →</span>}
    </nav>
  );
}

/**
 * The table with its pager, inside the container that refreshes itself (while the tab is
 * visible) with the same search, sort and page. htmx requests for /users get only this.
 */
export function UsersTable(props: UsersTableProps) {
  const { state, now } = props;
  const url = usersUrl(state);
  return (
    <div
      id="users-list"
      hx-get={url}
      hx-trigger={`every ${props.refreshSeconds}s [document.visibilityState === 'visible']`}
      hx-swap="outerHTML"
      hx-sync="this:replace"
    >
      <table id="users-table">
        <thead>
          <tr>
            <SortHeader label="Name" column="name" state={state} />
            <th>Status</th>
            <SortHeader label="Uplink" column="traffic" state={state} num />
            <SortHeader label="Downlink" column="traffic" state={state} num />
            <th>Used / limit</th>
            <SortHeader label="Expiry" column="expiry" state={state} />
            <SortHeader label="Created" column="created" state={state} />
            <th>Inbounds</th>
            <th>Link</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0 && (
            <tr>
              <td colspan={9} class="muted">
                {state.search
                  ? `No users match “${state.search}”`
                  : props.total > 0
                  ? "No users on this page"
                  : "No users yet"}
              </td>
            </tr>
          )}
          {props.rows.map((user) => {
            const status = userStatus(user, now);
            return (
              <tr>
                <td>
                  <a href={userUrl(user.name)}>{user.name}</a>
                </td>
                <td>
                  <StatusBadge status={status} />
                </td>
                <td class="num">{formatBytes(user.uplink)}</td>
                <td class="num">{formatBytes(user.downlink)}</td>
                <td>
                  <UsageBar user={user} status={status} />
                </td>
                <td>
                  <ExpiryDate expiresAt={user.expiresAt} now={now} />
                </td>
                <td>{dateInputValue(user.createdAt)}</td>
                <td>
                  {user.inbounds.length === 0
                    ? <span class="muted">none</span>
                    : user.inbounds.join(", ")}
                </td>
                <td>
                  <CopyButton text={props.subscriptionUrls.get(user.id) ?? ""} label="Copy link" />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Pager {...props} />
    </div>
  );
}

/** The hidden sort field of the search box, updated out of band with each table swap. */
function SortField(props: { sort: UserSort; oob?: boolean }) {
  return (
    <input
      type="hidden"
      id="users-sort"
      name="sort"
      value={props.sort}
      hx-swap-oob={props.oob ? "true" : undefined}
    />
  );
}

/** The fragment answered to htmx: the table, and the search box's sort kept in step. */
export function UsersTableFragment(props: UsersTableProps) {
  return (
    <>
      <UsersTable {...props} />
      <SortField sort={props.state.sort} oob />
    </>
  );
}

export interface UsersPageProps extends UsersTableProps {
  csrfToken: string;
  username: string;
}

export function UsersPage(props: UsersPageProps) {
  const search = {
    "hx-get": "/users",
    "hx-target": "#users-list",
    "hx-swap": "outerHTML",
    "hx-push-url": "true",
    "hx-sync": "#users-list:replace",
  };
  return (
    <Layout title="Users" active="users" csrfToken={props.csrfToken} username={props.username}>
      <div class="actions">
        <h1>Users</h1>
        <a class="button" href="/users/new">Add user</a>
      </div>
      <form class="toolbar" method="get" action="/users" role="search" {...search}>
        <input
          type="search"
          name="search"
          value={props.state.search}
          placeholder="Search by name"
          aria-label="Search users by name"
          maxlength={100}
          autocomplete="off"
          hx-trigger="keyup changed delay:300ms, search"
          hx-include="closest form"
          {...search}
        />
        <SortField sort={props.state.sort} />
      </form>
      <UsersTable {...props} />
    </Layout>
  );
}
