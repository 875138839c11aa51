/** The inbounds list: a self-refreshing table sorted server-side by tag or traffic. */
import { Bytes, CsrfField, Layout } from "./layout.tsx";
import { useI18n } from "./i18n.ts";
import { InboundTypeName } from "./inbound_type.tsx";
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
  /** The tag of an inbound just deleted (a notice after a non-htmx delete). */
  deleted?: string;
}

export function InboundsPage(props: InboundsPageProps) {
  const { t } = useI18n();
  return (
    <Layout
      title={t.nav.inbounds}
      active="inbounds"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <div class="toolbar">
        <h1>{t.nav.inbounds}</h1>
        <a class="button" href="/inbounds/new">{t.inbounds.new}</a>
      </div>
      {props.deleted && <p class="flash">{t.inbounds.deleted(props.deleted)}</p>}
      <InboundsTable {...props} />
      <p class="muted">{t.inbounds.totalsExplained(props.pollInterval)}</p>
    </Layout>
  );
}

/** `[::]:443` or `0.0.0.0:443`. */
export function formatListen(listen: string, port: number): string {
  return listen.includes(":") ? `[${listen}]:${port}` : `${listen}:${port}`;
}

/** The table and its self-refreshing container: the fragment htmx requests return. */
export function InboundsTable(props: InboundsTableProps) {
  const { t } = useI18n();
  const c = t.inbounds.columns;
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
            <SortHeader label={c.tag} sort={props.sort} next="tag" active={props.sort === "tag"} />
            <th>{c.type}</th>
            <th>{c.listen}</th>
            <th class="num">{c.users}</th>
            <th>{c.status}</th>
            <TrafficHeader label={t.traffic.uplink} sort={props.sort} />
            <TrafficHeader label={t.traffic.downlink} sort={props.sort} />
            <TrafficHeader label={t.traffic.total} sort={props.sort} marked />
            <th>{c.actions}</th>
          </tr>
        </thead>
        <tbody>
          {props.inbounds.length === 0 && (
            <tr>
              <td colspan={9} class="muted">
                {t.inbounds.none} <a href="/inbounds/new">{t.inbounds.createFirst}</a>
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
  const { t } = useI18n();
  const href = `/inbounds?sort=${props.next}`;
  const arrow = props.sort === "traffic_desc" ? " ▼" : " ▲";
  const title = props.num ? t.inbounds.sortByTraffic : t.inbounds.sortByTag;
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
  const { t, f } = useI18n();
  const i = props.inbound;
  const base = `/inbounds/${encodeURIComponent(i.tag)}`;
  const target = `#${INBOUNDS_TABLE_CONTAINER}`;
  return (
    <tr data-tag={i.tag} id={`inbound-row-${i.id}`}>
      <td>
        <a href={`${base}/edit`} class="truncate" title={i.tag}>{i.tag}</a>
      </td>
      <td class="wrap">
        <InboundTypeName type={i.type} />
        <SecurityNote inbound={i} />
      </td>
      <td>
        <bdi dir="ltr">{formatListen(i.listen, i.port)}</bdi>
      </td>
      <td class="num">{f.count(i.users)}</td>
      <td>
        <span class={`badge ${i.enabled ? "active" : "disabled"}`}>
          {i.enabled ? t.common.enabled : t.common.disabled}
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
            <button type="submit" class="secondary">
              {i.enabled ? t.common.disable : t.common.enable}
            </button>
          </form>
          <form
            method="post"
            action={`${base}/delete?sort=${props.sort}`}
            hx-post={`${base}/delete?sort=${props.sort}`}
            hx-target={target}
            hx-swap="outerHTML"
            hx-sync={`${target}:replace`}
            hx-confirm={t.inbounds.deleteConfirm(i.tag)}
          >
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="danger">{t.common.delete}</button>
          </form>
        </div>
      </td>
    </tr>
  );
}

/** What secures an inbound, after its type: ` · Reality`, ` · TLS (self-signed)`, a method. */
function SecurityNote(props: { inbound: InboundSummary }) {
  const { t } = useI18n();
  const s = props.inbound.settings;
  if (s.reality) return <>{" · Reality"}</>;
  if (s.tls) {
    return s.tls.selfSigned
      ? <>{` · TLS ${t.common.paren(t.inbounds.selfSigned)}`}</>
      : <>{" · TLS"}</>;
  }
  if (s.method) {
    return (
      <>
        {" · "}
        <bdi>{s.method}</bdi>
      </>
    );
  }
  return null;
}
