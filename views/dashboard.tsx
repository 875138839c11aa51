/** Dashboard: counts, core and stats state, outbound totals, recent log lines; the config. */
import type { Child } from "hono/jsx";
import { Bytes, Layout } from "./layout.tsx";
import { PublicAddressWarning } from "./public_address_warning.tsx";
import { formatCount, formatDuration, formatRelative, formatTimeSeconds } from "../core/format.ts";
import { USER_STATUSES } from "../core/model.ts";
import type { CoreState, CoreStatus, StatsStatus } from "../core/services.ts";
import { parseLogLine } from "../core/sing_box/log_lines.ts";
import type { DashboardCounts } from "../db/dashboard.ts";
import type { StatusCounts } from "../db/user_status.ts";
import { STATUS_LABELS } from "./user_parts.tsx";
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

const CORE_STATE_LABELS: Record<CoreState, string> = {
  running: "running",
  starting: "starting",
  stopped: "stopped",
  crashed: "crashed",
  missing: "missing",
};

/** Which core buttons make sense in each state (the others are disabled). */
const CORE_ACTIONS: Record<CoreState, { start: boolean; stop: boolean; restart: boolean }> = {
  running: { start: false, stop: true, restart: true },
  starting: { start: false, stop: true, restart: false },
  stopped: { start: true, stop: false, restart: false },
  crashed: { start: true, stop: true, restart: true },
  missing: { start: false, stop: false, restart: false },
};

function Stat(props: { label: string; value: string | number; children?: Child }) {
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
  const { kind, coreVersion } = props.core;
  if (kind === "singdeck-core") {
    return (
      <>
        singdeck-core{coreVersion ? ` ${coreVersion}` : ""}{" "}
        <span class="muted">(user changes apply without restarts)</span>
      </>
    );
  }
  if (kind === "sing-box") {
    return (
      <>
        sing-box <span class="muted">(every change restarts it)</span>
      </>
    );
  }
  return <>—</>;
}

