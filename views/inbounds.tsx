/** The inbounds list: a self-refreshing table sorted server-side by tag or traffic. */
import { Bytes, CsrfField, Layout } from "./layout.tsx";
import { formatCount } from "../core/format.ts";
import type { InboundSort, InboundSummary } from "../db/inbounds.ts";

/** Id of the element the table fragment replaces (refresh, sort, toggle, delete). */
export const INBOUNDS_TABLE_CONTAINER = "inbounds-table-container";

export interface InboundsTableProps {
  inbounds: InboundSummary[];
  sort: InboundSort;
  /** Seconds between self-refreshes while the tab is visible. */
  refreshSeconds: number;
  csrfToken: string;
}

export interface InboundsPageProps extends InboundsTableProps {
  username: string;
  pollInterval: number;
  /** A short notice after a non-htmx action (e.g. `Inbound "x" deleted`). */
  notice?: string;
}

export function InboundsPage(props: InboundsPageProps) {
  return (
    <Layout
      title="Inbounds"
      active="inbounds"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <div class="toolbar">
        <h1>Inbounds</h1>
        <a class="button" href="/inbounds/new">New inbound</a>
      </div>
      {props.notice && <p class="flash">{props.notice}</p>}
      <InboundsTable {...props} />
      <p class="muted">
        Traffic totals come from sing-box's counters, polled every {props.pollInterval}{" "}
        s. If sing-box crashes, at most the bytes since the last poll are lost.
      </p>
    </Layout>
  );
}

/** `[::]:443` or `0.0.0.0:443`. */
export function formatListen(listen: string, port: number): string {
  return listen.includes(":") ? `[${listen}]:${port}` : `${listen}:${port}`;
}

/** The table and its self-refreshing container: the fragment htmx requests return. */
export function InboundsTable(props: InboundsTableProps) {
  const url = `/inbounds?sort=${props.sort}`;
  return (
    <div
      id={INBOUNDS_TABLE_CONTAINER}
      class="table-wrap"
      hx-get={url}
      hx-trigger="refresh"
      data-refresh={String(props.refreshSeconds)}
      hx-swap="morph"
      hx-sync="this:replace"
    >
      <table id="inbounds-table" data-sort={props.sort}>
        <thead>
          <tr>
            <SortHeader label="Tag" sort={props.sort} next="tag" active={props.sort === "tag"} />
            <th>Type</th>
            <th>Listen</th>
            <th class="num">Users</th>
            <th>Status</th>
            <TrafficHeader label="Uplink" sort={props.sort} />
            <TrafficHeader label="Downlink" sort={props.sort} />
            <TrafficHeader label="Total" sort={props.sort} marked />
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.inbounds.length === 0 && (
            <tr>
              <td colspan={9} class="muted">
                No inbounds yet. <a href="/inbounds/new">Create the first one</a>.
              </td>
            </tr>
          )}
          {props.inbounds.map((inbound) => (
            <InboundRow inbound={inbound} sort={props.sort} csrfToken={props.csrfToken} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A traffic header: first click sorts by most traffic, the next one reverses. */
function TrafficHeader(props: { label: string; sort: InboundSort; marked?: boolean }) {
  const next = props.sort === "traffic_desc" ? "traffic_asc" : "traffic_desc";
  const active = props.marked === true && props.sort !== "tag";
  return <SortHeader label={props.label} sort={props.sort} next={next} active={active} num />;
}

function SortHeader(
  props: { label: string; sort: InboundSort; next: InboundSort; active: boolean; num?: boolean },
) {
  const href = `/inbounds?sort=${props.next}`;
  const arrow = props.sort === "traffic_desc" ? " ▼" : " ▲";
  const title = props.num ? "Sort by total traffic (uplink + downlink)" : "Sort by tag";
  return (
    <th
      class={props.num ? "num" : undefined}
      aria-sort={props.active
        ? (props.sort === "traffic_desc" ? "descending" : "ascending")
        : undefined}
    >
      <a
        href={href}
        title={title}
        hx-get={href}
        hx-target={`#${INBOUNDS_TABLE_CONTAINER}`}
        hx-swap="morph"
        hx-push-url="true"
        hx-sync={`#${INBOUNDS_TABLE_CONTAINER}:replace`}
        data-sort={props.next}
      >
        {props.label}
        {props.active && <span class="arrow">{arrow}</span>}
      </a>
    </th>
  );
}

function InboundRow(props: { inbound: InboundSummary; sort: InboundSort; csrfToken: string }) {
  const i = props.inbound;
  const base = `/inbounds/${encodeURIComponent(i.tag)}`;
  const target = `#${INBOUNDS_TABLE_CONTAINER}`;
  return (
    <tr data-tag={i.tag} id={`inbound-row-${i.id}`}>
      <td>
        <a href={`${base}/edit`} class="truncate" title={i.tag}>{i.tag}</a>
      </td>
      <td class="wrap">{i.type}{securityNote(i)}</td>
      <td>{formatListen(i.listen, i.port)}</td>
      <td class="num">{formatCount(i.users)}</td>
      <td>
        <span class={`badge ${i.enabled ? "active" : "disabled"}`}>
          {i.enabled ? "Enabled" : "Disabled"}
        </span>
      </td>
      <td class="num">
        <Bytes value={i.uplink} />
      </td>
      <td class="num">
        <Bytes value={i.downlink} />
      </td>
      <td class="num">
        <Bytes value={i.uplink + i.downlink} />
      </td>
      <td>
        <div class="actions">
          <form
            method="post"
            action={`${base}/toggle?sort=${props.sort}`}
            hx-post={`${base}/toggle?sort=${props.sort}`}
            hx-target={target}
            hx-swap="morph"
            hx-sync={`${target}:replace`}
          >
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="secondary">{i.enabled ? "Disable" : "Enable"}</button>
          </form>
          <form
            method="post"
            action={`${base}/delete?sort=${props.sort}`}
            hx-post={`${base}/delete?sort=${props.sort}`}
            hx-target={target}
            hx-swap="outerHTML"
            hx-sync={`${target}:replace`}
            hx-confirm={`Delete inbound "${i.tag}"? Its users lose access through it.`}
          >
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="danger">Delete</button>
          </form>
        </div>
      </td>
    </tr>
  );
}

function securityNote(i: InboundSummary): string {
  const s = i.settings;
  if (s.reality) return " · reality";
  if (s.tls) return s.tls.selfSigned ? " · tls (self-signed)" : " · tls";
  if (s.method) return ` · ${s.method}`;
  return "";
}
