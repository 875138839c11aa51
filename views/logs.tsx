/**
 * The Logs page: sing-box's recent lines, newest first (or oldest first, following the
 * end), filtered by level and text; long lines wrap. The lines refresh themselves.
 */
import { LOG_LEVELS, type LogFilter, type LogLine } from "../core/sing_box/log_lines.ts";
import { useI18n } from "./i18n.ts";
import { Layout } from "./layout.tsx";

export interface LogsViewProps {
  filter: LogFilter;
  lines: LogLine[];
  /** Lines kept in all, before filtering. */
  kept: number;
  refreshSeconds: number;
}

/** The URL of the logs for a filter; defaults left out. */
export function logsUrl(filter: LogFilter): string {
  const params = new URLSearchParams();
  if (filter.level) params.set("level", filter.level);
  if (filter.text) params.set("q", filter.text);
  if (filter.order !== "newest") params.set("order", filter.order);
  const query = params.toString();
  return query ? `/logs?${query}` : "/logs";
}

/** One line, the filter's text marked. */
function Line(props: { line: LogLine; needle: string }) {
  const { text, level } = props.line;
  if (!props.needle) return <span class={`level-${level}`}>{text + "\n"}</span>;
  const parts: Array<string | { mark: string }> = [];
  const lower = text.toLowerCase();
  const needle = props.needle.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, at)) {
    if (i > at) parts.push(text.slice(at, i));
    parts.push({ mark: text.slice(i, i + needle.length) });
    at = i + needle.length;
  }
  parts.push(text.slice(at));
  return (
    <span class={`level-${level}`}>
      {parts.map((part) => typeof part === "string" ? part : <mark>{part.mark}</mark>)}
      {"\n"}
    </span>
  );
}

/** The filtered lines: the part that refreshes itself, morphed. */
export function LogsView(props: LogsViewProps) {
  const { t } = useI18n();
  const { filter } = props;
  return (
    <div
      id="logs-view"
      hx-get={logsUrl(filter)}
      hx-trigger="refresh"
      data-refresh={String(props.refreshSeconds)}
      hx-swap="morph"
      hx-sync="this:replace"
    >
      <p class="muted" id="logs-count">
        {props.lines.length === props.kept
          ? t.logs.kept(props.kept, filter.order)
          : t.logs.matching(props.lines.length, props.kept)}
      </p>
      <pre
        class="logs"
        id="logs"
        data-follow={filter.order === "oldest" ? "" : undefined}
      >{props.lines.length === 0
          ? (props.kept === 0 ? t.logs.noLines : t.logs.noMatch)
          : props.lines.map((line) => <Line line={line} needle={filter.text} />)}</pre>
    </div>
  );
}

export function LogsPage(props: LogsViewProps & { username: string; csrfToken: string }) {
  const { t } = useI18n();
  const { filter } = props;
  const swap = {
    "hx-get": "/logs",
    "hx-target": "#logs-view",
    "hx-swap": "morph",
    "hx-push-url": "true",
    "hx-sync": "#logs-view:replace",
    "hx-include": "#log-filters",
  };
  return (
    <Layout title={t.nav.logs} active="logs" csrfToken={props.csrfToken} username={props.username}>
      <h1>{t.logs.heading}</h1>
      <form id="log-filters" class="log-filters" method="get" action="/logs" role="search">
        <label>
          {t.logs.level}
          <select name="level" hx-trigger="change" {...swap}>
            {(["", ...LOG_LEVELS] as const).filter((l) =>
              l !== "trace" && l !== "panic"
            ).map((
              level,
            ) => (
              <option value={level} selected={filter.level === level}>
                {t.logs.levels[level]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t.logs.text}
          <input
            type="search"
            name="q"
            value={filter.text}
            maxlength={200}
            autocomplete="off"
            hx-trigger="input changed delay:300ms, search"
            {...swap}
          />
        </label>
        <label>
          {t.logs.order}
          <select name="order" hx-trigger="change" {...swap}>
            <option value="newest" selected={filter.order === "newest"}>{t.logs.newest}</option>
            <option value="oldest" selected={filter.order === "oldest"}>
              {t.logs.oldestFollow}
            </option>
          </select>
        </label>
        <noscript>
          <button type="submit">{t.logs.filter}</button>
        </noscript>
      </form>
      <LogsView {...props} />
    </Layout>
  );
}
