/** Dashboard: counts, core and stats state, outbound totals, recent log lines. */
import { Layout } from "./layout.tsx";
import { PublicAddressWarning } from "./public_address_warning.tsx";
import { formatBytes, formatDuration, formatTime } from "../core/format.ts";
import type { CoreStatus, StatsStatus } from "../core/services.ts";
import type { DashboardCounts } from "../db/dashboard.ts";

export interface DashboardProps {
  /** Inbounds whose clients get no set address (warned about while no public address is set). */
  unaddressedInbounds: string[];
  username: string;
  csrfToken: string;
  counts: DashboardCounts;
  core: CoreStatus;
  stats: StatsStatus;
  outbounds: Array<{ tag: string; uplink: number; downlink: number }>;
  recentLogs: string[];
  now: number;
  refreshSeconds: number;
}

function Stat(props: { label: string; value: string | number }) {
  return (
    <div class="card stat">
      <div class="value">{props.value}</div>
      <div class="label">{props.label}</div>
    </div>
  );
}

/** The part of the dashboard that refreshes itself. */
export function DashboardStatus(props: DashboardProps) {
  const { counts, core, stats } = props;
  const usersOk = counts.users - counts.usersDisabled - counts.usersExpired - counts.usersLimited;
  return (
    <div
      id="dashboard-status"
      hx-get="/?fragment=status"
      hx-trigger={`every ${props.refreshSeconds}s [document.visibilityState === 'visible']`}
      hx-swap="outerHTML"
    >
      <div class="grid">
        <Stat label={`Inbounds (${counts.inboundsEnabled} enabled)`} value={counts.inbounds} />
        <Stat
          label={`Users: ${usersOk} active, ${counts.usersLimited} limited, ${counts.usersExpired} expired, ${counts.usersDisabled} disabled`}
          value={counts.users}
        />
        <Stat label="Uplink, all inbounds" value={formatBytes(counts.uplink)} />
        <Stat label="Downlink, all inbounds" value={formatBytes(counts.downlink)} />
      </div>
      <div class="grid">
        <section class="card" id="core-status">
          <h2>
            sing-box <span class={`badge ${core.state}`}>{core.state}</span>
          </h2>
          <table>
            <tbody>
              <tr>
                <th>Version</th>
                <td>{core.version ?? "—"}</td>
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
                <td>{core.restarts}</td>
              </tr>
              <tr>
                <th>Binary</th>
                <td>
                  <code>{core.binary}</code>
                </td>
              </tr>
            </tbody>
          </table>
          {core.configError && <p class="flash error" id="config-error">{core.configError}</p>}
          {core.lastError && <p class="flash warn">{core.lastError}</p>}
          <div class="actions">
            <button
              type="button"
              hx-post="/core/start"
              hx-target="#dashboard-status"
              hx-swap="outerHTML"
            >
              Start
            </button>
            <button
              type="button"
              class="secondary"
              hx-post="/core/restart"
              hx-target="#dashboard-status"
              hx-swap="outerHTML"
            >
              Restart
            </button>
            <button
              type="button"
              class="danger"
              hx-post="/core/stop"
              hx-confirm="Stop sing-box? Every user is disconnected."
              hx-target="#dashboard-status"
              hx-swap="outerHTML"
            >
              Stop
            </button>
            <a href="/core/config">View config</a>
            <a href="/core/config.json" download="sing-box.json">Download config</a>
          </div>
        </section>
        <section class="card" id="stats-status">
          <h2>
            Traffic statistics <span class={`badge ${stats.state}`}>{stats.state}</span>
          </h2>
          {stats.reason && <p class="flash warn">{stats.reason}</p>}
          <table>
            <tbody>
              <tr>
                <th>Last successful poll</th>
                <td>{formatTime(stats.lastPollAt)}</td>
              </tr>
              <tr>
                <th>Poll duration</th>
                <td>{stats.lastPollMs === null ? "—" : `${stats.lastPollMs} ms`}</td>
              </tr>
              <tr>
                <th>Counters seen</th>
                <td>{stats.countersSeen}</td>
              </tr>
              <tr>
                <th>Counters not in the config</th>
                <td>{stats.unknownCounters}</td>
              </tr>
            </tbody>
          </table>
          <p class="muted">
            Traffic is saved at every poll and before every planned restart. If sing-box crashes,
            the bytes since the last poll are lost.
          </p>
          <h2>Outbounds</h2>
          <table>
            <thead>
              <tr>
                <th>Tag</th>
                <th class="num">Uplink</th>
                <th class="num">Downlink</th>
              </tr>
            </thead>
            <tbody>
              {props.outbounds.length === 0 && (
                <tr>
                  <td colspan={3} class="muted">No traffic yet</td>
                </tr>
              )}
              {props.outbounds.map((o) => (
                <tr>
                  <td>{o.tag}</td>
                  <td class="num">{formatBytes(o.uplink)}</td>
                  <td class="num">{formatBytes(o.downlink)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
      <section class="card">
        <h2>
          Recent sing-box log <a href="/logs" class="muted">(all)</a>
        </h2>
        <pre class="logs">{props.recentLogs.join("\n") || "No log lines yet"}</pre>
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

export function LogsPage(
  props: { username: string; csrfToken: string; lines: string[]; refreshSeconds: number },
) {
  return (
    <Layout title="Logs" active="logs" csrfToken={props.csrfToken} username={props.username}>
      <h1>sing-box log</h1>
      <p class="muted">The last {props.lines.length} lines (up to 500 are kept).</p>
      <pre
        class="logs"
        id="logs"
        hx-get="/logs?fragment=lines"
        hx-trigger={`every ${props.refreshSeconds}s [document.visibilityState === 'visible']`}
        hx-select="#logs"
        hx-swap="outerHTML"
      >{props.lines.join("\n") || "No log lines yet"}</pre>
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
