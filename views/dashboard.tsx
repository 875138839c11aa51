/** Dashboard: counts, core and stats state, outbound totals, recent log lines; the config. */
import type { Child } from "hono/jsx";
import { Bytes, Layout, TimeWithRelative } from "./layout.tsx";
import { useI18n } from "./i18n.ts";
import { PublicAddressWarning } from "./public_address_warning.tsx";
import { USER_STATUSES } from "../core/model.ts";
import type { CoreState, CoreStatus, StatsStatus } from "../core/services.ts";
import { parseLogLine } from "../core/sing_box/log_lines.ts";
import type { DashboardCounts } from "../db/dashboard.ts";
import type { StatusCounts } from "../db/user_status.ts";
import { TrafficTable } from "./traffic_table.tsx";

export interface DashboardProps {
  /** Inbounds whose clients get no set address (warned about while no public address is set). */
  unaddressedInbounds: string[];
  username: string;
  csrfToken: string;
  counts: DashboardCounts;
  /** Users per status. */
  statusCounts: StatusCounts;
  core: CoreStatus;
  stats: StatsStatus;
  outbounds: Array<{ tag: string; uplink: number; downlink: number }>;
  recentLogs: string[];
  now: number;
  refreshSeconds: number;
}

/** Which core buttons make sense in each state (the others are disabled). */
const CORE_ACTIONS: Record<CoreState, { start: boolean; stop: boolean; restart: boolean }> = {
  running: { start: false, stop: true, restart: true },
  starting: { start: false, stop: true, restart: false },
  stopped: { start: true, stop: false, restart: false },
  crashed: { start: true, stop: true, restart: true },
  missing: { start: false, stop: false, restart: false },
};

function Stat(props: { label: string; value: Child; children?: Child }) {
  return (
    <div class="card stat">
      <div class="value">{props.value}</div>
      <div class="label">{props.label}</div>
      {props.children}
    </div>
  );
}

function CoreButton(
  props: { action: string; label: string; enabled: boolean; kind?: string; confirm?: string },
) {
  return (
    <button
      type="button"
      id={`core-${props.action}`}
      class={props.kind}
      disabled={!props.enabled}
      hx-post={`/core/${props.action}`}
      hx-confirm={props.confirm}
      hx-target="#dashboard-status"
      hx-swap="morph"
    >
      {props.label}
    </button>
  );
}

/**
 * Which core runs: singdeck-core applies user changes without restarting; plain sing-box is
 * restarted (every connection drops) by every change.
 */
function CoreKind(props: { core: CoreStatus }) {
  const { t } = useI18n();
  const { kind, coreVersion } = props.core;
  if (kind === "singdeck-core") {
    return (
      <>
        singdeck-core{coreVersion ? ` ${coreVersion}` : ""}{" "}
        <span class="muted">{t.dashboard.coreKindLive}</span>
      </>
    );
  }
  if (kind === "sing-box") {
    return (
      <>
        sing-box <span class="muted">{t.dashboard.coreKindRestarts}</span>
      </>
    );
  }
  return <>—</>;
}

/**
 * Text the core wrote (sing-box's own errors): shown as it is, in its language (English),
 * left to right.
 */
function CoreOutput(props: { text: string }) {
  return <bdi class="core-output" lang="en" dir="ltr">{props.text}</bdi>;
}