/** Inbounds the core refused: left out of the running config so the others keep serving. */
function FailedInbounds(props: { failed: CoreStatus["failedInbounds"] }) {
  if (props.failed.length === 0) return null;
  return (
    <div class="flash error" id="failed-inbounds" role="alert">
      <p>
        sing-box refused{" "}
        {props.failed.length === 1 ? "an inbound" : "these inbounds"}; left out of the running
        config until fixed:
      </p>
      <ul>
        {props.failed.map((f) => (
          <li>
            <a href={`/inbounds/${encodeURIComponent(f.tag)}/edit`}>{f.tag}</a>: {f.reason}
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
  const { externalResets, lastExternalResetAt } = props.stats;
  if (externalResets <= 0) return null;
  return (
    <p class="flash warn" id="external-resets">
      Traffic counters were reset externally: {formatCount(externalResets)}{" "}
      {externalResets === 1 ? "counter" : "counters"} since the panel started
      {lastExternalResetAt !== null && (
        <>
          , last seen at {formatTimeSeconds(lastExternalResetAt)} UTC{" "}
          ({formatRelative(lastExternalResetAt, props.now)})
        </>
      )}. Another program on this host used sing-box's stats API. They count from zero again; the
      bytes since the poll before each reset were not counted.
    </p>
  );
}

/** The part of the dashboard that refreshes itself (morphed, so focus and selection stay). */
export function DashboardStatus(props: DashboardProps) {
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
          label={`Inbounds (${formatCount(counts.inboundsEnabled)} enabled)`}
          value={formatCount(counts.inbounds)}
        />
        <Stat label="Users" value={formatCount(statusCounts.all)}>
          <nav class="chips" aria-label="Users by status" id="dashboard-user-counts">
            {USER_STATUSES.map((status) => (
              <a class="chip" href={`/users?status=${status}`} data-status={status}>
                {STATUS_LABELS[status]}{" "}
                <span class="count">{formatCount(statusCounts[status])}</span>
              </a>
            ))}
          </nav>
        </Stat>
        <div class="card stat">
          <div class="value">
            <Bytes value={counts.uplink} />
          </div>
          <div class="label">Uplink, all inbounds</div>
        </div>
        <div class="card stat">
          <div class="value">
            <Bytes value={counts.downlink} />
          </div>
          <div class="label">Downlink, all inbounds</div>
        </div>
      </div>
      <div class="grid">
        <section class="card" id="core-status">
          <h2>
            sing-box{" "}
            <span class={`badge ${core.state}`} id="core-state">
              {CORE_STATE_LABELS[core.state]}
            </span>
          </h2>
          <table class="kv">
            <tbody>
              <tr>
                <th>Mode</th>
                <td id="core-kind">
                  <CoreKind core={core} />
                </td>
              </tr>
              <tr>
                <th>Version</th>
                <td id="core-version">{core.version ?? "—"}</td>
              </tr>
              <tr>
                <th>Build tags</th>
                <td>{core.tags.length ? core.tags.join(", ") : "—"}</td>
              </tr>
              <tr>
                <th>V2Ray stats API</th>
                <td>{core.hasV2rayApi ? "present" : "missing (traffic is not counted)"}</td>
              </tr>
              <tr>
                <th>Uptime</th>
                <td>
                  {core.startedAt ? formatDuration((props.now - core.startedAt) / 1000) : "—"}
                </td>
              </tr>
              <tr>
                <th>Restarts after crashes</th>
                <td>{formatCount(core.restarts)}</td>
              </tr>
              <tr>
                <th>Binary</th>
                <td>
                  <code>{core.binary}</code>
                </td>
              </tr>
              <tr>
                <th>Users blocked now</th>
                <td id="blocked-users">{formatCount(core.blockedUsers)}</td>
              </tr>
            </tbody>
          </table>
          {core.configError && <p class="flash error" id="config-error">{core.configError}</p>}
          <FailedInbounds failed={core.failedInbounds} />
          {core.lastError && <p class="flash warn">{core.lastError}</p>}
          <div class="actions">
            <CoreButton action="start" label="Start" enabled={can.start} />
            <CoreButton action="restart" label="Restart" enabled={can.restart} kind="secondary" />
            <CoreButton
              action="stop"
              label="Stop"
              enabled={can.stop}
              kind="danger"
              confirm="Stop sing-box? Every user is disconnected."
            />
            <a href="/core/config">View config</a>
            <a href="/core/config.json" download="sing-box.json">Download config</a>
          </div>
        </section>
        <section class="card" id="stats-status">
          <h2>
            Traffic statistics <span class={`badge ${stats.state}`}>{stats.state}</span>
          </h2>
          {stats.reason && <p class="flash warn">{stats.reason}</p>}
          <ExternalResets stats={stats} now={props.now} />
          <table class="kv">
            <tbody>
              <tr>
                <th>Last successful poll</th>
                <td id="last-poll">
                  {stats.lastPollAt === null ? "—" : (
                    <>
                      {formatTimeSeconds(stats.lastPollAt)} UTC{" "}
                      <span class="muted">({formatRelative(stats.lastPollAt, props.now)})</span>
                    </>
                  )}
                </td>
              </tr>
              <tr>
                <th>Poll duration</th>
                <td>{stats.lastPollMs === null ? "—" : `${formatCount(stats.lastPollMs)} ms`}</td>
              </tr>
              <tr>
                <th>Counters seen</th>
                <td>{formatCount(stats.countersSeen)}</td>
              </tr>
              <tr>
                <th>Counters not in the config</th>
                <td>{formatCount(stats.unknownCounters)}</td>
              </tr>
            </tbody>
          </table>
          <p class="muted">
            Traffic is saved at every poll and before every planned restart. If sing-box crashes,
            the bytes since the last poll are lost.
          </p>
          <h2>Outbounds</h2>
          <TrafficTable
            heading="Tag"
            empty="No traffic yet"
            rows={props.outbounds.map((o) => ({ id: `outbound-${o.tag}`, label: o.tag, ...o }))}
          />
        </section>
      </div>
      <section class="card">
        <h2>
          Recent sing-box log <a href="/logs">(all)</a>
        </h2>
        <pre
          class="logs"
          id="recent-logs"
        >{props.recentLogs.map((line) => parseLogLine(line).text).join("\n") || "No log lines yet"}</pre>
      </section>
    </div>
  );
}

export function DashboardPage(props: DashboardProps) {
  return (
    <Layout
      title="Dashboard"
      active="dashboard"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <h1>Dashboard</h1>
      <PublicAddressWarning tags={props.unaddressedInbounds} />
      <DashboardStatus {...props} />
    </Layout>
  );
}

export function ConfigPage(props: { username: string; csrfToken: string; config: string | null }) {
  return (
    <Layout
      title="sing-box config"
      active="dashboard"
      csrfToken={props.csrfToken}
      username={props.username}
    >
      <h1>Generated sing-box config</h1>
      <p class="muted">
        Secrets are masked here. <a href="/core/config.json" download="sing-box.json">Download</a>
        {" "}
        the real file.
      </p>
      <pre class="logs" id="config">{props.config ?? "No config generated yet"}</pre>
    </Layout>
  );
}