/** Inbounds the core refused: left out of the running config so the others keep serving. */
function FailedInbounds(props: { failed: CoreStatus["failedInbounds"] }) {
  const { t } = useI18n();
  if (props.failed.length === 0) return null;
  return (
    <div class="flash error" id="failed-inbounds" role="alert">
      <p>{t.dashboard.failedInbounds(props.failed.length)}</p>
      <ul>
        {props.failed.map((f) => (
          <li>
            <a href={`/inbounds/${encodeURIComponent(f.tag)}/edit`}>{f.tag}</a>
            {t.common.colon}
            <CoreOutput text={f.reason} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Counters something reset through the StatsService (which has no authentication) since
 * the panel started: they count from zero again; what they had counted since the poll
 * before the reset is lost.
 */
function ExternalResets(props: { stats: StatsStatus; now: number }) {
  const { t } = useI18n();
  const { externalResets, lastExternalResetAt } = props.stats;
  if (externalResets <= 0) return null;
  return (
    <p class="flash warn" id="external-resets">
      {t.dashboard.externalResets(externalResets)}
      {lastExternalResetAt !== null && (
        <>
          {t.dashboard.lastSeenAt}{" "}
          <TimeWithRelative at={lastExternalResetAt} now={props.now} seconds />
        </>
      )}
      {t.dashboard.externalResetsExplained}
    </p>
  );
}

/** The part of the dashboard that refreshes itself (morphed, so focus and selection stay). */
export function DashboardStatus(props: DashboardProps) {
  const { t, f } = useI18n();
  const d = t.dashboard;
  const { counts, core, stats, statusCounts } = props;
  const can = CORE_ACTIONS[core.state];
  return (
    <div
      id="dashboard-status"
      hx-get="/?fragment=status"
      hx-trigger="refresh"
      data-refresh={String(props.refreshSeconds)}
      hx-swap="morph"
      hx-sync="this:replace"
    >
      <div class="grid">
        <Stat
          label={d.inboundsEnabled(counts.inboundsEnabled)}
          value={f.count(counts.inbounds)}
        />
        <Stat label={t.nav.users} value={f.count(statusCounts.all)}>
          <nav class="chips" aria-label={d.usersByStatus} id="dashboard-user-counts">
            {USER_STATUSES.map((status) => (
              <a class="chip" href={`/users?status=${status}`} data-status={status}>
                {t.statuses[status]} <span class="count">{f.count(statusCounts[status])}</span>
              </a>
            ))}
          </nav>
        </Stat>
        <Stat label={d.uplinkAll} value={<Bytes value={counts.uplink} />} />
        <Stat label={d.downlinkAll} value={<Bytes value={counts.downlink} />} />
      </div>
      <div class="grid">
        <section class="card" id="core-status">
          <h2>
            sing-box{" "}
            <span class={`badge ${core.state}`} id="core-state">
              {t.coreStates[core.state]}
            </span>
          </h2>
          <table class="kv">
            <tbody>
              <tr>
                <th>{d.mode}</th>
                <td id="core-kind">
                  <CoreKind core={core} />
                </td>
              </tr>
              <tr>
                <th>{d.version}</th>
                <td id="core-version">
                  <bdi dir="ltr">{core.version ?? "—"}</bdi>
                </td>
              </tr>
              <tr>
                <th>{d.buildTags}</th>
                <td>
                  <bdi dir="ltr">{core.tags.length ? core.tags.join(", ") : "—"}</bdi>
                </td>
              </tr>
              <tr>
                <th>{d.statsApi}</th>
                <td>{core.hasV2rayApi ? d.statsApiPresent : d.statsApiMissing}</td>
              </tr>
              <tr>
                <th>{d.uptime}</th>
                <td>
                  {core.startedAt ? f.duration((props.now - core.startedAt) / 1000) : "—"}
                </td>
              </tr>
              <tr>
                <th>{d.restarts}</th>
                <td>{f.count(core.restarts)}</td>
              </tr>
              <tr>
                <th>{d.binary}</th>
                <td>
                  <code>{core.binary}</code>
                </td>
              </tr>
              <tr>
                <th>{d.blockedUsers}</th>
                <td id="blocked-users">{f.count(core.blockedUsers)}</td>
              </tr>
            </tbody>
          </table>
          {core.configError && (
            <p class="flash error" id="config-error">
              {d.configRefused} <CoreOutput text={core.configError} />
            </p>
          )}
          <FailedInbounds failed={core.failedInbounds} />
          {core.lastError && (
            <p class="flash warn">
              {d.lastError} <CoreOutput text={core.lastError} />
            </p>
          )}
          <div class="actions">
            <CoreButton action="start" label={d.start} enabled={can.start} />
            <CoreButton
              action="restart"
              label={d.restart}
              enabled={can.restart}
              kind="secondary"
            />
            <CoreButton
              action="stop"
              label={d.stop}
              enabled={can.stop}
              kind="danger"
              confirm={d.stopConfirm}
            />
            <a href="/core/config">{d.viewConfig}</a>
            <a href="/core/config.json" download="sing-box.json">{d.downloadConfig}</a>
          </div>
        </section>
        <section class="card" id="stats-status">
          <h2>
            {d.trafficStatistics}{" "}
            <span class={`badge ${stats.state}`}>{t.statsStates[stats.state]}</span>
          </h2>
          {stats.reason && (
            <p class="flash warn">
              {d.staleBecause} <CoreOutput text={stats.reason} />
            </p>
          )}
          <ExternalResets stats={stats} now={props.now} />
          <table class="kv">
            <tbody>
              <tr>
                <th>{d.lastPoll}</th>
                <td id="last-poll">
                  {stats.lastPollAt === null
                    ? "—"
                    : <TimeWithRelative at={stats.lastPollAt} now={props.now} seconds />}
                </td>
              </tr>
              <tr>
                <th>{d.pollDuration}</th>
                <td>{stats.lastPollMs === null ? "—" : t.units.milliseconds(stats.lastPollMs)}</td>
              </tr>
              <tr>
                <th>{d.countersSeen}</th>
                <td>{f.count(stats.countersSeen)}</td>
              </tr>
              <tr>
                <th>{d.unknownCounters}</th>
                <td>{f.count(stats.unknownCounters)}</td>
              </tr>
            </tbody>
          </table>
          <p class="muted">{d.savedAtEveryPoll}</p>
          <h2>{d.outbounds}</h2>
          <TrafficTable
            heading={d.tag}
            empty={d.noTraffic}
            rows={props.outbounds.map((o) => ({ id: `outbound-${o.tag}`, label: o.tag, ...o }))}
          />
        </section>
      </div>
      <section class="card">
        <h2>
          {d.recentLog} <a href="/logs">{d.allLog}</a>
        </h2>
        <pre
          class="logs"
          id="recent-logs"
        >{props.recentLogs.map((line) => parseLogLine(line).text).join("\n") || t.logs.noLines}</pre>
      </section>
    </div>
  );
}

export function DashboardPage(props: DashboardProps) {
  const { t } = useI18n();
  return (
    <Layout
      title={t.nav.dashboard}
      active="dashboard"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <h1>{t.nav.dashboard}</h1>
      <PublicAddressWarning tags={props.unaddressedInbounds} />
      <DashboardStatus {...props} />
    </Layout>
  );
}

export function ConfigPage(props: { username: string; csrfToken: string; config: string | null }) {
  const { t } = useI18n();
  return (
    <Layout
      title={t.config.title}
      active="dashboard"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <h1>{t.config.heading}</h1>
      <p class="muted">
        {t.config.masked}{" "}
        <a href="/core/config.json" download="sing-box.json">{t.config.downloadReal}</a>
      </p>
      <pre class="logs" id="config">{props.config ?? t.config.none}</pre>
    </Layout>
  );
}
